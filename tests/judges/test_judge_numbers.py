"""The numbers judge on canned messages (NUM-003: rates with at most two decimals)."""

from __future__ import annotations

from conformance.judges.numbers import rate_precision


def test_rates_with_two_decimals_pass() -> None:
    doc = {"balanceList": {"balance": {"equityList": [{"earningRate": 12.34}, {"earningRate": 5}]}}}
    assert rate_precision(doc) == []


def test_a_rate_with_three_decimals_fails_at_its_path() -> None:
    doc = {"balanceList": {"balance": {"equityList": [{"earningRate": 1.5}, {"earningRate": 12.345}]}}}
    (found,) = rate_precision(doc)
    assert found.path == "balanceList.balance.equityList[1].earningRate"
    assert "12.345" in found.message


def test_other_fields_are_not_rates() -> None:
    assert rate_precision({"x": {"price": 1.2345}}) == []
