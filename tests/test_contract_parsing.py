"""Broken bodies become one clear violation each; the validator never raises on bytes."""

from __future__ import annotations

import pytest
from helpers_contract import SAMPLES, findings, must

from conformance.contract import Violation, parse, validate

OK = b'{"resp": {"respCode": "200", "respMsg": "OK"}}'

BROKEN: dict[str, tuple[bytes, str, str]] = {
    # name: (body, rule, a word the message must contain)
    "NaN": (b'{"resp": {"respCode": "200", "respMsg": "OK"}, "x": NaN}', "SCHEMA-001", "NaN"),
    "Infinity": (b'{"resp": {"respCode": "200", "respMsg": "OK"}, "x": -Infinity}', "SCHEMA-001", "Infinity"),
    "HTML error page": (b"<html><body>502 Bad Gateway</body></html>", "SCHEMA-001", "<html>"),
    "truncated": (b'{"resp": {"respCode": "200", "respMs', "SCHEMA-001", "not JSON"),
    "empty body": (b"", "SCHEMA-001", "not JSON"),
    "trailing garbage": (OK + b" }", "SCHEMA-001", "not JSON"),
    "invalid UTF-8": (b'{"resp": {"respCode": "200", "respMsg": "\xc3\x28"}}', "TRN-002", "UTF-8"),
    "Latin-1 body": ('{"resp": {"respMsg": "café"}}'.encode("latin-1"), "TRN-002", "UTF-8"),
    "deep nesting": (b"[" * 100_000 + b"]" * 100_000, "SCHEMA-001", "nest"),
    "deep nesting in a field": (b'{"resp": ' + b"[" * 400 + b"]" * 400 + b"}", "SCHEMA-001", "nest"),
    "array root": (b"[]", "SCHEMA-001", "JSON object"),
    "string root": (b'"OK"', "SCHEMA-001", "JSON object"),
    "null root": (b"null", "SCHEMA-001", "JSON object"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_body_is_one_clear_violation(name: str) -> None:
    body, rule, word = BROKEN[name]
    violations = validate("balance", "response", body)
    assert [(v.path, v.rule_id) for v in violations] == [("(root)", rule)]
    assert word in violations[0].message


@pytest.mark.parametrize("kind", ["request", "response"])
def test_broken_bodies_never_raise_for_any_api(kind: str) -> None:
    from conformance.contract import API_IDS

    for api in API_IDS:
        for body, rule, _ in BROKEN.values():
            assert must(validate(api, kind, body)) == {("(root)", rule)}, api


def test_a_utf8_byte_order_mark_is_tolerated() -> None:
    assert validate("balance", "response", b"\xef\xbb\xbf" + OK) == []


def test_an_overflowing_literal_is_a_type_violation_with_a_readable_message() -> None:
    raw = OK[:-1] + b', "balanceList": {"balance": {"summary": {"d1": 1e400}}}}'
    [violation] = validate("balance", "response", raw)
    assert (violation.path, violation.rule_id) == ("balanceList.balance.summary.d1", "SCHEMA-003")
    assert "out of the 64-bit float range" in violation.message and "expected" not in violation.message


def test_huge_integers_outside_the_tables_do_not_break_validation() -> None:
    raw = b'{"resp": {"respCode": "200", "respMsg": "OK"}, "x": 123456789012345678901234567890123}'
    assert findings(validate("balance", "response", raw)) == set()


def test_the_parser_explains_instead_of_guessing() -> None:
    parsed = parse(b'{"a": 1, "a": 2}')
    assert parsed.error is None and parsed.doc == {"a": 2} and parsed.duplicates == [["a"]]
    assert parse(b"\xff").error_kind == "utf8"
    assert parse(b"{").error_kind == "json"
    assert parse(b'{"a": NaN}').error_kind == "nonstandard"


def test_unknown_api_and_kind_are_usage_errors() -> None:
    with pytest.raises(KeyError, match="valid ids: portfolio, balance"):
        validate("nope", "response", OK)
    with pytest.raises(ValueError, match="kind"):
        validate("balance", "reply", OK)


def test_a_violation_prints_as_path_rule_message() -> None:
    violation = Violation("resp.respCode", "SCHEMA-002", "required field is missing")
    assert violation.line() == "resp.respCode\tSCHEMA-002\trequired field is missing"
    assert violation.severity == "MUST"
    assert Violation("x", "SCHEMA-006", "").severity == "SHOULD"


def test_samples_are_valid_utf8_json_objects() -> None:
    for path in SAMPLES.glob("*.json"):
        parsed = parse(path.read_bytes())
        assert parsed.error is None and isinstance(parsed.doc, dict), path.name
