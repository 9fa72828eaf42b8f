"""`conformance audit`: audit every broker profile in a folder, one summary, history, an exit code.

Each broker is one `conformance run` child, so an audit produces exactly the report set a broker
gets on its own; --workers of them run at once (conformance/audit_runs.py, which also keeps a
crash, hang or time-out to that broker's row). Politeness towards each gateway
(the profile's requests_per_second) is kept inside each run by the client's cross-process
RateLimiter, so parallel brokers sharing a gateway still share its budget.

Exit: 0 every broker compliant; 1 a broker is not compliant or could not be audited (or, with
--fail-on should, a SHOULD rule warned; with --fail-on regression, only a rule that newly failed
or a broker newly unauditable); 2 nothing could be audited.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import signal
import socket
import sys
import time
from argparse import Namespace
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from conformance import __version__, audit_runs, outputs, profile_load, results_doc
from conformance.outcomes import EXIT_FAIL, EXIT_OK, EXIT_USAGE, RunOutcome, UsageError
from conformance.profile import Profile, ProfileError, load_profile
from conformance.report import history, summary
from conformance.report.bundle import manifest_hash
from conformance.rules import AREAS

SHORT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")  # as the profile schema says
WORK_DIR = ".audit"  # inside OUT: each broker's outcome, its run's stderr log, the pids of runs under way


@dataclass
class Candidate:
    """A profile file and what pre-validation made of it."""

    path: Path
    short_name: str
    name: str = ""
    profile: Profile | None = None
    reason: str = ""  # why it cannot be audited (bad profile)


def discover(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in (".yaml", ".yml"))


def _raw_identity(path: Path) -> tuple[str, str]:
    """Short name and name from a profile that did not load, so its history still lines up
    (read within the same bounds as a profile: the file may be a billion-laughs document)."""
    try:
        if path.stat().st_size > profile_load.MAX_PROFILE_BYTES:
            return "", ""
        broker = (profile_load.load_text(path.read_text(encoding="utf-8")) or {}).get("broker") or {}
        short, name = broker.get("short_name"), broker.get("name")
        ok = isinstance(short, str) and SHORT_NAME.fullmatch(short) is not None
        return (str(short) if ok else "", name[:200] if isinstance(name, str) else "")
    except Exception:  # noqa: BLE001 - any unreadable file simply has no identity
        return "", ""


def prevalidate(paths: list[Path]) -> list[Candidate]:
    """Load every profile; a profile that does not load, or repeats a short name, is a bad profile
    (keyed by its short name if that can be read and is free, else by its file name)."""
    loaded: list[Candidate] = []
    bad: list[Candidate] = []
    taken: dict[str, Path] = {}
    for path in paths:
        try:
            prof = load_profile(path)
        except Exception as exc:  # noqa: BLE001 - whatever a profile does, it is that broker's row
            short, name = _raw_identity(path)
            reason = str(exc) if isinstance(exc, ProfileError) else f"{path}: unusable ({type(exc).__name__}: {exc})"
            bad.append(Candidate(path=path, short_name=short, name=name, reason=reason[:1000]))
            continue
        if prof.short_name in taken:
            bad.append(
                Candidate(
                    path=path,
                    short_name="",
                    name=prof.name,
                    reason=f"{path}: broker.short_name {prof.short_name!r} is already used by "
                    f"{taken[prof.short_name]}",
                )
            )
            continue
        taken[prof.short_name] = path
        loaded.append(Candidate(path=path, short_name=prof.short_name, name=prof.name, profile=prof))
    for cand in bad:
        if not cand.short_name or cand.short_name in taken:
            cand.short_name = cand.path.name
        taken[cand.short_name] = cand.path
    return loaded + bad


class _Terminated(Exception):
    """SIGTERM reached the audit: stop every broker run, then record the audit as ended."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise _Terminated("terminated (SIGTERM); every broker run it started was stopped")


def run_fleet(
    cands: list[Candidate], out: Path, *, workers: int, areas: list[str], sign_key: str | None = None,
    waivers: str | None = None,
    lang: str | None = None,
) -> dict[str, dict[str, Any]]:
    """Run every loadable broker, one child each, `workers` at once; returns outcomes by short name."""
    work = out / WORK_DIR
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    runnable = [c for c in cands if c.profile is not None]
    if not runnable:
        return {}
    plan = audit_runs.FleetPlan(
        python=sys.executable, out=out.resolve(), work=work.resolve(), areas=tuple(areas),
        sign_key=str(Path(sign_key).resolve()) if sign_key else None,
        waivers=str(Path(waivers).resolve()) if waivers else None, lang=lang)
    t0 = time.monotonic()
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        outcomes = audit_runs.run_all(plan, [(c.short_name, str(c.path.resolve())) for c in runnable], workers)
    finally:
        signal.signal(signal.SIGTERM, previous)
    # the runs' logs and outcome files name what their profiles hold: scrub them with every broker's secrets
    outputs.sweep(out, WORK_DIR, suffixes=(".log", ".json"))
    audit_runs.write_fleet_junit(out, outcomes, time.monotonic() - t0)
    return outcomes


