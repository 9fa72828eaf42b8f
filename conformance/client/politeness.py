"""Politeness toward one gateway origin, shared by every thread and process that talks to it.

- Spacing: at most `requests_per_second` sends to an origin. Each origin has a small state file
  holding the next free send time; a sender takes the file lock (fcntl.flock), reserves the next
  slot, releases the lock and sleeps until its slot, so senders queue in order without holding
  the lock while asleep. pytest-xdist workers and parallel audits of one gateway share it.
- Back-off: when the gateway answers 429/503 with Retry-After, `defer` pushes the origin's next
  free slot past the wait, for every sender, not just the one that was told.
- No retry storms: once several exchanges in a row ended still rate-limited, retries are
  suspended for this limiter (until the gateway answers normally again).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

try:  # POSIX: the state file is shared between processes with flock
    import fcntl
except ImportError:  # pragma: no cover - Windows: politeness holds within one process only
    fcntl = None  # type: ignore[assignment]

__all__ = ["RateLimiter"]


def _default_state_dir() -> Path:
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return Path(tempfile.gettempdir()) / f"koscom-conformance-{uid}" / "rate-limits"


class RateLimiter:
    """At most `requests_per_second` sends to the origin `key`, across threads and processes."""

    _thread_locks: dict[str, threading.Lock] = {}
    _thread_locks_guard = threading.Lock()
    # A reservation further ahead than this is a stale file (clock change, crashed run): start afresh.
    _MAX_BACKLOG_S = 300.0
    # Exchanges in a row that ended still rate-limited before retries are suspended.
    RATE_LIMITED_STREAK = 3

    def __init__(self, key: str, requests_per_second: float | None, state_dir: Path | None = None) -> None:
        self.key = key
        self.interval = 1.0 / requests_per_second if requests_per_second and requests_per_second > 0 else 0.0
        self.state_dir = Path(state_dir) if state_dir is not None else _default_state_dir()
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
        self.path = self.state_dir / f"{digest}.next"
        with self._thread_locks_guard:
            self._lock = self._thread_locks.setdefault(str(self.path), threading.Lock())
        self._local_next = 0.0  # when the state file cannot be used, or nothing limits the rate
        self._streak = 0

    def _update(self, change: Callable[[float, float], tuple[float, float]]) -> float:
        """Apply `change(stored_next, now) -> (new_next, answer)` to the shared state; return answer."""
        now = time.time()
        with self._lock:
            fd = -1
            if fcntl is not None and self.interval > 0:
                try:
                    self.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
                    fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                except OSError:
                    fd = -1
            if fd < 0:
                self._local_next, answer = change(self._local_next, now)
                return answer
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                try:
                    stored = float(os.read(fd, 64).decode("ascii", "replace").strip())
                except ValueError:
                    stored = 0.0
                if stored - now > self._MAX_BACKLOG_S:
                    stored = 0.0
                new_next, answer = change(stored, now)
                os.lseek(fd, 0, os.SEEK_SET)
                os.ftruncate(fd, 0)
                os.write(fd, f"{new_next:.6f}".encode("ascii"))
                return answer
            finally:
                os.close(fd)  # closing releases the flock

    def acquire(self) -> None:
        """Block until this process may send the next request to the origin."""
        if self.interval <= 0 and self._local_next <= time.time():
            return
        interval = self.interval

        def reserve(stored: float, now: float) -> tuple[float, float]:
            slot = max(now, stored)
            return slot + interval, slot

        delay = self._update(reserve) - time.time()
        if delay > 0:
            time.sleep(delay)

    def defer(self, seconds: float) -> None:
        """The gateway asked every sender to wait `seconds` (Retry-After) before the next request."""
        seconds = min(max(0.0, seconds), self._MAX_BACKLOG_S)
        self._update(lambda stored, now: (max(stored, now + seconds), 0.0))

    # --- retry suspension (this process only) ---------------------------------------------------

    def record_outcome(self, still_rate_limited: bool) -> None:
        """After an exchange: did it end with the gateway still answering 429/503?"""
        with self._lock:
            self._streak = self._streak + 1 if still_rate_limited else 0

    @property
    def retries_allowed(self) -> bool:
        return self._streak < self.RATE_LIMITED_STREAK
