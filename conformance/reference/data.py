"""Deterministic seeded data of the account APIs: users, virtual accounts, holdings, transactions,
watch-lists, and the portal membership (member APIs).

Everything derives from the broker's seed and the account number, so two runs (and two processes)
see the same data. Accounts are built lazily: the 10,000-item benchmark account costs nothing until
someone asks for it.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from conformance.reference import instruments as ref
from conformance.reference.brokers import BrokerConfig, base_broker

GROUPS = ("CASH", "EQTY", "FUND", "ETC")


@dataclass(frozen=True)
class AccountSpec:
    vt_acc_no: str
    real_acc_no: str
    owner: str  # user id (instruments.USERS)
    size: str  # "main" | "small" | "large"
    history: tuple[str, str] | None  # window with transactions, YYYYMMDD
    # fintech services (partner.srvId) the account is linked to on the portal (C21): None = every
    # service (the sandbox does not validate partner codes, C23); () = issued but linked to none
    services: tuple[str, ...] | None = None


@dataclass
class Holding:
    """One balance line (balance API); portfolio aggregates lines of the same instrument."""

    group: str  # EQTY FUND ETC
    kind: str  # equityList/etcList assetType, "FUND" for funds
    code: str  # ISIN / fund code
    name: str
    qty: float
    trade_type: str
    val_at_trade: float
    val_at_cur: float
    first_buy: str = ""
    last_buy: str = ""
    maturity: str = "00000000"
    product_type: str = "01"

    @property
    def pro_loss(self) -> float:
        return self.val_at_cur - self.val_at_trade

    @property
    def earning_rate(self) -> float:
        """Unrounded; the renderer rounds rates to the broker's precision (C30)."""
        return self.pro_loss / self.val_at_trade * 100 if self.val_at_trade else 0.0


@dataclass
class Account:
    spec: AccountSpec
    ci: str
    cash: float
    holdings: list[Holding]
    transactions: list[dict[str, Any]]
    watch_groups: list[dict[str, Any]]
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def vt_acc_no(self) -> str:
        return self.spec.vt_acc_no

    def group(self, group: str) -> list[Holding]:
        return [h for h in self.holdings if h.group == group]


# The one other fintech service the reference links an account to: neither a profile's partner.srvId
# ("999") nor the sandbox's temporary member-API srvId ("297", C23), which the examples send.
OTHER_SERVICE = "314"


def _onboarding(stem: str, real_stem: str, expired_vt: str) -> list[AccountSpec]:
    """Subjects of the onboarding path (C21, C26), per broker: hwanny's account issued but linked to no
    service, hwanny's account linked to another service only, and yuna's account whose consent expired."""
    return [AccountSpec(f"{stem}20099", f"{real_stem}1", "hwanny", "small", None, services=()),
            AccountSpec(f"{stem}30099", f"{real_stem}2", "hwanny", "small", None, services=(OTHER_SERVICE,)),
            AccountSpec(expired_vt, f"{real_stem}3", "yuna", "small", None)]


