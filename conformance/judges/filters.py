"""Area `query-filters`: what filtered answers prove (C15, C32, I30).

Items are read through the field names of the catalogue's `filters:` and `date_range` blocks (an
item path such as `isinInfo[].isinCode` steps into an array). Each judge returns all its findings
of one answer; the binding (suites/test_query_filters.py) files the first with its exchanges.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from conformance.contract import is_no_value
from conformance.contract.window import TIMEZONE as SEOUL
from conformance.judges import Finding

# an instrument filter is tried with a real instrument: transaction items of cash in/out carry this code
CASH_CODE = "CASH"


# --- reading items ---------------------------------------------------------------------------------
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


def values_at(item: Any, path: str) -> list[Any]:
    """The values of an item field (`isinCode`, or `isinInfo[].isinCode` through an array)."""
    nodes = [item]
    for step in path.split("."):
        many = step.endswith("[]")
        key = step.removesuffix("[]")
        found = [n.get(key) for n in nodes if isinstance(n, dict)]
        nodes = [v for f in found for v in (f if isinstance(f, list) else [])] if many else found
    return nodes


def codes_of(item: Any, path: str) -> list[str]:
    """The instrument codes of an item, stripped, without no-value forms."""
    return [v.strip() for v in values_at(item, path) if isinstance(v, str) and not is_no_value(v)]


def text_of(item: Any, field: str) -> str:
    """A scalar item field as the filters compare it (str, stripped; "" when absent)."""
    return str(item.get(field, "")).strip() if isinstance(item, dict) else ""


def outside_window(items: list[Any], field: str, lo: str, hi: str) -> list[str]:
    out = []
    for item in items:
        day = day_of(item.get(field)) if isinstance(item, dict) else None
        if day is not None and not lo <= day <= hi:
            out.append(day)
    return out


def pick_instrument(items: list[Any], path: str) -> str | None:
    """A code present in the data (not cash); one not on every item, so a filter is observable."""
    counts = Counter(next(iter(codes_of(i, path)), None) for i in items)
    counts.pop(None, None)
    counts.pop(CASH_CODE, None)
    if not counts:
        return None
    partial = [c for c, n in counts.most_common() if n < len(items)]
    return (partial or [counts.most_common(1)[0][0]])[0]


def narrower_window(items: list[Any], field: str) -> tuple[str, str, int] | None:
    """A window inside the dates the items carry (its middle third) and how many items fall in it;
    None when there are too few dates to narrow."""
    days = sorted({d for d in (day_of(i.get(field)) for i in items if isinstance(i, dict)) if d})
    if len(days) < 3:
        return None
    lo, hi = days[len(days) // 3], days[(2 * len(days)) // 3]
    inside = sum(1 for i in items if isinstance(i, dict) and lo <= (day_of(i.get(field)) or "") <= hi)
    return lo, hi, inside


def today_candidates(now: datetime, real: datetime | None = None) -> set[str]:
    """"Today" as the broker may see it, at the run's instant: Seoul time, UTC or the run's offset;
    and at the machine's instant `real` when the run's clock is pinned (the broker lives in real time)."""
    out = {now.astimezone(SEOUL).strftime("%Y%m%d"), now.astimezone(UTC).strftime("%Y%m%d"),
           now.strftime("%Y%m%d")}
    if real is not None:
        out |= {real.astimezone(SEOUL).strftime("%Y%m%d"), real.astimezone(UTC).strftime("%Y%m%d")}
    return out


def show(values: list[Any], limit: int = 5) -> str:
    shown = ", ".join(str(v) for v in values[:limit])
    return shown + (f" … ({len(values)} different)" if len(values) > limit else "")


def _one(message: str) -> list[Finding]:
    return [Finding("", message)]


# --- FLT-001 / FLT-008: date ranges ----------------------------------------------------------------
def dated_outside(items: list[Any], field: str, lo: str, hi: str) -> list[Finding]:
    bad = outside_window(items, field, lo, hi)
    if not bad:
        return []
    return _one(f"{len(bad)} item(s) dated outside the requested {lo}..{hi}: {show(sorted(set(bad)))}")


def window_emptied(inner: list[Any], expected: int, lo: str, hi: str) -> list[Finding]:
    if not expected or inner:
        return []
    return _one(f"the window {lo}..{hi} answered no item, although the history window answered "
                f"{expected} item(s) dated within it")


def long_range_refusal(label: str, status: int | None, code: int | None, body: str, documented: int) -> list[Finding]:
    """An over-long range that was not answered with data: only the documented code is right."""
    if code == documented:
        return []
    return _one(f"a date range of {label} was answered with HTTP {status}, code {code} ({body}); an over-long "
                f"range gives data or {documented} (Date Range Exceeded)")


# --- FLT-002 / FLT-007: instrument -----------------------------------------------------------------
def foreign_instruments(got: list[Any], code: str, path: str, query_field: str) -> list[Finding]:
    foreign = sorted({c for i in got if code not in codes_of(i, path) for c in (codes_of(i, path) or ["(none)"])})
    if not foreign:
        return []
    return _one(f"filtered on {query_field} {code}, got items of other instruments: {show(foreign)}")


def instrument_lost(got: list[Any], expected: int, code: str, query_field: str) -> list[Finding]:
    if not expected or got:
        return []
    return _one(f"filtered on {query_field} {code}, got no item although the unfiltered answer holds {expected}")


def unknown_instrument_items(items: list[Any], unknown: str, path: str) -> list[Finding]:
    if not items:
        return []
    codes = sorted({c for i in items for c in codes_of(i, path)})
    return _one(f"the unknown instrument {unknown} was answered with {len(items)} item(s) of other instruments "
                f"({show(codes)})")


def unknown_instrument_refusal(unknown: str, status: int | None, code: int | None, body: str,
                               documented: int) -> list[Finding]:
    if code == documented:
        return []
    return _one(f"the unknown instrument {unknown} was answered with HTTP {status}, code {code} ({body}); "
                f"expected an empty list or {documented} (Invalid Isincode)")


# --- FLT-003 / FLT-006 / FLT-004: enumerated filters -----------------------------------------------
def other_kinds(got: list[Any], side: str, query_field: str, field: str, present: int) -> list[Finding]:
    """A side filter: every item of that kind, and some when the unfiltered answer had some."""
    other = [str(i.get(field)) for i in got if isinstance(i, dict) and text_of(i, field) != side]
    if other:
        return _one(f"filtered on {query_field} {side}, got {len(other)} item(s) of other kinds: "
                    f"{show(sorted(set(other)))}")
    if not got:
        return _one(f"filtered on {query_field} {side}, got no item although the unfiltered answer holds {present}")
    return []


def invalid_side_answer(side: str, answered: bool, status: int | None, code: int | None,
                        documented: int) -> list[Finding]:
    if answered:
        return _one(f"the invalid side {side!r} was answered with data; it is refused with {documented} "
                    "(Invalid Side Type)")
    if code != documented:
        return _one(f"the invalid side {side!r} was refused with HTTP {status}, code {code}; the documented "
                    f"code is {documented} (Invalid Side Type)")
    return []


def other_sell_buy(got: list[Any], value: str, label: str, query_field: str, field: str,
                   present: int) -> list[Finding]:
    other = [i.get(field) for i in got if isinstance(i, dict) and text_of(i, field) != value]
    if other:
        return _one(f"filtered on {query_field} {value} ({label}), got {len(other)} item(s) with {field} "
                    f"{show(sorted(set(map(str, other))))}")
    if not got:
        return _one(f"filtered on {query_field} {value} ({label}), got no item although the unfiltered answer "
                    f"holds {present}")
    return []


# --- FLT-005: order date and order number ----------------------------------------------------------
def stale_orders(dated: list[str], todays: set[str], query_field: str) -> list[Finding]:
    stale = [d for d in dated if d not in todays]
    if not stale:
        return []
    return _one(f"an empty {query_field} means today ({'/'.join(sorted(todays))}), but {len(stale)} order(s) of "
                f"other dates came back: {show(sorted(set(stale)))}")


def other_order_dates(days: list[str], day: str, query_field: str) -> list[Finding]:
    other = [d for d in days if d != day]
    if not other:
        return []
    return _one(f"filtered on {query_field} {day}, got {len(other)} order(s) of other dates: "
                f"{show(sorted(set(other)))}")


def other_orders(got: list[Any], number: str, query_field: str, fields: tuple[str, ...]) -> list[Finding]:
    """An order-number filter: each item is that order (or amends it: the `also` field)."""
    other = [str(i.get(fields[0])) for i in got if isinstance(i, dict)
             and number not in tuple(text_of(i, f) for f in fields)]
    if other:
        return _one(f"filtered on {query_field} {number}, got {len(other)} other order(s): {show(sorted(set(other)))}")
    if not got:
        return _one(f"filtered on {query_field} {number}, got no order although today's orders include it")
    return []
