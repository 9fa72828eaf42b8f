"""The product-groups judge on canned messages: a per-group answer carries its group only (GRP-002),
product kinds sit in their group's list (GRP-003), held groups and derivatives show (GRP-004), the
b2b answers to two qrAssetType groups share no item (GRP-006)."""

from __future__ import annotations

from portfolio_messages import BOND, CASH, FUND, FUT, KDQ, KSP, portfolio

from conformance.contract import get_api, product_groups
from conformance.judges.groups import has_derivatives, has_group_items, kinds, leaks, misplaced, shared_items


def test_per_group_answer_with_only_its_list_passes_grp_002():
    doc = portfolio(cash={"amt": "null"}, equity=[KSP], fund=[], etc="")
    assert leaks(get_api("portfolio"), "EQTY", doc) == []


def test_per_group_answer_carrying_other_lists_fails_grp_002():
    """Another group's list leaks; the summary (account overview) may come with every answer."""
    doc = {"balanceList": {"balance": {"summary": {"cashBalance": 1.0}, "equityList": [KSP], "fundList": [FUND]}}}
    (found,) = leaks(get_api("balance"), "EQTY", doc)
    assert found.path == "balanceList.balance.fundList"
    assert found.message == "balanceList.balance.fundList (FUND) carries 1 item(s) in the EQTY answer"


def test_kinds_come_from_the_contract():
    assert set(kinds("portfolio", "EQTY")) == {"KSP", "KDQ", "ETF", "FUT", "OPT", "ELW", "ETC"}
    assert "BOND" in kinds("balance", "ETC") and "FUT" not in kinds("balance", "ETC")
    words = product_groups()
    assert set(words.derivative_kinds) <= set(kinds("portfolio", words.derivatives_group))


def test_kinds_in_their_own_lists_pass_grp_003():
    assert misplaced("portfolio", portfolio(equity=[KSP, KDQ, FUT], etc=[BOND, {**BOND, "assetType": "null"}])) == []


def test_derivatives_in_etc_list_fail_grp_003():
    doc = portfolio(equity=[KSP, FUT], etc=[BOND, {**FUT, "assetName": "선물"}])
    (found,) = misplaced("portfolio", doc)
    assert found.path == "portfolioList.portfolio.etcList[1].assetType"
    assert found.message.endswith("assetType is FUT in the ETC list; FUT belongs in equityList")


def test_etc_kinds_in_equity_list_and_unknown_kinds_fail_grp_003():
    doc = portfolio(equity=[{**BOND, "isinCode": "KR6"}, {**KSP, "assetType": "STOCK"}, {**KDQ, "assetType": "null"}],
                    etc=[{**BOND, "assetType": "BONDS"}])
    found = misplaced("portfolio", doc)
    assert [f.path for f in found] == ["portfolioList.portfolio.equityList[0].assetType",
                                       "portfolioList.portfolio.equityList[1].assetType",
                                       "portfolioList.portfolio.etcList[0].assetType"]
    assert "BOND belongs in etcList" in found[0].message
    assert "'STOCK' is not a documented EQTY kind" in found[1].message


def test_held_group_present_or_missing_grp_004():
    spec = get_api("portfolio")
    assert has_group_items(spec, "FUND", portfolio(fund=[FUND]))
    assert not has_group_items(spec, "FUND", portfolio(fund=[]))
    assert has_group_items(spec, "CASH", portfolio(cash=CASH))
    assert not has_group_items(spec, "CASH", portfolio(cash={"amt": ""}))  # a block without values


def test_derivatives_kept_out_of_the_comprehensive_account_grp_004():
    """FUT/OPT/ELW count in the equity list only; an answer without them (or with them in etcList) has none."""
    spec = get_api("balance")
    assert has_derivatives(spec, {"balanceList": {"balance": {"equityList": [KSP, {**FUT, "assetType": "ELW"}]}}})
    assert not has_derivatives(spec, {"balanceList": {"balance": {"equityList": [KSP, KDQ]}}})
    assert not has_derivatives(spec, {"balanceList": {"balance": {"equityList": [KSP],
                                                                  "etcList": [{**BOND, "assetType": "FUT"}]}}})


