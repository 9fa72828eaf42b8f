"""The list items of a message on canned balancelist answers: both shapes of I46, and the account
element that frames its securities (C13) counted as data only when it carries some."""

from __future__ import annotations

from conformance.contract import get_api
from conformance.judges.lists import all_items, data_items

ACC = {"accNo": "0019923122221", "accName": "홍길동"}
SECS = [{"assetType": "KSP", "qty": n} for n in (1, 2)]


def test_the_shape_without_the_balance_level_has_its_element_i46():
    """I46 (b): accInfo, cashBalInfo[] and securitiesBalInfo[] directly under balanceList."""
    spec = get_api("balancelist")
    flat = {"balanceList": {"accInfo": ACC, "cashBalInfo": [], "securitiesBalInfo": SECS}}
    assert all_items(flat, spec) == [("balanceList.balance", flat["balanceList"])]
    assert [i for _, i in data_items(flat, spec)] == SECS
    assert all_items({"balanceList": {}}, spec) == [] and all_items({"balanceList": "null"}, spec) == []


def test_an_element_framing_nothing_is_no_data():
    """An unknown account answered with its frame and empty lists (C4) carries no data (ERR-004);
    a frame with securities or cash balances does."""
    spec = get_api("balancelist")
    for empty in ([], "null", None):
        frame = {"balanceList": {"balance": [{"accInfo": ACC, "cashBalInfo": empty, "securitiesBalInfo": empty}]}}
        assert data_items(frame, spec) == [], empty
    assert data_items({"balanceList": {"balance": [{"accInfo": ACC, "cashBalInfo": [{"crcyCode": None}]}]}}, spec) == []
    with_cash = {"balanceList": {"balance": [{"accInfo": ACC, "cashBalInfo": [{"cashBalance": 3000000}]}]}}
    assert len(data_items(with_cash, spec)) == 1
    served = {"balanceList": {"balance": [{"accInfo": ACC, "securitiesBalInfo": SECS}]}}
    assert [i for _, i in data_items(served, spec)] == SECS
    orders = {"orderDetailList": {"orderDetail": [{"orderNo": "1"}]}}
    assert data_items(orders, get_api("orderdetail")) == all_items(orders, get_api("orderdetail"))