# Test accounts of CONTRACT 4.3 per broker (vtAccNo, real account, owner, transaction window), plus
# one large benchmark account owned by hwanny. The main account carries the full product range.
_ACCOUNTS: dict[str, list[AccountSpec]] = {
    "diamond": [
        AccountSpec("160635473367600099", "20002717099", "hwanny", "main", ("20160101", "20161231")),
        AccountSpec("181292854886800001", "26067613801", "ingyu", "small", ("20180801", "20180930")),
        AccountSpec("181244129161700001", "08813200266", "jeonga", "small", ("20180101", "20181231")),
        AccountSpec("160643278945100099", "40114288199", "pannpann", "small", ("20130101", "20130131")),
        AccountSpec("160635473367610099", "20002717100", "hwanny", "large", ("20160101", "20161231")),
        *_onboarding("1606354733676", "2000271710", "160670000000100099"),
    ],
    "cyber": [
        AccountSpec("160613251214500099", "30001277399", "hwanny", "main", ("20170101", "20170331")),
        AccountSpec("181238159874400001", "29860047376", "ingyu", "small", None),
        AccountSpec("181254748887900001", "2157659011", "jeonga", "small", ("20170101", "20170331")),
        AccountSpec("181250120320500001", "707762970601", "taeseog", "small", None),
        AccountSpec("181294395850300001", "780483681301", "taeseog", "small", ("20170101", "20170331")),
        AccountSpec("181257826074900001", "707264587701", "taeseog", "small", None),
        AccountSpec("160657695589800099", "20003717099", "jeeae", "small", ("20130101", "20130131")),
        AccountSpec("160613251214510099", "30001277400", "hwanny", "large", ("20170101", "20170331")),
        *_onboarding("1606132512145", "3000127740", "160670000000200099"),
    ],
    "star": [
        AccountSpec("160646584478700099", "30103156799", "hwanny", "main", ("20130101", "20131231")),
        AccountSpec("181243493179800001", "2157649016", "ingyu", "small", ("20180701", "20181231")),
        AccountSpec("181272407281600001", "29800762301", "jeonga", "small", ("20180201", "20180331")),
        AccountSpec("160612734676100099", "50114470899", "jaerang", "small", ("20130101", "20130131")),
        AccountSpec("160646584478710099", "30103156800", "hwanny", "large", ("20130101", "20131231")),
        *_onboarding("1606465844787", "3010315680", "160670000000300099"),
    ],
}

# Portal membership (member APIs): user -> (commonTermsExpireDate, serviceTermsExpireDate).
# mhcha is a member without any virtual account (CONTRACT 4.3 lists none for him); yuna's consent for
# the fintech service expired (C26): her account is listed, the account APIs refuse it with 4006.
MEMBERS: dict[str, tuple[str, str]] = {
    "mhcha": ("20301231", "20301130"),
    "yuna": ("20301231", "20240630"),
    "hwanny": ("20301105", "20300813"),
    "jeeae": ("20291231", "20291130"),
    "ingyu": ("20300101", "20291201"),
    "jeonga": ("20300315", "20300215"),
    "taeseog": ("20290630", "20290531"),
    "pannpann": ("20291020", "20290920"),
    "jaerang": ("20300520", "20300420"),
}


def account_specs(broker: str) -> list[AccountSpec]:
    return list(_ACCOUNTS[broker])


def user_by_ci(ci: str) -> str | None:
    """The user id owning this CI (compared after trimming, I18)."""
    wanted = ci.strip()
    for user, (_name, user_ci) in ref.USERS.items():
        if user_ci == wanted:
            return user
    return None


def linked_accounts(user: str) -> list[tuple[str, AccountSpec]]:
    """(broker, account) pairs the user issued on the portal, benchmark accounts aside; whether one
    is linked to the asking service is `linked_to`'s question."""
    return [(broker, spec) for broker, specs in _ACCOUNTS.items()
            for spec in specs if spec.owner == user and spec.size != "large"]


def find_spec(broker: str, vt_acc_no: str) -> AccountSpec | None:
    return next((s for s in _ACCOUNTS.get(broker, []) if s.vt_acc_no == vt_acc_no.strip()), None)


def linked_to(spec: AccountSpec, srv_id: str) -> bool:
    """C21: the account is linked to the fintech service `srv_id` (compared after trimming)."""
    return spec.services is None or srv_id.strip() in spec.services


def consent_expired(user: str, today: str) -> bool:
    """C26: the user's consent for the fintech service ended before `today` (YYYYMMDD)."""
    return user in MEMBERS and MEMBERS[user][1] < today


def business_days(start: str, end: str) -> list[str]:
    d0, d1 = parse_date(start), parse_date(end)
    days = []
    while d0 <= d1:
        if d0.weekday() < 5:
            days.append(d0.strftime("%Y%m%d"))
        d0 += timedelta(days=1)
    return days


