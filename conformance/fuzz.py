"""Property-based negative request bodies from schemas/openapi.yaml (schemathesis 4).

Bounded and reproducible: a fixed number of examples per API, derandomized generation, no
example database. The client sends them; checks judge the answers (ERR-008).
"""

from __future__ import annotations

import functools
import warnings
from typing import Any

from conformance.contract.catalogue import get_api
from conformance.paths import schemas_dir


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


def negative_bodies(api: str, count: int = 15) -> list[Any]:
    """Up to `count` request bodies that break the request schema of `api`."""
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
    return bodies
