"""Exit 2 means three things; the fleet audit tells them apart by the run's typed outcome:
unreachable ≠ bad profile ≠ harness error (a run that ended without saying is a harness error)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance import audit, audit_runs
from conformance.outcomes import RunOutcome
from conformance.profile import load_profile

REPO = Path(__file__).resolve().parent.parent


def _plan(tmp_path: Path, python: str) -> audit_runs.FleetPlan:
    return audit_runs.FleetPlan(python=python, out=tmp_path / "out", work=tmp_path / "work", timeout_s=60)


def _fake_python(tmp_path: Path, body: str) -> str:
    script = tmp_path / "fake-python"
    script.write_text(f"#!/bin/bash\n{body}\n", encoding="utf-8")
    script.chmod(0o755)
    return str(script)


@pytest.mark.parametrize("said, code, expected", [
    ('{"outcome": "unreachable", "reason": "connection refused"}', 2, RunOutcome.UNREACHABLE),
    ('{"outcome": "bad_profile", "reason": "apis: missing"}', 2, RunOutcome.BAD_PROFILE),
    ('{"outcome": "harness_error", "reason": "pytest exited with 4"}', 2, RunOutcome.HARNESS_ERROR),
    (None, 2, RunOutcome.HARNESS_ERROR),  # crashed before it could say: never "unreachable"
    ('{"outcome": "compliant", "reason": ""}', 2, RunOutcome.HARNESS_ERROR),  # said one thing, exited another
    ('{"outcome": "not_compliant", "reason": ""}', 1, RunOutcome.NOT_COMPLIANT),
])
def test_the_worker_records_what_the_run_said(tmp_path: Path, said: str | None, code: int,
                                              expected: RunOutcome) -> None:
    write = f"echo '{said}' > \"$CONFORMANCE_OUTCOME_FILE\"; " if said else ""
    python = _fake_python(tmp_path, f'{write}echo "conformance: last words" >&2; exit {code}')
    outcome = audit_runs.run_broker(_plan(tmp_path, python), "b1", "p")
    assert outcome["outcome"] == expected.value and outcome["exit_code"] == code
    assert outcome["reason"] == (json.loads(said)["reason"] or "last words" if said else "last words")


@pytest.mark.parametrize("kind, status", [
    (RunOutcome.UNREACHABLE, "unreachable"), (RunOutcome.BAD_PROFILE, "bad-profile"),
    (RunOutcome.HARNESS_ERROR, "error"), (RunOutcome.COMPLIANT, "error"),  # compliant without results
])
def test_each_outcome_is_its_own_fleet_status(tmp_path: Path, kind: RunOutcome, status: str) -> None:
    profile = load_profile(REPO / "profiles" / "diamond.yaml")
    cand = audit.Candidate(path=REPO / "profiles" / "diamond.yaml", short_name="diamond", profile=profile)
    run, results = audit.to_run(cand, {"outcome": kind.value, "exit_code": kind.exit_code, "reason": "why"}, tmp_path)
    assert (run.status, run.reason, results) == (status, "why", None)


def test_a_record_without_a_typed_outcome_is_read_by_its_exit() -> None:
    assert audit._outcome_of({"exit_code": 1}) is RunOutcome.NOT_COMPLIANT
    assert audit._outcome_of({"exit_code": 2}) is RunOutcome.HARNESS_ERROR
    assert audit._outcome_of({"exit_code": 2}, has_results=True) is RunOutcome.UNREACHABLE
    assert audit._outcome_of({"outcome": "harness_error", "exit_code": 2}, has_results=True) is RunOutcome.HARNESS_ERROR
    assert audit._outcome_of({"exit_code": None}) is RunOutcome.HARNESS_ERROR