def _orders(*numbers: str) -> dict:
    return {"orderDetailList": {"orderDetail": [
        {"accNo": "0019923122221", "orderNo": n, "orgOrderNo": "", "orderTime": "202612020935"} for n in numbers]}}


def _securities(*items: dict) -> dict:
    return {"balanceList": {"balance": [{"accInfo": {"accNo": "0019923122221"}, "securitiesBalInfo": list(items)}]}}


def test_b2b_group_answers_with_their_own_items_pass_grp_006():
    spec = get_api("orderdetail")
    answers = {"EQTY": _orders("1", "2"), "FUND": _orders("3"), "ETC": {"orderDetailList": {"orderDetail": "null"}}}
    assert shared_items(spec, answers) == []
    # the balance element (the account) comes with every group; only its securities are items of a group
    stock, bond = {**KSP, "valAtCur": 10.0}, {**BOND, "valAtCur": 5.0}
    assert shared_items(get_api("balancelist"), {"EQTY": _securities(stock), "ETC": _securities(bond)}) == []


def test_an_item_in_two_group_answers_fails_grp_006():
    (found,) = shared_items(get_api("orderdetail"), {"EQTY": _orders("1", "2"), "FUND": _orders("2", "1"), "ETC": {}})
    assert found.path == "orderDetailList.orderDetail[]"
    assert found.message.startswith("orderDetailList.orderDetail[]: 2 item(s) of the EQTY answer are in the FUND "
                                    "answer too (qrAssetType not honoured)")


def test_a_holding_whose_price_moved_is_still_the_same_item_grp_006():
    """balancelist securities have no key: the item less its market fields identifies it."""
    spec = get_api("balancelist")
    moved = {"EQTY": _securities({**KSP, "valAtCur": 10.0}), "ETC": _securities({**KSP, "valAtCur": 11.5})}
    assert [f.path for f in shared_items(spec, moved)] == ["balanceList.balance[].securitiesBalInfo[]"]
    other = {"EQTY": _securities({**KSP, "qty": 60.0}), "ETC": _securities({**KSP, "qty": 61.0})}
    assert shared_items(spec, other) == []  # another quantity: another holding


def test_orders_alike_in_their_keys_are_still_two_orders_grp_006():
    """orderNo, orgOrderNo and orderTime are optional (C4, I1): a broker may number each group's
    orders on its own and write no order time; an equity and a fund order then agree in every key
    field, yet they are two orders, not one shared by two answers."""
    def order(isin: str, qty: float) -> dict:
        return {"accNo": "0019923122221", "orderNo": "1", "orgOrderNo": "", "orderTime": None,
                "orderQty": qty, "isinInfo": [{"isinType": "표준코드", "isinCode": isin}]}
    spec = get_api("orderdetail")
    own = {"EQTY": {"orderDetailList": {"orderDetail": [order("KR7005930003", 10.0)]}},
           "FUND": {"orderDetailList": {"orderDetail": [order("KR5101234567", 1000.0)]}}}
    assert shared_items(spec, own) == []
    ignored = {"EQTY": own["EQTY"], "FUND": {"orderDetailList": {"orderDetail": [
        order("KR5101234567", 1000.0), order("KR7005930003", 10.0)]}}}
    assert [f.path for f in shared_items(spec, ignored)] == ["orderDetailList.orderDetail[]"]


def test_b2b_securities_in_the_shape_without_the_balance_level_grp_006():
    """I46 (b): balanceList carries accInfo and securitiesBalInfo itself; its securities are judged too."""
    spec = get_api("balancelist")

    def flat(*items: dict) -> dict:
        return {"balanceList": {"accInfo": {"accNo": "0019923122221"}, "securitiesBalInfo": list(items)}}
    assert shared_items(spec, {"EQTY": flat(KSP), "ETC": flat(BOND)}) == []
    assert [f.path for f in shared_items(spec, {"EQTY": flat(KSP), "ETC": flat(BOND, KSP)})] == [
        "balanceList.balance[].securitiesBalInfo[]"]
