"""Verdicts on saved messages that used to be wrong (issue 12, point 5), each both ways: numbers judged
on the value they need (C8, I10), lone surrogates, duplicate keys at their path, identity keys in
the four no-value forms (C4, D3), overflowing literals, numbers written as strings (C9, I11)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from helpers_contract import (
    canonical_fields,
    dumps,
    findings,
    literal,
    load_sample,
    must,
    valid_value,
    with_value,
)

from conformance.contract import API_IDS, Violation, parse, validate
from conformance.contract.literals import exponent_form, shortest_plain

D1 = "balanceList.balance.summary.d1"


def _balance_with(value: Any) -> list[Violation]:
    doc, _ = with_value("balance", "response", load_sample("balance", "response"), D1, value)
    return validate("balance", "response", dumps(doc))


# --- NUM-001 counts the zeros the value needs (C8, I10, D1) ----------------------------------------

@pytest.mark.parametrize("text", ["100.000000000", "1.000000000", "1.0000000001", "0.000000000",
                                  "-5.0000000000", "10000000001", "1000000000.5", "120.0000000000000"])
def test_zeros_the_value_does_not_need_pass_num_001(text: str) -> None:
    assert must(_balance_with(literal(text))) == set()


@pytest.mark.parametrize(("text", "form"), [
    ("1000000000", "1.0E9"), ("1000000000.000", "1.0E9"), ("0.0000000001", "1.0E-10"),
    ("-2000000000", "-2.0E9"), ("12000000000000.00", "1.2E13"), ("0.00000000012500", "1.25E-10")])
def test_zeros_the_value_needs_fail_num_001_with_the_exact_exponent_form(text: str, form: str) -> None:
    got = _balance_with(literal(text))
    assert must(got) == {(D1, "NUM-001")}
    [violation] = got if len(got) == 1 else [v for v in got if v.rule_id == "NUM-001"]
    assert f"({form})" in violation.message and text in violation.message


def test_the_shortest_plain_writing_and_the_exponent_form_are_exact() -> None:
    """Decimal, not float: a 400-digit literal neither overflows nor loses digits."""
    assert shortest_plain("100.000000000") == "100" and shortest_plain("0.0000000001") == "0.0000000001"
    assert exponent_form("1" + "0" * 400) == "1.0E400"
    assert exponent_form("123456789012345678901234567890000000000") == "1.2345678901234567890123456789E38"
    big = _balance_with(literal("1" + "0" * 400))
    assert must(big) == {(D1, "NUM-001")} and "1.0E400" in big[0].message


# --- lone surrogates: judged as what they are -----------------------------------------------------

def _surrogate_message(field_json: bytes, replacement: bytes) -> bytes:
    """The portfolio sample with `replacement` put in place of one field's JSON, plus a bad maturity
    and a plain big number elsewhere: those findings must survive the surrogate."""
    doc = load_sample("portfolio", "response")
    doc["portfolioList"]["portfolio"]["fundList"][0]["maturity"] = "9999-99-99"
    doc["portfolioList"]["portfolio"]["cash"]["amt"] = literal("5000000000")
    raw = dumps(doc)
    assert field_json in raw
    return raw.replace(field_json, replacement, 1)


OTHERS = {("portfolioList.portfolio.fundList[0].maturity", "SCHEMA-005"),
          ("portfolioList.portfolio.cash.amt", "NUM-001")}


def test_a_lone_surrogate_in_a_used_field_fails_schema_001_at_its_path() -> None:
    raw = _surrogate_message(b'"reqIdConsumer": "ID000001"', b'"reqIdConsumer": "ID\\ud800"')
    got = validate("portfolio", "response", raw)
    assert must(got) == OTHERS | {("commonHeader.reqIdConsumer", "SCHEMA-001")}
    [line] = [v for v in got if v.path == "commonHeader.reqIdConsumer"]
    assert "lone UTF-16 surrogate" in line.message and "UTF-8" in line.message


def test_a_lone_surrogate_in_an_enumerated_field_is_one_line() -> None:
    raw = _surrogate_message(b'"assetType": "KSP"', b'"assetType": "\\udc00KSP"')
    got = validate("portfolio", "response", raw)
    assert must(got) == OTHERS | {("portfolioList.portfolio.equityList[0].assetType", "SCHEMA-001")}


@pytest.mark.parametrize(("where", "replacement"), [
    (b'"certDn": ""', b'"certDn": "\\ud800"'),  # unused (C6): never judged
    (b'"certDn": ""', b'"certDn": "", "x\\udbff": "\\udfff"'),  # unknown key and value (I29)
    (b'"reqIdConsumer": "ID000001"', b'"reqIdConsumer": "ID\\ud83d\\ude00"'),  # a pair is a character
])
def test_a_lone_surrogate_where_nothing_is_judged_hides_nothing(where: bytes, replacement: bytes) -> None:
    got = validate("portfolio", "response", _surrogate_message(where, replacement))
    assert must(got) == OTHERS
    assert not any(v.rule_id == "SCHEMA-001" for v in got)


# --- duplicate keys at their path -----------------------------------------------------------------

def test_a_duplicate_key_deep_in_a_list_item_is_reported_at_its_path() -> None:
    doc = load_sample("balance", "response")
    item = doc["balanceList"]["balance"]["equityList"][3]
    code = item["isinCode"]
    doc["balanceList"]["balance"]["fundList"][0]["maturity"] = "9999-99-99"
    raw = dumps(doc)
    needle = json.dumps({"isinCode": code}, ensure_ascii=False)[1:-1].encode()
    assert raw.count(needle) == 1
    raw = raw.replace(needle, needle + b', "isinCode": "KR7000000000"')
    got = validate("balance", "response", raw)
    assert must(got) == {("balanceList.balance.equityList[3].isinCode", "SCHEMA-001"),
                         ("balanceList.balance.fundList[0].maturity", "SCHEMA-005")}
    [line] = [v for v in got if v.rule_id == "SCHEMA-001"]
    assert '"isinCode" appears twice' in line.message


def test_the_parser_keeps_the_last_value_and_every_duplicate_path() -> None:
    parsed = parse(b'{"a": [{"k": 1, "k": 2, "j": 0, "j": 1}], "b": {"c": 1, "c": 1}}')
    assert parsed.error is None and parsed.doc == {"a": [{"k": 2, "j": 1}], "b": {"c": 1}}
    assert parsed.duplicates == [["a", 0, "k"], ["a", 0, "j"], ["b", "c"]]


# --- identity keys: the four no-value forms give one verdict (C4, D3) -----------------------------

def _identity_keys() -> list[tuple[str, str]]:
    return [(api, info.path) for api in API_IDS for info in canonical_fields(api, "response")
            if info.marker == "required" and "[]" in info.path]


def test_the_identity_keys_are_the_d3_list() -> None:
    names = {path.rsplit(".", 1)[-1] for _, path in _identity_keys()}
    assert names == {"isinCode", "fundCode", "assetType", "assetName", "transDate", "transType", "accNo",
                     "comId", "vtAccNo"}


@pytest.mark.parametrize("form", ["absent", None, "null", ""])
def test_an_identity_key_without_value_fails_schema_002_in_every_form(form: Any) -> None:
    wrong = []
    for api, path in _identity_keys():
        base = load_sample(api, "response")
        doc, where = with_value(api, "response", base, path, form, absent=form == "absent")
        got = must(validate(api, "response", dumps(doc)))
        if got != {(where, "SCHEMA-002")}:
            wrong.append((api, where, sorted(got)))
    assert wrong == []


def test_an_identity_key_with_a_value_passes() -> None:
    wrong = []
    for api, path in _identity_keys():
        info = next(f for f in canonical_fields(api, "response") if f.path == path)
        doc, where = with_value(api, "response", load_sample(api, "response"), path,
                                valid_value(api, "response", info))
        if got := must(validate(api, "response", dumps(doc))):
            wrong.append((api, where, sorted(got)))
    assert wrong == []


# --- overflowing literals and numbers written as strings: one clear line each ---------------------

@pytest.mark.parametrize("text", ["1.0E400", "-1e999", "1" + "9" * 320 + ".0"])
def test_an_overflowing_literal_is_one_line_that_does_not_contradict_itself(text: str) -> None:
    got = [v for v in _balance_with(literal(text)) if v.path == D1]
    assert [(v.rule_id) for v in got] == ["SCHEMA-003"]
    assert "out of the 64-bit float range" in got[0].message and "expected" not in got[0].message


def test_an_overflowing_literal_in_an_unused_or_unknown_field_is_not_judged() -> None:
    raw = dumps(load_sample("balance", "response"))
    raw = raw.replace(b'"certDn": ""', b'"certDn": 1.0E400, "extra": -1.0E400')
    assert findings(validate("balance", "response", raw)) == findings(
        validate("balance", "response", dumps(load_sample("balance", "response"))))


@pytest.mark.parametrize(("text", "advice"), [
    ("1,000", "write the JSON number 1000"), ("6976542.0", "write the JSON number 6976542.0"),
    ("1000000000", "write the JSON number 1.0E9"), (" 12.50", "write the JSON number 12.50"),
    ("-3,000,000", "write the JSON number -3000000")])
def test_a_numeric_string_is_one_num_002_line_with_the_number_to_write(text: str, advice: str) -> None:
    got = [v for v in _balance_with(text) if v.path == D1]
    assert [v.rule_id for v in got] == ["NUM-002"]
    assert got[0].message.endswith(advice)


@pytest.mark.parametrize("text", ["1.000원", "abc", "1e400", "12-34"])
def test_a_non_numeric_string_is_one_schema_003_line(text: str) -> None:
    got = [v for v in _balance_with(text) if v.path == D1]
    assert [v.rule_id for v in got] == ["SCHEMA-003"]
