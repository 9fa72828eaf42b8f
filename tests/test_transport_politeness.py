"""Politeness toward a gateway: the rate limit holds across threads and processes; the breaker opens.

The rate-limit tests assert a lower bound on how long N sends must take (the property itself),
never how fast anything runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

from hostile_gateway import HostileGateway

from conformance.client.transport import (
    CircuitBreaker,
    Limits,
    RateLimiter,
    TlsOptions,
    TransportResult,
    make_http_client,
    perform,
)

ROOT = Path(__file__).resolve().parents[1]
RPS = 20.0
SLACK = 0.8  # sleep granularity: a reserved slot may be entered a little early relative to the first

# The worker loads politeness.py by path: importing the conformance.client package costs seconds.
WORKER = r"""
import importlib.util, json, sys, time
from pathlib import Path
spec = importlib.util.spec_from_file_location("politeness", sys.argv[1])
politeness = importlib.util.module_from_spec(spec)
spec.loader.exec_module(politeness)
RateLimiter = politeness.RateLimiter
limiter = RateLimiter("http://127.0.0.1:9", float(sys.argv[3]), state_dir=Path(sys.argv[2]))
start_at = float(sys.argv[4])
time.sleep(max(0.0, start_at - time.time()))  # both workers begin together, so their sends overlap
stamps = []
for _ in range(int(sys.argv[5])):
    limiter.acquire()
    stamps.append(time.time())
print(json.dumps(stamps))
"""


def _result(kind: str | None) -> TransportResult:
    return TransportResult(status=None if kind else 200, headers={}, body=b"", elapsed_ms=1.0,
                           error="it broke" if kind else None, error_kind=kind)


def test_rate_limit_holds_across_two_processes(tmp_path: Path) -> None:
    per_worker = 6
    start_at = time.time() + 1.0
    module = ROOT / "conformance" / "client" / "politeness.py"
    args = [str(module), str(tmp_path), str(RPS), str(start_at), str(per_worker)]
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, *args], stdout=subprocess.PIPE, text=True)
               for _ in range(2)]
    stamps: list[float] = []
    for worker in workers:
        out, _ = worker.communicate(timeout=60)
        assert worker.returncode == 0
        stamps += json.loads(out)
    stamps.sort()
    # 12 sends to one origin at 20/s need at least 11 intervals, whoever sends them.
    assert stamps[-1] - stamps[0] >= (2 * per_worker - 1) / RPS * SLACK
    # (each worker alone would need only 5 intervals: the shared state file is what spaces them)
    assert len(list(tmp_path.iterdir())) == 1


def test_rate_limit_holds_across_threads(tmp_path: Path) -> None:
    stamps: list[float] = []
    lock = threading.Lock()

    def send() -> None:
        # one limiter per thread, all for the same origin
        limiter = RateLimiter("https://gw.example:443", RPS, state_dir=tmp_path)
        for _ in range(3):
            limiter.acquire()
            with lock:
                stamps.append(time.time())

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(stamps) == 12
    stamps.sort()
    assert stamps[-1] - stamps[0] >= 11 / RPS * SLACK


def test_origins_are_limited_separately(tmp_path: Path) -> None:
    a = RateLimiter("http://a:80", 1.0, state_dir=tmp_path)
    b = RateLimiter("http://b:80", 1.0, state_dir=tmp_path)
    a.acquire()
    b.acquire()  # would wait a second if the origins shared a slot
    assert len(list(tmp_path.iterdir())) == 2


def test_unlimited_limiter_writes_nothing(tmp_path: Path) -> None:
    limiter = RateLimiter("http://a:80", None, state_dir=tmp_path)
    for _ in range(100):
        limiter.acquire()
    assert list(tmp_path.iterdir()) == []


def test_stale_reservation_far_in_the_future_is_ignored(tmp_path: Path) -> None:
    """A state file left by a clock jump must not make the next run wait for hours."""
    limiter = RateLimiter("http://a:80", 1.0, state_dir=tmp_path)
    limiter.acquire()
    limiter.path.write_text(str(time.time() + 86_400))
    done = threading.Event()
    thread = threading.Thread(target=lambda: (limiter.acquire(), done.set()), daemon=True)
    thread.start()
    assert done.wait(10)


def test_breaker_opens_after_threshold_consecutive_failures() -> None:
    breaker = CircuitBreaker(threshold=3)
    for _ in range(2):
        breaker.record(_result("refused"))
    assert not breaker.open
    breaker.record(_result("refused"))
    assert breaker.open
    assert breaker.reason == "gateway unreachable: 3 consecutive failures (connection refused)"
    blocked = breaker.blocked_result()
    assert blocked.error_kind == "refused" and blocked.error and blocked.error.startswith("not sent: ")


def test_breaker_counts_only_consecutive_failures() -> None:
    breaker = CircuitBreaker(threshold=3)
    for kind in ("timeout", "timeout", None, "timeout", "timeout", None):
        breaker.record(_result(kind))
    assert not breaker.open


def test_breaker_stays_open_once_opened() -> None:
    breaker = CircuitBreaker(threshold=1)
    breaker.record(_result("timeout"))
    breaker.record(_result(None))
    assert breaker.open and "no answer in time" in breaker.reason


def test_breaker_opens_on_a_refusing_gateway() -> None:
    """End to end: perform against a closed port five times trips the default breaker."""
    gateway = HostileGateway()  # not started: only its closed port is used
    limits = Limits(timeout_s=2.0, requests_per_second=None)
    breaker = CircuitBreaker()
    with make_http_client(TlsOptions(), limits) as client:
        for _ in range(5):
            breaker.record(perform(client, "POST", gateway.refused_url + "/x", {}, b"{}", limits))
    assert breaker.open
    assert "5 consecutive failures (connection refused)" in breaker.reason
