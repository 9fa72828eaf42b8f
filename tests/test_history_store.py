"""The audit history (conformance/report/history.py): schema versioning, WAL, concurrent readers,
baselines for regressions, merging history files, and `conformance history`."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance.cli import main
from conformance.report import history
from conformance.report.history import BrokerRun


def _run(short: str, status: str = "ok", verdicts: dict[str, str] | None = None, **extra: Any) -> BrokerRun:
    return BrokerRun(
        short_name=short,
        status=status,
        name=short.title(),
        verdicts={rid: ("all-query", "MUST", st) for rid, st in (verdicts or {}).items()},
        **extra,
    )


def _audit(conn: sqlite3.Connection, when: str, *runs: BrokerRun, finish: bool = True) -> int:
    audit_id = history.begin_audit(conn, started_at=when, tool_version="test", host="h")
    if finish:
        history.finish_audit(conn, audit_id, finished_at=when, exit_code=0, runs=runs)
    return audit_id


def test_new_file_is_created_at_the_current_schema_version_in_wal_mode(tmp_path: Path) -> None:
    conn = history.open_history(tmp_path / "sub" / "h.sqlite")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == history.SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == history.BUSY_TIMEOUT_MS
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"audits", "broker_runs", "rule_verdicts"} <= tables
    conn.close()


def test_reopening_does_not_migrate_again_and_keeps_the_data(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    conn = history.open_history(path)
    _audit(conn, "2024-01-01T00:00:00+00:00", _run("diamond", compliant=True, must_failed=0))
    conn.close()
    conn = history.open_history(path)
    assert [a["brokers"] for a in history.audits(conn)] == [1]
    conn.close()


def test_a_file_from_a_newer_tool_is_refused_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {history.SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(history.HistoryError, match="newer than this tool"):
        history.open_history(path)


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(history.HistoryError, match="not a usable history file"):
        history.open_history(path)


def test_migration_steps_run_in_order_from_an_older_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A later schema step is applied to a file left at the previous version."""
    path = tmp_path / "h.sqlite"
    history.open_history(path).close()
    extra_step = [*history.MIGRATIONS, lambda conn: conn.execute("ALTER TABLE audits ADD COLUMN note TEXT")]
    monkeypatch.setattr(history, "MIGRATIONS", extra_step)
    monkeypatch.setattr(history, "SCHEMA_VERSION", len(extra_step))
    conn = history.open_history(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(extra_step)
    assert "note" in [row[1] for row in conn.execute("PRAGMA table_info(audits)")]
    conn.close()


def test_a_reader_sees_the_last_finished_audits_while_a_writer_holds_its_transaction(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    writer = history.open_history(path)
    _audit(writer, "2024-01-01T00:00:00+00:00", _run("diamond", compliant=True, must_failed=0))
    writer.execute("BEGIN IMMEDIATE")
    writer.execute(
        "INSERT INTO audits (uid, started_at, tool_version, schema_version) VALUES ('x', 't', 'v', 1)"
    )
    reader = history.open_history(path)  # no 'database is locked': WAL readers do not wait for writers
    assert [a["id"] for a in history.audits(reader)] == [1]
    writer.execute("COMMIT")
    assert [a["id"] for a in history.audits(reader)] == [1, 2]
    reader.close()
    writer.close()


def test_baseline_is_each_rules_latest_judged_verdict_from_other_finished_audits(tmp_path: Path) -> None:
    conn = history.open_history(tmp_path / "h.sqlite")
    _audit(
        conn, "2024-01-01T00:00:00+00:00", _run("diamond", verdicts={"ALL-001": "pass", "ALL-002": "fail"})
    )
    # a later audit limited to other areas: the rules were skipped, the baseline keeps the older verdicts
    _audit(
        conn, "2024-01-02T00:00:00+00:00", _run("diamond", verdicts={"ALL-001": "skip", "ALL-002": "pass"})
    )
    # an outage and an unfinished audit are no baseline
    _audit(conn, "2024-01-03T00:00:00+00:00", _run("diamond", status="unreachable", reason="refused"))
    _audit(conn, "2024-01-04T00:00:00+00:00", finish=False)
    current = history.begin_audit(conn, started_at="2024-01-05T00:00:00+00:00", tool_version="test")
    base = history.baseline_verdicts(conn, "diamond", before_audit=current)
    assert {k: v.status for k, v in base.items()} == {"ALL-001": "pass", "ALL-002": "pass"}
    assert base["ALL-001"].started_at == "2024-01-01T00:00:00+00:00"
    previous = history.previous_run(conn, "diamond", before_audit=current)
    assert previous is not None and previous.started_at == "2024-01-02T00:00:00+00:00"
    assert history.last_status(conn, "diamond", before_audit=current) == "unreachable"
    assert history.baseline_verdicts(conn, "cyber", before_audit=current) == {}
    conn.close()


def test_broker_runs_round_trip_with_capabilities_and_verdicts(tmp_path: Path) -> None:
    conn = history.open_history(tmp_path / "h.sqlite")
    run = _run(
        "star",
        verdicts={"ALL-004": "pass"},
        compliant=False,
        must_failed=3,
        duration_s=1.5,
        capabilities={"all_query": False, "apis": ["balance"]},
    )
    _audit(conn, "2024-01-01T00:00:00+00:00", run)
    (stored,) = history.broker_runs(conn, "star")
    assert (stored.compliant, stored.must_failed, stored.duration_s) == (False, 3, 1.5)
    assert stored.capabilities == {"all_query": False, "apis": ["balance"]}
    assert stored.verdicts == {"ALL-004": ("all-query", "MUST", "pass")}
    conn.close()


def test_an_unknown_run_status_is_refused(tmp_path: Path) -> None:
    conn = history.open_history(tmp_path / "h.sqlite")
    with pytest.raises(ValueError, match="unknown broker run status"):
        _audit(conn, "2024-01-01T00:00:00+00:00", _run("x", status="fine"))
    assert history.audits(conn)[0]["finished_at"] is None  # the failed transaction left nothing half-written
    assert conn.execute("SELECT COUNT(*) FROM broker_runs").fetchone()[0] == 0
    conn.close()


def test_merge_copies_missing_audits_once_and_keeps_verdicts(tmp_path: Path) -> None:
    shard_a, shard_b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    conn_a, conn_b = history.open_history(shard_a), history.open_history(shard_b)
    _audit(conn_a, "2024-01-01T00:00:00+00:00", _run("diamond", verdicts={"ALL-001": "pass"}, compliant=True))
    _audit(
        conn_b,
        "2024-01-01T00:00:01+00:00",
        _run("cyber", verdicts={"ALL-004": "fail"}, compliant=False),
        _run("star", status="unreachable", reason="connection refused"),
    )
    conn_b.close()
    assert history.merge(conn_a, shard_b) == 1
    assert history.merge(conn_a, shard_b) == 0  # idempotent: audits are matched by uid
    assert [a["brokers"] for a in history.audits(conn_a)] == [1, 2]
    (cyber,) = history.broker_runs(conn_a, "cyber")
    assert cyber.verdicts == {"ALL-004": ("all-query", "MUST", "fail")} and cyber.compliant is False
    (star,) = history.broker_runs(conn_a, "star")
    assert (star.status, star.reason) == ("unreachable", "connection refused")
    conn_a.close()


def test_merge_is_documented_as_an_sqlite3_attach_recipe_that_works(tmp_path: Path) -> None:
    """docs/scheduling.md's plain-sqlite3 recipe (for machines without the tool) merges as well."""
    doc = (Path(__file__).resolve().parent.parent / "docs" / "scheduling.md").read_text(encoding="utf-8")
    recipe = doc.split("<!-- attach-recipe -->")[1].split("```sql")[1].split("```")[0]
    main_file, other = tmp_path / "history.sqlite", tmp_path / "other.sqlite"
    conn_main, conn_other = history.open_history(main_file), history.open_history(other)
    _audit(conn_main, "2024-01-01T00:00:00+00:00", _run("diamond", verdicts={"ALL-001": "pass"}))
    _audit(
        conn_other,
        "2024-01-02T00:00:00+00:00",
        _run("cyber", verdicts={"ALL-004": "fail", "ALL-005": "warn"}),
        _run("star", status="bad-profile", reason="bad"),
    )
    conn_main.close()
    conn_other.close()
    for _ in range(2):  # twice: the recipe skips audits it already has
        raw = sqlite3.connect(main_file, isolation_level=None)
        raw.executescript(recipe.replace("other.sqlite", str(other)))
        raw.close()
    conn = history.open_history(main_file)
    assert [a["brokers"] for a in history.audits(conn)] == [1, 2]
    (cyber,) = history.broker_runs(conn, "cyber")
    assert cyber.verdicts["ALL-005"] == ("all-query", "MUST", "warn")
    conn.close()


def test_history_command_lists_audits_and_one_brokers_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "h.sqlite"
    conn = history.open_history(path)
    _audit(
        conn,
        "2024-01-01T00:00:00+00:00",
        _run("diamond", compliant=True, must_failed=0),
        _run("cyber", compliant=False, must_failed=2),
    )
    _audit(
        conn,
        "2024-01-02T00:00:00+00:00",
        _run("diamond", status="unreachable", reason="refused"),
        _run("cyber", compliant=True, must_failed=0),
    )
    conn.close()
    assert main(["history", "--history", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert "2024-01-01" in lines[0] and "2 brokers" in lines[0] and "1/2 compliant" in lines[0]
    assert "1 not audited" in lines[1]
    assert main(["history", "--history", str(path), "--broker", "diamond"]) == 0
    runs = capsys.readouterr().out.splitlines()
    assert len(runs) == 2
    assert "compliant yes" in runs[0] and "must_failed 0" in runs[0] and "\tok" in runs[0]
    assert "unreachable" in runs[1] and "refused" in runs[1] and "compliant -" in runs[1]


def test_history_command_errors_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["history", "--history", str(tmp_path / "none.sqlite")]) == 2
    assert "no such history file" in capsys.readouterr().err
    assert not (tmp_path / "none.sqlite").exists()  # listing never creates a file
    path = tmp_path / "h.sqlite"
    history.open_history(path).close()
    assert main(["history", "--history", str(path), "--broker", "ghost"]) == 2
    err = capsys.readouterr().err
    assert "no runs of broker 'ghost'" in err and len(err.strip().splitlines()) == 1


def test_history_merge_flag_on_the_command_line(tmp_path: Path) -> None:
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    for path, short in ((a, "diamond"), (b, "cyber")):
        conn = history.open_history(path)
        _audit(conn, "2024-01-01T00:00:00+00:00", _run(short, compliant=True, must_failed=0))
        conn.close()
    proc = subprocess.run(
        [sys.executable, "-m", "conformance", "history", "--history", str(a), "--merge", str(b)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "merged 1 audits" in proc.stdout
    listing = subprocess.run(
        [sys.executable, "-m", "conformance", "history", "--history", str(a)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert len(listing.splitlines()) == 2
