"""`conformance history` without --html: list past audits, or one broker's runs, as text lines."""

from __future__ import annotations

import sqlite3
import sys
from argparse import Namespace
from pathlib import Path
from typing import Any

from conformance.outcomes import EXIT_OK, EXIT_USAGE
from conformance.report.history import (
    BrokerRun,
    HistoryError,
    audits,
    broker_runs,
    merge,
    open_history,
    parse_since,
)


def _yes_no(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "no")


def format_audits(rows: list[dict[str, Any]]) -> list[str]:
    lines = []
    for row in rows:
        state = "running" if row["finished_at"] is None else f"exit {row['exit_code']}"
        extra = f", {row['not_audited']} not audited" if row["not_audited"] else ""
        lines.append(
            f"#{row['id']}\t{row['started_at']}\t{row['brokers']} brokers\t"
            f"{row['compliant']}/{row['brokers']} compliant{extra}\t{state}"
        )
    return lines


def format_runs(runs: list[BrokerRun]) -> list[str]:
    lines = []
    for run in runs:
        must = "-" if run.must_failed is None else str(run.must_failed)
        reason = f"\t{run.reason}" if run.reason else ""
        if run.waived:
            reason = f"\twaived {run.waived}" + reason
        lines.append(
            f"#{run.audit_id}\t{run.started_at}\tcompliant {_yes_no(run.compliant)}\t"
            f"must_failed {must}\t{run.status}{reason}"
        )
    return lines


def _since(args: Namespace) -> str | None:

    try:
        return parse_since(getattr(args, "since", None))
    except ValueError:
        raise HistoryError(f"--since {args.since!r} is not a date (YYYY-MM-DD) or ISO time") from None


def history_command(args: Namespace) -> int:
    """`conformance history`: exit 0, or 2 with one line on stderr."""
    path = Path(args.history)
    merges = list(getattr(args, "merge", None) or [])
    if not merges and not path.is_file():
        print(f"conformance: {path}: no such history file", file=sys.stderr)
        return EXIT_USAGE
    try:
        conn = open_history(path)
        try:
            for other in merges:
                if not Path(other).is_file():
                    raise HistoryError(f"{other}: no such history file")
                print(f"merged {merge(conn, other)} audits from {other}")
            if merges:
                return EXIT_OK
            since = _since(args)
            if args.broker:
                runs = [r for r in broker_runs(conn, args.broker) if not since or r.started_at >= since]
                if not runs:
                    print(f"conformance: no runs of broker {args.broker!r} in {path}", file=sys.stderr)
                    return EXIT_USAGE
                lines = format_runs(runs)
            else:
                lines = format_audits([a for a in audits(conn) if not since or a["started_at"] >= since])
        finally:
            conn.close()
    except (HistoryError, sqlite3.Error) as exc:
        print(f"conformance: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for line in lines:
        print(line)
    return EXIT_OK
