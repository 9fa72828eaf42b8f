"""The fleet audit's work units: one `conformance run` child per broker, --workers of them at once;
the child runs the suites in its own process (IN_PROCESS_ENV), so a broker costs one process.

Each child runs in a session of its own, so a run that overstays its time-out, or an audit that is
interrupted or terminated, is ended whole (`conformance run` and the pytest process it started).
A child's crash or hang is that broker's row only: the audit records it as a harness error and
goes on. The run reports its typed outcome (RunOutcome) through the file OUTCOME_FILE_ENV names;
a run that ended without saying, or otherwise than it said, is a harness error, never "unreachable".

The audit waits on its children from threads of its own; each thread only waits on one process,
so the children run in parallel and the audit adds no interpreter of its own per broker.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
import time
import xml.etree.ElementTree as ET
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from conformance import outputs
from conformance.outcomes import IN_PROCESS_ENV, OUTCOME_FILE_ENV, RunOutcome

RUN_TIMEOUT_S = 3600  # one broker's run; a hung gateway must not hang the whole audit
REASON_TAIL_BYTES = 64_000  # of a run's stderr log, read for its last line
# the settings of a pytest the audit may itself run under, which a broker's own pytest must not see
HARNESS_KEYS = ("PYTEST_CURRENT_TEST", "PYTEST_DISABLE_PLUGIN_AUTOLOAD")


@dataclass(frozen=True)
class FleetPlan:
    """What every broker's run is given: where to write, which areas, the shared options."""

    python: str
    out: Path
    work: Path  # OUT/.audit: outcomes/, pids/, logs/ (swept by the scrubber afterwards)
    areas: tuple[str, ...] = ()
    timeout_s: float | None = RUN_TIMEOUT_S
    sign_key: str | None = None
    waivers: str | None = None
    lang: str | None = None  # --lang of the audit; None: each profile's report.lang


@dataclass
class Children:
    """The process groups of the runs under way, so that an ended audit can end them all."""

    stopped: bool = False
    groups: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, cmd: list[str], **popen: Any) -> subprocess.Popen[bytes] | None:
        with self.lock:  # no run starts after stop_all
            if self.stopped:
                return None
            proc = subprocess.Popen(cmd, start_new_session=True, **popen)
            self.groups.add(proc.pid)
            return proc

    def done(self, proc: subprocess.Popen[bytes]) -> None:
        with self.lock:
            self.groups.discard(proc.pid)

    def stop_all(self) -> None:
        with self.lock:
            self.stopped = True
            for group in self.groups:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(group, signal.SIGKILL)


def broker_command(plan: FleetPlan, short_name: str, profile: str) -> list[str]:
    cmd = [plan.python, "-m", "conformance", "run", "--profile", profile, "--out", str(plan.out / short_name),
           "--quiet"]
    for area in plan.areas:
        cmd += ["--area", area]
    if plan.sign_key:
        cmd += ["--sign-key", plan.sign_key]
    if plan.waivers:
        cmd += ["--waivers", plan.waivers]
    if plan.lang:
        cmd += ["--lang", plan.lang]
    return cmd


