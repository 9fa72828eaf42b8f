"""The audit's work units (conformance/audit_runs.py): one broker's run as a child process, its
outcome file, the environment it gets, a run that overstays being ended whole, and the fleet run
`workers` at a time, its junit.xml one case per broker."""

from __future__ import annotations

import json
import os
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conformance import audit_runs
from conformance.audit_runs import FleetPlan


def _plan(tmp_path: Path, python: str, timeout_s: float | None = 60) -> FleetPlan:
    return FleetPlan(python=python, out=tmp_path / "out", work=tmp_path / "work", areas=("echo", "schema"),
                     timeout_s=timeout_s)


def _fake_python(tmp_path: Path, body: str) -> str:
    """A stand-in for the interpreter: records its arguments, then does `body`."""
    script = tmp_path / "fake-python"
    script.write_text(f'#!/bin/bash\necho "$@" > "{tmp_path}/argv"\n{body}\n', encoding="utf-8")
    script.chmod(0o755)
    return str(script)


def test_an_outcome_file_records_the_exit_code_and_the_last_stderr_line(tmp_path: Path) -> None:
    python = _fake_python(tmp_path, 'echo "some warning" >&2; echo "conformance: cannot connect" >&2; exit 2')
    outcome = audit_runs.run_broker(_plan(tmp_path, python), "cyber", "/p/cyber.yaml")
    assert outcome["exit_code"] == 2 and outcome["reason"] == "cannot connect"
    assert outcome["outcome"] == "harness_error"  # exit 2 without the run's word on it
    saved = json.loads((tmp_path / "work" / "outcomes" / "cyber.json").read_text(encoding="utf-8"))
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


def test_a_brokers_run_is_asked_to_run_the_suites_in_its_own_process(tmp_path: Path) -> None:
    python = _fake_python(tmp_path, f'echo "$CONFORMANCE_PYTEST_IN_PROCESS" > "{tmp_path}/flag"; exit 0')
    audit_runs.run_broker(_plan(tmp_path, python), "one", "p")
    assert (tmp_path / "flag").read_text(encoding="utf-8").strip() == "1"


def test_a_run_that_overstays_is_ended_with_its_children(tmp_path: Path) -> None:
    python = _fake_python(tmp_path, f'sleep 60 & echo $! > "{tmp_path}/child"; wait')
    outcome = audit_runs.run_broker(_plan(tmp_path, python, timeout_s=1), "slow", "p")
    assert outcome["exit_code"] is None and "did not finish within 1 s" in outcome["reason"]
    assert outcome["outcome"] == "harness_error" and not list((tmp_path / "work" / "pids").iterdir())
    child = int((tmp_path / "child").read_text(encoding="utf-8"))
    for _ in range(100):  # the orphaned child is reaped by init shortly after the kill
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"the run's child process {child} survived the timeout")


def test_a_brokers_run_gets_the_callers_environment_without_a_surrounding_pytests_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    monkeypatch.setenv("PYTEST_CURRENT_TEST", "t")
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("KOSCOM_BEARER", "kept")
    env = audit_runs.child_env()
    assert not {"PYTEST_XDIST_WORKER", "PYTEST_CURRENT_TEST", "PYTEST_DISABLE_PLUGIN_AUTOLOAD"} & set(env)
    assert env["KOSCOM_BEARER"] == "kept"
    assert env["PYTHONPATH"].split(os.pathsep)[0] == str(Path(audit_runs.__file__).resolve().parent.parent)


def test_the_fleet_runs_workers_at_once_and_a_crash_or_hang_is_that_brokers_row_only(tmp_path: Path) -> None:
    """Four brokers, two at a time: one crashes, one hangs past its time-out, two say their outcome."""
    body = f"""short=$(basename "$7"); echo "$short $(date +%s.%N) start" >> "{tmp_path}/log"
case "$short" in
  crash) echo "$short $(date +%s.%N) end" >> "{tmp_path}/log"; kill -SEGV $$ ;;
  hang) sleep 60 ;;
  *) echo '{{"outcome": "compliant", "reason": ""}}' > "$CONFORMANCE_OUTCOME_FILE"; sleep 0.5 ;;
esac
echo "$short $(date +%s.%N) end" >> "{tmp_path}/log"
"""
    python = _fake_python(tmp_path, body)
    brokers = [(name, f"/p/{name}.yaml") for name in ("a", "crash", "hang", "b")]
    started = time.monotonic()
    outcomes = audit_runs.run_all(_plan(tmp_path, python, timeout_s=3), brokers, workers=2)
    assert time.monotonic() - started < 30
    assert list(outcomes) == ["a", "crash", "hang", "b"]
    assert {k: o["outcome"] for k, o in outcomes.items()} == {
        "a": "compliant", "crash": "harness_error", "hang": "harness_error", "b": "compliant"}
    assert outcomes["crash"]["exit_code"] == -11 and "did not finish within 3 s" in outcomes["hang"]["reason"]
    events = [line.split() for line in (tmp_path / "log").read_text(encoding="utf-8").splitlines()]
    (hung,) = [float(at) for name, at, what in events if name == "hang"]  # killed: it never logs its end
    events.append(["hang", str(hung + 3), "end"])
    running = peak = 0
    for _, _, what in sorted(events, key=lambda e: float(e[1])):
        running += 1 if what == "start" else -1
        peak = max(peak, running)
    assert peak == 2  # never more than --workers at once, and the two did overlap
    audit_runs.write_fleet_junit(tmp_path, outcomes, 1.0)
    cases = {c.get("name"): c for c in ET.parse(tmp_path / "junit.xml").getroot().iter("testcase")}
    assert sorted(cases) == [f"test_broker[{n}]" for n in ("a", "b", "crash", "hang")]
    assert [n for n, c in cases.items() if c.find("failure") is not None] == ["test_broker[crash]", "test_broker[hang]"]


def test_a_stopped_fleet_ends_the_runs_under_way_and_starts_no_more(tmp_path: Path) -> None:
    python = _fake_python(tmp_path, f'echo $$ >> "{tmp_path}/started"; sleep 60')
    children = audit_runs.Children()
    plan = _plan(tmp_path, python, timeout_s=120)
    import threading

    thread = threading.Thread(target=audit_runs.run_broker, args=(plan, "a", "p", children))
    thread.start()
    deadline = time.monotonic() + 20
    while not (tmp_path / "started").is_file() and time.monotonic() < deadline:
        time.sleep(0.05)
    children.stop_all()
    thread.join(20)
    assert not thread.is_alive()
    outcome = json.loads((tmp_path / "work" / "outcomes" / "a.json").read_text(encoding="utf-8"))
    assert outcome["outcome"] == "harness_error" and outcome["exit_code"] == -9
    late = audit_runs.run_broker(plan, "b", "p", children)
    assert late["exit_code"] is None and "stopped before" in late["reason"]
    assert len((tmp_path / "started").read_text(encoding="utf-8").split()) == 1
