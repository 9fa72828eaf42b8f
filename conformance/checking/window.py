"""The C27 closed hours: error answers of time-windowed APIs that prove nothing."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from conformance.checking.answers import is_success
from conformance.contract import get_api
from conformance.contract.window import in_closed_hours, seoul_time
from conformance.evidence import Exchange


def closed_hours_error(exchange: Exchange) -> bool:
    """An error answer of a time-windowed API asked between 08:30 and 16:00 Seoul time (C27): the
    broker may refuse then, so such an answer proves nothing about any rule."""
    if not exchange.asked_at or not get_api(exchange.api).time_window:
        return False
    return in_closed_hours(datetime.fromisoformat(exchange.asked_at)) and not is_success(
        exchange, get_api(exchange.api))


def window_excuse(exchanges: Iterable[Exchange]) -> str | None:
    """Why a check that saw closed-hours error answers could not be judged, or None. The verdict
    layer applies it to every check: no check has to remember the window."""
    hit = next((e for e in exchanges if closed_hours_error(e)), None)
    if hit is None:
        return None
    at = seoul_time(datetime.fromisoformat(hit.asked_at)).strftime("%H:%M")
    return (f"{hit.api} answered an error (HTTP {hit.status}) at {at} Seoul time, inside 08:30-16:00 when "
            f"it need not answer (C27); a run before 08:30 or from 16:00 judges this check")
