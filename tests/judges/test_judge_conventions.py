"""The conventions judge on canned messages: C2 pairs, the C27 note, portfolio ratio fields (C29,
C30), and the method and media-type refusals (C1, C16)."""

from __future__ import annotations

import pytest

from conformance.clock import parse_instant
from conformance.judges.conventions import (
    broker_pair,
    is_virtual_broker,
    media_type_refusal,
    method_refusal,
    query_result_missing,
    ratio_non_numbers,
    ratio_precision,
    rsp_type_refusal,
    window_note,
)


@pytest.mark.parametrize(("short_name", "code"), [("diamond", "00992"), ("SHINHAN", "00002"), ("kiwoom", "")])
def test_a_c2_pair_passes(short_name: str, code: str) -> None:
    assert broker_pair(short_name, code) == []


@pytest.mark.parametrize(("short_name", "code", "says"), [
    ("diamond", "00049", "has the company code 00992 in C2"), ("acme", "01234", "in neither the C2 table"),
])
def test_a_pair_c2_does_not_list_is_found(short_name: str, code: str, says: str) -> None:
    (found,) = broker_pair(short_name, code)
    assert says in found.message


def test_only_the_sandbox_brokers_are_virtual() -> None:
    assert is_virtual_broker("Cyber") and not is_virtual_broker("samsung")


def test_the_window_note_says_inside_or_outside() -> None:
    assert "at 10:15 Seoul time, inside" in window_note(parse_instant("2026-12-02T10:15:00+09:00"))
    assert "at 17:00 Seoul time, outside" in window_note(parse_instant("2026-12-02T17:00:00+09:00"))


PORTFOLIO = {"portfolioList": {"portfolio": {
    "cash": {"amt": 12.5}, "equityList": [{"qty": 40.25, "earningRate": 1.123}, {"qty": 7}],
    "fundList": [{"qty": "null"}], "etcList": [{"qty": ""}]}}}


def test_numbers_and_no_values_in_the_ratio_fields_pass() -> None:
    assert ratio_non_numbers(PORTFOLIO) == []
    assert ratio_precision(PORTFOLIO) == []  # earningRate is not a ratio field (NUM-003 on rates judges it)


def test_a_quantity_written_as_a_string_is_found_at_its_path() -> None:
    doc = {"portfolioList": {"portfolio": {"cash": {"amt": "12.5"}, "equityList": [{"qty": 1}, {"qty": "40"}]}}}
    found = ratio_non_numbers(doc)
    assert [f.path for f in found] == ["portfolioList.portfolio.cash.amt", "portfolioList.portfolio.equityList[1].qty"]
    assert found[1].message == "portfolioList.portfolio.equityList[1].qty = '40'"


def test_a_ratio_with_three_decimals_is_found() -> None:
    doc = {"portfolioList": {"portfolio": {"equityList": [{"qty": 12.34}, {"qty": 12.3456789}]}}}
    (found,) = ratio_precision(doc)
    assert found.path == "portfolioList.portfolio.equityList[1].qty" and "12.3456789" in found.message


def test_other_methods_pass_only_with_405() -> None:
    assert method_refusal("balance", "GET", 405) == []
    (found,) = method_refusal("balance", "PUT", 404)
    assert found.message == "PUT on the balance path was answered HTTP 404, not 405 (C1)"


@pytest.mark.parametrize(("status", "fails"), [(415, False), (400, False), (200, True), (500, True)])
def test_a_wrong_media_type_is_refused_with_415_or_400(status: int, fails: bool) -> None:
    assert bool(media_type_refusal(status)) is fails


RESULT = "interestSymbolListResponseBody.queryResult"


def test_every_page_with_its_query_result_passes() -> None:
    pages = [{"interestSymbolListResponseBody": {"queryResult": {"count": 5, "page": "K2"}}},
             {"interestSymbolListResponseBody": {"queryResult": {"count": 2, "page": "null"}}}]
    assert query_result_missing(RESULT, pages) == []


def test_a_page_without_its_query_result_is_found() -> None:
    pages = [{"interestSymbolListResponseBody": {"queryResult": {"count": 5, "page": "K2"}}},
             {"interestSymbolListResponseBody": {"groupList": {}}},
             {"interestSymbolListResponseBody": {"queryResult": "null"}}]
    found = query_result_missing(RESULT, pages)
    assert [f.message for f in found] == [f"page 2: {RESULT} is absent, expected the block",
                                          f"page 3: {RESULT} is 'null', expected the block"]


TYPES = ("RAT", "QTY")


@pytest.mark.parametrize(("rsp_type", "answered", "code"), [
    ("QTY", False, 6002), ("XYZ", False, 6002), ("QTY", True, None),  # a broker may offer more than claimed
])
def test_an_unoffered_rsp_type_refused_with_6002_or_a_documented_one_answered_passes(rsp_type, answered, code) -> None:
    assert rsp_type_refusal(rsp_type, TYPES, answered, 500 if code else 200, code) == []


def test_another_refusal_code_or_data_for_an_unknown_type_is_found() -> None:
    (found,) = rsp_type_refusal("QTY", TYPES, False, 500, 7000)
    assert found.message == ("rspType 'QTY' was refused with HTTP 500, code 7000; "
                             "the documented code is 6002 (Invalid Rsp Type)")
    (found,) = rsp_type_refusal("XYZ", TYPES, True, 200, None)
    assert "'XYZ' (none of RAT, QTY) was answered with data" in found.message
