"""Benchmark: the process layers of a fleet audit. A 3-broker audit (diamond, cyber, star, each on a
gateway origin of its own, as in bench_audit.py) is run --repeat times; for each run it prints the
wall time, the CPU time of the audit and every process under it, how many processes the audit
started in all (the audit itself not counted) and how many ran at once at most. The CPU time is the
fairer measure on a shared machine, where wall time follows the other load.

    python benchmarks/bench_audit_layers.py [--workers 3] [--repeat 3] [--rps 0] [--area schema ...]

Measured on the shared 2-core development machine (load 8-10 from other work), before and after
in turn, 4 audits each (defaults: 3 workers, --rps 0, areas schema, echo):
    before (a pytest-xdist harness; each item a `conformance run`, which started pytest):
        10-15 processes (11-12 at once), median 20.7 s wall, 10.4 s CPU
    after (one child per broker, running the suites itself):
        3 processes (3 at once), median 15.0 s wall, 7.9 s CPU

Processes are counted by polling /proc every 10 ms for descendants of the audit process (Linux only;
a process that lives under 10 ms may be missed, a Python interpreter never does).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_audit import REPO, start_servers, write_profiles  # noqa: E402

DEFAULT_AREAS = ("schema", "echo")


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process visible in /proc."""
    out: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as file:
                stat = file.read()
        except OSError:
            continue
        out[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return out


def _descendants(root: int, parents: dict[int, int]) -> set[int]:
    found: set[int] = set()
    for pid in parents:
        chain, seen = pid, 0
        while chain and chain != root and seen < 64:
            chain, seen = parents.get(chain, 0), seen + 1
        if chain == root and pid != root:
            found.add(pid)
    return found


def audit_once(profiles: Path, out: Path, workers: int, areas: list[str]) -> tuple[float, float, int, int, int]:
    """Wall seconds, CPU seconds, processes started, most at once, the audit's exit code."""
    cmd = [sys.executable, "-m", "conformance", "audit", "--profiles", str(profiles), "--out", str(out),
           "--history", str(out.with_suffix(".sqlite")), "--workers", str(workers)]
    for area in areas:
        cmd += ["--area", area]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen: set[int] = set()
    peak = 0
    while proc.poll() is None:
        now = _descendants(proc.pid, _parents())
        seen |= now
        peak = max(peak, len(now))
        time.sleep(0.01)
    wall = time.monotonic() - started
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)  # every descendant that was waited for
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    return wall, cpu, len(seen), peak, proc.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rps", type=float, default=0.0, help="each broker's requests_per_second (0 = none)")
    parser.add_argument("--area", action="append", default=[], help=f"default: {' '.join(DEFAULT_AREAS)}")
    parser.add_argument("--keep", default=None, help="keep the profiles and audit outputs in this folder")
    args = parser.parse_args(argv)
    areas = args.area or list(DEFAULT_AREAS)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-audit-layers-"))
    procs, fleet = start_servers(3)
    try:
        write_profiles(work / "profiles", fleet, args.rps)
        walls, cpus = [], []
        for index in range(args.repeat):
            wall, cpu, started, peak, code = audit_once(work / "profiles", work / f"audit-{index}", args.workers,
                                                        areas)
            walls.append(wall)
            cpus.append(cpu)
            print(f"run {index + 1}: {wall:5.1f} s wall, {cpu:5.1f} s CPU, {started} processes started, "
                  f"{peak} at once, exit {code}", flush=True)
        print(f"median wall {statistics.median(walls):.1f} s, CPU {statistics.median(cpus):.1f} s "
              f"over {args.repeat} runs "
              f"({len(fleet)} brokers, {args.workers} workers, areas {', '.join(areas)})")
    finally:
        for proc in procs:
            if proc.stdin:
                proc.stdin.close()
            proc.wait(20)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
