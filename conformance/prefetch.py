"""A run's questions: asked ahead, concurrently, within the politeness budget; and counted.

Against a real gateway a run is bounded by round trips, not by judging. When the first check
starts, every check of the run is also started speculatively, in order, in a small background
thread pool: its outcome is thrown away, but each question it asks reaches the client, which sends
at most `limits.max_in_flight` at once, never faster than `limits.requests_per_second`, and records
each exchange once. pytest meanwhile runs the checks as always, one after another; each finds its
answers in the client's cache, or waits for the one already on the wire. Checks stay plain
sequential functions and the evidence is the same record; a check whose questions depend on
earlier answers (a page chain) walks its chain in its own thread while other checks' questions
overlap it.

`max_in_flight: 1` restores the sequential run (no speculative pass). pytest-xdist workers do not
prefetch: each would ask the whole run, not only the checks it is given.

The question count per area is what the run cost the gateway: the client counts the exchanges it
sent under the area of the check that asked first; the plugin writes the counts into results.json.
"""

from __future__ import annotations

import inspect
import json
import threading
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from conformance.rules import get_rule

__all__ = ["Prefetch", "before_check", "finish", "prefetch", "question_summary", "speculative",
           "write_question_counts"]

# Session fixtures a speculative run may use; a check needing any other fixture is left to pytest.
SHARED_FIXTURES = ("client", "profile", "fuzz_enabled", "pytestconfig")
THREADS_PER_SLOT = 4  # checks waiting on an answer another check is fetching keep no slot busy

_local = threading.local()
_RUN = pytest.StashKey["Prefetch"]()


def speculative() -> bool:
    """True inside a speculative run of a check: it must leave no trace (no report attachment)."""
    return bool(getattr(_local, "speculative", False))


def area_of(item: pytest.Item) -> str:
    marker = item.get_closest_marker("rule")
    return get_rule(marker.args[0]).area if marker else ""


def before_check(item: pytest.Item) -> None:
    """Called once a check's fixtures are set up: its questions count for its area, and the first
    check starts the prefetch of the whole run."""
    client = item.funcargs.get("client") if hasattr(item, "funcargs") else None
    if client is None or not hasattr(client, "questions"):
        return
    client.area = area_of(item)
    config = item.config
    if _RUN in config.stash:
        return
    run = config.stash[_RUN] = Prefetch(client.max_in_flight)
    if client.max_in_flight > 1 and not hasattr(config, "workerinput"):
        run.start(item.session.items, lambda name: _session_fixture(item, name))


def finish(config: pytest.Config) -> None:
    """Wait for the speculative checks still running (before the exchanges are written); checks
    not yet started are dropped (an interrupted run)."""
    run = config.stash.get(_RUN, None)
    if run is not None:
        run.finish()


def _session_fixture(item: pytest.Item, name: str) -> Any:
    return item._request.getfixturevalue(name)  # type: ignore[attr-defined]


def _task(item: pytest.Item, fixture: Any) -> Any:
    """The check as a call with its parameters and shared fixtures, or None if it needs others."""
    function = getattr(item, "obj", None)
    if function is None or not callable(function):
        return None
    params = dict(getattr(getattr(item, "callspec", None), "params", {}) or {})
    kwargs: dict[str, Any] = {}
    for name in inspect.signature(function).parameters:
        if name in params:
            kwargs[name] = params[name]
        elif name in SHARED_FIXTURES:
            kwargs[name] = fixture(name)
        else:
            return None
    return lambda: function(**kwargs)


class Prefetch:
    """The background pass of one run."""

    def __init__(self, max_in_flight: int) -> None:
        self.max_in_flight = max(1, max_in_flight)
        self._pool: ThreadPoolExecutor | None = None
        self.started = 0

    def start(self, items: Iterable[pytest.Item], fixture: Any) -> int:
        """Start every check of `items` once, in order, for the questions it asks; returns how many."""
        tasks = [(area_of(item), task) for item in items if (task := _task(item, fixture)) is not None]
        if not tasks:
            return 0
        self._pool = ThreadPoolExecutor(max_workers=min(len(tasks), THREADS_PER_SLOT * self.max_in_flight),
                                        thread_name_prefix="prefetch")
        client = fixture("client")
        for area, task in tasks:
            self._pool.submit(_quietly, client, area, task)
        self.started = len(tasks)
        return self.started

    def finish(self, drop_waiting: bool = True) -> None:
        """Wait for the running checks; those not started yet are dropped unless told otherwise."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=drop_waiting)
            self._pool = None


def prefetch(items: Iterable[pytest.Item], fixture: Any, max_in_flight: int) -> int:
    """Run every check of `items` once, concurrently, and wait for them all; returns how many ran."""
    run = Prefetch(max_in_flight)
    try:
        return run.start(items, fixture)
    finally:
        run.finish(drop_waiting=False)


def _quietly(client: Any, area: str, task: Any) -> None:
    _local.speculative = True
    client.area = area
    try:
        task()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # noqa: BLE001 - verdicts come from the real run; pytest outcomes are BaseException
        pass
    finally:
        _local.speculative = False


# --- counting ----------------------------------------------------------------------------------

def write_question_counts(client: Any, folder: Path, worker: str) -> None:
    """The questions this process sent, by area, beside its exchanges (exchanges/<worker>.questions.json)."""
    folder.mkdir(parents=True, exist_ok=True)
    counts = {area or "unattributed": n for area, n in sorted(client.questions.items())}
    (folder / f"{worker}.questions.json").write_text(json.dumps(counts), encoding="utf-8")


def question_summary(folder: Path) -> dict[str, Any]:
    """`{"total": N, "by_area": {...}}` over every worker's counts (results.json `questions`)."""
    total: Counter[str] = Counter()
    for file in sorted(folder.glob("*.questions.json")) if folder.is_dir() else []:
        total.update(json.loads(file.read_text(encoding="utf-8")))
    return {"total": sum(total.values()), "by_area": dict(sorted(total.items()))}
