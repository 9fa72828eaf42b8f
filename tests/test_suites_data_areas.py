"""The judging functions of the data areas (paging, query-filters), each tried on a small
conforming and a small faulty canned message, without a server (all-query and product-groups:
tests/judges/)."""

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


PAGE = _load("test_paging")
FLT = _load("test_query_filters")


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


# --- paging ------------------------------------------------------------------------------------
def test_pages_within_count_pass_and_overfull_page_fails_page_001():
    spec = get_api("portfolio")
    docs = [_portfolio(equity=[KSP, KDQ, FUT], page="P1"),
            _portfolio(equity=[KSP, KDQ, FUT, {**KSP, "isinCode": "X"}])]
    assert PAGE.overfull_pages(spec, docs[:1], 3) == []
    assert PAGE.overfull_pages(spec, docs, 3) == ["page 2 carries 4 items for count 3"]


def test_chain_differences_page_002():
    spec = get_api("portfolio")
    truth = [_portfolio(equity=[KSP, KDQ, FUT])]
    same = [_portfolio(equity=[KSP, KDQ], page="P1"), _portfolio(equity=[{**FUT, "qty": 10}])]
    repeats = [_portfolio(equity=[KSP, KDQ], page="P1"), _portfolio(equity=[KDQ, FUT])]
    drops = [_portfolio(equity=[KSP], page="P1"), _portfolio(equity=[FUT])]
    assert PAGE.chain_differences(spec, same, truth, 2) == []
    assert PAGE.chain_differences(spec, repeats, truth, 2)[0].startswith("1 extra delivery(ies)")
    assert PAGE.chain_differences(spec, drops, truth, 2)[0].startswith("1 item(s) of the count-0 chain never")


def test_chain_differences_tolerate_duplicates_the_data_has():
    spec = get_api("transaction")
    dep = {"transDate": "20160104", "transType": "DEP", "isinCode": "", "changeAmt": 1000, "changeQty": 0,
           "qty": 0}

    def tx(*items, page="null"):
        return {"transactionHistoryResponseBody": {"queryResult": {"page": page}},
                "transList": {"transaction": list(items)}}

    truth = [tx(dep, dep)]
    split = [tx(dep, page="K1"), tx(dep)]
    assert PAGE.chain_differences(spec, split, truth, 1) == []


def test_balancelist_paged_inside_the_account_element_page_002():
    """One balance element per account; a broker may page the securities inside it (I46)."""
    spec = get_api("balancelist")
    acc = {"accNo": "0019923122221", "accName": "홍길동"}
    secs = [{"assetType": "KSP", "qty": n} for n in (1, 2, 3)]

    def bal(*securities, page="null"):
        return {"balanceListResponseBody": {"queryResult": {"page": page}},
                "balanceList": {"balance": [{"accInfo": acc, "cashBalInfo": [],
                                             "securitiesBalInfo": list(securities)}]}}

    truth = [bal(*secs)]
    assert PAGE.chain_differences(spec, [bal(*secs[:2], page="K"), bal(secs[2])], truth, 2) == []
    assert PAGE.chain_differences(spec, [bal(*secs[:2], page="K"), bal(*secs[1:])], truth, 2) != []
    assert PAGE.chain_differences(spec, [bal(secs[0], page="K"), bal(secs[2])], truth, 2) != []


@pytest.mark.parametrize(("total", "count", "bad"), [
    (3, 3.0, []), ("null", "", []), (None, None, []),
    ("3", 3, ["totalCnt"]), (3, "3", ["count"]), (True, [], ["totalCnt", "count"]),
])
def test_result_count_types_page_004(total, count, bad):
    spec = get_api("balance")
    doc = {"balanceResponseBody": {"queryResult": {"totalCnt": total, "count": count, "page": "null"}}}
    assert [p.rsplit(".", 1)[1] for p, _ in PAGE.count_type_problems(spec, doc)] == bad


def test_portfolio_result_under_table_name_is_judged_page_004():
    spec = get_api("portfolio")
    doc = {"portfolioResponseBody": {"queryRequest": {"totalCnt": "157.0", "count": 157.0, "page": "null"}}}
    found = [p for p, _ in PAGE.count_type_problems(spec, doc)]
    assert found == ["portfolioResponseBody.queryRequest.totalCnt"]


def test_result_counts_agree_page_005():
    spec = get_api("portfolio")
    good = [_portfolio(equity=[KSP, KDQ], page="P1", total=3, count=2),
            _portfolio(equity=[FUT], total=3.0)]
    bad = [_portfolio(equity=[KSP, KDQ], page="P1", total=157, count=157),
           _portfolio(equity=[FUT], count="null")]
    assert PAGE.count_agreement_problems(spec, good) == []
    assert PAGE.count_agreement_problems(spec, bad) == [
        "page 1: totalCnt 157 but the chain delivers 3 items",
        "page 1: count 157 but the message carries 2 items"]


# --- query filters -----------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "day"), [
    ("20160126", "20160126"), ("2016062211262636", "20160622"), ("2016-01-26", "20160126"),
    ("112626", None), ("20161350", None), ("", None), (None, None), (20160126, None),
])
def test_day_of(value, day):
    assert FLT.day_of(value) == day


def test_codes_of_transaction_and_b2b_items():
    assert FLT.codes_of({"isinCode": " KR7005930003"}, "transaction") == ["KR7005930003"]
    assert FLT.codes_of({"isinCode": "null"}, "transaction") == []
    item = {"isinInfo": [{"isinCode": "KR7005930003"}, {"isinCode": "A005930"}, {"isinCode": None}]}
    assert FLT.codes_of(item, "orderdetail") == ["KR7005930003", "A005930"]
    assert FLT.codes_of({"isinInfo": "null"}, "settlelist") == []


def test_outside_window_flt_001():
    items = [{"transDate": "20160105"}, {"transDate": "20160301"}, {"transDate": "null"},
             {"transDate": "20151231"}]
    assert FLT.outside_window(items, "transDate", "20160101", "20160228") == ["20160301", "20151231"]


def test_pick_instrument_prefers_a_code_not_on_every_item():
    items = [{"isinCode": "CASH"}, {"isinCode": "A"}, {"isinCode": "A"}, {"isinCode": "B"}, {"isinCode": ""}]
    assert FLT.pick_instrument(items, "transaction") == "A"
    assert FLT.pick_instrument([{"isinCode": "A"}, {"isinCode": "A"}], "transaction") == "A"
    assert FLT.pick_instrument([{"isinCode": "CASH"}], "transaction") is None


def test_today_candidates_are_dates():
    assert all(FLT.day_of(d) == d for d in FLT.today_candidates())
