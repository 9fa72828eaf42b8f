"""The audit history as the history page sees it: audits on one axis, each broker's course along it,
the fleet's trend, recurring rules, who has been non-compliant longest, capability drift, waivers.

Read-only over the SQLite history (conformance/report/history.py owns the schema). Built for a
history of hundreds of audits of dozens of brokers: verdicts are aggregated in SQL and only the
failing ones come back to Python; a rule's passes are looked up only where a failure has a gap.
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from conformance.report.history_trends import Drift, Recurring, drift, recurring
from conformance.report.summary import CAPABILITY_RULES
from conformance.rules import AREAS

__all__ = ["Audit", "Broker", "Drift", "HistoryView", "Point", "Recurring", "audit_folders", "load_view",
           "non_compliant", "waivers"]

# A waiver counts as "expiring soon" within this many days of now (issue 15: two weeks' notice).
WAIVER_HORIZON_DAYS = 14
# The audit's head in summary.json (json.dumps(indent=1) of build_summary's doc): read without
# parsing a file that can be megabytes long.
_AUDIT_HEAD = re.compile(r'"audit":\s*\{\s*"id":\s*\d+,\s*"started_at":\s*"([^"]+)"')


@dataclass(frozen=True)
class Audit:
    """One finished audit: a column of the time axis."""

    index: int  # position on the axis, oldest 0
    id: int
    started_at: str
    # its output folders still on disk: one, or several when audits of separate shards or hosts
    # (merged into one history) started in the same second
    folders: tuple[Path, ...] = ()


@dataclass
class Point:
    """One broker in one audit."""

    audit: int  # Audit.index
    status: str  # ok / unreachable / bad-profile / error
    compliant: bool | None
    must: int  # MUST rules failed
    should: int  # SHOULD rules warned (or failed)
    reason: str = ""
    report: Path | None = None  # that audit's report.html for the broker, when still on disk
    waived: int = 0  # rules waived (history v3)


@dataclass
class Broker:
    short_name: str
    name: str
    points: list[Point] = field(default_factory=list)
    last_compliant: str | None = None  # started_at of the latest compliant audit, whole history
    first_seen: str = ""

    @property
    def latest(self) -> Point:
        return self.points[-1]


@dataclass
class HistoryView:
    audits: list[Audit]
    brokers: list[Broker]  # by short name: a broker keeps its place from week to week
    areas: list[str]
    compliant: list[int]  # per audit index
    audited: list[int]
    present: list[int]
    area_failures: dict[str, list[int]]  # area → failed rule verdicts (broker × rule) per audit
    recurring: list[Recurring]
    drift: list[Drift]
    waivers: list[dict[str, Any]] | None  # None: the history holds no waiver data at all
    now: datetime
    since: str | None = None
    broker_filter: str | None = None


def _iso(value: str) -> datetime:
    stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def days_between(earlier: str, now: datetime) -> int:
    return max(0, (now - _iso(earlier)).days)


def audit_folders(roots: Iterable[Path]) -> dict[str, list[Path]]:
    """Audit output folders still on disk, by the audit's started_at: every `ROOT/*/summary.json`."""
    found: dict[str, list[Path]] = {}
    for root in roots:
        if not root.is_dir():
            continue
        for summary in root.glob("*/summary.json"):
            try:
                with summary.open(encoding="utf-8") as fh:
                    head = fh.read(4096)
            except OSError:
                continue
            match = _AUDIT_HEAD.search(head)
            if match and summary.parent not in found.setdefault(match.group(1), []):
                found[match.group(1)].append(summary.parent)
    return found


def _filters(since: str | None, broker: str | None) -> tuple[str, list[Any]]:
    where, params = ["a.finished_at IS NOT NULL"], []
    if since:
        where.append("a.started_at >= ?")
        params.append(since)
    if broker:
        where.append("r.short_name = ?")
        params.append(broker)
    return " AND ".join(where), params