def child_env() -> dict[str, str]:
    """A broker run's environment: the caller's, without a surrounding pytest's settings, importing
    this very package (installed or from a source tree)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST") and k not in HARNESS_KEYS}
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
    return env


def _last_line(log: Path) -> str:
    """The reason `conformance run` printed (its last non-empty stderr line), on one line."""
    try:
        with log.open("rb") as file:
            file.seek(max(0, log.stat().st_size - REASON_TAIL_BYTES))
            text = file.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1].removeprefix("conformance: ")[:500] if lines else ""


def typed_outcome(file: Path, code: int | None) -> tuple[RunOutcome, str]:
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


def run_broker(plan: FleetPlan, short_name: str, profile: str, children: Children | None = None) -> dict[str, Any]:
    """Run one broker's `conformance run`; return (and save as outcomes/<short_name>.json) what came of it."""
    children = children or Children()
    for folder in ("outcomes", "pids", "logs"):
        (plan.work / folder).mkdir(parents=True, exist_ok=True)
    typed = plan.work / "outcomes" / f"{short_name}.run.json"  # what the run says it came to
    typed.unlink(missing_ok=True)
    log = plan.work / "logs" / f"{short_name}.log"
    pid_file = plan.work / "pids" / f"{short_name}.pid"
    started = datetime.now(UTC).isoformat(timespec="seconds")
    t0 = time.monotonic()
    code: int | None = None
    with log.open("wb") as err:
        env = {**child_env(), OUTCOME_FILE_ENV: str(typed), IN_PROCESS_ENV: "1"}
        proc = children.start(broker_command(plan, short_name, profile), env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=err)
        if proc is None:
            reason = "the audit was stopped before this broker's run started"
        else:
            pid_file.write_text(str(proc.pid), encoding="ascii")
            try:
                code, reason = proc.wait(timeout=plan.timeout_s), ""
            except subprocess.TimeoutExpired:
                reason = f"the run did not finish within {plan.timeout_s} s"
            finally:
                if proc.poll() is None:  # timed out, or the audit is being stopped
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
                children.done(proc)
                pid_file.unlink(missing_ok=True)
    kind, said = typed_outcome(typed, code)
    outcome = {"short_name": short_name, "outcome": kind.value, "profile": profile, "exit_code": code,
               "reason": said or reason or _last_line(log), "started_at": started,
               "duration_s": round(time.monotonic() - t0, 2)}
    (plan.work / "outcomes" / f"{short_name}.json").write_text(json.dumps(outcome, ensure_ascii=False, indent=1),
                                                               encoding="utf-8")
    return outcome


def run_all(plan: FleetPlan, brokers: list[tuple[str, str]], workers: int) -> dict[str, dict[str, Any]]:
    """Every (short name, profile) run, at most `workers` at once; outcomes by short name. An
    exception in the audit (SIGTERM raised as one, ^C) ends every run under way before it goes on."""
    children = Children()
    outcomes: dict[str, dict[str, Any]] = {}
    pool = ThreadPoolExecutor(max_workers=max(1, min(workers, len(brokers))), thread_name_prefix="broker")
    try:
        futures: dict[Future[dict[str, Any]], str] = {
            pool.submit(run_broker, plan, short, profile, children): short for short, profile in brokers}
        pending = set(futures)
        while pending:  # a timed wait, so that a signal reaches the main thread between waits
            done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for future in done:
                short = futures[future]
                try:
                    outcomes[short] = future.result()
                except Exception as exc:  # noqa: BLE001 - the audit's own failure for one broker is its row
                    outcomes[short] = {"short_name": short, "outcome": RunOutcome.HARNESS_ERROR.value,
                                       "exit_code": None, "duration_s": None,
                                       "reason": f"the audit could not run this broker: {type(exc).__name__}: {exc}"}
    except BaseException:
        children.stop_all()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return {short: outcomes[short] for short, _ in brokers}


def write_fleet_junit(out: Path, outcomes: dict[str, dict[str, Any]], duration_s: float) -> Path:
    """OUT/junit.xml: one test case per broker that ran, passing when it is compliant (CI test tabs)."""
    suite = ET.Element("testsuite", name="conformance-audit", timestamp=datetime.now(UTC).isoformat(timespec="seconds"),
                       time=f"{duration_s:.3f}")
    failures = 0
    for short, outcome in outcomes.items():
        case = ET.SubElement(suite, "testcase", classname="conformance.audit", name=f"test_broker[{short}]",
                             time=f"{float(outcome.get('duration_s') or 0):.3f}")
        if outcome.get("exit_code") == 0:
            continue
        failures += 1
        message = (f"{short}: not compliant (a MUST rule failed)" if outcome.get("exit_code") == 1
                   else f"{short}: not audited: {outcome.get('reason')}")
        ET.SubElement(case, "failure", message=message).text = message
    suite.set("tests", str(len(outcomes)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", "0")
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    target = out / "junit.xml"
    outputs.write_text(out, target, '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
                       + "\n")
    return target
