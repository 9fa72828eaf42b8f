"""What a hostile gateway costs the harness: time and peak memory of `perform` per mode.

Each mode runs in a fresh subprocess (so one mode's heap does not blur the next) against the
hostile gateway served from this process, and reports the exchange's duration and the growth of
the subprocess's peak resident set across it. For the two floods and the drip, the same request
is also made with a plain httpx client (`client.post`, default settings), the baseline that
`perform` exists to bound; the plain client is fenced at 2 GB of address space and stopped from
outside after `--naive-limit` seconds.

    python benchmarks/bench_hostile.py [--timeout 2] [--cap 20000000] [--naive-limit 20]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from hostile_gateway import MODES, HostileGateway  # noqa: E402

PROBE = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
import httpx
from conformance.client.transport import Limits, TlsOptions, make_http_client, perform
base, mode, how = sys.argv[2], sys.argv[3], sys.argv[4]
limits = Limits(timeout_s=float(sys.argv[5]), max_response_bytes=int(sys.argv[6]), requests_per_second=None,
                max_retries=0)
client = make_http_client(TlsOptions(), limits) if how == "perform" else httpx.Client()
if how != "perform":  # the plain client would take all the memory there is: fence it at 2 GB
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
if how == "perform":
    perform(client, "POST", base + "/mode/ok/x", {}, b"{}", limits)
else:
    client.post(base + "/mode/ok/x", content=b"{}")
url = base + "/mode/" + mode + "/x"
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.monotonic()
if how == "perform":
    result = perform(client, "POST", url, {}, b"{}", limits)
    kind, size = result.error_kind, len(result.body)
else:
    try:
        response = client.post(url, content=b"{}")
        kind, size = None, len(response.content)
    except Exception as exc:
        kind, size = type(exc).__name__, 0
elapsed = time.monotonic() - started
growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(json.dumps({"kind": kind, "bytes": size, "elapsed_s": elapsed, "growth_mb": growth / 1024}))
"""


def probe(base: str, mode: str, how: str, timeout_s: float, cap: int, limit_s: float) -> dict[str, object]:
    args = [sys.executable, "-c", PROBE, str(ROOT), base, mode, how, str(timeout_s), str(cap)]
    started = time.monotonic()
    try:
        proc = subprocess.run(args, capture_output=True, text=True, timeout=limit_s, check=False)
    except subprocess.TimeoutExpired:
        return {"kind": f"still running after {limit_s:g} s (stopped)", "bytes": None,
                "elapsed_s": time.monotonic() - started, "growth_mb": None}
    if proc.returncode != 0:
        return {"kind": f"crashed: {proc.stderr.strip().splitlines()[-1]}", "bytes": None,
                "elapsed_s": time.monotonic() - started, "growth_mb": None}
    report: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return report


def _row(mode: str, how: str, report: dict[str, object]) -> str:
    growth = report["growth_mb"]
    size = report["bytes"]
    elapsed = float(str(report["elapsed_s"]))
    return (f"{mode:22} {how:8} {str(report['kind']):40} {elapsed:8.2f} s "
            f"{'' if growth is None else f'{growth:8.1f} MB':>11} "
            f"{'' if size is None else f'{size:,}':>12}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--timeout", type=float, default=2.0, help="the profile's timeout_s")
    parser.add_argument("--cap", type=int, default=20_000_000, help="the profile's max_response_bytes")
    parser.add_argument("--naive-limit", type=float, default=20.0,
                        help="seconds before the plain client is stopped")
    parser.add_argument("--modes", nargs="*", default=None)
    args = parser.parse_args()
    print(f"{'mode':22} {'client':8} {'outcome':40} {'time':>10} {'peak RSS +':>11} {'body bytes':>12}")
    with HostileGateway() as gateway:
        for mode in args.modes or [*MODES, "refused"]:
            base = gateway.refused_url if mode == "refused" else gateway.url
            probe_mode = "ok" if mode == "refused" else mode
            report = probe(base, probe_mode, "perform", args.timeout, args.cap, 4 * args.timeout + 30)
            print(_row(mode, "perform", report), flush=True)
            if mode in ("huge-body", "gzip-bomb", "slow-drip"):
                naive = probe(gateway.url, mode, "httpx", args.timeout, args.cap, args.naive_limit)
                print(_row(mode, "httpx", naive), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