def parse_date(text: str) -> date:
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def load_account(broker: BrokerConfig, vt_acc_no: str) -> Account | None:
    """The account's full data, built on first use (seeded by broker and account number)."""
    return _load_account(broker.short_name, vt_acc_no)


@functools.lru_cache(maxsize=64)
def _load_account(short_name: str, vt_acc_no: str) -> Account | None:
    broker = base_broker(short_name)
    spec = next((s for s in _ACCOUNTS[short_name] if s.vt_acc_no == vt_acc_no), None)
    if spec is None:
        return None
    rng = random.Random(f"{broker.seed}:{vt_acc_no}")
    holdings = _holdings(rng, broker, spec)
    cash = float(rng.randrange(100, 9000) * 1000 + rng.randrange(0, 1000))
    txs = _transactions(rng, broker, spec, holdings) if spec.history else []
    groups = _watch_groups(rng, 12 if spec.size == "main" else 2)
    account = Account(spec, ref.USERS[spec.owner][1], cash, holdings, txs, groups)
    account.extra = {
        "substitute": float(rng.randrange(10_000, 200_000) * 1000 + rng.randrange(1, 999)),
        "subsMargin": float(rng.randrange(100_000, 2_000_000)),
        "receivable": 0.0,
        "loanCredit": float(sum(h.val_at_trade for h in holdings if h.trade_type == "CRD")),
    }
    return account


def _holdings(rng: random.Random, broker: BrokerConfig, spec: AccountSpec) -> list[Holding]:
    if spec.size == "large":
        equities = [ref.Instrument("KSP" if n % 2 else "KDQ", f"9{n:05d}", f"가상종목{n:05d}",
                                   ref.krx_isin(f"9{n:05d}"), float(1000 + (n * 37) % 90000))
                    for n in range(10_000)]
        funds, others = ref.FUNDS, ref.OTHER_ASSETS
    elif spec.size == "main":
        equities = list(ref.EQUITIES[:36]) + ([*ref.DERIVATIVES] if broker.holds_derivatives else [])
        funds, others = ref.FUNDS[:12], ref.OTHER_ASSETS
    else:
        equities = rng.sample(ref.EQUITIES, 6)
        funds, others = rng.sample(ref.FUNDS, 3), rng.sample(ref.OTHER_ASSETS, 3)
    lines: list[Holding] = []
    for inst in equities:
        lines.extend(_equity_lines(rng, broker, inst))
    for body, name in funds:
        units = float(rng.randrange(1_000_000, 90_000_000))
        nav = rng.uniform(0.7, 1.6)
        cost = float(round(units * rng.uniform(0.8, 1.2)))
        buy = _some_date(rng, 2014, 2016)
        lines.append(Holding("FUND", "FUND", ref.fund_code(body), name, units, "SUM", cost,
                             float(round(units * nav)), first_buy=buy, last_buy=_later(rng, buy),
                             maturity="00000000" if rng.random() < 0.7 else _some_date(rng, 2026, 2030),
                             product_type="02" if rng.random() < 0.8 else "12"))
    for kind, name in others:
        face = float(rng.choice([1, 2, 5, 10, 20, 54]) * 1_000_000_000)
        cost = float(round(face * rng.uniform(0.94, 1.0)))
        lines.append(Holding("ETC", kind, ref.isin("KR6", f"{rng.randrange(10**7, 10**8)}"), name, face,
                             _trade_type(broker), cost, float(round(cost * rng.uniform(0.97, 1.2)))))
    return lines


def _equity_lines(rng: random.Random, broker: BrokerConfig, inst: ref.Instrument) -> list[Holding]:
    multiplier = 250_000 if inst.kind in ("FUT", "OPT") else 1
    qty = float(rng.randrange(1, 30) if multiplier > 1 else rng.randrange(1, 2000))
    avg = inst.price * rng.uniform(0.7, 1.3)
    split = broker.trade_split == "split" and inst.kind in ("KSP", "KDQ") and rng.random() < 0.2
    parts = [("NRM", qty), ("CRD", float(rng.randrange(1, 300)))] if split else [(_trade_type(broker), qty)]
    return [Holding("EQTY", inst.kind, inst.isin, inst.name, q, tt, float(round(q * avg * multiplier)),
                    float(round(q * inst.price * multiplier)), product_type="01")
            for tt, q in parts]


