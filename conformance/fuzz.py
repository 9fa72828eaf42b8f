"""Property-based negative request bodies from schemas/openapi.yaml (schemathesis 4).

Bounded and reproducible: an explicit budget of cases per run (`limits.fuzz_budget` in the
profile, default FUZZ_BUDGET), spread evenly over the claimed APIs and never more than
MAX_CASES_PER_API each; derandomized generation, no example database. The client sends them;
checks judge the answers (ERR-008). Every case is a question to the gateway: at 10 requests/s the
default budget costs 16.5 s.
"""

from __future__ import annotations

import functools
import threading
import warnings
from typing import Any

from conformance.contract.catalogue import get_api
from conformance.paths import schemas_dir

MAX_CASES_PER_API = 15
FUZZ_BUDGET = 165  # 15 cases for each of the 11 APIs


def cases_per_api(claimed: int, budget: int = FUZZ_BUDGET) -> int:
    """The cases each claimed API gets from the run's budget (0 when the budget is 0)."""
    if claimed <= 0 or budget <= 0:
        return 0
    return max(1, min(MAX_CASES_PER_API, budget // claimed))


@functools.lru_cache(maxsize=1)
def _schema() -> Any:
    import schemathesis

    return schemathesis.openapi.from_path(str(schemas_dir() / "openapi.yaml"))


def _operation(api: str) -> Any:
    path = get_api(api).path
    for result in _schema().get_all_operations():
        operation = result.ok()
        if operation.path == path and operation.method.upper() == "POST":
            return operation
    raise LookupError(f"schemas/openapi.yaml has no POST {path}")


_GENERATING = threading.Lock()  # hypothesis runs one test at a time; prefetch threads take turns


def negative_bodies(api: str, count: int = MAX_CASES_PER_API) -> list[Any]:
    """Up to `count` request bodies that break the request schema of `api` (generated once per run)."""
    with _GENERATING:
        return list(_generate(api, count))


@functools.lru_cache(maxsize=64)
def _generate(api: str, count: int) -> tuple[Any, ...]:
    from hypothesis import HealthCheck, given, settings
    from schemathesis import GenerationMode

    strategy = _operation(api).as_strategy(generation_mode=GenerationMode.NEGATIVE)
    bodies: list[Any] = []

    @settings(max_examples=count, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(case: Any) -> None:
        body = getattr(case, "body", None)
        if body is not None and len(bodies) < count:
            bodies.append(body)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        collect()
    return tuple(bodies)
