"""The paging judge on canned messages: a passing and a failing chain per rule (C12, C13, I13)."""

from __future__ import annotations

import pytest

from conformance.contract import get_api, paging_field
from conformance.judges import paging as judge

KSP = {"assetType": "KSP", "isinCode": "KR7005930003", "qty": 60.0, "earningRate": 1.5}
KDQ = {"assetType": "KDQ", "isinCode": "KR7035720002", "qty": 40.0, "earningRate": -2.25}
FUT = {"assetType": "FUT", "isinCode": "KR4101V30000", "qty": 10.0, "earningRate": 0.0}


def _portfolio(equity=None, page="null", total=None, count=None, block="queryResult") -> dict:
    result: dict = {"page": page}
    if total is not None:
        result["totalCnt"] = total
    if count is not None:
        result["count"] = count
    return {"portfolioResponseBody": {block: result},
            "portfolioList": {"portfolio": {"cash": "null", "equityList": equity if equity is not None else "null",
                                            "fundList": "null", "etcList": "null"}},
            "resp": {"respCode": "200", "respMsg": "OK"}}


ACC = {"accNo": "0019923122221", "accName": "홍길동"}


def _bal(*securities, page="null", total=None, count=None) -> dict:
    result: dict = {"page": page}
    if total is not None:
        result["totalCnt"] = total
    if count is not None:
        result["count"] = count
    return {"balanceListResponseBody": {"queryResult": result},
            "balanceList": {"balance": [{"accInfo": ACC, "cashBalInfo": [], "securitiesBalInfo": list(securities)}]}}


SECS = [{"assetType": "KSP", "qty": n} for n in (1, 2, 3)]


def test_paging_field_names_are_the_field_tables():
    """The catalogue's paging names are fields of every paged API's query and result blocks."""
    for api in ("portfolio", "balance", "transaction", "interest", "balancelist", "tradebook"):
        spec = get_api(api)
        assert spec.result
        for role in ("total", "here", "page"):
            assert f"{spec.result}.{paging_field(role)}" in spec.fields["response"], (api, role)
        if spec.query_request:
            for role in ("count", "page"):
                assert f"{spec.query_request}.{paging_field(role)}" in spec.fields["request"], (api, role)
    with pytest.raises(KeyError):
        paging_field("size")


# --- PAGE-001 ----------------------------------------------------------------------------------
def test_pages_within_count_pass_and_overfull_page_fails_page_001():
    spec = get_api("portfolio")
    docs = [_portfolio(equity=[KSP, KDQ, FUT], page="P1"),
            _portfolio(equity=[KSP, KDQ, FUT, {**KSP, "isinCode": "X"}])]
    assert judge.overfull_pages(spec, docs[:1], 3) == []
    assert [f.message for f in judge.overfull_pages(spec, docs, 3)] == ["page 2 carries 4 items for count 3"]


def test_balancelist_counts_the_securities_inside_the_account_element_page_001():
    """C13: the element frames a page of securities; count bounds the securities, not the element."""
    spec = get_api("balancelist")
    assert [i for _, i in judge.page_items(spec, _bal(*SECS))] == SECS
    assert judge.overfull_pages(spec, [_bal(*SECS[:2], page="K"), _bal(SECS[2])], 2) == []
    assert [f.message for f in judge.overfull_pages(spec, [_bal(*SECS)], 2)] == ["page 1 carries 3 items for count 2"]
    framed_only = {"balanceList": {"balance": [{"accInfo": ACC, "cashBalInfo": [], "securitiesBalInfo": "null"}]}}
    assert judge.page_items(spec, framed_only) == []


# --- PAGE-002 ----------------------------------------------------------------------------------
def test_chain_differences_page_002():
    spec = get_api("portfolio")
    truth = [_portfolio(equity=[KSP, KDQ, FUT])]
    same = [_portfolio(equity=[KSP, KDQ], page="P1"), _portfolio(equity=[{**FUT, "qty": 10}])]
    repeats = [_portfolio(equity=[KSP, KDQ], page="P1"), _portfolio(equity=[KDQ, FUT])]
    drops = [_portfolio(equity=[KSP], page="P1"), _portfolio(equity=[FUT])]
    assert judge.chain_differences(spec, same, truth, 2) == []
    assert judge.chain_differences(spec, repeats, truth, 2)[0].message.startswith("1 extra delivery(ies)")
    assert judge.chain_differences(spec, drops, truth, 2)[0].message.startswith("1 item(s) of the count-0 chain never")