def capabilities(prof: Profile) -> dict[str, Any]:
    """The profile's declared capabilities (defaults filled in, so an omitted key is no drift)."""
    return {
        "apis": sorted(prof.apis),
        "all_query": prof.all_query,
        "rsp_types": sorted(prof.rsp_types),
        "separate_product_groups": sorted(prof.separate_product_groups),
        "interest_query_type": prof.interest_query_type,
        "max_date_range_days": prof.max_date_range_days,
    }


def to_run(
    cand: Candidate, outcome: dict[str, Any] | None, out: Path
) -> tuple[history.BrokerRun, dict[str, Any] | None]:
    """What one broker's audit came to, as a history record, plus its results (when it ran)."""
    run = history.BrokerRun(
        short_name=cand.short_name,
        status="bad-profile",
        name=cand.name,
        profile=str(cand.path),
        reason=cand.reason,
    )
    if cand.profile is None or outcome is None:
        return run, None
    run.base_url = cand.profile.base_url
    run.capabilities = capabilities(cand.profile)
    run.duration_s = outcome.get("duration_s")
    bundle = out / cand.short_name / "evidence.zip"
    if bundle.is_file():
        with contextlib.suppress(Exception):
            run.bundle_sha256 = manifest_hash(bundle)
    code = outcome.get("exit_code")
    results_file = out / cand.short_name / "results.json"
    results = None
    if results_file.is_file():
        with contextlib.suppress(results_doc.ResultsError):  # unreadable: the broker was not audited
            results = results_doc.load_results(results_file)
    typed = _outcome_of(outcome, results is not None)
    if typed in (RunOutcome.COMPLIANT, RunOutcome.NOT_COMPLIANT) and results is not None:
        record = results_doc.read_record(results)
        run.status, run.reason = "ok", ""
        run.compliant, run.must_failed = record.summary.compliant, record.summary.must_failed
        run.verdicts = results_doc.verdicts(results)
        run.waived = record.summary.waived
        notes = record.waivers or results_doc.WaiverNotes((), (), (), ())
        run.waivers = [{"rule_id": w.get("rule", ""), "api": w.get("api", ""), "expires": w.get("expires", ""),
                        "state": state, "reason": w.get("reason", ""), "approved_by": w.get("approved_by", "")}
                       for state, entries in (("applied", notes.applied), ("unused", notes.unused),
                                              ("expired", notes.expired)) for w in entries]
    else:  # unreachable, bad profile and harness error: each its own status in the fleet summary
        run.status = RunOutcome.HARNESS_ERROR.history_status if typed.history_status == "ok" else typed.history_status
        run.reason = outcome.get("reason") or f"conformance run exited with {code}"
    return run, results


def _outcome_of(outcome: dict[str, Any], has_results: bool = False) -> RunOutcome:
    """The typed outcome the audit worker recorded. A record without one is known by its exit: a
    run exits 2 after writing results only when nothing answered; without results, the harness failed."""
    try:
        return RunOutcome(str(outcome.get("outcome")))
    except ValueError:
        by_exit = {EXIT_OK: RunOutcome.COMPLIANT, EXIT_FAIL: RunOutcome.NOT_COMPLIANT,
                   EXIT_USAGE: RunOutcome.UNREACHABLE if has_results else RunOutcome.HARNESS_ERROR}
        code = outcome.get("exit_code")
        return by_exit.get(code, RunOutcome.HARNESS_ERROR) if isinstance(code, int) else RunOutcome.HARNESS_ERROR


def exit_code(doc: dict[str, Any], fail_on: str) -> int:
    brokers = doc["brokers"]
    if not any(b["status"] == "ok" for b in brokers):
        return EXIT_USAGE
    if fail_on == "regression":
        bad = any(b["regressions"] or b["newly_unaudited"] for b in brokers)
    else:
        bad = any(b["status"] != "ok" or not b["compliant"] for b in brokers)
        if fail_on == "should":
            bad = bad or any(b["should_warnings"] for b in brokers)
    return EXIT_FAIL if bad else EXIT_OK


