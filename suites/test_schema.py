"""Area `schema`: every success answer of every claimed API against its JSON Schema (C20, C9, C7)."""

from __future__ import annotations

import pytest

from conformance import checking as ck
from conformance.contract import API_IDS

MESSAGE_RULES = ck.rules("SCHEMA-001", "SCHEMA-002", "SCHEMA-003", "SCHEMA-004", "SCHEMA-005",
                         "SCHEMA-006", "SCHEMA-007", "SCHEMA-008")


@pytest.mark.parametrize("api", list(API_IDS))
@pytest.mark.parametrize("rule_id", MESSAGE_RULES)
def test_answers_follow_the_schema(rule_id, api, client):
    """Each success answer is judged by the contract validator; the rule's own findings fail it."""
    ck.judge_messages(rule_id, api, client)
