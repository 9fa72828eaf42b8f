"""Canned portfolio answers and items for the judges of the group areas (all-query, product-groups)."""

from __future__ import annotations


def portfolio(cash=None, equity=None, fund=None, etc=None, page="null") -> dict:
    """A portfolio answer; a list not given is "null" (no value)."""
    def given(value):
        return value if value is not None else "null"

    block = {"cash": given(cash), "equityList": given(equity), "fundList": given(fund), "etcList": given(etc)}
    return {"portfolioResponseBody": {"queryResult": {"page": page}}, "portfolioList": {"portfolio": block},
            "resp": {"respCode": "200", "respMsg": "OK"}}


KSP = {"assetType": "KSP", "isinCode": "KR7005930003", "qty": 60.0, "earningRate": 1.5}
KDQ = {"assetType": "KDQ", "isinCode": "KR7035720002", "qty": 40.0, "earningRate": -2.25}
FUT = {"assetType": "FUT", "isinCode": "KR4101V30000", "qty": 10.0, "earningRate": 0.0}
FUND = {"fundCode": "KRZ500395135", "fundName": "펀드", "qty": 100.0, "earningRate": 3.0,
        "maturity": "00000000"}
BOND = {"assetType": "BOND", "assetName": "국고03000-2409", "qty": 100.0, "earningRate": 0.5}
CASH = {"amt": 12.5}
