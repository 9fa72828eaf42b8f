"""What the history page reads across audits, beyond each audit's own counts: rules that recur
(failed, fixed, failed again) and capability drift between a broker's audited runs.

Read-only over the SQLite history, as conformance/report/history_data.py is (which gathers the runs
these functions are given). Only failing verdicts come back in bulk; a rule's passes are looked up
only where a failure has a gap.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from conformance.report.history import BrokerRun
from conformance.report.summary import CAPABILITY_RULES, declared_drift


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



def recurring(
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


def drift(
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
