"""Benchmark: the default audit against a gateway that costs a round trip and allows 10 requests/s.

The reference broker `diamond` runs behind a loopback proxy that adds a fixed latency to every
request (benchmarks/latency_proxy.py); `conformance run` audits it with profiles/diamond.yaml,
`limits.requests_per_second` set to the rate. A run can never be shorter than its rate-limit bound,
questions ÷ requests per second; the ratio of the wall time to that bound says how much of the
run is waiting for answers one after another. Prints one line per latency; asserts nothing.

    python benchmarks/bench_live.py [--latency-ms 0 50 150] [--rps 10] [--max-in-flight N] [--faults ...]

`--max-in-flight 1` measures the sequential run. The broker is not told the rate limit, so any
answer 429 would show the harness sent too fast (the line counts them).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from latency_proxy import LatencyProxy  # noqa: E402

from conformance.reference.server import ReferenceServer  # noqa: E402


def profile_at(base_url: str, folder: Path, rps: float, max_in_flight: int | None) -> Path:
    data = yaml.safe_load((ROOT / "profiles" / "diamond.yaml").read_text(encoding="utf-8"))
    data["base_url"] = base_url
    data["limits"]["requests_per_second"] = rps
    if max_in_flight is not None:
        data["limits"]["max_in_flight"] = max_in_flight
    path = folder / "diamond.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def one_run(latency_ms: float, rps: float, max_in_flight: int | None, faults: list[str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, ReferenceServer("diamond", faults=faults) as broker, \
            LatencyProxy(broker.base_url, latency_ms / 1000) as proxy:
        profile = profile_at(proxy.base_url, Path(tmp), rps, max_in_flight)
        out = Path(tmp) / "out"
        started = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "conformance", "run", "--profile", str(profile),
                               "--out", str(out), "--quiet"], capture_output=True, text=True, check=False)
        wall = time.monotonic() - started
        results_file = out / "results.json"
        if not results_file.exists():
            raise SystemExit(f"run failed ({proc.returncode}): {proc.stderr[-500:]}")
        results = json.loads(results_file.read_text(encoding="utf-8"))
        questions = results.get("questions", {}).get("total")
        if questions is None:  # a harness without the question count: count the recorded exchanges
            questions = sum(len(f.read_text(encoding="utf-8").splitlines())
                            for f in (out / "exchanges").glob("*.jsonl"))
        arrivals = sorted(proxy.arrivals)
        gaps = [b - a for a, b in zip(arrivals, arrivals[1:], strict=False)]
        # time the gateway sat idle although the rate limit allowed the next question
        idle = sum(g - 1 / rps for g in gaps if g > 1.5 / rps)
        first = arrivals[0] - started if arrivals else 0.0
        last = started + wall - arrivals[-1] if arrivals else 0.0
        return {"idle_s": idle, "before_first_s": first, "after_last_s": last,
                "latency_ms": latency_ms, "questions": questions, "wall_s": wall,
                "session_s": results.get("duration_s"), "bound_s": questions / rps, "exit": proc.returncode,
                "too_many": proxy.statuses.get(429, 0), "proxied": proxy.requests,
                "compliant": results["summary"]["compliant"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency-ms", type=float, nargs="+", default=[0, 50, 150])
    parser.add_argument("--rps", type=float, default=10.0)
    parser.add_argument("--max-in-flight", type=int, default=None, help="default: the profile's (4)")
    parser.add_argument("--faults", nargs="*", default=[])
    args = parser.parse_args()
    in_flight = args.max_in_flight or 4
    print(f"diamond behind a latency proxy, {args.rps:g} requests/s, max_in_flight {in_flight}"
          + (f", faults {' '.join(args.faults)}" if args.faults else ""))
    for latency in args.latency_ms:
        r = one_run(latency, args.rps, args.max_in_flight, args.faults)
        print(f"  +{latency:4.0f} ms: {r['questions']:4d} questions, wall {r['wall_s']:6.1f} s "
              f"(pytest session {r['session_s']} s), bound {r['bound_s']:5.1f} s, "
              f"ratio {r['wall_s'] / r['bound_s']:.2f}x; first question after {r['before_first_s']:.1f} s, "
              f"idle between questions {r['idle_s']:.1f} s, after the last {r['after_last_s']:.1f} s; "
              f"429 answers {r['too_many']}, "
              f"{'compliant' if r['compliant'] else 'NOT compliant'} (exit {r['exit']})", flush=True)


if __name__ == "__main__":
    main()
