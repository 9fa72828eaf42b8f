"""Benchmark: history.html from a history of 500 audits × 40 brokers (every catalogue rule judged in
every audited run, ~1.4 million verdicts); prints the time to build the view and render the page,
and the page's size.

    python benchmarks/bench_history_page.py [--audits 500] [--brokers 40] [--repeat 3] [--keep DIR]

The history is tests/fixtures/make_history.py's `make_fleet_history`: one audit a day through
conformance.report.history, weak rules failing in stretches (some come back), a few outages and bad
profiles, now and then a declared capability flipping; the latest 30 audits keep their folders, so
their points are links, as after pruning old folders.

Measured on the 2-core development machine, 500 audits × 40 brokers (1.42 million verdicts):
    idle (load 0.3):            0.79–1.14 s wall (0.78–1.13 s CPU), page 2.50 MB
    beside other test suites (load 4–9): 2.0–2.9 s wall, 1.0–1.4 s CPU
Most of it is one pass over the verdicts in SQLite (~0.4 s) and the template (~0.3 s). The page
is ~125 bytes per broker-audit point, each with its tooltip; it compresses ~10× with gzip.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from conformance.report import history
from conformance.report.history_page import write_page

LIMIT_S = 2.0
ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("history_fixture", ROOT / "tests" / "fixtures" / "make_history.py")
fixture = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(fixture)  # type: ignore[union-attr]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--audits", type=int, default=500)
    parser.add_argument("--brokers", type=int, default=40)
    parser.add_argument("--keep", default=None, help="build the history here and keep it")
    parser.add_argument("--repeat", type=int, default=3, help="renderings to time (the best counts)")
    args = parser.parse_args(argv)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-history-"))
    try:
        db, audits_dir = work / "history.sqlite", work / "audits"
        if not db.is_file():
            t0 = time.perf_counter()
            fixture.make_fleet_history(db, audits_dir, audits=args.audits, brokers=args.brokers)
            print(f"built the history in {time.perf_counter() - t0:.1f} s")
        verdicts = sqlite3.connect(db).execute("SELECT COUNT(*) FROM rule_verdicts").fetchone()[0]
        walls, cpus = [], []
        for _ in range(args.repeat):  # the best of a few: other load on a shared machine only adds
            conn = history.open_history(db)
            t0, c0 = time.perf_counter(), time.process_time()
            out, view = write_page(conn, audits_dir / "history.html", now=datetime(2026, 6, 1, tzinfo=UTC),
                                   report_roots=[audits_dir])
            walls.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
            conn.close()
        size = out.stat().st_size
        links = out.read_text(encoding="utf-8").count('<a href="audit-')
        print(f"{len(view.audits)} audits × {len(view.brokers)} brokers, {verdicts} verdicts: "
              f"rendered in {min(walls):.2f} s wall (best of {args.repeat}; {min(cpus):.2f} s CPU), "
              f"{size / 1e6:.2f} MB, {links} points linked, "
              f"{len(view.recurring)} recurring rules, {len(view.drift)} drift events")
        if min(walls) > LIMIT_S:
            print(f"SLOW: over {LIMIT_S} s", file=sys.stderr)
            return 1
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
