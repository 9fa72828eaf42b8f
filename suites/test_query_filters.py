"""Area `query-filters`: date ranges, instrument, side, sell/buy and order filters (C15, C32, I30).

Every filter is tried with a value seen in the unfiltered answer, so a filter the broker ignores
shows up as items of other dates, instruments or kinds. Unfiltered and filtered answers are
followed to the end of their page chains (count 0: the broker chooses the page size). Field names
come from the catalogue (`date_range`, `filters:`); what the answers prove, from
conformance.judges.filters.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest

from conformance import clock
from conformance.checking import accounts, all_items, check, is_success, require_answer
from conformance.client.requests import default_window
from conformance.errors import error_code as code_of
from conformance.judges import Finding
from conformance.judges import filters as judge

UNKNOWN_ISIN = "KR0000000000"
INVALID_SIDE = "XYZ"
LONG_RANGE_YEARS = 20


# --- questions ---------------------------------------------------------------------------------
def _who(ctx) -> tuple[dict[str, Any], tuple[str, str]]:
    """Whom to ask (account= / b2b=) and the window with data (the profile's history)."""
    profile = ctx.profile
    today = ctx.client.today()
    if ctx.spec.family == "account":
        regular = accounts(profile)
        if not regular:
            ctx.not_applicable("the profile lists no account for the account APIs")
        account = next((a for a in regular if a.history), regular[0])
        return {"account": account}, account.history or default_window(profile.max_date_range_days, today=today)
    b2b = ctx.b2b
    if ctx.spec.date_range:
        b2b = next((b for b in profile.b2b_accounts if b.history), b2b)
    return {"b2b": b2b}, b2b.history or default_window(profile.max_date_range_days, today=today)


def _items(ctx, label: str, query: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    """All items of a filtered question's page chain and its exchanges; a chain that does not end
    is PAGE-003's business (its pages are judged as far as they go)."""
    who, _window = _who(ctx)
    exceeded = ctx.expect_error("date_range_exceeded")
    first = ctx.call(f"{ctx.api} {label} page 1", query=query, **who)  # the plain question's first page
    if not is_success(first, ctx.spec) and code_of(first) == exceeded:
        pytest.skip(f"the broker refuses the profile's history window with {exceeded} (Date Range "
                    "Exceeded); give a shorter accounts[].history / b2b_accounts[].history")
    answers, _done = ctx.walk_pages(f"{ctx.api} {label}", query=query, **who)
    items = [item for a in answers for _path, item in all_items(a.doc, ctx.spec)]
    return items, [a.exchange for a in answers]


def _ask(ctx, label: str, query: dict[str, Any]):
    who, _window = _who(ctx)
    return ctx.call(f"{ctx.api} {label}", query=query, **who)


def _file(ctx, findings: list[Finding], exchanges: list[Any]) -> None:
    """The first finding of a judge fails the check, with the exchanges that prove it."""
    if findings:
        ctx.fail(findings[0].message, exchanges=exchanges)


def _body(exchange) -> str:
    return exchange.response_body[:200].decode("utf-8", "replace")


# --- FLT-001 / FLT-008: date ranges ------------------------------------------------------------
@check("FLT-001")
def test_items_inside_date_range(ctx):
    rng = ctx.spec.date_range or {}
    _, (lo, hi) = _who(ctx)
    items, asked = _items(ctx, f"history {lo}-{hi}", {rng["from"]: lo, rng["to"]: hi})
    _file(ctx, judge.dated_outside(items, rng["item_date"], lo, hi), asked[:3])
    narrower = judge.narrower_window(items, rng["item_date"])
    if narrower is None:
        return  # too little data for a narrower window
    narrow_lo, narrow_hi, expected = narrower
    inner, inner_asked = _items(ctx, f"window {narrow_lo}-{narrow_hi}", {rng["from"]: narrow_lo, rng["to"]: narrow_hi})
    _file(ctx, judge.dated_outside(inner, rng["item_date"], narrow_lo, narrow_hi), inner_asked[:3])
    _file(ctx, judge.window_emptied(inner, expected, narrow_lo, narrow_hi), inner_asked[:3] + asked[:1])


@check("FLT-008")
def test_overlong_range_gives_data_or_6006(ctx):
    rng = ctx.spec.date_range or {}
    _, (_lo, hi) = _who(ctx)
    end = datetime.strptime(hi, "%Y%m%d").date()
    starts = {f"{LONG_RANGE_YEARS} years": end - timedelta(days=round(365.25 * LONG_RANGE_YEARS))}
    limit = ctx.profile.max_date_range_days
    if limit:
        starts[f"{limit + 1} days (the profile's maximum + 1)"] = end - timedelta(days=limit + 1)
    for label, start in starts.items():
        exchange = _ask(ctx, f"range of {label}",
                        {rng["from"]: start.strftime("%Y%m%d"), rng["to"]: hi})  # count 0, first page
        require_answer(exchange, ctx.rule, ctx.api)
        if is_success(exchange, ctx.spec):
            continue
        _file(ctx, judge.long_range_refusal(label, exchange.status, code_of(exchange), _body(exchange),
                                            ctx.expect_error("date_range_exceeded")), [exchange])


# --- FLT-002 / FLT-007: instrument ---------------------------------------------------------------
@check("FLT-002")
def test_instrument_filter(ctx):
    field = ctx.spec.filters["instrument"]
    items, asked = _items(ctx, "unfiltered", {})
    code = judge.pick_instrument(items, field["item"])
    if code is None:
        pytest.skip(f"no item with an instrument code in the unfiltered {ctx.api} answer to filter on")
    expected = sum(1 for i in items if code in judge.codes_of(i, field["item"]))
    got, got_asked = _items(ctx, f"{field['query']} {code}", {field["query"]: code})
    _file(ctx, judge.foreign_instruments(got, code, field["item"], field["query"]), got_asked[:3])
    _file(ctx, judge.instrument_lost(got, expected, code, field["query"]), got_asked[:2] + asked[:1])


@check("FLT-007")
def test_unknown_instrument_empty_or_6007(ctx):
    field = ctx.spec.filters["instrument"]
    exchange = _ask(ctx, f"unknown {field['query']}", {field["query"]: UNKNOWN_ISIN})
    require_answer(exchange, ctx.rule, ctx.api)
    if is_success(exchange, ctx.spec):
        items = [item for _path, item in all_items(exchange.json(), ctx.spec)]
        _file(ctx, judge.unknown_instrument_items(items, UNKNOWN_ISIN, field["item"]), [exchange])
        return
    _file(ctx, judge.unknown_instrument_refusal(UNKNOWN_ISIN, exchange.status, code_of(exchange), _body(exchange),
                                                ctx.expect_error("invalid_isin")), [exchange])


# --- FLT-003 / FLT-006: transaction side -------------------------------------------------------
def _sides(ctx) -> tuple[str, ...]:
    """The kinds a side filter selects: the item field's enumeration in the field table."""
    info = ctx.spec.field_at("response", f"{ctx.spec.lists[0].path}[].{ctx.spec.filters['side']['item']}")
    return tuple((info.enum or info.enum_recommended or ()) if info else ())


@check("FLT-003")
def test_side_filter(ctx):
    side_filter = ctx.spec.filters["side"]
    items, asked = _items(ctx, "unfiltered", {})
    present = Counter(judge.text_of(i, side_filter["item"]) for i in items if isinstance(i, dict))
    sides = [s for s in _sides(ctx) if present[s]]
    if not sides:
        pytest.skip(f"no {'/'.join(_sides(ctx))} transaction in the history window to filter on")
    for side in sides:
        got, got_asked = _items(ctx, f"{side_filter['query']} {side}", {side_filter["query"]: side})
        findings = judge.other_kinds(got, side, side_filter["query"], side_filter["item"], present[side])
        _file(ctx, findings, got_asked[:3] if got else got_asked[:2] + asked[:1])


@check("FLT-006")
def test_invalid_side_refused(ctx):
    side_query = ctx.spec.filters["side"]["query"]
    exchange = _ask(ctx, f"{side_query} {INVALID_SIDE}", {side_query: INVALID_SIDE})
    require_answer(exchange, ctx.rule, ctx.api)
    _file(ctx, judge.invalid_side_answer(INVALID_SIDE, is_success(exchange, ctx.spec), exchange.status,
                                         code_of(exchange), ctx.expect_error("invalid_side_type")), [exchange])


# --- FLT-004: sell / buy -----------------------------------------------------------------------
@check("FLT-004")
def test_sell_buy_filter(ctx):
    sell_buy = ctx.spec.filters["sell_buy"]
    items, asked = _items(ctx, "unfiltered", {})
    present = Counter(judge.text_of(i, sell_buy["item"]) for i in items if isinstance(i, dict))
    wanted = [v for v in sell_buy["labels"] if present[v]]
    if not wanted:
        pytest.skip(f"no sell or buy item in the unfiltered {ctx.api} answer to filter on")
    for value in wanted:
        got, got_asked = _items(ctx, f"{sell_buy['query']} {value}", {sell_buy["query"]: value})
        findings = judge.other_sell_buy(got, value, sell_buy["labels"][value], sell_buy["query"], sell_buy["item"],
                                        present[value])
        _file(ctx, findings, got_asked[:3] if got else got_asked[:2] + asked[:1])


# --- FLT-005: order date and order number ------------------------------------------------------
@check("FLT-005")
def test_order_filters(ctx):
    order_date, order_no = ctx.spec.filters["order_date"], ctx.spec.filters["order_no"]
    day_query = order_date["query"]

    def order_day(item: Any) -> str | None:
        return judge.day_of(item.get(order_date["item"])) if isinstance(item, dict) else None

    _, (hist_lo, hist_hi) = _who(ctx)
    now = ctx.client.now()
    items, asked = _items(ctx, f"orders of today (empty {day_query})", {day_query: ""})
    judged = False
    dated = [d for d in map(order_day, items) if d]
    if dated:
        judged = True
        _file(ctx, judge.stale_orders(dated, judge.today_candidates(now, clock.real_now()), day_query), asked[:3])
    for day in sorted({*(dated[:1] or [clock.today(now).strftime("%Y%m%d")]), hist_lo, hist_hi}):
        got, got_asked = _items(ctx, f"{day_query} {day}", {day_query: day})
        days = [d for d in map(order_day, got) if d]
        judged = judged or bool(days)
        _file(ctx, judge.other_order_dates(days, day, day_query), got_asked[:3])
    fields = (order_no["item"], order_no["also"])
    numbered = [codes[0] for codes in (judge.codes_of(i, fields[0]) for i in items) if codes]
    if numbered:
        judged = True
        number = numbered[-1]
        got, got_asked = _items(ctx, f"{order_no['query']} {number}", {day_query: "", order_no["query"]: number})
        _file(ctx, judge.other_orders(got, number, order_no["query"], fields),
              got_asked[:3] if got else got_asked[:2] + asked[:1])
    if not judged:
        pytest.skip(f"no order with a date ({order_date['item']}) or an order number in the test data to filter on")
