"""Area `query-filters`: date ranges, instrument, side, sell/buy and order filters (C15, C32, I30).

Every filter is tried with a value seen in the unfiltered answer, so a filter the broker ignores
shows up as items of other dates, instruments or kinds. Unfiltered and filtered answers are
followed to the end of their page chains (count 0: the broker chooses the page size).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from conformance import checking as ck
from conformance.client.requests import default_window
from conformance.contract import get_api, is_no_value
from conformance.errors import error_code

DATE_APIS = ["transaction", "tradebook"]
ISIN_APIS = ["transaction", "orderdetail", "settlelist"]
SIDES = ("BID", "ASK", "DEP", "WID")
SELL_BUY = {"1": "sell", "2": "buy"}
UNKNOWN_ISIN = "KR0000000000"
INVALID_SIDE = "XYZ"
INVALID_ISIN, INVALID_SIDE_TYPE, DATE_RANGE_EXCEEDED = 6007, 6008, 6006
LONG_RANGE_YEARS = 20
KST = timezone(timedelta(hours=9))


# --- questions ---------------------------------------------------------------------------------
def _who(client, api: str) -> tuple[dict[str, Any], tuple[str, str]]:
    """Whom to ask (account= / b2b=) and the window with data (the profile's history)."""
    profile = client.profile
    ck.claimed(profile, api)
    spec = get_api(api)
    if spec.family == "account":
        regular = ck.accounts(profile)
        if not regular:
            ck.not_applicable("the profile lists no account for the account APIs")
        account = next((a for a in regular if a.history), regular[0])
        return {"account": account}, account.history or default_window(profile.max_date_range_days)
    b2b = ck.first_b2b(profile)
    if spec.date_range:
        b2b = next((b for b in profile.b2b_accounts if b.history), b2b)
    return {"b2b": b2b}, b2b.history or default_window(profile.max_date_range_days)


def _items(client, api: str, label: str, query: dict[str, Any], rule_id: str) -> tuple[list[Any], list[Any]]:
    """All items of a filtered question's page chain and its exchanges; a chain that does not end
    is PAGE-003's business (its pages are judged as far as they go)."""
    who, _window = _who(client, api)
    spec = get_api(api)
    first = client.call(api, purpose=f"{api} {label} page 1", query={**query, "page": "null"}, **who)
    if not ck.is_success(first, spec) and error_code(first) == DATE_RANGE_EXCEEDED:
        pytest.skip(f"the broker refuses the profile's history window with {DATE_RANGE_EXCEEDED} (Date Range "
                    "Exceeded); give a shorter accounts[].history / b2b_accounts[].history")
    answers, _done = ck.walk_pages(client, api, f"{api} {label}", query=query, rule_id=rule_id, **who)
    items = [item for a in answers for _path, item in ck.all_items(a.doc, spec)]
    return items, [a.exchange for a in answers]


def _ask(client, api: str, label: str, query: dict[str, Any]):
    who, _window = _who(client, api)
    return client.call(api, purpose=f"{api} {label}", query=query, **who)




# --- reading items (pure: unit-tested on canned items) -----------------------------------------
def day_of(value: Any) -> str | None:
    """The YYYYMMDD date a value starts with (transDate, orderTime "2016062211262636"), if any."""
    if not isinstance(value, str):
        return None
    digits = re.sub(r"\D", "", value)
    if len(digits) < 8:
        return None
    try:
        day = datetime.strptime(digits[:8], "%Y%m%d").date()
    except ValueError:
        return None
    return digits[:8] if 1990 <= day.year <= 2100 else None


def codes_of(item: Any, api: str) -> list[str]:
    """The instrument codes of an item: transaction `isinCode`, b2b `isinInfo[].isinCode`."""
    if not isinstance(item, dict):
        return []
    if api == "transaction":
        code = item.get("isinCode")
        return [] if is_no_value(code) or not isinstance(code, str) else [code.strip()]
    info = item.get("isinInfo")
    if not isinstance(info, list):
        return []
    return [i["isinCode"].strip() for i in info
            if isinstance(i, dict) and isinstance(i.get("isinCode"), str) and not is_no_value(i["isinCode"])]


def outside_window(items: list[Any], field: str, lo: str, hi: str) -> list[str]:
    out = []
    for item in items:
        day = day_of(item.get(field)) if isinstance(item, dict) else None
        if day is not None and not lo <= day <= hi:
            out.append(day)
    return out


def pick_instrument(items: list[Any], api: str) -> str | None:
    """A code present in the data (not cash); one not on every item, so a filter is observable."""
    counts = Counter(next(iter(codes_of(i, api)), None) for i in items)
    counts.pop(None, None)
    counts.pop("CASH", None)
    if not counts:
        return None
    partial = [c for c, n in counts.most_common() if n < len(items)]
    return (partial or [counts.most_common(1)[0][0]])[0]


def today_candidates() -> set[str]:
    """"Today" as the broker may see it: Korean time, UTC or this machine's date."""
    now = datetime.now(UTC)
    return {now.astimezone(KST).strftime("%Y%m%d"), now.strftime("%Y%m%d"), date.today().strftime("%Y%m%d")}


def _show(values: list[Any], limit: int = 5) -> str:
    shown = ", ".join(str(v) for v in values[:limit])
    return shown + (f" … ({len(values)} different)" if len(values) > limit else "")


# --- FLT-001 / FLT-008: date ranges ------------------------------------------------------------
@pytest.mark.rule("FLT-001")
@pytest.mark.parametrize("api", DATE_APIS)
def test_items_inside_date_range(api, client):
    spec = get_api(api)
    rng = spec.date_range or {}
    _, (lo, hi) = _who(client, api)
    items, asked = _items(client, api, f"history {lo}-{hi}", {rng["from"]: lo, rng["to"]: hi}, "FLT-001")
    bad = outside_window(items, rng["item_date"], lo, hi)
    if bad:
        ck.violate("FLT-001", f"{len(bad)} item(s) dated outside the requested {lo}..{hi}: "
                   f"{_show(sorted(set(bad)))}",
                   exchanges=asked[:3], api=api)
    days = sorted({d for d in (day_of(i.get(rng["item_date"])) for i in items if isinstance(i, dict)) if d})
    if len(days) < 3:
        return  # too little data for a narrower window
    narrow_lo, narrow_hi = days[len(days) // 3], days[(2 * len(days)) // 3]
    expected = sum(1 for i in items if isinstance(i, dict)
                   and narrow_lo <= (day_of(i.get(rng["item_date"])) or "") <= narrow_hi)
    inner, inner_asked = _items(client, api, f"window {narrow_lo}-{narrow_hi}",
                                {rng["from"]: narrow_lo, rng["to"]: narrow_hi}, "FLT-001")
    bad = outside_window(inner, rng["item_date"], narrow_lo, narrow_hi)
    if bad:
        ck.violate("FLT-001", f"{len(bad)} item(s) dated outside the requested {narrow_lo}..{narrow_hi}: "
                   f"{_show(sorted(set(bad)))}", exchanges=inner_asked[:3], api=api)
    if expected and not inner:
        ck.violate("FLT-001", f"the window {narrow_lo}..{narrow_hi} answered no item, although the history "
                   f"window answered {expected} item(s) dated within it",
                   exchanges=inner_asked[:3] + asked[:1], api=api)


@pytest.mark.rule("FLT-008")
@pytest.mark.parametrize("api", DATE_APIS)
def test_overlong_range_gives_data_or_6006(api, client):
    spec = get_api(api)
    rng = spec.date_range or {}
    _, (_lo, hi) = _who(client, api)
    end = datetime.strptime(hi, "%Y%m%d").date()
    starts = {f"{LONG_RANGE_YEARS} years": end - timedelta(days=round(365.25 * LONG_RANGE_YEARS))}
    limit = client.profile.max_date_range_days
    if limit:
        starts[f"{limit + 1} days (the profile's maximum + 1)"] = end - timedelta(days=limit + 1)
    for label, start in starts.items():
        exchange = _ask(client, api, f"range of {label}",
                        {rng["from"]: start.strftime("%Y%m%d"), rng["to"]: hi, "count": 0, "page": "null"})
        ck.require_answer(exchange, "FLT-008", api)
        if ck.is_success(exchange, spec):
            continue
        code = error_code(exchange)
        if code != DATE_RANGE_EXCEEDED:
            body = exchange.response_body[:200].decode("utf-8", "replace")
            ck.violate("FLT-008", f"a date range of {label} was answered with HTTP {exchange.status}, "
                       f"code {code} ({body}); an over-long range gives data or {DATE_RANGE_EXCEEDED} "
                       "(Date Range Exceeded)",
                       exchanges=[exchange], api=api)


# --- FLT-002 / FLT-007: instrument ---------------------------------------------------------------
def _isin_field(api: str) -> str:
    return "isinCode" if api == "transaction" else "qrIsinCode"


@pytest.mark.rule("FLT-002")
@pytest.mark.parametrize("api", ISIN_APIS)
def test_instrument_filter(api, client):
    items, asked = _items(client, api, "unfiltered", {}, "FLT-002")
    code = pick_instrument(items, api)
    if code is None:
        pytest.skip(f"no item with an instrument code in the unfiltered {api} answer to filter on")
    expected = sum(1 for i in items if code in codes_of(i, api))
    got, got_asked = _items(client, api, f"{_isin_field(api)} {code}", {_isin_field(api): code}, "FLT-002")
    foreign = sorted({c for i in got if code not in codes_of(i, api)
                      for c in (codes_of(i, api) or ["(none)"])})
    if foreign:
        ck.violate("FLT-002", f"filtered on {_isin_field(api)} {code}, got items of other instruments: "
                   f"{_show(foreign)}", exchanges=got_asked[:3], api=api)
    if expected and not got:
        ck.violate("FLT-002", f"filtered on {_isin_field(api)} {code}, got no item although the unfiltered "
                   f"answer holds {expected}", exchanges=got_asked[:2] + asked[:1], api=api)


@pytest.mark.rule("FLT-007")
@pytest.mark.parametrize("api", ISIN_APIS)
def test_unknown_instrument_empty_or_6007(api, client):
    spec = get_api(api)
    exchange = _ask(client, api, f"unknown {_isin_field(api)}", {_isin_field(api): UNKNOWN_ISIN})
    ck.require_answer(exchange, "FLT-007", api)
    if ck.is_success(exchange, spec):
        items = [item for _path, item in ck.all_items(exchange.json(), spec)]
        if items:
            codes = sorted({c for i in items for c in codes_of(i, api)})
            ck.violate("FLT-007", f"the unknown instrument {UNKNOWN_ISIN} was answered with {len(items)} "
                       f"item(s) of other instruments ({_show(codes)})", exchanges=[exchange], api=api)
        return
    code = error_code(exchange)
    if code != INVALID_ISIN:
        body = exchange.response_body[:200].decode("utf-8", "replace")
        ck.violate("FLT-007", f"the unknown instrument {UNKNOWN_ISIN} was answered with HTTP "
                   f"{exchange.status}, code {code} ({body}); expected an empty list or {INVALID_ISIN} "
                   "(Invalid Isincode)",
                   exchanges=[exchange], api=api)


# --- FLT-003 / FLT-006: transaction side -------------------------------------------------------
@pytest.mark.rule("FLT-003")
@pytest.mark.parametrize("api", ["transaction"])
def test_side_filter(api, client):
    items, asked = _items(client, api, "unfiltered", {}, "FLT-003")
    present = Counter(str(i.get("transType", "")).strip() for i in items if isinstance(i, dict))
    sides = [s for s in SIDES if present[s]]
    if not sides:
        pytest.skip("no BID/ASK/DEP/WID transaction in the history window to filter on")
    for side in sides:
        got, got_asked = _items(client, api, f"side {side}", {"side": side}, "FLT-003")
        other = [str(i.get("transType")) for i in got
                 if isinstance(i, dict) and str(i.get("transType", "")).strip() != side]
        if other:
            ck.violate("FLT-003", f"filtered on side {side}, got {len(other)} item(s) of other kinds: "
                       f"{_show(sorted(set(other)))}", exchanges=got_asked[:3], api=api)
        if not got:
            ck.violate("FLT-003", f"filtered on side {side}, got no item although the unfiltered answer "
                       f"holds {present[side]}", exchanges=got_asked[:2] + asked[:1], api=api)


@pytest.mark.rule("FLT-006")
@pytest.mark.parametrize("api", ["transaction"])
def test_invalid_side_refused(api, client):
    exchange = _ask(client, api, f"side {INVALID_SIDE}", {"side": INVALID_SIDE})
    ck.require_answer(exchange, "FLT-006", api)
    if ck.is_success(exchange, get_api(api)):
        ck.violate("FLT-006", f"the invalid side {INVALID_SIDE!r} was answered with data; it is refused with "
                   f"{INVALID_SIDE_TYPE} (Invalid Side Type)", exchanges=[exchange], api=api)
    code = error_code(exchange)
    if code != INVALID_SIDE_TYPE:
        ck.violate("FLT-006", f"the invalid side {INVALID_SIDE!r} was refused with HTTP {exchange.status}, "
                   f"code {code}; the documented code is {INVALID_SIDE_TYPE} (Invalid Side Type)",
                   exchanges=[exchange], api=api)


# --- FLT-004: sell / buy -----------------------------------------------------------------------
@pytest.mark.rule("FLT-004")
@pytest.mark.parametrize("api", ["orderdetail", "settlelist"])
def test_sell_buy_filter(api, client):
    items, asked = _items(client, api, "unfiltered", {}, "FLT-004")
    present = Counter(str(i.get("sellBuyType", "")).strip() for i in items if isinstance(i, dict))
    wanted = [v for v in SELL_BUY if present[v]]
    if not wanted:
        pytest.skip(f"no sell or buy item in the unfiltered {api} answer to filter on")
    for value in wanted:
        got, got_asked = _items(client, api, f"qrSellBuyType {value}", {"qrSellBuyType": value}, "FLT-004")
        other = [i.get("sellBuyType") for i in got if isinstance(i, dict)
                 and str(i.get("sellBuyType", "")).strip() != value]
        if other:
            ck.violate("FLT-004", f"filtered on qrSellBuyType {value} ({SELL_BUY[value]}), got {len(other)} "
                       f"item(s) with sellBuyType {_show(sorted(set(map(str, other))))}",
                       exchanges=got_asked[:3], api=api)
        if not got:
            ck.violate("FLT-004", f"filtered on qrSellBuyType {value} ({SELL_BUY[value]}), got no item "
                       f"although the unfiltered answer holds {present[value]}",
                       exchanges=got_asked[:2] + asked[:1], api=api)


# --- FLT-005: order date and order number ------------------------------------------------------
def _order_day(item: Any) -> str | None:
    return day_of(item.get("orderTime")) if isinstance(item, dict) else None


@pytest.mark.rule("FLT-005")
@pytest.mark.parametrize("api", ["orderdetail"])
def test_order_filters(api, client):
    _, (hist_lo, hist_hi) = _who(client, api)
    items, asked = _items(client, api, "orders of today (empty qrOrderDate)", {"qrOrderDate": ""}, "FLT-005")
    judged = False
    todays = today_candidates()
    dated = [d for d in map(_order_day, items) if d]
    if dated:
        judged = True
        stale = [d for d in dated if d not in todays]
        if stale:
            ck.violate("FLT-005", f"an empty qrOrderDate means today ({'/'.join(sorted(todays))}), but "
                       f"{len(stale)} order(s) of other dates came back: {_show(sorted(set(stale)))}",
                       exchanges=asked[:3], api=api)
    for day in sorted({*(dated[:1] or [datetime.now(KST).strftime('%Y%m%d')]), hist_lo, hist_hi}):
        got, got_asked = _items(client, api, f"qrOrderDate {day}", {"qrOrderDate": day}, "FLT-005")
        days = [d for d in map(_order_day, got) if d]
        judged = judged or bool(days)
        other = [d for d in days if d != day]
        if other:
            ck.violate("FLT-005", f"filtered on qrOrderDate {day}, got {len(other)} order(s) of other dates: "
                       f"{_show(sorted(set(other)))}", exchanges=got_asked[:3], api=api)
    numbered = [i for i in items if isinstance(i, dict) and isinstance(i.get("orderNo"), str)
                and not is_no_value(i["orderNo"])]
    if numbered:
        judged = True
        number = numbered[-1]["orderNo"].strip()
        got, got_asked = _items(client, api, f"qrOrderNo {number}", {"qrOrderDate": "", "qrOrderNo": number},
                                "FLT-005")
        other = [str(i.get("orderNo")) for i in got if isinstance(i, dict)
                 and number not in (str(i.get("orderNo", "")).strip(), str(i.get("orgOrderNo", "")).strip())]
        if other:
            ck.violate("FLT-005", f"filtered on qrOrderNo {number}, got {len(other)} other order(s): "
                       f"{_show(sorted(set(other)))}", exchanges=got_asked[:3], api=api)
        if not got:
            ck.violate("FLT-005", f"filtered on qrOrderNo {number}, got no order although today's orders "
                       "include it", exchanges=got_asked[:2] + asked[:1], api=api)
    if not judged:
        pytest.skip("no order with a date (orderTime) or an order number in the test data to filter on")
