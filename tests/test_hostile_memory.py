"""Memory stays bounded when a gateway floods: peak RSS growth of a fresh process, well under 1 GB.

Each case runs `perform` in a subprocess (so the pytest process's own heap does not blur the
number) against the hostile gateway running here, with the default 20 MB cap, and reports the
growth of its peak resident set (`ru_maxrss`) across the exchange.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_gateway import HostileGateway

ROOT = Path(__file__).resolve().parents[1]
GROWTH_BOUND_MB = 300  # a resource bound, far above the 20 MB cap and far below the 256 MB-4 GB sent

PROBE = r"""
import json, resource, sys
sys.path.insert(0, sys.argv[1])
from conformance.client.transport import Limits, TlsOptions, make_http_client, perform
limits = Limits(timeout_s=60.0, requests_per_second=None)
client = make_http_client(TlsOptions(), limits)
perform(client, "POST", sys.argv[2] + "/mode/ok/x", {}, b"{}", limits)  # warm up imports and the pool
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
result = perform(client, "POST", sys.argv[2] + "/mode/" + sys.argv[3] + "/x", {}, b"{}", limits)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"kind": result.error_kind, "body": len(result.body), "growth_kb": after - before,
                  "elapsed_ms": result.elapsed_ms}))
"""


@pytest.fixture(scope="module")
def gateway() -> Iterator[HostileGateway]:
    with HostileGateway() as gw:
        yield gw


@pytest.mark.parametrize("mode", ["huge-body", "gzip-bomb"])
def test_flood_is_capped_with_bounded_memory(mode: str, gateway: HostileGateway) -> None:
    proc = subprocess.run([sys.executable, "-c", PROBE, str(ROOT), gateway.url, mode],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["kind"] == "too_large"
    assert report["body"] == 20_000_000
    assert report["growth_kb"] / 1024 < GROWTH_BOUND_MB, report
