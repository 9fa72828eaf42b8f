"""A token bucket for the gateway's 429 (C25), plus the daily call counter behind rate headers."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable


class TokenBucket:
    """`rate` requests per second on average, bursts up to `max(1, rate)`."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("the rate limit must be positive")
        self.rate = rate
        self.capacity = max(1.0, rate)
        self._tokens = self.capacity
        self._clock = clock
        self._last = self._now()
        self._lock = threading.Lock()

    def _now(self) -> float:
        return self._clock()

    def take(self) -> float | None:
        """None when the request may pass; otherwise the seconds to wait (for Retry-After)."""
        with self._lock:
            now = self._now()
            self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
            self._last = now
            if self._tokens >= 1:
                self._tokens -= 1
                return None
            return (1 - self._tokens) / self.rate


def retry_after(wait_s: float) -> str:
    return str(max(1, math.ceil(wait_s)))


class DailyCounter:
    """Calls so far today (rate headers); 50,000 per family and day (C25)."""

    LIMIT = 50_000

    def __init__(self) -> None:
        self._calls = 0
        self._lock = threading.Lock()

    def tick(self) -> int:
        with self._lock:
            self._calls += 1
            return self._calls
