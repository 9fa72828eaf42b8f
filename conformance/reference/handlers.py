"""Account and member APIs: request → response tree (CONTRACT 2.1-2.4, 2.10, 2.11).

Every decision a fault might change is asked of the `Behaviour`; this module only assembles data
into the documented shapes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conformance.reference import data
from conformance.reference.behaviour import Behaviour
from conformance.reference.brokers import base_broker
from conformance.reference.context import Call
from conformance.reference.envelope import (
    RESP_OK,
    acc_info,
    account_header,
    account_message,
    echo_block,
    result_block,
)
from conformance.reference.errors import api_error
from conformance.reference.paging import Page, whole
from conformance.reference.values import NV_ARR, NV_OBJ, NV_STR

LIST_KEYS = {"EQTY": "equityList", "FUND": "fundList", "ETC": "etcList"}


Builder = Callable[[data.Account, str], list[dict[str, Any]]]


def _pick(call: Call, b: Behaviour, account: data.Account, build: Builder,
          variant: str = "") -> tuple[Page, dict[str, list[Any]]]:
    """Group plan + paging shared by portfolio and balance; returns the page and items per group."""
    q = call.query
    plan = b.select_groups(call, q.text("assetType"))
    items: list[tuple[str, Any]] = []
    for group in plan.shown:
        key = (call.api, variant, account.vt_acc_no, group)
        if key not in b.memo:
            b.memo[key] = build(account, group)
        items.extend((group, item) for item in b.memo[key])
    page = b.pager.page(items, q.count(), q.text("page"), f"{call.api}:{account.vt_acc_no}:{plan.shown}") \
        if plan.paged else whole(items)
    per_group: dict[str, list[Any]] = {group: [] for group in plan.shown}
    for group, item in page.items:
        per_group[group].append(item)
    return page, per_group


def _lists(per_group: dict[str, list[Any]], cash_key: str) -> dict[str, Any]:
    """Groups not asked for are no-value blocks; asked-for groups are lists (maybe empty)."""
    cash = per_group.get("CASH")
    block: dict[str, Any] = {cash_key: cash[0] if cash else NV_OBJ}
    for group in ("EQTY", "FUND", "ETC"):
        block[LIST_KEYS[group]] = per_group[group] if group in per_group else NV_ARR
    return block


def portfolio(call: Call, b: Behaviour) -> dict[str, Any]:
    account = b.resolve_account(call)
    rsp_type = call.query.text("rspType") or "RAT"
    if rsp_type not in call.broker.rsp_types:
        allowed = ", ".join(call.broker.rsp_types)
        raise api_error(6002, call.broker.category, f"rspType {rsp_type!r} ({allowed})")
    ratio = rsp_type == "RAT"

    def build(acc: data.Account, group: str) -> list[dict[str, Any]]:
        return _portfolio_items(b, acc, group, ratio)

    page, per_group = _pick(call, b, account, build, rsp_type)
    body = {"queryType": echo_block(call), "queryResult": result_block(call, page)}
    return account_message(call, "portfolioResponseBody", body, "portfolioList",
                           {"portfolio": _lists(per_group, "cash")})


def _share(part: float, total: float) -> float:
    return round(part / total * 100, 2) if total else 0.0


def _portfolio_items(b: Behaviour, account: data.Account, group: str, ratio: bool) -> list[dict[str, Any]]:
    if group == "CASH":
        invested = sum(h.val_at_cur for g in ("EQTY", "FUND", "ETC") for h in b.group_holdings(account, g))
        return [{"amt": _share(account.cash, account.cash + invested) if ratio else account.cash}]
    merged: dict[tuple[str, str], list[data.Holding]] = {}
    for h in b.group_holdings(account, group):
        merged.setdefault((h.kind, h.code), []).append(h)
    total = sum(h.val_at_cur for lines in merged.values() for h in lines)
    items: list[dict[str, Any]] = []
    for lines in merged.values():
        h = lines[0]
        value, cost = sum(x.val_at_cur for x in lines), sum(x.val_at_trade for x in lines)
        qty = _share(value, total) if ratio else sum(x.qty for x in lines)
        rate = (value - cost) / cost * 100 if cost else 0.0
        if group == "EQTY":
            items.append({"assetType": h.kind, "isinCode": h.code, "qty": qty, "earningRate": rate})
        elif group == "FUND":
            items.append({"fundCode": h.code, "fundName": h.name, "qty": qty, "earningRate": rate,
                          "maturity": h.maturity})
        else:
            items.append({"assetType": h.kind, "assetName": h.name, "isinCode": NV_STR, "qty": qty,
                          "earningRate": rate})
    return items


def balance(call: Call, b: Behaviour) -> dict[str, Any]:
    account = b.resolve_account(call)

    def build(acc: data.Account, group: str) -> list[dict[str, Any]]:
        return _balance_items(b, acc, group)

    page, per_group = _pick(call, b, account, build)
    body = {"queryType": echo_block(call), "queryResult": result_block(call, page)}
    return account_message(call, "balanceResponseBody", body, "balanceList",
                           {"balance": _lists(per_group, "summary")})


def _balance_items(b: Behaviour, account: data.Account, group: str) -> list[dict[str, Any]]:
    if group == "CASH":
        held = [h for g in ("EQTY", "FUND", "ETC") for h in b.group_holdings(account, g)]
        cost, value = sum(h.val_at_trade for h in held), sum(h.val_at_cur for h in held)
        x = account.extra
        return [{"cashBalance": account.cash, "d1": account.cash, "d2": account.cash,
                 "substitute": x["substitute"], "receivable": x["receivable"], "subsMargin": x["subsMargin"],
                 "loanCredit": x["loanCredit"], "valAtTrade": cost, "valueAtCur": value,
                 "proLoss": value - cost, "totalAccVal": account.cash + value,
                 "cashAvWithdraw": account.cash}]
    out = []
    for h in b.group_holdings(account, group):
        if group == "EQTY":
            out.append({"assetType": h.kind, "productType": h.product_type, "isinCode": h.code,
                        "productName": h.name, "qty": h.qty, "tradeType": h.trade_type,
                        "valAtTrade": h.val_at_trade, "valAtCur": h.val_at_cur, "proLoss": h.pro_loss,
                        "earningRate": h.earning_rate})
        elif group == "FUND":
            out.append({"fundType": h.product_type, "fundCode": h.code, "fundName": h.name,
                        "valAtTrade": h.val_at_trade, "valAtCur": h.val_at_cur, "proLoss": h.pro_loss,
                        "firstDateBuy": h.first_buy, "lastDateBuy": h.last_buy, "maturity": h.maturity,
                        "earningRate": h.earning_rate})
        else:
            out.append({"assetType": h.kind, "assetName": h.name, "isinCode": NV_STR, "qty": h.qty,
                        "tradeType": h.trade_type, "valAtTrade": h.val_at_trade, "valAtCur": h.val_at_cur,
                        "earningRate": h.earning_rate})
    return out


def transaction(call: Call, b: Behaviour) -> dict[str, Any]:
    account = b.resolve_account(call)
    q = call.query
    to_date = q.text("toDate") or call.today
    from_date = q.text("fromDate") or b.default_from(to_date)
    b.range_check(call, from_date, to_date)
    side = q.text("side")
    b.side_check(call, side)
    isin = q.text("isinCode")
    rows = [tx for tx in account.transactions
            if b.in_range(tx["transDate"], from_date, to_date)
            and b.isin_match((tx["isinCode"] or "",), isin) and b.side_match(tx["transType"], side)]
    page = b.pager.page(rows, q.count(), q.text("page"), f"transaction:{account.vt_acc_no}:{from_date}:"
                        f"{to_date}:{isin}:{side}")
    items = [{**tx, "isinCode": tx["isinCode"] if tx["isinCode"] else NV_STR} for tx in page.items]
    body = {"queryParams": echo_block(call), "queryResult": result_block(call, page)}
    return account_message(call, "transactionHistoryResponseBody", body, "transList", {"transaction": items})


def interest(call: Call, b: Behaviour) -> dict[str, Any]:
    """Watch-list groups; only a broker with interest_query_type honours queryType (C28)."""
    account = b.resolve_account(call)
    groups = [{"groupName": g["groupName"], "modifyDate": g["modifyDate"] or NV_STR,
               "isinCode": g["isinCode"]} for g in account.watch_groups]
    result: Any = NV_OBJ
    if call.broker.interest_query_type:
        q = call.query
        page = b.pager.page(groups, q.count(), q.text("page"), f"interest:{account.vt_acc_no}")
        groups, result = page.items, result_block(call, page)
    body = {"queryResult": result, "groupList": {"group": groups}}
    return {"commonHeader": account_header(call), "accInfo": acc_info(call),
            "interestSymbolListResponseBody": body, "resp": dict(RESP_OK)}


def member_register(call: Call, b: Behaviour) -> dict[str, Any]:
    result, expires = b.member_status(data.user_by_ci(call.query.ci))
    return {"result": result, "commonTermsExpireDate": expires or NV_STR}


def member_consent(call: Call, b: Behaviour) -> dict[str, Any]:
    user = data.user_by_ci(call.query.ci)
    accounts = []
    for short, vt_acc_no in b.consent_accounts(user):
        if not b.listed_for_service(call, short, vt_acc_no):
            continue
        accounts.append({"comId": base_broker(short).code, "vtAccNo": vt_acc_no, "vtAccAlias": short,
                         "endpoint": f"{call.base_url}/v1/{short}/account/"})
    expires = data.MEMBERS[user][1] if user in data.MEMBERS and accounts else None
    return {"vtAccList": accounts, "serviceTermsExpireDate": expires or NV_STR}


HANDLERS = {
    "portfolio": portfolio, "balance": balance, "transaction": transaction, "interest": interest,
    "member-register": member_register, "member-consent": member_consent,
}
