"""The all-query judge on canned messages: the ALL answer equals the union of the per-group answers
(ALL-002, ALL-004), values compared as data, market fields only for carrying a value."""

from __future__ import annotations

from portfolio_messages import BOND, CASH, FUND, FUT, KDQ, KSP, portfolio

from conformance.contract import get_api
from conformance.judges.all_query import same_value, union_differences


def _groups() -> dict[str, list[dict]]:
    return {"CASH": [portfolio(cash=CASH)],
            "EQTY": [portfolio(equity=[KSP], page="P1"), portfolio(equity=[KDQ])],
            "FUND": [portfolio(fund=[FUND])], "ETC": [portfolio(etc=[BOND])]}


def _messages(doc, groups, partial=frozenset()) -> list[str]:
    return [f.message for f in union_differences(get_api("portfolio"), doc, groups, partial)]


def test_all_equal_to_union_of_paged_groups_passes():
    # same values written differently: 60 vs 60.0, "" vs null for a field without value
    doc = portfolio(cash={"amt": 12.5}, equity=[KDQ, {**KSP, "qty": 60}], fund=[FUND], etc=[BOND])
    assert _messages(doc, _groups()) == []


def test_all_missing_a_group_fails_all_002():
    doc = portfolio(cash=CASH, equity=[KSP, KDQ], etc=[BOND])  # fund group dropped
    (found,) = union_differences(get_api("portfolio"), doc, _groups())
    assert found.path == "portfolioList.portfolio.fundList"
    assert found.message.startswith("fundList: 1 item(s) of the FUND answer missing")


def test_all_with_other_values_or_extra_items_fails_all_002():
    """In a quantity answer (rspType QTY) amounts and quantities are compared to the letter."""
    doc = portfolio(cash={"amt": 13.0}, equity=[KSP, {**KDQ, "qty": 41.0}, FUT], fund=[FUND], etc=[BOND])
    doc["portfolioResponseBody"]["queryType"] = {"rspType": "QTY"}
    problems = "\n".join(_messages(doc, _groups()))
    assert "cash: differs" in problems
    assert "equityList: 1 item(s) in ALL not in the EQTY answer" in problems
    assert "equityList: 1 item(s) with other values in ALL" in problems


def test_no_value_cash_block_equals_absent_cash():
    groups = {**_groups(), "CASH": [portfolio(cash={"amt": None})]}
    assert _messages(portfolio(equity=[KSP, KDQ], fund=[FUND], etc=[BOND]), groups) == []


def test_first_pages_of_a_large_account_must_be_in_all():
    """A group read in part (a large account): ALL may carry more of it, never lack what was read."""
    groups = {**_groups(), "EQTY": [portfolio(equity=[KSP], page="P1")]}
    full = portfolio(cash=CASH, equity=[KSP, KDQ, FUT], fund=[FUND], etc=[BOND])
    assert _messages(full, groups, frozenset({"EQTY"})) == []
    assert _messages(full, groups) != []  # read whole, the extra items would be a difference
    lacking = portfolio(cash=CASH, equity=[KDQ, FUT], fund=[FUND], etc=[BOND])
    assert _messages(lacking, groups, frozenset({"EQTY"}))[0].startswith(
        "equityList: 1 item(s) of the EQTY answer missing from ALL (of 1 read)")
    moved = portfolio(cash=CASH, equity=[{**KSP, "qty": 61.0}, KDQ], fund=[FUND], etc=[BOND])
    moved["portfolioResponseBody"]["queryType"] = {"rspType": "QTY"}
    assert "with other values" in _messages(moved, groups, frozenset({"EQTY"}))[0]


def test_values_equal_as_data_market_fields_only_carry_a_value():
    assert same_value({"a": 1, "b": [1.0, "x"]}, {"b": [1, "x"], "a": 1.0})
    assert same_value({"a": ""}, {"a": "null"}) and same_value({"a": None}, {})
    assert not same_value({"a": 1}, {"a": 2}) and not same_value({"a": "1"}, {"a": 1})
    assert same_value({"price": 100.0}, {"price": 101.5}, frozenset({"price"}))
    assert not same_value({"price": 100.0}, {"price": ""}, frozenset({"price"}))
