"""Audit history in SQLite: every fleet audit, each broker's run in it, each rule's verdict.

The file is shared by audits that may overlap (cron firing while a slow audit still runs, a
reader opening it from CI): it runs in WAL mode so readers never block the writer, with a busy
timeout so two writers queue instead of failing. The schema is versioned with
`PRAGMA user_version`; `MIGRATIONS[n]` takes a file from version n to n+1, so an old history
file is upgraded in place the first time a newer tool opens it.

`conformance history --history FILE [--broker B] [--merge OTHER ...]` lists audits, one broker's
runs, or folds the audits of another history file (a CI shard, another machine) into FILE.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from conformance.redact import scrub

BUSY_TIMEOUT_MS = 30_000
RUN_STATUSES = ("ok", "unreachable", "bad-profile", "error")

_V1 = """
CREATE TABLE audits (
    id             INTEGER PRIMARY KEY,
    uid            TEXT NOT NULL UNIQUE,          -- stable across merges of history files
    started_at     TEXT NOT NULL,                 -- ISO-8601, UTC
    finished_at    TEXT,                          -- NULL while the audit runs (or if it died)
    tool_version   TEXT NOT NULL,
    schema_version INTEGER NOT NULL,              -- the history schema the audit was written with
    host           TEXT NOT NULL DEFAULT '',
    areas          TEXT NOT NULL DEFAULT '[]',    -- JSON list, [] = every area
    exit_code      INTEGER
);
CREATE TABLE broker_runs (
    id           INTEGER PRIMARY KEY,
    audit_id     INTEGER NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
    short_name   TEXT NOT NULL,
    name         TEXT NOT NULL DEFAULT '',
    base_url     TEXT NOT NULL DEFAULT '',
    profile      TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('ok', 'unreachable', 'bad-profile', 'error')),
    reason       TEXT NOT NULL DEFAULT '',
    compliant    INTEGER,                         -- NULL when the broker could not be audited
    must_failed  INTEGER,
    duration_s   REAL,
    capabilities TEXT NOT NULL DEFAULT '{}',      -- JSON: the profile's declared capabilities
    UNIQUE (audit_id, short_name)
);
CREATE INDEX broker_runs_by_broker ON broker_runs (short_name, audit_id);
CREATE TABLE rule_verdicts (
    broker_run_id INTEGER NOT NULL REFERENCES broker_runs(id) ON DELETE CASCADE,
    rule_id       TEXT NOT NULL,
    area          TEXT NOT NULL,
    severity      TEXT NOT NULL,
    status        TEXT NOT NULL,
    PRIMARY KEY (broker_run_id, rule_id)
) WITHOUT ROWID;
"""

_V3 = """
ALTER TABLE broker_runs ADD COLUMN waived INTEGER;
CREATE TABLE waivers (
    broker_run_id INTEGER NOT NULL REFERENCES broker_runs(id) ON DELETE CASCADE,
    short_name    TEXT NOT NULL,
    rule_id       TEXT NOT NULL,
    api           TEXT NOT NULL DEFAULT '',
    expires       TEXT NOT NULL,                 -- YYYY-MM-DD, valid through that Seoul date
    state         TEXT NOT NULL,                 -- applied / unused / expired in that run
    reason        TEXT NOT NULL DEFAULT '',
    approved_by   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX waivers_by_run ON waivers (broker_run_id)
"""

# MIGRATIONS[n] upgrades a file at user_version n to n + 1. Append, never edit a shipped step.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    lambda conn: _executescript(conn, _V1),
    # v2: each run's evidence bundle, by the SHA-256 of its manifest ('' when none was written)
    lambda conn: _executescript(conn, "ALTER TABLE broker_runs ADD COLUMN bundle_sha256 TEXT NOT NULL DEFAULT ''"),
    # v3: waived rules per run (NULL: not audited, or written before waivers) and the run's
    # waivers (conformance.waivers) with their expiry, which the history page lists when near
    lambda conn: _executescript(conn, _V3),
]
SCHEMA_VERSION = len(MIGRATIONS)


class HistoryError(Exception):
    """A history file that cannot be used; one line naming the file."""


def _executescript(conn: sqlite3.Connection, script: str) -> None:
    # executescript() would COMMIT the migration's transaction; run statement by statement instead
    # (the script's comments hold no ';').
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


@dataclass(frozen=True)
class Verdict:
    """A rule's status in one earlier audit."""

    status: str
    audit_id: int
    started_at: str


@dataclass
class BrokerRun:
    """One broker's part in one audit, as stored."""

    short_name: str
    status: str
    name: str = ""
    base_url: str = ""
    profile: str = ""
    reason: str = ""
    compliant: bool | None = None
    must_failed: int | None = None
    duration_s: float | None = None
    capabilities: dict[str, Any] = field(default_factory=dict)
    bundle_sha256: str = ""  # the manifest hash of the run's evidence.zip
    waived: int | None = None  # rules waived (conformance.waivers)
    waivers: list[dict[str, str]] = field(default_factory=list)  # rule_id, api, expires, state, reason, approved_by
    # rule id → (area, severity, status)
    verdicts: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    audit_id: int | None = None
    started_at: str = ""


def open_history(path: str | Path) -> sqlite3.Connection:
    """Open (creating if needed) and migrate a history file; WAL mode, busy timeout, foreign keys."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE), never implicit.
        conn = sqlite3.connect(str(target), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise HistoryError(f"{target}: cannot open the history file ({exc})") from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        _migrate(conn, target)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise HistoryError(f"{target}: not a usable history file ({exc})") from None
    except HistoryError:
        conn.close()
        raise
    return conn


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION:
        return
    if version > SCHEMA_VERSION:
        raise HistoryError(
            f"{path}: history schema version {version} is newer than this tool's "
            f"({SCHEMA_VERSION}); upgrade koscom-conformance"
        )
    with _write(conn):
        # Re-read under the write lock: another process may have migrated meanwhile.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for step in range(version, SCHEMA_VERSION):
            MIGRATIONS[step](conn)
            conn.execute(f"PRAGMA user_version = {step + 1}")


@contextmanager
def _write(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction, taken up front so a busy file waits (busy_timeout) rather than
    failing half-way when a read lock would have to be upgraded."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def begin_audit(
    conn: sqlite3.Connection, *, started_at: str, tool_version: str, host: str = "", areas: Iterable[str] = ()
) -> int:
    """Record that an audit started; returns its id."""
    with _write(conn):
        cur = conn.execute(
            "INSERT INTO audits (uid, started_at, tool_version, schema_version, host, areas)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (uuid.uuid4().hex, started_at, tool_version, SCHEMA_VERSION, host, json.dumps(list(areas))),
        )
    return int(cur.lastrowid or 0)


def finish_audit(
    conn: sqlite3.Connection, audit_id: int, *, finished_at: str, exit_code: int, runs: Iterable[BrokerRun]
) -> None:
    """Store every broker run of the audit and its verdicts, in one transaction."""
    with _write(conn):
        for run in runs:
            _insert_run(conn, audit_id, run)
        conn.execute(
            "UPDATE audits SET finished_at = ?, exit_code = ? WHERE id = ?",
            (finished_at, exit_code, audit_id),
        )


def _insert_run(conn: sqlite3.Connection, audit_id: int, run: BrokerRun) -> None:
    if run.status not in RUN_STATUSES:
        raise ValueError(f"unknown broker run status {run.status!r}")
    cur = conn.execute(
        "INSERT INTO broker_runs (audit_id, short_name, name, base_url, profile, status, reason,"
        " compliant, must_failed, duration_s, capabilities, bundle_sha256, waived)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            audit_id,
            run.short_name,
            scrub(run.name),
            scrub(run.base_url),
            scrub(run.profile),
            run.status,
            scrub(run.reason),  # transport sentences quote raw broker bytes
            None if run.compliant is None else int(run.compliant),
            run.must_failed,
            run.duration_s,
            json.dumps(run.capabilities, sort_keys=True),
            run.bundle_sha256,
            run.waived,
        ),
    )
    conn.executemany(
        "INSERT INTO waivers (broker_run_id, short_name, rule_id, api, expires, state, reason, approved_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(cur.lastrowid, run.short_name, w.get("rule_id", ""), w.get("api", ""), w.get("expires", ""),
          w.get("state", ""), scrub(w.get("reason", "")), scrub(w.get("approved_by", ""))) for w in run.waivers],
    )
    conn.executemany(
        "INSERT INTO rule_verdicts (broker_run_id, rule_id, area, severity, status) VALUES (?, ?, ?, ?, ?)",
        [(cur.lastrowid, rule_id, *verdict) for rule_id, verdict in run.verdicts.items()],
    )


def _run_from_row(conn: sqlite3.Connection, row: sqlite3.Row | tuple[Any, ...]) -> BrokerRun:
    (
        run_id,
        audit_id,
        started_at,
        short_name,
        name,
        base_url,
        profile,
        status,
        reason,
        compliant,
        must_failed,
        duration_s,
        capabilities,
        bundle_sha256,
        waived,
    ) = row
    verdicts = {
        rule_id: (area, severity, st)
        for rule_id, area, severity, st in conn.execute(
            "SELECT rule_id, area, severity, status FROM rule_verdicts WHERE broker_run_id = ?", (run_id,)
        )
    }
    return BrokerRun(
        short_name=short_name,
        status=status,
        name=name,
        base_url=base_url,
        profile=profile,
        reason=reason,
        compliant=None if compliant is None else bool(compliant),
        must_failed=must_failed,
        duration_s=duration_s,
        capabilities=json.loads(capabilities or "{}"),
        bundle_sha256=bundle_sha256 or "",
        waived=waived,
        verdicts=verdicts,
        audit_id=audit_id,
        started_at=started_at,
    )


_RUN_COLUMNS = (
    "r.id, r.audit_id, a.started_at, r.short_name, r.name, r.base_url, r.profile, r.status,"
    " r.reason, r.compliant, r.must_failed, r.duration_s, r.capabilities, r.bundle_sha256, r.waived"
)


def previous_run(conn: sqlite3.Connection, short_name: str, *, before_audit: int) -> BrokerRun | None:
    """The broker's latest audited (status ok) run from another, finished audit."""
    row = conn.execute(
        f"SELECT {_RUN_COLUMNS} FROM broker_runs r JOIN audits a ON a.id = r.audit_id"
        " WHERE r.short_name = ? AND r.status = 'ok' AND a.finished_at IS NOT NULL AND a.id != ?"
        " ORDER BY a.started_at DESC, a.id DESC LIMIT 1",
        (short_name, before_audit),
    ).fetchone()
    return _run_from_row(conn, row) if row else None


def baseline_verdicts(conn: sqlite3.Connection, short_name: str, *, before_audit: int) -> dict[str, Verdict]:
    """Each rule's latest judged verdict for the broker in other, finished audits: the baseline
    for regressions. Per rule, so an outage or an audit limited to some areas (rules skipped)
    in between does not hide a regression that follows it."""
    rows = conn.execute(
        "SELECT rule_id, status, audit_id, started_at FROM ("
        " SELECT v.rule_id, v.status, a.id AS audit_id, a.started_at, ROW_NUMBER() OVER ("
        "  PARTITION BY v.rule_id ORDER BY a.started_at DESC, a.id DESC) AS n"
        " FROM rule_verdicts v JOIN broker_runs r ON r.id = v.broker_run_id"
        " JOIN audits a ON a.id = r.audit_id"
        " WHERE r.short_name = ? AND r.status = 'ok' AND a.finished_at IS NOT NULL AND a.id != ?"
        " AND v.status != 'skip') WHERE n = 1",
        (short_name, before_audit),
    ).fetchall()
    return {rule_id: Verdict(status, audit_id, started_at) for rule_id, status, audit_id, started_at in rows}


def last_status(conn: sqlite3.Connection, short_name: str, *, before_audit: int) -> str | None:
    """The broker's status in its latest earlier finished audit, whatever it was."""
    row = conn.execute(
        "SELECT r.status FROM broker_runs r JOIN audits a ON a.id = r.audit_id"
        " WHERE r.short_name = ? AND a.id != ? AND a.finished_at IS NOT NULL"
        " ORDER BY a.started_at DESC, a.id DESC LIMIT 1",
        (short_name, before_audit),
    ).fetchone()
    return row[0] if row else None


def audits(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every audit, oldest first, with its broker counts."""
    rows = conn.execute(
        "SELECT a.id, a.started_at, a.finished_at, a.tool_version, a.host, a.exit_code,"
        " COUNT(r.id), SUM(r.compliant = 1), SUM(r.status != 'ok')"
        " FROM audits a LEFT JOIN broker_runs r ON r.audit_id = a.id"
        " GROUP BY a.id ORDER BY a.started_at, a.id"
    ).fetchall()
    return [
        {
            "id": r[0],
            "started_at": r[1],
            "finished_at": r[2],
            "tool_version": r[3],
            "host": r[4],
            "exit_code": r[5],
            "brokers": r[6],
            "compliant": r[7] or 0,
            "not_audited": r[8] or 0,
        }
        for r in rows
    ]


def broker_runs(conn: sqlite3.Connection, short_name: str) -> list[BrokerRun]:
    """One broker's runs, oldest first (verdicts included)."""
    rows = conn.execute(
        f"SELECT {_RUN_COLUMNS} FROM broker_runs r JOIN audits a ON a.id = r.audit_id"
        " WHERE r.short_name = ? ORDER BY a.started_at, a.id",
        (short_name,),
    ).fetchall()
    return [_run_from_row(conn, row) for row in rows]


def merge(conn: sqlite3.Connection, other: str | Path) -> int:
    """Copy into `conn` every audit of the history file `other` that it does not hold yet (by the
    audit's uid), with its broker runs and verdicts. Returns how many audits were added; merging
    the same file twice adds nothing."""
    source = open_history(other)  # migrates the other file to this schema first
    source.close()
    conn.execute("ATTACH DATABASE ? AS other", (str(other),))
    try:
        with _write(conn):
            new = conn.execute(
                "SELECT id, uid, started_at, finished_at, tool_version, schema_version, host,"
                " areas, exit_code FROM other.audits WHERE uid NOT IN (SELECT uid FROM audits)"
                " ORDER BY started_at, id"
            ).fetchall()
            for old_id, *values in new:
                audit_id = conn.execute(
                    "INSERT INTO audits (uid, started_at, finished_at, tool_version, schema_version, host,"
                    " areas, exit_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    values,
                ).lastrowid
                runs = conn.execute(
                    "SELECT id FROM other.broker_runs WHERE audit_id = ?", (old_id,)
                ).fetchall()
                for (old_run,) in runs:
                    run_id = conn.execute(
                        "INSERT INTO broker_runs (audit_id, short_name, name, base_url, profile, status,"
                        " reason, compliant, must_failed, duration_s, capabilities, bundle_sha256, waived)"
                        " SELECT ?, short_name, name, base_url, profile, status, reason, compliant,"
                        " must_failed, duration_s, capabilities, bundle_sha256, waived"
                        " FROM other.broker_runs WHERE id = ?",
                        (audit_id, old_run),
                    ).lastrowid
                    conn.execute(
                        "INSERT INTO rule_verdicts SELECT ?, rule_id, area, severity, status"
                        " FROM other.rule_verdicts WHERE broker_run_id = ?",
                        (run_id, old_run),
                    )
                    conn.execute(
                        "INSERT INTO waivers SELECT ?, short_name, rule_id, api, expires, state, reason, approved_by"
                        " FROM other.waivers WHERE broker_run_id = ?",
                        (run_id, old_run),
                    )
    finally:
        conn.execute("DETACH DATABASE other")
    return len(new)


def parse_since(value: str | None) -> str | None:
    """--since DATE (2024-06-01) or an ISO time, as the UTC text audits are stored with; ValueError if neither."""
    if not value:
        return None
    stamp = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(UTC)
    return stamp.replace(tzinfo=None).isoformat()
