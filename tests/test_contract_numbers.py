"""Number notation (C8, I10) judged on the raw literal, for every number field of every API."""

from __future__ import annotations

import pytest
from helpers_contract import canonical_fields, dumps, literal, load_sample, must, with_value

from conformance.contract import API_IDS, parse, validate

PLAIN_NINE_ZEROS = ["1000000000", "10000000000.0", "-2000000000", "0.0000000001", "12000000000000"]
LEGAL = ["1.5E10", "1.0E10", "1e9", "9.816358E7", "999999999", "-12.9", "0", "3.69827563509E11",
         # zeros between significant digits stay in exponent notation too: nothing to fix
         "1.0000000001", "10000000001", "1000000000.5"]


def _numbers(api: str, kind: str) -> list[str]:
    return [f.path for f in canonical_fields(api, kind) if f.type == "number" and f.marker != "unused"]


@pytest.mark.parametrize("kind", ["request", "response"])
@pytest.mark.parametrize("api", API_IDS)
def test_plain_literals_with_nine_zeros_fail_num_001_at_their_path(api: str, kind: str) -> None:
    base = load_sample(api, kind)
    wrong = []
    for field in _numbers(api, kind):
        for text in PLAIN_NINE_ZEROS:
            doc, path = with_value(api, kind, base, field, literal(text))
            got = must(validate(api, kind, dumps(doc)))
            if got != {(path, "NUM-001")}:
                wrong.append((path, text, sorted(got)))
    assert wrong == []


@pytest.mark.parametrize("kind", ["request", "response"])
@pytest.mark.parametrize("api", API_IDS)
def test_exponent_and_short_literals_pass(api: str, kind: str) -> None:
    base = load_sample(api, kind)
    wrong = []
    for field in _numbers(api, kind):
        texts = [*LEGAL, "3.0"] if field.rsplit(".", 1)[-1] in ("count", "totalCnt") else LEGAL
        for text in texts:
            doc, path = with_value(api, kind, base, field, literal(text))
            if got := must(validate(api, kind, dumps(doc))):
                wrong.append((path, text, sorted(got)))
    assert wrong == []


def test_every_api_with_amounts_is_covered() -> None:
    assert all(_numbers(api, "response") for api in API_IDS if not api.startswith("member-"))


def test_the_message_suggests_the_exponent_form() -> None:
    doc, path = with_value("balance", "response", load_sample("balance", "response"),
                           "balanceList.balance.summary.valAtTrade", literal("369827563509000000000"))
    [violation] = [v for v in validate("balance", "response", dumps(doc)) if v.rule_id == "NUM-001"]
    assert violation.path == "balanceList.balance.summary.valAtTrade"
    assert "369827563509000000000" in violation.message and "3.69827563509E20" in violation.message


def test_the_rule_is_lexical_and_applies_outside_the_tables_too() -> None:
    raw = b'{"resp": {"respCode": "200", "respMsg": "OK"}, "extra": [1, 2000000000]}'
    assert must(validate("balance", "response", raw)) == {("extra[1]", "NUM-001")}


def test_nine_zeros_inside_strings_are_not_numbers() -> None:
    raw = (b'{"resp": {"respCode": "200", "respMsg": "1000000000"}, '
           b'"commonHeader": {"reqIdPlatform": "x000000000"}}')
    assert must(validate("balance", "response", raw)) == set()


def test_the_parser_keeps_values_and_reports_every_plain_literal() -> None:
    parsed = parse(b'{"a": 1000000000, "b": [2.0E9, 30000000000.0], "c": {"d": -7000000000}}')
    assert parsed.error is None
    assert parsed.doc == {"a": 1000000000, "b": [2.0e9, 30000000000.0], "c": {"d": -7000000000}}
    assert type(parsed.doc["a"]) is int and type(parsed.doc["b"][1]) is float
    expected = [("a", "1000000000"), ("b[1]", "30000000000.0"), ("c.d", "-7000000000")]
    assert parsed.plain_big_numbers == expected


def test_a_numeric_string_echo_is_only_a_warning() -> None:
    """I11: the samples echo count 0 as "0"; ECHO-005 (SHOULD), not NUM-002."""
    doc, path = with_value("portfolio", "response", load_sample("portfolio", "response"),
                           "portfolioResponseBody.queryType.count", "30")
    got = validate("portfolio", "response", dumps(doc))
    assert must(got) == set()
    assert [(v.path, v.rule_id) for v in got if v.path == path] == [(path, "ECHO-005")]
    doc, path = with_value("portfolio", "response", doc, "portfolioResponseBody.queryType.count", "thirty")
    assert must(validate("portfolio", "response", dumps(doc))) == {(path, "SCHEMA-003")}


def test_zero_runs_inside_strings_do_not_hide_a_real_plain_literal() -> None:
    """The cheap pre-check rules out "KR7000000000"-like strings but never a real literal."""
    raw = (b'{"resp": {"respCode": "200", "respMsg": "a: 1000000000, b"}, '
           b'"commonHeader": {"reqIdConsumer": "KR7000000000"}, '
           b'"balanceList": {"balance": {"summary": {"d1": 5000000000.0}}}}')
    assert must(validate("balance", "response", raw)) == {("balanceList.balance.summary.d1", "NUM-001")}
    only_strings = raw.replace(b"5000000000.0", b"5.0E9")
    assert must(validate("balance", "response", only_strings)) == set()


@pytest.mark.parametrize("text", ["[1000000000]", "1000000000", '{"a":\n  1000000000\n}',
                                  '{"a": [0.0000000001 ]}'])
def test_plain_literals_are_found_next_to_any_delimiter(text: str) -> None:
    assert parse(text.encode()).plain_big_numbers
