"""The contract's "no value" conventions (C3, C4, I12) as plain functions."""

from __future__ import annotations

from typing import Any

# The three value forms of "no value" (C4); the fourth form is the field being absent.
NO_VALUE_FORMS: tuple[Any, ...] = (None, "null", "")
MISSING = object()  # stands for "absent" where a value is looked up
# Case variants of "null" other than the legal "null", and other spellings serializers invent.
FAKE_NULLS = sorted(
    {"".join(c.upper() if bit else c for c, bit in zip("null", bits, strict=True))
     for bits in ((i >> 3 & 1, i >> 2 & 1, i >> 1 & 1, i & 1) for i in range(16))} - {"null"}
    | {"None", "NONE", "none", "nil", "NIL", "Nil", "undefined", "UNDEFINED", "NaN"}
)

# The no-value forms as JSON Schema definitions, shared by the schema compiler and the OpenAPI document.
SCHEMA_DEFS: dict[str, Any] = {
    "noValue": {"description": "a legal 'no value' form (C4): null, \"null\" or \"\"",
                "enum": [None, "null", ""]},
    "fakeNoValue": {"description": "strings that look like a no-value but are not legal ones",
                    "anyOf": [{"type": "string", "pattern": r"^\s+$"}, {"enum": FAKE_NULLS}]},
}


def is_no_value(value: Any) -> bool:
    """True for an absent field (MISSING), null, "null" and "" — the four legal forms."""
    return value is MISSING or value is None or (isinstance(value, str) and value in ("null", ""))


def same_or_both_empty(sent: Any, returned: Any) -> bool:
    """Echo comparison (I12, I15): equal after trimming; the four no-value forms equal each other."""
    if is_no_value(sent) and is_no_value(returned):
        return True
    if isinstance(sent, str) and isinstance(returned, str):
        return sent.strip() == returned.strip()
    if isinstance(sent, (int, float)) and isinstance(returned, (int, float)):
        return float(sent) == float(returned)
    if isinstance(sent, (int, float)) and isinstance(returned, str):
        try:
            return float(returned) == float(sent)  # numeric-string echo: warned elsewhere (ECHO-005)
        except ValueError:
            return False
    return bool(sent == returned)


def get_path(doc: Any, dotted: str) -> Any:
    """Value at a dotted path ("a.b.c"), or MISSING. A no-value block on the way means MISSING."""
    node = doc
    for key in dotted.split("."):
        if not isinstance(node, dict) or key not in node:
            return MISSING
        node = node[key]
    return node


def set_path(doc: dict[str, Any], dotted: str, value: Any) -> None:
    """Set the value at a dotted path ("a.b.c") of a request body, making the objects on the way."""
    node = doc
    *parents, last = dotted.split(".")
    for key in parents:
        child = node.setdefault(key, {})
        assert isinstance(child, dict), dotted
        node = child
    node[last] = value