def test_chain_differences_tolerate_duplicates_the_data_has():
    spec = get_api("transaction")
    dep = {"transDate": "20160104", "transType": "DEP", "isinCode": "", "changeAmt": 1000, "changeQty": 0,
           "qty": 0}

    def tx(*items, page="null"):
        return {"transactionHistoryResponseBody": {"queryResult": {"page": page}},
                "transList": {"transaction": list(items)}}

    assert judge.chain_differences(spec, [tx(dep, page="K1"), tx(dep)], [tx(dep, dep)], 1) == []


def test_balancelist_paged_inside_the_account_element_page_002():
    """One balance element per account framing its securities (I46, C13): the securities are the items."""
    spec = get_api("balancelist")
    truth = [_bal(*SECS)]
    assert judge.chain_differences(spec, [_bal(*SECS[:2], page="K"), _bal(SECS[2])], truth, 2) == []
    assert judge.chain_differences(spec, [_bal(*SECS[:2], page="K"), _bal(*SECS[1:])], truth, 2) != []
    assert judge.chain_differences(spec, [_bal(SECS[0], page="K"), _bal(SECS[2])], truth, 2) != []


def test_an_absent_field_and_a_no_value_form_are_the_same_item_page_002():
    """C4: a broker may write a security's empty maturity absent on one page and null on the next."""
    spec = get_api("balancelist")
    sec = {"assetType": "KSP", "qty": 1, "maturity": None}
    truth = [_bal(sec, SECS[1])]
    assert judge.chain_differences(spec, [_bal({"assetType": "KSP", "qty": 1}, page="K"),
                                          _bal({**SECS[1], "maturity": "null"})], truth, 1) == []
    assert judge.chain_differences(spec, [_bal({**sec, "maturity": "20260101"}, page="K"), _bal(SECS[1])],
                                   truth, 1) != []


# --- PAGE-003: the next-page key ---------------------------------------------------------------
def test_next_page_key_and_its_no_value_forms():
    spec = get_api("portfolio")
    assert judge.next_page(_portfolio(page="P1"), spec) == "P1"
    for end in ("null", "", None):
        assert judge.next_page(_portfolio(page=end), spec) is None
    assert judge.next_page(_portfolio(page="P2", block="queryRequest"), spec) == "P2"  # I20


def test_a_key_that_comes_back_within_the_first_pages_page_003():
    """A large account's chain is walked for its first pages only: a key seen twice there loops."""
    spec = get_api("portfolio")
    going_on = [_portfolio(page="P1"), _portfolio(page="P2"), _portfolio(page="P3")]
    looping = [_portfolio(page="P1"), _portfolio(page="P2"), _portfolio(page="P1")]
    assert judge.repeated_keys(spec, going_on) == []
    assert judge.repeated_keys(spec, looping) == ["P1"]


# --- PAGE-004 ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("total", "count", "bad"), [
    (3, 3.0, []), ("null", "", []), (None, None, []),
    ("3", 3, ["totalCnt"]), (3, "3", ["count"]), (True, [], ["totalCnt", "count"]),
])
def test_result_count_types_page_004(total, count, bad):
    spec = get_api("balance")
    doc = {"balanceResponseBody": {"queryResult": {"totalCnt": total, "count": count, "page": "null"}}}
    assert [f.path.rsplit(".", 1)[1] for f in judge.count_type_problems(spec, doc)] == bad


def test_portfolio_result_under_table_name_is_judged_page_004():
    spec = get_api("portfolio")
    doc = {"portfolioResponseBody": {"queryRequest": {"totalCnt": "157.0", "count": 157.0, "page": "null"}}}
    found = [f.path for f in judge.count_type_problems(spec, doc)]
    assert found == ["portfolioResponseBody.queryRequest.totalCnt"]


def test_interest_result_counts_page_004():
    spec = get_api("interest")
    good = {"interestSymbolListResponseBody": {"queryResult": {"totalCnt": 3, "count": 3, "page": "null"}}}
    bad = {"interestSymbolListResponseBody": {"queryResult": {"totalCnt": "3", "count": 3, "page": "null"}}}
    assert judge.count_type_problems(spec, good) == []
    assert [f.path for f in judge.count_type_problems(spec, bad)] == [
        "interestSymbolListResponseBody.queryResult.totalCnt"]


