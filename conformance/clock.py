"""The run's clock: the real time, or one fixed instant set in CONFORMANCE_NOW.

Verdicts that depend on the hour (the C27 query window) read the time here and nowhere else, so a
test, a replay or a broker's engineer can pin it: `CONFORMANCE_NOW=2026-12-02T10:00:00+09:00`. The
variable is read at every call, so it reaches the pytest subprocess of `conformance run` unchanged.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

__all__ = ["ENV", "SEOUL", "now", "parse_instant", "real_now", "today"]

ENV = "CONFORMANCE_NOW"
SEOUL = ZoneInfo("Asia/Seoul")


def parse_instant(text: str) -> datetime:
    """An ISO-8601 instant; without an offset it is read as Seoul time (the contract's clock)."""
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{ENV}={text!r} is not an ISO-8601 date and time "
                         "(e.g. 2026-12-02T10:00:00+09:00)") from None
    return at if at.tzinfo else at.replace(tzinfo=SEOUL)


def now() -> datetime:
    """The current instant (timezone-aware), or the pinned one."""
    fixed = os.environ.get(ENV, "").strip()
    return parse_instant(fixed) if fixed else datetime.now(UTC)


def real_now() -> datetime:
    """The machine's instant, whatever CONFORMANCE_NOW pins: a live broker answers in real time, so
    a judge of "today" (FLT-005) accepts its date too when the run's clock is pinned."""
    return datetime.now(UTC)


def today(at: datetime | None = None) -> date:
    """The contract's date (Seoul) of an instant, by default of the run's clock: the "today" of
    default date windows, so a replay or a test pinning CONFORMANCE_NOW asks the same questions."""
    return (at or now()).astimezone(SEOUL).date()
