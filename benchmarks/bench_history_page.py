"""Benchmark: history.html from a history of 500 audits × 40 brokers (every catalogue rule judged in
every audited run, ~1.4 million verdicts); prints the time to build the view and render the page,
and the page's size.

    python benchmarks/bench_history_page.py [--audits 500] [--brokers 40] [--keep DIR]

The history is made through conformance.report.history (begin_audit / finish_audit), one audit a
day, as the nightly cron job would: each broker has a few weak rules that fail in stretches and get
fixed (some come back), ~2 % of runs are unreachable and ~0.5 % bad profiles, and now and then a
broker's declared `all_query` flips. The latest 30 audits keep their output folders (summary.json
and each broker's report.html) so their points are links, as after pruning old folders.

Measured on the 2-core development machine (other engineers' test suites running beside it):
see the CHANGELOG entry / the issue's closing note for the figures of the latest run.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conformance.report import history
from conformance.report.history_page import write_page
from conformance.rules import load_rules

LIMIT_S = 2.0
KEEP_FOLDERS = 30


def build(path: Path, folders: Path, *, audits: int, brokers: int, seed: int = 18) -> None:
    rng = random.Random(seed)
    rules = list(load_rules().values())
    names = [f"broker{i:02d}" for i in range(brokers)]
    weak = {n: rng.sample(rules, rng.randint(0, 6)) for n in names}
    failing: dict[tuple[str, str], bool] = {}
    all_query = dict.fromkeys(names, True)
    start = datetime(2025, 1, 1, 2, 30, tzinfo=UTC)
    conn = history.open_history(path)
    for day in range(audits):
        when = (start + timedelta(days=day)).isoformat(timespec="seconds")
        audit_id = history.begin_audit(conn, started_at=when, tool_version="bench", host="bench")
        runs = []
        for name in names:
            roll = rng.random()
            if roll < 0.02:
                runs.append(history.BrokerRun(name, "unreachable", name=name.title(), reason="connection refused"))
                continue
            if roll < 0.025:
                runs.append(history.BrokerRun(name, "bad-profile", name=name.title(), reason="auth: ${X} unset"))
                continue
            if rng.random() < 0.004:
                all_query[name] = not all_query[name]
            verdicts = {r.id: (r.area, r.severity, "pass") for r in rules}
            for rule in weak[name]:
                key = (name, rule.id)
                # a stretch of failures starts 1 in 15 audits and ends 1 in 6
                failing[key] = rng.random() < (5 / 6 if failing.get(key) else 1 / 15)
                if failing[key]:
                    verdicts[rule.id] = (rule.area, rule.severity, "fail" if rule.severity == "MUST" else "warn")
            must = sum(v[1] == "MUST" and v[2] == "fail" for v in verdicts.values())
            runs.append(history.BrokerRun(
                name, "ok", name=name.title(), compliant=must == 0, must_failed=must, verdicts=verdicts,
                capabilities={"all_query": all_query[name], "apis": ["balance", "portfolio"]},
            ))
        history.finish_audit(conn, audit_id, finished_at=when, exit_code=0, runs=runs)
        if day >= audits - KEEP_FOLDERS:
            folder = folders / f"audit-{day:04d}"
            folder.mkdir(parents=True)
            head = {"format": "koscom-conformance/audit-summary/1", "tool": {},
                    "audit": {"id": audit_id, "started_at": when}}
            (folder / "summary.json").write_text(json.dumps(head, indent=1), encoding="utf-8")
            for run in runs:
                if run.status == "ok":
                    (folder / run.short_name).mkdir()
                    (folder / run.short_name / "report.html").write_text("<!DOCTYPE html>", encoding="utf-8")
    conn.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--audits", type=int, default=500)
    parser.add_argument("--brokers", type=int, default=40)
    parser.add_argument("--keep", default=None, help="build the history here and keep it")
    args = parser.parse_args(argv)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-history-"))
    try:
        db, audits_dir = work / "history.sqlite", work / "audits"
        if not db.is_file():
            t0 = time.perf_counter()
            build(db, audits_dir, audits=args.audits, brokers=args.brokers)
            print(f"built the history in {time.perf_counter() - t0:.1f} s")
        verdicts = sqlite3.connect(db).execute("SELECT COUNT(*) FROM rule_verdicts").fetchone()[0]
        conn = history.open_history(db)
        t0 = time.perf_counter()
        out, view = write_page(conn, audits_dir / "history.html", now=datetime(2026, 6, 1, tzinfo=UTC),
                               report_roots=[audits_dir])
        elapsed = time.perf_counter() - t0
        conn.close()
        size = out.stat().st_size
        links = out.read_text(encoding="utf-8").count('<a href="audit-')
        print(f"{len(view.audits)} audits × {len(view.brokers)} brokers, {verdicts} verdicts: "
              f"rendered in {elapsed:.2f} s, {size / 1e6:.2f} MB, {links} points linked, "
              f"{len(view.recurring)} recurring rules, {len(view.drift)} drift events")
        if elapsed > LIMIT_S:
            print(f"SLOW: over {LIMIT_S} s", file=sys.stderr)
            return 1
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
