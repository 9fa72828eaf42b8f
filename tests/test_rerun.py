"""`conformance run --rerun-failed PREVIOUS/results.json`: after a fix, only the checks PREVIOUS did
not settle are asked again; the report is complete (the others carried over, with their time) and
compliant, and says which parts are new."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from runs import REPO, RunResult, profile_for, run

from conformance.reference.server import ReferenceServer
from conformance.rerun import Previous

FAULT = "amounts-as-strings"  # NUM-002 and ERR-003 fail on several APIs


def _exchanges(out: Path) -> int:
    return sum(1 for file in (out / "exchanges").glob("*.jsonl")
               for line in file.read_text(encoding="utf-8").split("\n") if line)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A run against the faulty broker, then a rerun of what failed against the fixed one, written
    into the same folder as the run it completes."""
    folder = tmp_path_factory.mktemp("rerun")
    out = folder / "out"
    with ReferenceServer("diamond", faults=[FAULT]) as server:
        first = run(profile_for("diamond", server.base_url, folder), out)
    previous = json.loads((out / "results.json").read_text(encoding="utf-8"))
    with ReferenceServer("diamond") as server:
        fixed = profile_for("diamond", server.base_url, folder)
        second = run(fixed, out, extra=("--rerun-failed", str(out / "results.json")), now="2026-12-02T18:00:00+09:00")
    return {"first": first, "previous": previous, "second": second, "out": out, "profile": fixed}


def _failed_nodeids(results: dict[str, Any]) -> set[str]:
    return {c["nodeid"] for r in results["rules"] for c in r["checks"] if c["status"] in ("fail", "warn", "skip")}


def test_the_faulty_run_fails_the_faults_rules(runs):
    first: RunResult = runs["first"]
    assert first.exit_code == 1, first.stderr[-800:]
    assert {"NUM-002", "ERR-003"} <= set(first.failing())
    assert len(_failed_nodeids(runs["previous"])) >= 3


def test_a_rerun_after_the_fix_asks_only_the_failed_checks(runs):
    second: RunResult = runs["second"]
    assert second.exit_code == 0, second.stderr[-800:]
    assert second.results is not None
    failed = _failed_nodeids(runs["previous"])
    new = [c for r in second.results["rules"] for c in r["checks"] if not c.get("carried_over")]
    assert {c["nodeid"] for c in new} == failed
    note = second.results["rerun"]
    assert note["asked_again"] == len(failed) == note["new_checks"] and note["not_found"] == []
    assert note["previous_started_at"] == runs["previous"]["started_at"]
    # the gateway was asked only what those checks need: far fewer questions than the whole run
    questions = second.results["questions"]["total"]
    assert 0 < questions == _exchanges(runs["out"]) < runs["previous"]["questions"]["total"] / 3
    assert set(second.results["questions"]["by_area"]) <= {"numbers", "errors", "schema"}


def test_the_rerun_report_is_complete_compliant_and_says_what_is_new(runs):
    second, previous = runs["second"].results, runs["previous"]
    assert second["summary"]["compliant"] and second["summary"]["must_failed"] == 0
    assert second["summary"]["checks"] == previous["summary"]["checks"]
    assert second["summary"]["rules"] == previous["summary"]["rules"] and second["summary"]["unchecked"] == 0
    before = {c["nodeid"]: c for r in previous["rules"] for c in r["checks"]}
    carried = [c for r in second["rules"] for c in r["checks"] if c.get("carried_over")]
    assert len(carried) == len(before) - len(_failed_nodeids(previous))
    assert all(c["checked_at"] == previous["started_at"] and c["status"] == before[c["nodeid"]]["status"]
               for c in carried)
    assert {r["id"]: r["status"] for r in second["rules"]}["NUM-002"] == "pass"
    page = (runs["out"] / "report.html").read_text(encoding="utf-8")
    assert 'id="rerun-note"' in page and page.count('class="carried"') == len(carried)
    assert "carried over from " + previous["started_at"] in page


def test_rerunning_a_rerun_carries_the_original_times_and_asks_nothing_settled(runs, tmp_path):
    """The compliant rerun has nothing left to ask: a second rerun asks no question and keeps
    every record's first time."""
    with ReferenceServer("diamond") as server:
        again = run(profile_for("diamond", server.base_url, tmp_path), tmp_path / "again",
                    extra=("--rerun-failed", str(runs["out"] / "results.json")))
    assert again.exit_code == 0, again.stderr[-800:]
    assert again.results is not None and again.results["rerun"]["asked_again"] == 0
    assert again.results["questions"]["total"] == 0
    times = {c["checked_at"] for r in again.results["rules"] for c in r["checks"]}
    assert times == {runs["previous"]["started_at"], runs["second"].results["started_at"]}


def test_a_rerun_of_another_brokers_report_or_of_no_report_is_exit_2(runs, tmp_path):
    cyber = profile_for("cyber", "http://127.0.0.1:9", tmp_path)
    for previous, expected in ((runs["out"] / "results.json", "is a report on 'diamond', the profile is 'cyber'"),
                               (tmp_path / "missing.json", "--rerun-failed: ")):
        proc = subprocess.run([sys.executable, "-m", "conformance", "run", "--profile", str(cyber), "--out",
                               str(tmp_path / "x"), "--quiet", "--rerun-failed", str(previous)],
                              capture_output=True, text=True, timeout=120, cwd=REPO)
        assert proc.returncode == 2 and expected in proc.stderr, proc.stderr


def test_what_a_rerun_asks_again():
    def check(nodeid: str, status: str, **extra: Any) -> dict[str, Any]:
        return {"nodeid": nodeid, "api": "balance", "status": status, **extra}
    previous = Previous({"started_at": "T0", "run_errors": [{"nodeid": "e", "message": "harness"}], "rules": [
        {"id": "R", "checks": [check("fail", "fail"), check("warn", "warn"), check("skip", "skip"),
                               check("waived", "waived"), check("window", "not_applicable", window=True),
                               check("pass", "pass"), check("na", "not_applicable"), check("e", "skip")]}]},
        "p/results.json")
    assert {n for n in ("fail", "warn", "skip", "waived", "window", "e", "new") if previous.selects(n)} == {
        "fail", "warn", "skip", "waived", "window", "e", "new"}
    assert not previous.selects("pass") and not previous.selects("na")
    assert [(c["nodeid"], c["rule_id"], c["checked_at"]) for c in previous.carried()] == [
        ("pass", "R", "T0"), ("na", "R", "T0")]
