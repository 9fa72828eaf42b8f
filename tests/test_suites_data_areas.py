"""The judging functions of the data areas (all-query, product-groups; the query filters' and paging's
are in tests/judges/), each tried on a small conforming and a small faulty canned message, without a server."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from conformance.contract import get_api
from conformance.evidence import Exchange

SUITES = Path(__file__).resolve().parent.parent / "suites"


def _load(name: str) -> ModuleType:
    """A suite module by file (suites/ is not a package; pytest must not collect its checks here)."""
    key = f"_data_area_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, SUITES / f"{name}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return sys.modules[key]


ALL = _load("test_all_query")
GRP = _load("test_product_groups")


def _exchange(status: int, body: object) -> Exchange:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Exchange(id="x0001", api="portfolio", purpose="canned", method="POST", url="http://t/",
                    request_headers={}, request_body=b"{}", status=status, response_body=raw)


def _portfolio(cash=None, equity=None, fund=None, etc=None, page="null", total=None, count=None) -> dict:
    def given(value):
        return value if value is not None else "null"

    block = {"cash": given(cash), "equityList": given(equity), "fundList": given(fund), "etcList": given(etc)}
    result = {"page": page}
    if total is not None:
        result["totalCnt"] = total
    if count is not None:
        result["count"] = count
    return {"portfolioResponseBody": {"queryResult": result}, "portfolioList": {"portfolio": block},
            "resp": {"respCode": "200", "respMsg": "OK"}}


KSP = {"assetType": "KSP", "isinCode": "KR7005930003", "qty": 60.0, "earningRate": 1.5}
KDQ = {"assetType": "KDQ", "isinCode": "KR7035720002", "qty": 40.0, "earningRate": -2.25}
FUT = {"assetType": "FUT", "isinCode": "KR4101V30000", "qty": 10.0, "earningRate": 0.0}
FUND = {"fundCode": "KRZ500395135", "fundName": "펀드", "qty": 100.0, "earningRate": 3.0,
        "maturity": "00000000"}
BOND = {"assetType": "BOND", "assetName": "국고03000-2409", "qty": 100.0, "earningRate": 0.5}
CASH = {"amt": 12.5}


# --- all-query ---------------------------------------------------------------------------------
def _groups() -> dict[str, list[dict]]:
    return {"CASH": [_portfolio(cash=CASH)],
            "EQTY": [_portfolio(equity=[KSP], page="P1"), _portfolio(equity=[KDQ])],
            "FUND": [_portfolio(fund=[FUND])], "ETC": [_portfolio(etc=[BOND])]}


def test_all_equal_to_union_of_paged_groups_passes():
    spec = get_api("portfolio")
    # same values written differently: 60 vs 60.0, "" vs null for a field without value
    doc = _portfolio(cash={"amt": 12.5}, equity=[KDQ, {**KSP, "qty": 60}], fund=[FUND], etc=[BOND])
    assert ALL.union_differences(spec, doc, _groups()) == []


def test_all_missing_a_group_fails_all_002():
    spec = get_api("portfolio")
    doc = _portfolio(cash=CASH, equity=[KSP, KDQ], etc=[BOND])  # fund group dropped
    problems = ALL.union_differences(spec, doc, _groups())
    assert len(problems) == 1 and problems[0].startswith("fundList: 1 item(s) of the FUND answer missing")


def test_all_with_other_values_or_extra_items_fails_all_002():
    """In a quantity answer (rspType QTY) amounts and quantities are compared to the letter."""
    spec = get_api("portfolio")
    doc = _portfolio(cash={"amt": 13.0}, equity=[KSP, {**KDQ, "qty": 41.0}, FUT], fund=[FUND], etc=[BOND])
    doc["portfolioResponseBody"]["queryType"] = {"rspType": "QTY"}
    problems = "\n".join(ALL.union_differences(spec, doc, _groups()))
    assert "cash: differs" in problems
    assert "equityList: 1 item(s) in ALL not in the EQTY answer" in problems
    assert "equityList: 1 item(s) with other values in ALL" in problems


def test_no_value_cash_block_equals_absent_cash():
    spec = get_api("portfolio")
    groups = {**_groups(), "CASH": [_portfolio(cash={"amt": None})]}
    doc = _portfolio(equity=[KSP, KDQ], fund=[FUND], etc=[BOND])
    assert ALL.union_differences(spec, doc, groups) == []


@pytest.mark.parametrize(("status", "body", "code"), [
    (500, {"category": "Cyber", "code": 6001, "message": "Invalid Asset Type"}, 6001),
    (500, {"category": "Cyber", "code": "6001", "message": "Invalid Asset Type"}, 6001),
    (200, {"resp": {"respCode": "6001", "respMsg": "Invalid Asset Type"}}, 6001),
    (200, {"Resp": {"respCode": "200"}}, None),  # a success carries no error code
    (502, b"<html>bad gateway</html>", None),
    (500, {"code": True}, None),
])
def test_error_code_read_from_body_or_resp(status, body, code):
    from conformance.errors import error_code

    assert error_code(_exchange(status, body)) == code


# --- product groups ----------------------------------------------------------------------------
def test_per_group_answer_with_only_its_list_passes_grp_002():
    spec = get_api("portfolio")
    doc = _portfolio(cash={"amt": "null"}, equity=[KSP], fund=[], etc="")
    assert GRP.leaks(spec, "EQTY", doc) == []


def test_per_group_answer_carrying_other_lists_fails_grp_002():
    """Another group's list leaks; the summary (account overview) may come with every answer."""
    spec = get_api("balance")
    doc = {"balanceList": {"balance": {"summary": {"cashBalance": 1.0}, "equityList": [KSP],
                                       "fundList": [FUND]}}}
    found = GRP.leaks(spec, "EQTY", doc)
    assert found == ["balanceList.balance.fundList (FUND) carries 1 item(s) in the EQTY answer"]