def _history_page(conn: Any, out: Path, history_path: Path, doc: dict[str, Any]) -> None:
    """history.html beside summary.html (linked from it when written). A page that cannot be drawn
    costs the audit one warning line, never its verdict or exit code."""
    from conformance.report import history_page

    try:
        page = history_page.write_for_audit(conn, out, history_path, doc["audit"]["started_at"])
    except Exception as exc:  # noqa: BLE001 - the audit's results are already stored
        print(f"conformance: warning: the history page was not written: {type(exc).__name__}: {exc}", flush=True)
        return
    doc["audit"]["history_page"] = page.name


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def audit_command(args: Namespace) -> int:
    areas = list(args.area or [])
    unknown = [a for a in areas if a not in AREAS]
    if unknown:
        raise UsageError(f"unknown area {unknown[0]!r}; areas: {', '.join(AREAS)}")
    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    folder = Path(args.profiles)
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such folder of profiles")
    out = Path(args.out)
    history_path = Path(args.history) if args.history else out.resolve().parent / "history.sqlite"
    paths = discover(folder)
    if not paths:
        raise UsageError(f"{folder}: no *.yaml or *.yml profiles")
    sign_key = getattr(args, "sign_key", None)
    if sign_key:
        from conformance.signing import SigningError, load_private_key

        try:
            load_private_key(sign_key)
        except SigningError as exc:
            raise UsageError(str(exc)) from None
    waivers = getattr(args, "waivers", None)
    if waivers:
        from conformance.waivers import load_waivers

        load_waivers(waivers)  # malformed: exit 2 before any broker runs
    out.mkdir(parents=True, exist_ok=True)
    try:
        conn = history.open_history(history_path)
    except history.HistoryError as exc:
        raise UsageError(str(exc)) from None
    try:
        return _audit(
            conn,
            paths,
            out,
            areas=areas,
            workers=args.workers,
            fail_on=args.fail_on,
            history_path=history_path,
            sign_key=sign_key,
            waivers=waivers,
            lang=getattr(args, "lang", None),
        )
    finally:
        conn.close()


def _audit(
    conn: Any,
    paths: list[Path],
    out: Path,
    *,
    areas: list[str],
    workers: int,
    fail_on: str,
    history_path: Path,
    sign_key: str | None = None,
    waivers: str | None = None,
    lang: str | None = None,
) -> int:
    started_at, t0 = _now(), time.monotonic()
    audit_id = history.begin_audit(
        conn, started_at=started_at, tool_version=__version__, host=socket.gethostname(), areas=areas
    )
    try:
        return _audit_body(conn, audit_id, started_at, t0, paths, out, areas=areas, workers=workers,
                           fail_on=fail_on, history_path=history_path, sign_key=sign_key, waivers=waivers,
                           lang=lang)
    except BaseException:
        # never leave the audit "running" in the history: it ended, without a verdict (exit 2)
        with contextlib.suppress(Exception):
            history.finish_audit(conn, audit_id, finished_at=_now(), exit_code=EXIT_USAGE, runs=[])
        raise


def _audit_body(
    conn: Any,
    audit_id: int,
    started_at: str,
    t0: float,
    paths: list[Path],
    out: Path,
    *,
    areas: list[str],
    workers: int,
    fail_on: str,
    history_path: Path,
    sign_key: str | None,
    waivers: str | None = None,
    lang: str | None = None,
) -> int:
    cands = prevalidate(paths)
    print(
        f"conformance: auditing {sum(c.profile is not None for c in cands)} of {len(cands)} profiles "
        f"with {workers} worker{'s' if workers != 1 else ''}",
        flush=True,
    )
    outcomes = run_fleet(cands, out, workers=workers, areas=areas, sign_key=sign_key, waivers=waivers,
                           lang=lang)
    entries = []
    for cand in cands:
        run, results = to_run(cand, outcomes.get(cand.short_name), out)
        entries.append(
            summary.BrokerEntry(
                run=run,
                results=results,
                report=f"{cand.short_name}/report.html"
                if results is not None and (out / cand.short_name / "report.html").is_file()
                else None,
                baseline=history.baseline_verdicts(conn, cand.short_name, before_audit=audit_id),
                previous=history.previous_run(conn, cand.short_name, before_audit=audit_id),
                last_status=history.last_status(conn, cand.short_name, before_audit=audit_id),
            )
        )
    finished_at = _now()
    meta: dict[str, Any] = {
        "id": audit_id,
        "started_at": started_at,
        "finished_at": finished_at,
        "duration_s": round(time.monotonic() - t0, 1),
        "workers": workers,
        "areas": areas,
        "fail_on": fail_on,
        "profiles": [str(p) for p in paths],
        "history": str(history_path),
        "tool": {"name": "koscom-conformance", "version": __version__},
    }
    doc = summary.build_summary(entries, meta)
    code = exit_code(doc, fail_on)
    doc["exit_code"] = code
    history.finish_audit(
        conn, audit_id, finished_at=finished_at, exit_code=code, runs=[e.run for e in entries]
    )
    _history_page(conn, out, history_path, doc)
    summary.write_summary(doc, out, lang or "en")
    for broker in doc["brokers"]:
        print(f"  {broker['short_name']:<20} {summary.verdict_word(broker):<14} {broker['line']}")
    totals = doc["totals"]
    print(
        f"conformance: {totals['compliant']} of {totals['brokers']} brokers compliant; "
        f"summary: {out / 'summary.html'}; exit {code}",
        flush=True,
    )
    return code
