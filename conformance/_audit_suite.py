"""The fleet audit's work units, as a pytest module that pytest-xdist spreads over its workers.

`conformance audit` writes a plan (JSON) and runs `python -m pytest <this file> -n N` with
CONFORMANCE_AUDIT_PLAN naming it; each test item is one broker: it runs that broker's
`conformance run` in a subprocess and records the outcome as `<outcomes>/<short_name>.json`.
The item passes when the broker is compliant, so the audit's own junit.xml reads like the fleet.

Not collected by the project's test run (no test_ prefix); pytest collects it only when named.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conformance.outcomes import OUTCOME_FILE_ENV, RunOutcome

PLAN_ENV = "CONFORMANCE_AUDIT_PLAN"


def _plan() -> dict[str, Any]:
    path = os.environ.get(PLAN_ENV)
    if not path:
        return {"brokers": []}
    return json.loads(Path(path).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


PLAN = _plan()


def _one_line(text: str) -> str:
    """The reason `conformance run` printed (its last non-empty stderr line), on one line."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1].removeprefix("conformance: ")[:500] if lines else ""


def _child_env(plan: dict[str, Any]) -> dict[str, str]:
    """The environment of a broker's run: the caller's, without what the audit harness added."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PYTEST_XDIST")
        and k not in ("PYTEST_CURRENT_TEST", PLAN_ENV, "PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    }
    if plan.get("autoload") is not None:
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = plan["autoload"]
    return env


def run_broker(plan: dict[str, Any], broker: dict[str, Any]) -> dict[str, Any]:
    """Run one broker's `conformance run`; return (and save) what came of it."""
    out = Path(plan["out"]) / broker["short_name"]
    cmd = [
        plan["python"],
        "-m",
        "conformance",
        "run",
        "--profile",
        broker["profile"],
        "--out",
        str(out),
        "--quiet",
    ]
    for area in plan.get("areas", []):
        cmd += ["--area", area]
    if plan.get("sign_key"):
        cmd += ["--sign-key", plan["sign_key"]]
    if plan.get("waivers"):
        cmd += ["--waivers", plan["waivers"]]
    if plan.get("lang"):
        cmd += ["--lang", plan["lang"]]
    typed = Path(plan["outcomes"]) / f"{broker['short_name']}.run.json"  # what the run says it came to
    typed.parent.mkdir(parents=True, exist_ok=True)
    typed.unlink(missing_ok=True)
    env = {**_child_env(plan), OUTCOME_FILE_ENV: str(typed)}
    started = datetime.now(UTC).isoformat(timespec="seconds")
    t0 = time.monotonic()
    # A session of its own, so a run that overstays (or an interrupted audit) is ended whole:
    # `conformance run` and the pytest process it started.
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    # the audit ends this process group if it is itself terminated (conformance.audit._stop_workers)
    pid_file = Path(plan["pids"]) / f"{broker['short_name']}.pid" if plan.get("pids") else None
    if pid_file is not None:
        pid_file.write_text(str(proc.pid), encoding="ascii")
    try:
        _, err = proc.communicate(timeout=plan.get("timeout_s"))
        code, reason = proc.returncode, _one_line(err)
    except subprocess.TimeoutExpired:
        code, reason = None, f"the run did not finish within {plan.get('timeout_s')} s"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
        if pid_file is not None:
            pid_file.unlink(missing_ok=True)
    kind, said = _typed_outcome(typed, code)
    outcome = {
        "short_name": broker["short_name"],
        "outcome": kind.value,
        "profile": broker["profile"],
        "exit_code": code,
        "reason": said or reason,
        "started_at": started,
        "duration_s": round(time.monotonic() - t0, 2),
        "worker": os.environ.get("PYTEST_XDIST_WORKER", "main"),
    }
    target = Path(plan["outcomes"]) / f"{broker['short_name']}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(outcome, ensure_ascii=False, indent=1), encoding="utf-8")
    return outcome


def _typed_outcome(file: Path, code: int | None) -> tuple[RunOutcome, str]:
    """The run's own word on its outcome; a run that ended without one (killed, timed out, crashed
    before it could say) is a harness error, never "unreachable"."""
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
        kind = RunOutcome(doc["outcome"])
    except (OSError, ValueError, KeyError, TypeError):
        return RunOutcome.HARNESS_ERROR, ""
    if kind.exit_code != code:  # the process ended otherwise than the run said: trust the exit
        return RunOutcome.HARNESS_ERROR, ""
    return kind, " ".join(str(doc.get("reason") or "").split())[:500]


@pytest.mark.parametrize("broker", PLAN["brokers"], ids=[b["short_name"] for b in PLAN["brokers"]])
def test_broker(broker: dict[str, Any]) -> None:
    outcome = run_broker(PLAN, broker)
    if outcome["exit_code"] == 1:
        pytest.fail(f"{broker['short_name']}: not compliant (a MUST rule failed)", pytrace=False)
    if outcome["exit_code"] != 0:
        pytest.fail(f"{broker['short_name']}: not audited: {outcome['reason']}", pytrace=False)