def _trade_type(broker: BrokerConfig) -> str:
    return {"split": "NRM", "sum": "SUM", "nrm": "NRM"}[broker.trade_split]


def _some_date(rng: random.Random, y0: int, y1: int) -> str:
    return date(rng.randrange(y0, y1 + 1), rng.randrange(1, 13), rng.randrange(1, 29)).strftime("%Y%m%d")


def _later(rng: random.Random, day: str) -> str:
    return (parse_date(day) + timedelta(days=rng.randrange(0, 400))).strftime("%Y%m%d")


def _transactions(rng: random.Random, broker: BrokerConfig, spec: AccountSpec,
                  holdings: list[Holding]) -> list[dict[str, Any]]:
    """A ledger walk: deposits, withdrawals, buys (ASK) and sells (BID) — codes as the table (I31)."""
    assert spec.history is not None
    days = business_days(*spec.history)
    count = {"main": 300, "large": 600}.get(spec.size, 40)
    traded = [h for h in holdings if h.group == "EQTY" and h.kind in ("KSP", "KDQ", "ETF")][:15]
    prices = {h.code: max(10, round(h.val_at_cur / h.qty / 10) * 10) for h in traded}
    position: dict[str, int] = {}
    seen: set[tuple[Any, ...]] = set()
    out: list[dict[str, Any]] = []
    for day in sorted(rng.choice(days) for _ in range(count)):
        for _attempt in range(10):
            row = _transaction(rng, day, traded, prices, position, broker.cash_isin)
            key = tuple(row.values())
            if key not in seen:
                seen.add(key)
                out.append(row)
                break
    return out


def _transaction(rng: random.Random, day: str, traded: list[Holding], prices: dict[str, int],
                 position: dict[str, int], cash_isin: str | None) -> dict[str, Any]:
    roll = rng.random()
    held = [code for code, qty in position.items() if qty > 0]
    if roll < 0.15 or not traded:
        return _tx(day, "DEP", cash_isin, rng.randrange(1, 500) * 10_000, 0, 0)
    if roll < 0.25:
        return _tx(day, "WID", cash_isin, -rng.randrange(1, 200) * 10_000, 0, 0)
    if roll < 0.65 or not held:
        code = rng.choice(traded).code
        qty = rng.randrange(1, 60)
        position[code] = position.get(code, 0) + qty
        return _tx(day, "ASK", code, -qty * _price(rng, prices[code]), qty, position[code])
    code = rng.choice(held)
    qty = rng.randrange(1, position[code] + 1)
    position[code] -= qty
    return _tx(day, "BID", code, qty * _price(rng, prices[code]), qty, position[code])


def _price(rng: random.Random, base: int) -> int:
    return max(10, round(base * rng.uniform(0.92, 1.08) / 10) * 10)


def _tx(day: str, kind: str, isin: str | None, amount: int, change_qty: int, qty: int) -> dict[str, Any]:
    return {"transDate": day, "transType": kind, "isinCode": isin, "changeAmt": amount,
            "changeQty": change_qty, "qty": qty}


def _watch_groups(rng: random.Random, n: int) -> list[dict[str, Any]]:
    groups = []
    for i, name in enumerate(ref.WATCH_GROUP_NAMES[:n]):
        codes = [inst.isin for inst in rng.sample(ref.EQUITIES, rng.randrange(3, 10))]
        modified = _some_date(rng, 2016, 2018) if i % 3 else None
        groups.append({"groupName": name, "modifyDate": modified, "isinCode": codes})
    return groups