def test_kinds_come_from_the_contract():
    assert set(GRP.kinds("portfolio", "EQTY")) == {"KSP", "KDQ", "ETF", "FUT", "OPT", "ELW", "ETC"}
    assert "BOND" in GRP.kinds("balance", "ETC") and "FUT" not in GRP.kinds("balance", "ETC")


def test_derivatives_in_etc_list_fail_grp_003():
    doc = _portfolio(equity=[KSP, FUT], etc=[BOND, {**FUT, "assetName": "선물"}])
    found = GRP.misplaced("portfolio", doc)
    assert [p for p, _ in found] == ["portfolioList.portfolio.etcList[1].assetType"]
    assert found[0][1].endswith("assetType is FUT in the ETC list; FUT belongs in equityList")


def test_etc_kinds_in_equity_list_and_unknown_kinds_fail_grp_003():
    doc = _portfolio(equity=[{**BOND, "isinCode": "KR6"}, {**KSP, "assetType": "STOCK"},
                             {**KDQ, "assetType": "null"}],
                     etc=[{**BOND, "assetType": "BONDS"}])
    found = GRP.misplaced("portfolio", doc)
    assert [p for p, _ in found] == ["portfolioList.portfolio.equityList[0].assetType",
                                     "portfolioList.portfolio.equityList[1].assetType",
                                     "portfolioList.portfolio.etcList[0].assetType"]
    assert "BOND belongs in etcList" in found[0][1] and "'STOCK' is not a documented EQTY kind" in found[1][1]


def test_held_group_and_derivatives_presence_grp_004():
    spec = get_api("portfolio")
    assert GRP.has_group_items(spec, "FUND", _portfolio(fund=[FUND]))
    assert not GRP.has_group_items(spec, "FUND", _portfolio(fund=[]))
    assert GRP.has_group_items(spec, "CASH", _portfolio(cash=CASH))
    assert not GRP.has_group_items(spec, "CASH", _portfolio(cash={"amt": ""}))
    assert GRP.has_derivatives(spec, _portfolio(equity=[KSP, FUT]))
    assert not GRP.has_derivatives(spec, _portfolio(equity=[KSP], etc=[{**BOND, "assetType": "FUT"}]))