# --- PAGE-005 ----------------------------------------------------------------------------------
def test_result_counts_agree_page_005():
    spec = get_api("portfolio")
    good = [_portfolio(equity=[KSP, KDQ], page="P1", total=3, count=2), _portfolio(equity=[FUT], total=3.0)]
    bad = [_portfolio(equity=[KSP, KDQ], page="P1", total=157, count=157), _portfolio(equity=[FUT], count="null")]
    assert judge.count_agreement_problems(spec, good) == []
    assert [f.message for f in judge.count_agreement_problems(spec, bad)] == [
        "page 1: totalCnt 157 but the chain delivers 3 items",
        "page 1: count 157 but the message carries 2 items"]


def test_balancelist_counts_agree_with_the_securities_page_005():
    spec = get_api("balancelist")
    good = [_bal(*SECS[:2], page="K", total=3, count=2), _bal(SECS[2], total=3, count=1)]
    by_element = [_bal(*SECS[:2], page="K", total=1, count=1), _bal(SECS[2], total=1, count=1)]
    assert judge.count_agreement_problems(spec, good) == []
    assert [f.message for f in judge.count_agreement_problems(spec, by_element)] == [
        "page 1: totalCnt 1 but the chain delivers 3 items", "page 1: count 1 but the message carries 2 items",
        "page 2: totalCnt 1 but the chain delivers 3 items"]


def test_first_pages_only_judge_each_message_count_page_005():
    """Without the whole chain totalCnt cannot be compared; each message's count still can."""
    spec = get_api("portfolio")
    first_pages = [_portfolio(equity=[KSP, KDQ], page="P1", total=12000, count=2),
                   _portfolio(equity=[FUT], page="P2", total=12000, count=1)]
    assert judge.count_agreement_problems(spec, first_pages, whole=False) == []
    assert len(judge.count_agreement_problems(spec, first_pages)) == 2  # as a whole chain: totalCnt disagrees
    wrong = [_portfolio(equity=[KSP, KDQ], page="P1", total=12000, count=50)]
    assert [f.message for f in judge.count_agreement_problems(spec, wrong, whole=False)] == [
        "page 1: count 50 but the message carries 2 items"]


# --- the plan ----------------------------------------------------------------------------------
def test_total_count_believed_only_when_plausible():
    spec = get_api("portfolio")
    assert judge.total_count(spec, _portfolio(total=300), on_first=50) == 300
    assert judge.total_count(spec, _portfolio(total=3), on_first=50) is None
    assert judge.total_count(spec, _portfolio(total="300"), on_first=50) is None


def test_a_trailing_frame_without_securities_is_the_same_frame_page_002():
    """C4: the last page may frame no securities with any no-value form (absent, null, "null", "");
    the account element is still the frame every page repeats, not a second delivered item."""
    spec = get_api("balancelist")
    truth = [_bal(*SECS)]
    for empty in ("null", None, "", []):
        last = {"balanceList": {"balance": [{"accInfo": ACC, "cashBalInfo": [], "securitiesBalInfo": empty}]}}
        assert judge.chain_differences(spec, [_bal(*SECS[:2], page="K1"), _bal(SECS[2], page="K2"), last],
                                       truth, 2) == [], empty
    bare = {"balanceList": {"balance": [{"accInfo": ACC, "cashBalInfo": []}]}}
    assert judge.chain_differences(spec, [_bal(*SECS[:2], page="K1"), _bal(SECS[2], page="K2"), bare], truth, 2) == []
    assert judge.chain_differences(spec, [_bal(*SECS[:2], page="K1"), _bal(SECS[2], page="K2"), bare],
                                   [_bal(*SECS, SECS[0])], 2) != []  # a security really dropped still shows


def test_the_shape_without_the_balance_level_is_paged_too_page_001_005():
    """I46 (b): the securities directly under balanceList are the items count bounds."""
    spec = get_api("balancelist")

    def flat(*secs, page="null", count=None):
        return {"balanceListResponseBody": {"queryResult": {"page": page, "count": count, "totalCnt": 3}},
                "balanceList": {"accInfo": ACC, "cashBalInfo": [], "securitiesBalInfo": list(secs)}}
    assert judge.count_agreement_problems(spec, [flat(*SECS[:2], page="K", count=2), flat(SECS[2], count=1)]) == []
    assert [f.message for f in judge.overfull_pages(spec, [flat(*SECS)], 2)] == ["page 1 carries 3 items for count 2"]
    assert judge.chain_differences(spec, [flat(*SECS[:2], page="K"), flat(SECS[2])], [flat(*SECS)], 2) == []
    assert judge.chain_differences(spec, [flat(*SECS[:2], page="K"), flat(SECS[1])], [flat(*SECS)], 2) != []
