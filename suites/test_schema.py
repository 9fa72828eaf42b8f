"""Area `schema`: every success answer of every claimed API against its JSON Schema (C20, C9, C7)."""

from __future__ import annotations

from conformance.checking import check


@check("SCHEMA-001", "SCHEMA-002", "SCHEMA-003", "SCHEMA-004", "SCHEMA-005", "SCHEMA-006", "SCHEMA-007",
       "SCHEMA-008")
def test_answers_follow_the_schema(ctx):
    """Each success answer is judged by the contract validator; the rule's own findings fail it."""
    ctx.judge_messages()
