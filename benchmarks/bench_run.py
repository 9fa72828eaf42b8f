"""Benchmark: the default `conformance run` (embedded diamond) — wall time and harness overhead.

Overhead = wall time of the run minus the time spent inside HTTP exchanges (sum of every
exchange's elapsed time, from exchanges/*.jsonl). Prints the figures; asserts nothing.
Run: python benchmarks/bench_run.py [repeats]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def one_run() -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "conformance", "run", "--out", str(out), "--quiet"],
                              capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"run failed ({proc.returncode}): {proc.stderr[-500:]}")
        http_ms = 0.0
        count = 0
        for file in (out / "exchanges").glob("*.jsonl"):
            for line in file.read_text(encoding="utf-8").splitlines():
                http_ms += json.loads(line)["elapsed_ms"]
                count += 1
        return wall, http_ms / 1000, count


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    runs = [one_run() for _ in range(repeats)]
    wall = statistics.median(r[0] for r in runs)
    http = statistics.median(r[1] for r in runs)
    print(f"default run: wall {wall:.2f} s (median of {repeats}), {runs[0][2]} exchanges, "
          f"{http:.2f} s inside HTTP exchanges")
    print(f"outside HTTP (harness, pytest, reports, reference broker start-up): {wall - http:.2f} s "
          f"= {100 * (wall - http) / wall:.0f}% of the wall time")


if __name__ == "__main__":
    main()
