"""Deterministic seeded data of the b2b (discretionary) APIs: mandate accounts, holdings, orders with
executions, settlements and trade books.

Records are kept in the response item shape (canonical names, `NoValue` for empty optional fields).
Today's orders are generated for the date of the request, so "empty qrOrderDate = today" has data.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from conformance.reference import instruments as ref
from conformance.reference.brokers import base_broker
from conformance.reference.data import business_days, parse_date
from conformance.reference.values import NV_ARR, NV_NUM, NV_STR

# b2b history window per broker (tradebook transactions and historical orders), within its max range.
B2B_HISTORY: dict[str, tuple[str, str]] = {
    "diamond": ("20230102", "20231229"),
    "cyber": ("20230102", "20230331"),
    "star": ("20230102", "20231229"),
}
_STATUSES = ("0", "0", "0", "0", "0", "1", "2")
_SERIALS = (3122221, 3122238, 3122245, 3122252, 3122269, 3122276, 3122283)


@dataclass
class Record:
    """One list item plus what the filters look at (never rendered)."""

    item: dict[str, Any]
    group: str = "EQTY"
    day: str = ""
    sell_buy: str = ""
    codes: tuple[str, ...] = ()
    order_no: str = ""


@dataclass
class B2BAccount:
    acc_no: str
    name: str
    virtual_acc_no: str
    contract_status: str
    ledger_no: str  # the broker's internal (dashed) form, used only by the echo-from-backend fault
    history: tuple[str, str]
    holdings: list[Record] = field(default_factory=list)
    cash: list[dict[str, Any]] = field(default_factory=list)
    orders: list[Record] = field(default_factory=list)
    tradebook: list[Record] = field(default_factory=list)
    size: str = "main"


def b2b_accounts(short_name: str) -> list[B2BAccount]:
    return list(_accounts(short_name))


def find_b2b_account(short_name: str, acc_no: str) -> B2BAccount | None:
    """Account numbers compare after removing '-' (I52)."""
    wanted = acc_no.replace("-", "").strip()
    return next((a for a in _accounts(short_name) if a.acc_no == wanted), None)


@functools.lru_cache(maxsize=8)
def _accounts(short_name: str) -> tuple[B2BAccount, ...]:
    code = base_broker(short_name).code
    out = []
    for i, serial in enumerate(_SERIALS):
        acc_no = f"001{code[-3:]}{serial}"
        rng = random.Random(f"b2b:{short_name}:{acc_no}")
        account = B2BAccount(acc_no, ref.B2B_HOLDERS[i], f"092{code[-3:]}{serial + 9000:07d}",
                             _STATUSES[i], f"{acc_no[:3]}-01-{acc_no[3:]}", B2B_HISTORY[short_name],
                             size="main" if i == 0 else "small")
        _fill(rng, account)
        out.append(account)
    return tuple(out)


def all_orders(short_name: str, account: B2BAccount, today: str) -> list[Record]:
    """Historical orders plus today's (generated for the request's date); filters come later."""
    return account.orders + list(_todays_orders(short_name, account.acc_no, today))


# One fixed draw of today's orders, dated whatever day is asked: the same orders every day, so no
# verdict or fault of the project's tests depends on the day they run.
TODAYS_DRAW = "20261202"


@functools.lru_cache(maxsize=64)
def _todays_orders(short_name: str, acc_no: str, day: str) -> tuple[Record, ...]:
    account = find_b2b_account(short_name, acc_no)
    if account is None or account.history[0] <= day <= account.history[1]:
        return ()  # not one of ours, or a history date whose orders are already in account.orders
    rng = random.Random(f"today:{short_name}:{acc_no}:{TODAYS_DRAW}")
    n = 10 if account.size == "main" else 3
    return tuple(_orders_for_day(rng, account, day, n, start=9000))


# --- generation ----------------------------------------------------------------------------------

def _instruments(rng: random.Random, group: str) -> list[tuple[str, list[dict[str, str]], float]]:
    """(group kind, isinInfo, unit price) candidates of a product group."""
    if group == "EQTY":
        return [(i.kind, _isin_info(i.isin, i.name, "A" + i.short_code), i.price)
                for i in ref.EQUITIES]
    if group == "FUND":
        return [("ETC", [{"isinType": "펀드코드", "isinCode": ref.fund_code(b), "isinName": n}], 1.0)
                for b, n in ref.FUNDS]
    return [(kind, [{"isinType": "표준코드",
             "isinCode": ref.isin("KR6", f"{10_000_000 + k * 7919}"), "isinName": n}], 10_000.0)
            for k, (kind, n) in enumerate(ref.OTHER_ASSETS)]


def _isin_info(isin: str, name: str, short: str) -> list[dict[str, str]]:
    return [{"isinType": "표준코드", "isinCode": isin, "isinName": name},
            {"isinType": "단축코드", "isinCode": short, "isinName": name}]


def _fill(rng: random.Random, account: B2BAccount) -> None:
    main = account.size == "main"
    for group, n in (("EQTY", 8 if main else 3), ("FUND", 3 if main else 1), ("ETC", 3 if main else 1)):
        for kind, info, price in rng.sample(_instruments(rng, group), n):
            account.holdings.append(_holding(rng, account, group, kind, info, price))
    deposit = rng.randrange(100, 900) * 100_000
    for suffix, factor in (("-D0", 1.0), ("-D1", 0.97), ("", 0.95)):
        cash = round(deposit * factor)
        account.cash.append({
            "cashBalance": cash, "margin": round(cash * 0.4), "substitute": rng.randrange(0, 90) * 100_000,
            "receivable": 0, "totCreditAmt": 0, "totLoanAmt": rng.choice([0, 3_600_000]),
            "valAtCur": sum(h.item["valAtCur"] for h in account.holdings),
            "crcyCode": "KRW" + suffix, "cashAvWithdraw": round(cash * 0.8)})
    days = business_days(*account.history)
    for seq, day in enumerate(sorted(rng.choice(days) for _ in range(80 if main else 15))):
        account.orders.extend(_orders_for_day(rng, account, day, 1, start=seq))
    account.tradebook = _tradebook(rng, account, days, 300 if main else 40, deposit)


def _holding(rng: random.Random, account: B2BAccount, group: str, kind: str,
             info: list[dict[str, str]], price: float) -> Record:
    qty = rng.randrange(10, 3000) if group == "EQTY" else rng.randrange(1, 500) * 1000
    cost = round(qty * price * rng.uniform(0.8, 1.2))
    value = round(qty * price)
    loan = rng.random() < 0.25 and group == "EQTY"
    item = {
        "assetType": kind if group != "FUND" else "ETC", "exchange": NV_STR, "crcyCode": NV_STR,
        "loanCreditType": "자기융자" if loan else NV_STR, "loanCreditAmt": round(cost * 0.4) if loan else 0,
        "qty": qty, "valAtTrade": cost, "valAtCur": value, "proLoss": value - cost,
        "earningRate": (value - cost) / cost * 100, "lastBuyDate": _day_in(rng, account.history),
        "maturity": _day_in(rng, ("20250101", "20291231")) if group == "ETC" else NV_STR,
        "foreignDeposit": 0, "wonDeposit": 0, "currencyRate": NV_NUM, "isinInfo": info,
    }
    return Record(item, group=group, codes=tuple(i["isinCode"] for i in info))


def _day_in(rng: random.Random, window: tuple[str, str]) -> str:
    return rng.choice(business_days(*window))


def _orders_for_day(rng: random.Random, account: B2BAccount, day: str, n: int, start: int) -> list[Record]:
    out = []
    for k in range(n):
        group = ("EQTY", "EQTY", "EQTY", "FUND", "ETC")[(start + k) % 5] if n > 1 else rng.choice(
            ("EQTY", "EQTY", "EQTY", "FUND", "ETC"))
        kind, info, price = rng.choice(_instruments(rng, group))
        sell_buy = "1" if (start + k) % 2 else "2"
        qty = rng.randrange(1, 500) * (1 if group == "EQTY" else 1000) + k
        order_price = max(10, round(price * rng.uniform(0.95, 1.05) / 10) * 10) if group == "EQTY" else 1000
        executed = qty if rng.random() < 0.7 else (qty // 2 if rng.random() < 0.5 else 0)
        modified = rng.random() < 0.1
        order_no = f"{day[2:]}{start + k:05d}"
        execs = _executions(rng, day, executed, order_price)
        item = {
            "accNo": account.acc_no, "accName": account.name, "modifyType": "1" if modified else "0",
            "cancelType": "1" if executed == 0 and rng.random() < 0.3 else "0", "orderNo": order_no,
            "orgOrderNo": f"{day[2:]}{start + k + 50_000:05d}" if modified else NV_STR,
            "sellBuyType": sell_buy, "orderType": rng.choice(("지정가", "시장가", "조건부지정가")),
            "exchange": NV_STR, "crcyCode": NV_STR, "orderQty": qty, "orderPrice": order_price,
            "execSumQty": executed,
            "orderExecType": "체결" if executed == qty else ("부분체결" if executed else "접수"),
            "cmsnType": "일반", "settDays": 2, "buyQtyUnit": 1, "sellQtyUnit": 1,
            "orderTime": f"{day}{rng.randrange(9, 15):02d}{rng.randrange(0, 60):02d}",
            "orderRejectReason": NV_STR, "isinInfo": info, "execList": execs or NV_ARR,
        }
        out.append(Record(item, group=group, day=day, sell_buy=sell_buy,
                          codes=tuple(i["isinCode"] for i in info), order_no=order_no))
    return out


def _executions(rng: random.Random, day: str, executed: int, price: int) -> list[dict[str, Any]]:
    execs: list[dict[str, Any]] = []
    left, no = executed, rng.randrange(1000, 9000)
    while left > 0:
        part = left if left < 10 or rng.random() < 0.5 else rng.randrange(1, left)
        execs.append({"execQty": part, "execPrice": price, "execNo": no + len(execs),
                      "execTime": f"{day[4:]}{rng.randrange(9, 15):02d}{rng.randrange(0, 60):02d}"})
        left -= part
    return execs


def _costs(amount: int, sell: bool) -> list[dict[str, Any]]:
    costs = [{"costName": "일반수수료", "cost": max(1, round(amount * 0.00015))}]
    if sell:
        costs = [{"costName": "거래세", "cost": round(amount * 0.0018)},
                 {"costName": "농특세", "cost": round(amount * 0.0015)}] + costs
    return costs


def settlement(account: B2BAccount, order: Record) -> Record:
    o = order.item
    amount = o["execSumQty"] * o["orderPrice"]
    costs = _costs(amount, order.sell_buy == "1")
    sett = parse_date(order.day) + timedelta(days=2)
    while sett.weekday() >= 5:
        sett += timedelta(days=1)
    item = {
        "accNo": account.acc_no, "accName": account.name, "sellBuyType": order.sell_buy,
        "exchange": NV_STR, "crcyCode": NV_STR, "settQty": o["execSumQty"], "settAmt": amount,
        "tradeType": "보통매도" if order.sell_buy == "1" else "보통매수", "loanCreditDate": NV_STR,
        "loanCreditAmt": 0, "settDate": sett.strftime("%Y%m%d"), "costTotal": sum(c["cost"] for c in costs),
        "isinInfo": o["isinInfo"], "costInfo": costs,
    }
    return Record(item, group=order.group, day=order.day, sell_buy=order.sell_buy, codes=order.codes)


def _tradebook(rng: random.Random, account: B2BAccount, days: list[str], n: int, cash: int) -> list[Record]:
    out: list[Record] = []
    position: dict[str, int] = {}
    equities = _instruments(rng, "EQTY")[:12]
    for day in sorted(rng.choice(days) for _ in range(n)):
        roll = rng.random()
        if roll < 0.2:
            kind, amount, summary = ("DEP", rng.randrange(1, 300) * 10_000, "이체입금")
            cash += amount
            out.append(_trade_entry(account, day, kind, amount, 0, 0, cash, summary, NV_ARR, NV_ARR))
            continue
        if roll < 0.3:
            amount = -min(cash, rng.randrange(1, 100) * 10_000)
            cash += amount
            out.append(_trade_entry(account, day, "WID", amount, 0, 0, cash, "이체출금", NV_ARR, NV_ARR))
            continue
        _kind, info, price = rng.choice(equities)
        code = info[0]["isinCode"]
        unit = max(10, round(price * rng.uniform(0.95, 1.05) / 10) * 10)
        held = position.get(code, 0)
        if held and roll > 0.65:
            qty = rng.randrange(1, held + 1)
            position[code] = held - qty
            amount = qty * unit
            cash += amount
            out.append(_trade_entry(account, day, "BID", amount, -qty, held - qty, cash, "매도",
                                    info, _costs(amount, True)))
        else:
            qty = min(rng.randrange(1, 80), cash // unit)
            if qty <= 0:
                continue
            position[code] = held + qty
            amount = qty * unit
            cash -= amount
            out.append(_trade_entry(account, day, "ASK", -amount, qty, held + qty, cash, "매수",
                                    info, _costs(amount, False)))
    return out


def _trade_entry(account: B2BAccount, day: str, kind: str, change_amt: int, change_qty: int, qty: int,
                 cash: int, summary: str, info: Any, costs: Any) -> Record:
    item = {
        "accNo": account.acc_no, "accName": account.name, "transDate": day, "transType": kind,
        "changeAmt": change_amt, "changeQty": change_qty, "qty": qty, "amt": cash,
        "exchange": NV_STR, "crcyCode": NV_STR, "subject": "위탁자", "summary": summary,
        "isinInfo": info, "costInfo": costs,
    }
    codes = tuple(i["isinCode"] for i in info) if isinstance(info, list) else ()
    return Record(item, day=day, codes=codes)
