"""b2b (discretionary) APIs: request → response tree (CONTRACT 2.5-2.9)."""

from __future__ import annotations

from typing import Any

from conformance.reference import b2b_data
from conformance.reference.behaviour import SELL_BUY, Behaviour
from conformance.reference.context import Call
from conformance.reference.envelope import b2b_message
from conformance.reference.errors import api_error
from conformance.reference.paging import Page


def _account(call: Call, b: Behaviour) -> b2b_data.B2BAccount:
    return b.resolve_b2b(call, call.query.text("qrAccNo") or "")


def _sell_buy(call: Call) -> str:
    wanted = call.query.text("qrSellBuyType") or "0"
    if wanted not in SELL_BUY:
        raise api_error(7000, call.broker.category, f"qrSellBuyType {wanted!r} (0 all, 1 sell, 2 buy)")
    return wanted


def _order_date(call: Call) -> tuple[str, dict[str, Any]]:
    """Empty qrOrderDate = today (C32); some brokers echo the date they used."""
    given = call.query.text("qrOrderDate")
    day = given or call.today
    echo = {"qrOrderDate": day} if given is None and call.broker.echo_today_for_empty_order_date else {}
    return day, echo


def _page(call: Call, b: Behaviour, records: list[Any], scope: str) -> Page:
    q = call.query
    return b.pager.page(records, q.count(), q.text("page"), f"{call.api}:{scope}")


def orderdetail(call: Call, b: Behaviour) -> dict[str, Any]:
    account = _account(call, b)
    groups = b.b2b_groups(call, call.query.text("qrAssetType"))
    sell_buy = _sell_buy(call)
    day, echo = _order_date(call)
    isin, order_no = call.query.text("qrIsinCode"), call.query.text("qrOrderNo")
    orders = [o for o in b2b_data.all_orders(call.broker.short_name, account, call.today)
              if o.group in groups and b.order_date_match(o.day, day)
              and b.sellbuy_match(o.sell_buy, sell_buy) and b.isin_match(o.codes, isin)
              and b.order_no_match(o.order_no, order_no)]
    page = _page(call, b, orders, f"{account.acc_no}:{groups}:{day}:{sell_buy}:{isin}:{order_no}")
    return b2b_message(call, "orderDetailListResponseBody", page, "orderDetailList",
                       {"orderDetail": [o.item for o in page.items]}, echo)


def balancelist(call: Call, b: Behaviour) -> dict[str, Any]:
    account = _account(call, b)
    groups = b.b2b_groups(call, call.query.text("qrAssetType"))
    # the securities are the paged items (C13; the sample's totalCnt counts them): each page is the
    # account's element framing one page of its securities
    held = [h.item for h in account.holdings if h.group in groups]
    page = _page(call, b, held, f"{account.acc_no}:{groups}")
    element = {"accInfo": {"accNo": account.acc_no, "accName": account.name},
               "cashBalInfo": account.cash, "securitiesBalInfo": page.items}
    return b2b_message(call, "balanceListResponseBody", page, "balanceList", {"balance": [element]})


def settlelist(call: Call, b: Behaviour) -> dict[str, Any]:
    account = _account(call, b)
    groups = b.b2b_groups(call, call.query.text("qrAssetType"))
    sell_buy = _sell_buy(call)
    day, echo = _order_date(call)
    isin = call.query.text("qrIsinCode")
    orders = b2b_data.all_orders(call.broker.short_name, account, call.today)
    settles = [b2b_data.settlement(account, o) for o in orders
               if o.item["execSumQty"] > 0 and o.group in groups and b.order_date_match(o.day, day)
               and b.sellbuy_match(o.sell_buy, sell_buy) and b.isin_match(o.codes, isin)]
    page = _page(call, b, settles, f"{account.acc_no}:{groups}:{day}:{sell_buy}:{isin}")
    return b2b_message(call, "settleListResponseBody", page, "settleList",
                       {"settleInfo": [s.item for s in page.items]}, echo)


def accountlist(call: Call, b: Behaviour) -> dict[str, Any]:
    accounts = [{"accNo": a.acc_no, "accName": a.name, "virtualAccNo": a.virtual_acc_no,
                 "contractStatus": a.contract_status} for a in b2b_data.b2b_accounts(call.broker.short_name)]
    page = _page(call, b, accounts, "all")
    return b2b_message(call, "accountListResponseBody", page, "accountList", {"account": page.items})


def tradebook(call: Call, b: Behaviour) -> dict[str, Any]:
    account = _account(call, b)
    q = call.query
    to_date = q.text("qrToDate") or call.today
    from_date = q.text("qrFromDate") or b.default_from(to_date)
    b.range_check(call, from_date, to_date)
    entries = [e for e in account.tradebook if b.in_range(e.day, from_date, to_date)]
    page = _page(call, b, entries, f"{account.acc_no}:{from_date}:{to_date}")
    return b2b_message(call, "tradeBookListResponseBody", page, "tradeBookList",
                       {"tradeBook": [e.item for e in page.items]})


HANDLERS = {
    "orderdetail": orderdetail, "balancelist": balancelist, "settlelist": settlelist,
    "accountlist": accountlist, "tradebook": tradebook,
}
