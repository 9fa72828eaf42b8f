"""A run's questions: asked ahead, concurrently, one rule area at a time; and counted.

Against a real gateway a run is bounded by round trips, not by judging. Before the first check of
an area runs, every check of that area is run once speculatively in a small thread pool: its
outcome is thrown away, but each question it asks reaches the client, which sends at most
`limits.max_in_flight` at once, never faster than `limits.requests_per_second`, and records each
exchange once. pytest then runs the checks as always, one after another, and they find every
answer in the client's cache: checks stay plain sequential functions, the evidence is the same
record, and a check whose questions depend on earlier answers (a page chain) simply walks its chain
in its own thread while other checks' questions overlap it.

`max_in_flight: 1` restores the sequential run (no speculative pass). pytest-xdist workers do not
prefetch: each would ask the whole area, not only the checks it is given.

The question count per area is what the run cost the gateway: the client counts the exchanges it
sent under the area that asked first; the plugin writes the counts into results.json.
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

__all__ = ["before_check", "prefetch", "question_summary", "speculative", "write_question_counts"]

# Session fixtures a speculative run may use; a check needing any other fixture is left to pytest.
SHARED_FIXTURES = ("client", "profile", "fuzz_enabled", "pytestconfig")
THREADS_PER_SLOT = 4  # checks waiting on an answer another check is fetching keep no slot busy

_local = threading.local()
_WARMED = pytest.StashKey[set[str]]()


def speculative() -> bool:
    """True inside a speculative run of a check: it must leave no trace (no report attachment)."""
    return bool(getattr(_local, "speculative", False))


def area_of(item: pytest.Item) -> str:
    marker = item.get_closest_marker("rule")
    return get_rule(marker.args[0]).area if marker else ""


def before_check(item: pytest.Item) -> None:
    """Called once a check's fixtures are set up: attribute its questions to its area, and on the
    area's first check prefetch the whole area."""
    client = item.funcargs.get("client") if hasattr(item, "funcargs") else None
    if client is None or not hasattr(client, "questions"):
        return
    area = area_of(item)
    client.area = area
    warmed = item.config.stash.setdefault(_WARMED, set())
    if area in warmed:
        return
    warmed.add(area)
    if client.max_in_flight <= 1 or hasattr(item.config, "workerinput"):
        return
    siblings = [other for other in item.session.items if area_of(other) == area]
    prefetch(siblings, lambda name: _session_fixture(item, name), client.max_in_flight)


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


def prefetch(items: Iterable[pytest.Item], fixture: Any, max_in_flight: int) -> int:
    """Run every check of `items` once, concurrently, for the questions it asks; returns how many ran."""
    tasks = [task for task in (_task(item, fixture) for item in items) if task is not None]
    if not tasks:
        return 0
    with ThreadPoolExecutor(max_workers=min(len(tasks), THREADS_PER_SLOT * max_in_flight),
                            thread_name_prefix="prefetch") as pool:
        for done in [pool.submit(_quietly, task) for task in tasks]:
            done.result()
    return len(tasks)


def _quietly(task: Any) -> None:
    _local.speculative = True
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