def load_view(
    conn: sqlite3.Connection,
    *,
    now: datetime,
    since: str | None = None,
    broker: str | None = None,
    folders: Mapping[str, Sequence[Path]] | None = None,
) -> HistoryView:
    """Everything the page draws. `now` is injected (days non-compliant, waivers expiring);
    `since` (ISO date or time, UTC) and `broker` (short name) narrow the audits and brokers;
    `folders` maps an audit's started_at to its output folders (see audit_folders)."""
    where, params = _filters(since, broker)
    folders = folders or {}
    rows = conn.execute(
        "SELECT r.id, a.id, a.started_at, r.short_name, r.name, r.status, r.reason, r.compliant,"
        " r.must_failed, r.capabilities, r.waived FROM broker_runs r JOIN audits a ON a.id = r.audit_id"
        f" WHERE {where} ORDER BY a.started_at, a.id, r.short_name",
        params,
    ).fetchall()
    audits: list[Audit] = []
    index_of: dict[int, int] = {}
    for _, audit_id, started_at, *_rest in rows:
        if audit_id not in index_of:
            index_of[audit_id] = len(audits)
            audits.append(Audit(len(audits), audit_id, started_at, tuple(folders.get(started_at, ()))))
    n = len(audits)
    interesting = _verdicts_of_interest(conn, where, params)
    failing = [row for row in interesting if row[5] in ("fail", "warn")]
    should, area_failures = _verdict_counts(failing, n, index_of)
    brokers: dict[str, Broker] = {}
    # run id → (broker, audit index), for the rules' lookups below
    runs: dict[int, tuple[str, int]] = {}
    ok_runs: dict[str, list[tuple[int, int, str]]] = defaultdict(list)  # short → [(run id, audit, caps)]
    compliant, audited, present = [0] * n, [0] * n, [0] * n
    for run_id, audit_id, _started, short, name, status, reason, comp, must, caps, waived in rows:
        at = index_of[audit_id]
        entry = brokers.setdefault(short, Broker(short, name))
        entry.name = name or entry.name
        report = next((r for f in audits[at].folders if (r := f / short / "report.html").is_file()), None)
        entry.points.append(
            Point(
                audit=at,
                status=status,
                compliant=None if comp is None else bool(comp),
                must=int(must or 0),
                should=should.get(run_id, 0),
                reason=reason,
                report=report,
                waived=int(waived or 0),
            )
        )
        runs[run_id] = (short, at)
        present[at] += 1
        if status == "ok":
            audited[at] += 1
            compliant[at] += bool(comp)
            ok_runs[short].append((run_id, at, caps))
    _whole_history_dates(conn, brokers)
    ordered = [brokers[k] for k in sorted(brokers)]
    return HistoryView(
        audits=audits,
        brokers=ordered,
        areas=[a for a in AREAS if a in area_failures] + sorted(set(area_failures) - set(AREAS)),
        compliant=compliant,
        audited=audited,
        present=present,
        area_failures=area_failures,
        recurring=recurring(conn, failing, runs, ok_runs),
        drift=drift(interesting, runs, ok_runs),
        waivers=waivers(conn, now=now, broker=broker),
        now=now,
        since=since,
        broker_filter=broker,
    )


