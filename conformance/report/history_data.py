"""The audit history as the history page sees it: audits on one axis, each broker's course along it,
the fleet's trend, recurring rules, who has been non-compliant longest, capability drift, waivers.

Read-only over the SQLite history (conformance/report/history.py owns the schema). Built for a
history of hundreds of audits of dozens of brokers: verdicts are aggregated in SQL and only the
failing ones come back to Python; a rule's passes are looked up only where a failure has a gap.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from conformance.report.history import BrokerRun
from conformance.report.summary import CAPABILITY_RULES, declared_drift
from conformance.rules import AREAS

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
class Drift:
    """A capability that changed between two of a broker's audited runs."""

    audit: int
    short_name: str
    kind: str  # declared (the profile) / observed (a capability rule's verdict)
    capability: str
    was: Any
    now: Any
    rule_id: str = ""


@dataclass
class Recurring:
    """A rule that failed, was fixed and failed again for one broker; `events` alternate
    ("failed" | "fixed", audit index), oldest first."""

    short_name: str
    rule_id: str
    area: str
    severity: str
    events: list[tuple[str, int]]

    @property
    def relapses(self) -> int:
        return sum(1 for i, (kind, _) in enumerate(self.events) if kind == "failed" and i > 0)

    @property
    def failing_now(self) -> bool:
        return self.events[-1][0] == "failed"


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
        recurring=_recurring(conn, failing, runs, ok_runs),
        drift=_drift(interesting, runs, ok_runs),
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


def _recurring(
    conn: sqlite3.Connection,
    failing_rows: list[tuple[Any, ...]],
    runs: dict[int, tuple[str, int]],
    ok_runs: dict[str, list[tuple[int, int, str]]],
) -> list[Recurring]:
    """Rules that failed, then passed (or warned) in a later audited run, then failed again.

    Only failing verdicts are read in bulk. Between two failing runs of a rule that are not
    consecutive audited runs of the broker, the first run in the gap that judged the rule pass or
    warn is its fix (a skip, e.g. an audit limited to other areas, is no fix)."""
    fails: dict[tuple[str, str], list[int]] = defaultdict(list)  # (broker, rule) → failing run ids
    meta: dict[str, tuple[str, str]] = {}
    for run_id, _audit, rule_id, area, severity, status in failing_rows:
        if status != "fail":
            continue
        fails[(runs[run_id][0], rule_id)].append(run_id)
        meta[rule_id] = (area, severity)
    position = {run_id: i for seq in ok_runs.values() for i, (run_id, _, _) in enumerate(seq)}
    # Each candidate: (broker, rule, [(failing run, the runs after it up to the next failure)]);
    # the last stretch runs to the broker's latest audit (was it fixed since?).
    candidates = []
    for (short, rule_id), failing in fails.items():
        if len(failing) < 2:
            continue  # failing once (or in one stretch) cannot recur
        seq = ok_runs[short]
        failing.sort(key=position.__getitem__)
        ends = [position[f] for f in failing[1:]] + [len(seq)]
        gaps = [[seq[i][0] for i in range(position[f] + 1, end)] for f, end in zip(failing, ends, strict=True)]
        candidates.append((short, rule_id, failing, gaps))
    # A fix is nearly always the next audited run: ask for all of those at once, and walk the rest
    # of a gap only where that run did not judge the rule.
    first = [[gap[0], rule_id] for _, rule_id, _, gaps in candidates for gap in gaps if gap]
    passed = set(
        conn.execute(
            "SELECT v.broker_run_id, v.rule_id FROM json_each(?) j CROSS JOIN rule_verdicts v"
            " ON v.broker_run_id = json_extract(j.value, '$[0]') AND v.rule_id = json_extract(j.value, '$[1]')"
            " WHERE v.status IN ('pass', 'warn')",
            (json.dumps(first),),
        ).fetchall()
    )

    def fix_in(rule_id: str, gap: list[int]) -> int | None:
        if not gap:
            return None
        if (gap[0], rule_id) in passed:
            return gap[0]
        return _first_judged_pass(conn, rule_id, gap[1:])

    out = []
    for short, rule_id, failing, gaps in candidates:
        events: list[tuple[str, int]] = [("failed", runs[failing[0]][1])]
        for after, gap in zip(failing[1:], gaps, strict=False):
            fixed = fix_in(rule_id, gap)
            if fixed is not None:
                events += [("fixed", runs[fixed][1]), ("failed", runs[after][1])]
        if len(events) > 1:
            fixed = fix_in(rule_id, gaps[-1])
            if fixed is not None:
                events.append(("fixed", runs[fixed][1]))
            out.append(Recurring(short, rule_id, *meta[rule_id], events=events))
    return sorted(out, key=lambda r: (-r.relapses, -r.events[-1][1], r.short_name, r.rule_id))


def _first_judged_pass(conn: sqlite3.Connection, rule_id: str, run_ids: list[int]) -> int | None:
    """The first of `run_ids` (in order) where the rule passed or warned; primary-key lookups,
    a few runs first (a fix is usually the next audit), then the rest in bounded chunks."""
    start, size = 0, 4
    while start < len(run_ids):
        chunk = run_ids[start : start + size]
        marks = ",".join("?" * len(chunk))
        hits = {
            row[0]
            for row in conn.execute(
                f"SELECT broker_run_id FROM rule_verdicts WHERE rule_id = ? AND broker_run_id IN ({marks})"
                " AND status IN ('pass', 'warn')",
                [rule_id, *chunk],
            )
        }
        for run_id in chunk:
            if run_id in hits:
                return run_id
        start, size = start + size, 500  # 500: well below SQLite's bound-parameter limit
    return None


def _drift(
    verdicts: list[tuple[Any, ...]],
    runs: dict[int, tuple[str, int]],
    ok_runs: dict[str, list[tuple[int, int, str]]],
) -> list[Drift]:
    """Declared drift (the profile's capabilities) and observed drift (a capability rule's judged
    verdict changed) between consecutive audited runs of each broker, as the summary defines them."""
    out: list[Drift] = []
    for short, seq in ok_runs.items():
        for (_, _, was), (_, at, now) in zip(seq, seq[1:], strict=False):
            if was != now:
                before = BrokerRun(short, "ok", capabilities=json.loads(was or "{}"))
                after = BrokerRun(short, "ok", capabilities=json.loads(now or "{}"))
                out += [
                    Drift(at, short, "declared", d["capability"], d["was"], d["now"])
                    for d in declared_drift(before, after)
                ]
    judged = sorted(
        (runs[run_id][1], runs[run_id][0], rule_id, status)
        for run_id, _audit, rule_id, _area, _sev, status in verdicts
        if rule_id in CAPABILITY_RULES and status not in ("skip", "not_applicable")
    )
    last: dict[tuple[str, str], str] = {}
    for at, short, rule_id, status in judged:
        was_status = last.get((short, rule_id))
        if was_status is not None and was_status != status:
            out.append(Drift(at, short, "observed", CAPABILITY_RULES[rule_id], was_status, status, rule_id))
        last[(short, rule_id)] = status
    return sorted(out, key=lambda d: (d.audit, d.short_name, d.kind, d.capability))


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
