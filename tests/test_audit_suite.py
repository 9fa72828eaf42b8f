"""The audit's work unit (conformance/_audit_suite.py): one broker's run as a subprocess, its
outcome file, the environment it gets, and a run that overstays being ended whole."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from conformance import _audit_suite


def _plan(tmp_path: Path, python: str, timeout_s: float | None = 60) -> dict[str, object]:
    return {
        "python": python,
        "out": str(tmp_path / "out"),
        "areas": ["echo", "schema"],
        "timeout_s": timeout_s,
        "outcomes": str(tmp_path / "outcomes"),
        "autoload": None,
    }


def _fake_python(tmp_path: Path, body: str) -> str:
    """A stand-in for the interpreter: records its arguments, then does `body`."""
    script = tmp_path / "fake-python"
    script.write_text(f'#!/bin/bash\necho "$@" > "{tmp_path}/argv"\n{body}\n', encoding="utf-8")
    script.chmod(0o755)
    return str(script)


def test_an_outcome_file_records_the_exit_code_and_the_last_stderr_line(tmp_path: Path) -> None:
    python = _fake_python(tmp_path, 'echo "some warning" >&2; echo "conformance: cannot connect" >&2; exit 2')
    outcome = _audit_suite.run_broker(
        _plan(tmp_path, python), {"short_name": "cyber", "profile": "/p/cyber.yaml"}
    )
    assert outcome["exit_code"] == 2 and outcome["reason"] == "cannot connect"
    saved = json.loads((tmp_path / "outcomes" / "cyber.json").read_text(encoding="utf-8"))
    assert saved == outcome
    argv = (tmp_path / "argv").read_text(encoding="utf-8").split()
    assert argv == [
        "-m",
        "conformance",
        "run",
        "--profile",
        "/p/cyber.yaml",
        "--out",
        str(tmp_path / "out" / "cyber"),
        "--quiet",
        "--area",
        "echo",
        "--area",
        "schema",
    ]


def test_a_run_that_overstays_is_ended_with_its_children(tmp_path: Path) -> None:
    python = _fake_python(tmp_path, f'sleep 60 & echo $! > "{tmp_path}/child"; wait')
    outcome = _audit_suite.run_broker(
        _plan(tmp_path, python, timeout_s=1), {"short_name": "slow", "profile": "p"}
    )
    assert outcome["exit_code"] is None and "did not finish within 1 s" in outcome["reason"]
    child = int((tmp_path / "child").read_text(encoding="utf-8"))
    for _ in range(100):  # the orphaned child is reaped by init shortly after the kill
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"the run's child process {child} survived the timeout")


def test_a_brokers_run_gets_the_callers_environment_without_the_harness_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv(_audit_suite.PLAN_ENV, "/tmp/plan.json")
    monkeypatch.setenv("KOSCOM_BEARER", "kept")
    env = _audit_suite._child_env({"autoload": None})
    assert "PYTEST_XDIST_WORKER" not in env and "PYTEST_DISABLE_PLUGIN_AUTOLOAD" not in env
    assert _audit_suite.PLAN_ENV not in env and env["KOSCOM_BEARER"] == "kept"
    assert _audit_suite._child_env({"autoload": "1"})["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] == "1"