def _verdicts_of_interest(conn: sqlite3.Connection, where: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """The verdicts the page needs, in one pass over the history's verdicts (the dominant cost of
    a long history): every failed or warned one, and every one of a capability rule."""
    caps = sorted(CAPABILITY_RULES)
    return conn.execute(
        "SELECT v.broker_run_id, r.audit_id, v.rule_id, v.area, v.severity, v.status"
        " FROM rule_verdicts v JOIN broker_runs r ON r.id = v.broker_run_id"
        " JOIN audits a ON a.id = r.audit_id"
        f" WHERE (v.status IN ('fail', 'warn') OR v.rule_id IN ({','.join('?' * len(caps))}))"
        f" AND r.status = 'ok' AND {where}",
        [*caps, *params],
    ).fetchall()


def _verdict_counts(
    failing: list[tuple[Any, ...]], n: int, index_of: dict[int, int]
) -> tuple[dict[int, int], dict[str, list[int]]]:
    """SHOULD rules warned (or failed) per run; failed verdicts per area per audit."""
    should: dict[int, int] = defaultdict(int)
    per_area: dict[str, list[int]] = {}
    for run_id, audit_id, _rule, area, severity, status in failing:
        if severity == "SHOULD":
            should[run_id] += 1
        if status == "fail":
            per_area.setdefault(area, [0] * n)[index_of[audit_id]] += 1
    return should, per_area


def _whole_history_dates(conn: sqlite3.Connection, brokers: dict[str, Broker]) -> None:
    """Last compliant and first audit per broker over the whole history, not only the filtered
    part: "non-compliant for 40 days" must not shrink because the page starts later."""
    for short, last, first in conn.execute(
        "SELECT r.short_name, MAX(CASE WHEN r.compliant = 1 THEN a.started_at END), MIN(a.started_at)"
        " FROM broker_runs r JOIN audits a ON a.id = r.audit_id WHERE a.finished_at IS NOT NULL"
        " GROUP BY r.short_name"
    ):
        if short in brokers:
            brokers[short].last_compliant, brokers[short].first_seen = last, first


def non_compliant(view: HistoryView) -> list[dict[str, Any]]:
    """Brokers whose latest audit was not a compliant one, longest first: days since their last
    compliant audit (or, never compliant, since their first audit in the history)."""
    out = []
    for b in view.brokers:
        if b.latest.compliant:
            continue
        since = b.last_compliant or b.first_seen
        out.append(
            {
                "broker": b,
                "days": days_between(since, view.now),
                "last_compliant": b.last_compliant,
                "first_seen": b.first_seen,
                "latest": b.latest,
            }
        )
    return sorted(out, key=lambda row: (-row["days"], row["broker"].short_name))


# Waivers are another part's work: when the history carries a `waivers` table, its rows are read by
# whichever of these column names it uses; without one the page says the history holds none.
_WAIVER_COLUMNS = {
    "short_name": ("short_name", "broker"),
    "rule_id": ("rule_id", "rule"),
    "expires": ("expires", "expires_at", "expires_on", "until", "valid_until"),
    "reason": ("reason", "justification", "note"),
}


def waivers(
    conn: sqlite3.Connection, *, now: datetime, broker: str | None = None, horizon_days: int = WAIVER_HORIZON_DAYS
) -> list[dict[str, Any]] | None:
    """Waivers expiring within `horizon_days` of `now` (or already expired), soonest first;
    None when the history has no waiver table."""
    table = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'waivers'").fetchone()
    if table is None:
        return None
    columns = {row[1] for row in conn.execute("PRAGMA table_info(waivers)")}
    chosen = {key: next((c for c in names if c in columns), None) for key, names in _WAIVER_COLUMNS.items()}
    if chosen["expires"] is None:
        return None
    select = ", ".join(f'"{c}"' if c else "''" for c in chosen.values())
    latest = ""
    if "broker_run_id" in columns:  # the tool's own table (history v3): each broker's latest run only
        latest = (" WHERE broker_run_id IN (SELECT r.id FROM broker_runs r JOIN audits a ON a.id = r.audit_id"
                  " WHERE a.started_at = (SELECT MAX(a2.started_at) FROM broker_runs r2"
                  " JOIN audits a2 ON a2.id = r2.audit_id WHERE r2.short_name = r.short_name))")
        if conn.execute("SELECT 1 FROM waivers LIMIT 1").fetchone() is None:
            return None  # no audit ever used waivers: the history holds no waiver data
    out = []
    for short, rule_id, expires, reason in conn.execute(f"SELECT DISTINCT {select} FROM waivers{latest}"):
        if not expires or (broker and short != broker):
            continue
        try:
            left = (_iso(str(expires)) - now).days
        except ValueError:
            continue
        if left <= horizon_days:
            out.append({"short_name": short, "rule_id": rule_id, "expires": str(expires), "days_left": left,
                        "reason": reason or ""})
    return sorted(out, key=lambda w: (w["days_left"], w["short_name"], w["rule_id"]))
