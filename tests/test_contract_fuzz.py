"""No traceback on any input: `validate` judges mutated saved messages (tests/fixtures/samples)
without raising, and every finding names a catalogued rule, a path and a message."""

from __future__ import annotations

import json
from typing import Any

from helpers_contract import SAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.contract import validate
from conformance.rules import get_rule

MESSAGES = sorted(path.name.removesuffix(".json").split(".") for path in SAMPLES.glob("*.json"))
RAW = {(api, kind): (SAMPLES / f"{api}.{kind}.json").read_bytes() for api, kind in MESSAGES}
TOKEN = "@@fuzz@@"
# Raw JSON the broker could send in place of any value: every kind of trouble the parser and the
# schema validator must survive.
SNIPPETS = [
    '"\\ud800"', '"a\\udfff\\ud800b"', '"\\ud83d\\ude00"', "1.0E400", "-1e999", "1e-400", "-0.0",
    "1" + "0" * 400, "1" + "0" * 5000, "100.000000000", "0.0000000001", '"1,000"', '"NULL"', '" "',
    "[]", "{}", "null", "true", '""', '"null"', "[" * 300 + "]" * 300, '{"a": 1, "a": 2}',
    '[{"equityList": [{"isinCode": null, "isinCode": "x"}]}]', '{"fundList": [{"maturity": "9999-99-99"}]}',
    '"' + "x" * 5000 + '"', "123456789012345678901234567890", '[1, "2", [3], {"4": 5}]',
]


def _paths(node: Any, parts: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [parts]
    if isinstance(node, dict):
        for key, value in node.items():
            out.extend(_paths(value, (*parts, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out.extend(_paths(value, (*parts, index)))
    return out


def _replace(doc: Any, parts: tuple[Any, ...], snippet: str) -> bytes:
    if not parts:
        return snippet.encode("utf-8", "surrogatepass")
    node = doc
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = TOKEN
    text = json.dumps(doc, ensure_ascii=False).replace(f'"{TOKEN}"', snippet)
    return text.encode("utf-8", "surrogatepass")


def _judged(api: str, kind: str, raw: bytes) -> None:
    for violation in validate(api, kind, raw):
        assert get_rule(violation.rule_id).severity in ("MUST", "SHOULD", "INFO")
        assert violation.path and violation.message


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(MESSAGES), st.data())
def test_validate_never_raises_on_a_value_replaced_by_trouble(message: list[str], data: st.DataObject) -> None:
    api, kind = message
    doc = json.loads(RAW[(api, kind)])
    paths = _paths(doc)
    parts = data.draw(st.sampled_from(paths), label="path")
    snippet = data.draw(st.sampled_from(SNIPPETS), label="snippet")
    _judged(api, kind, _replace(doc, parts, snippet))


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(MESSAGES), st.data())
def test_validate_never_raises_on_damaged_bytes(message: list[str], data: st.DataObject) -> None:
    api, kind = message
    raw = bytearray(RAW[(api, kind)])
    for _ in range(data.draw(st.integers(1, 8), label="edits")):
        at = data.draw(st.integers(0, len(raw)), label="at")
        what = data.draw(st.sampled_from(["insert", "delete", "replace", "truncate"]), label="edit")
        byte = data.draw(st.sampled_from(list(b'{}[]",:0159eE.-\\u\xff\xc3 nt')), label="byte")
        if what == "insert":
            raw[at:at] = bytes([byte])
        elif what == "delete":
            del raw[at:at + 1]
        elif what == "replace" and at < len(raw):
            raw[at] = byte
        elif what == "truncate":
            del raw[at:]
    _judged(api, kind, bytes(raw))


def test_every_snippet_in_every_field_of_one_message() -> None:
    """Exhaustive on one small message: each trouble at each place of the member-consent response."""
    base = RAW[("member-consent", "response")]
    for parts in _paths(json.loads(base)):
        for snippet in SNIPPETS:
            _judged("member-consent", "response", _replace(json.loads(base), parts, snippet))
