"""The documented query window of the time-windowed b2b APIs (C27, I63).

balancelist and settlelist are queryable before 08:30 and from 16:00 Seoul time; in between a
broker may refuse them, with no code the pages name. Pure: the caller brings the instant.
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

__all__ = ["CLOSED_FROM", "CLOSED_UNTIL", "TIMEZONE", "in_closed_hours", "seoul_time"]

TIMEZONE = ZoneInfo("Asia/Seoul")
CLOSED_FROM = time(8, 30)  # inclusive
CLOSED_UNTIL = time(16, 0)  # exclusive: 16:00 is open again


def seoul_time(at: datetime) -> datetime:
    return at.astimezone(TIMEZONE)


def in_closed_hours(at: datetime) -> bool:
    """True between 08:30 (inclusive) and 16:00 (exclusive) Seoul time."""
    local = seoul_time(at).time()
    return CLOSED_FROM <= local < CLOSED_UNTIL
