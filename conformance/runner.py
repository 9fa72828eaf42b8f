"""`conformance run`: audit one broker with the suites, then write the report set.

No profile: the bundled reference broker `diamond` is started in-process on a free loopback
port and audited with profiles/diamond.yaml (the embedded default).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from argparse import Namespace
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from conformance import outputs, results_doc
from conformance.outcomes import IN_PROCESS_ENV, OUTCOME_FILE_ENV, RunOutcome, UsageError
from conformance.paths import profiles_dir, suites_dir
from conformance.profile import ProfileError, load_profile
from conformance.rules import AREAS


@contextlib.contextmanager
def _embedded_broker() -> Iterator[str]:
    from conformance.reference.server import ReferenceServer

    with ReferenceServer(broker="diamond") as server:
        yield server.base_url


def pytest_command(profile_path: str, out: Path, *, base_url: str | None, areas: list[str], fuzz: bool,
                   insecure: bool, progress: bool, extra: list[str], waivers: tuple[str, ...] = (),
                   rerun: tuple[str, str] | None = None) -> list[str]:
    suites = suites_dir()
    cmd = [sys.executable, "-m", "pytest", str(suites), "-c", str(suites / "pytest.ini"),
           "--rootdir", str(suites), "-p", "conformance.plugin", "-p", "no:terminal",
           "--profile", profile_path, "--out", str(out), "--alluredir", str(out / "allure-results"),
           "--clean-alluredir", "--import-mode=importlib",
           # plugins a conformance run never uses; each costs start-up time
           "-p", "no:schemathesis", "-p", "no:hypothesispytest", "-p", "no:anyio", "-p", "no:benchmark"]
    if base_url:
        cmd += ["--conformance-base-url", base_url]
    if areas:
        cmd += ["--conformance-areas", ",".join(areas)]
    if fuzz:
        cmd.append("--conformance-fuzz")
    if insecure:
        cmd.append("--conformance-insecure")
    if progress:
        cmd.append("--conformance-progress")
    for path in waivers:
        cmd += ["--conformance-waivers", path]
    if rerun:
        cmd += ["--conformance-rerun", rerun[0], "--conformance-rerun-label", rerun[1]]
    return cmd + extra


def write_reports(out: Path, results: dict[str, Any], profile: Any, exchanges: list[dict[str, Any]],
                  sign_key: str | None = None, lang: str = "en") -> None:
    """report.html, junit.xml and evidence.zip (signed with `sign_key`), all read from the results record."""
    from conformance.report.bundle import collect_contract_files, write_bundle
    from conformance.report.html import render_html
    from conformance.report.junit import write_junit

    render_html(results, out, lang)
    write_junit(results, out / "junit.xml")
    write_bundle(out, results, exchanges, profile.public_dict(), collect_contract_files(), sign_key=sign_key)


def recorded_exchanges(out: Path) -> list[dict[str, Any]]:
    """Every exchange the run recorded (exchanges/*.jsonl, one file per pytest worker)."""
    exchanges: list[dict[str, Any]] = []
    folder = out / "exchanges"
    for file in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        # split on "\n" only: bodies may hold U+2028 and other characters str.splitlines() splits on
        exchanges.extend(json.loads(line) for line in file.read_text(encoding="utf-8").split("\n") if line)
    return exchanges


def run_command(args: Namespace) -> int:
    outcome, reason = run_outcome(args)
    target = os.environ.get(OUTCOME_FILE_ENV)
    if target:  # the fleet audit's typed handoff (its work folder is swept by the scrubber)
        Path(target).write_text(json.dumps({"outcome": outcome.value, "reason": reason}, ensure_ascii=False),
                                encoding="utf-8")
    return outcome.exit_code


def run_outcome(args: Namespace) -> tuple[RunOutcome, str]:
    """Run one broker; what came of it, and why when it is not a verdict."""
    areas = list(args.area or [])
    unknown = [a for a in areas if a not in AREAS]
    if unknown:
        raise UsageError(f"unknown area {unknown[0]!r}; areas: {', '.join(AREAS)}")
    sign_key = getattr(args, "sign_key", None)
    if sign_key:
        from conformance.signing import SigningError, load_private_key

        try:
            load_private_key(sign_key)  # a bad key is a usage error before the run, not after it
        except SigningError as exc:
            raise UsageError(str(exc)) from None
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        rerun = _keep_previous(stack, getattr(args, "rerun_failed", None))  # before --out is cleared
        if rerun and not areas:
            areas = [a for a in rerun.results.get("options", {}).get("areas") or [] if a in AREAS]
        outputs.clear_owned(out)  # stale exchanges of an earlier run must never enter this run's bundle
        replay_opts: list[str] = []
        env: dict[str, str] | None = None
        if getattr(args, "replay", None):  # no gateway at all: every answer from the recording
            from conformance.replaying import prepare

            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="conformance-replay-")))
            recording, profile_path, added = prepare(args.replay, args.profile, workdir)
            base_url, env = None, {**os.environ, **added}
            replay_opts = ["--conformance-replay", str(Path(args.replay).resolve())]
            if not args.quiet:
                print(f"conformance: replaying {recording.source} ({len(recording.exchanges)} recorded exchanges, "
                      f"recorded {recording.recorded_at or 'at an unknown time'}); no request is sent", flush=True)
        elif args.profile:
            profile_path, base_url = args.profile, None
        else:
            profile_path = str(profiles_dir() / "diamond.yaml")
            base_url = stack.enter_context(_embedded_broker())
        try:
            profile = load_profile(profile_path, base_url=base_url)
        except ProfileError as exc:
            print(f"conformance: {exc}", file=sys.stderr)
            return RunOutcome.BAD_PROFILE, str(exc)
        waivers = tuple(p for p in (profile.waivers, getattr(args, "waivers", None)) if p)
        for path in waivers:  # a malformed waivers file is a usage error before the run (exit 2)
            from conformance.waivers import load_waivers

            load_waivers(path)
        if rerun:
            before = str((rerun.results.get("broker") or {}).get("short_name") or "")
            if before and before != profile.short_name:
                raise UsageError(f"--rerun-failed: {args.rerun_failed} is a report on {before!r}, "
                                 f"the profile is {profile.short_name!r}")
        insecure = args.insecure or not profile.tls_verify
        if insecure:
            why = "--insecure" if args.insecure else f"tls: {{verify: false}} in {profile_path}"
            print(f"conformance: warning: TLS certificate verification is OFF ({why}); "
                  "the report will say so", file=sys.stderr)
        if not args.quiet and not replay_opts:
            print(f"conformance: auditing {profile.name} ({profile.short_name}) at {profile.base_url}", flush=True)
        started = time.monotonic()
        cmd = pytest_command(profile_path, out, base_url=base_url, areas=areas, fuzz=args.fuzz,
                             insecure=insecure, progress=not args.quiet,
                             extra=replay_opts + list(args.pytest_args),
                             waivers=waivers, rerun=(rerun.copy, args.rerun_failed) if rerun else None)
        if os.environ.get(IN_PROCESS_ENV) == "1" and env is None and base_url is None:
            code, err = _pytest_in_process(cmd[3:])  # the same arguments, without `python -m pytest`
        else:
            proc = subprocess.run(cmd, stdout=None if not args.quiet else subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True, check=False, env=env)
            code, err = proc.returncode, proc.stderr
        results_file = out / "results.json"
        if not results_file.exists():
            reason = _last_line(err) or f"pytest exited with {code}"
            print(f"conformance: the run could not be made: {reason}", file=sys.stderr)
            return RunOutcome.HARNESS_ERROR, reason
        for folder in ("allure-results", "exchanges"):  # written by other processes: scrubbed once more
            outputs.sweep(out, folder)
        try:
            results = results_doc.load_results(results_file)
        except results_doc.ResultsError as exc:
            print(f"conformance: the run could not be made: {exc}", file=sys.stderr)
            return RunOutcome.HARNESS_ERROR, str(exc)
        exchanges = recorded_exchanges(out)
        try:
            # --lang, else the profile's report.lang, else English
            lang = getattr(args, "lang", None) or profile.report_lang or "en"
            write_reports(out, results, profile, exchanges, sign_key=sign_key, lang=lang)
        except Exception as exc:  # noqa: BLE001 - the verdict stands; say which output is missing
            print(f"conformance: results.json is written, but the reports could not be: "
                  f"{type(exc).__name__}: {exc}", file=sys.stderr)
        summary = results_doc.summary_of(results)
        if not args.quiet:
            print(f"conformance: {summary.rules} rules: {summary.passed} pass, {summary.failed} fail, "
                  f"{summary.warned} warn, {summary.skipped} skip, {summary.not_applicable} n/a "
                  f"in {time.monotonic() - started:.1f}s")
            verdict = ("COMPLIANT" if summary.compliant
                       else f"NOT COMPLIANT ({summary.must_failed} MUST rules failed)")
            if summary.unchecked:
                verdict += f" (partial run: {summary.unchecked} rules not checked)"
            if summary.waived:
                verdict += f" ({summary.waived} rules waived)"
            print(f"conformance: {verdict}; report: {out / 'report.html'}")
            record = results_doc.read_record(results)
            if record.waivers is not None:
                block = record.waivers
                print(f"conformance: waivers: {len(block.applied)} applied, {len(block.expired)} expired, "
                      f"{len(block.unused)} unused, {len(block.expiring_soon)} expire within 14 days")
            if record.rerun:
                note = record.rerun
                print(f"conformance: rerun: {note['asked_again']} checks asked again, "
                      f"{note['carried_over']} carried over from {note['previous_started_at']}")
            questions = results_doc.questions_of(results)
            if questions:
                print(f"conformance: {questions_line(questions)}")
        unreachable = None if replay_opts else _unreachable_reason(exchanges)
        if unreachable:
            print(f"conformance: the gateway could not be reached at all: {unreachable}", file=sys.stderr)
            return RunOutcome.UNREACHABLE, f"the gateway could not be reached at all: {unreachable}"
        return (RunOutcome.COMPLIANT if summary.compliant else RunOutcome.NOT_COMPLIANT), ""


class _StderrTail(io.TextIOBase):
    """sys.stderr as it was, keeping the last characters written through it (for _last_line)."""

    def __init__(self, target: Any, keep: int = 64_000) -> None:
        self.target, self.keep, self.tail = target, keep, ""

    def write(self, text: str) -> int:
        self.tail = (self.tail + text)[-self.keep:]
        return int(self.target.write(text))

    def flush(self) -> None:
        self.target.flush()

    def fileno(self) -> int:  # faulthandler writes to the real stream
        return int(self.target.fileno())

    def isatty(self) -> bool:
        return bool(self.target.isatty())

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return str(getattr(self.target, "encoding", None) or "utf-8")


def _pytest_in_process(arguments: list[str]) -> tuple[int, str]:
    """pytest.main in this process (a fleet audit's child: the audit already isolates the broker);
    its exit code and what it wrote to stderr."""
    import pytest

    tail = _StderrTail(sys.stderr)
    with contextlib.redirect_stderr(tail):  # type: ignore[type-var]
        code = pytest.main(arguments)
    return int(code), tail.tail


class _Kept:
    """The earlier results of a rerun, copied aside: --out may be the folder they are in."""

    def __init__(self, results: dict[str, Any], copy: str) -> None:
        self.results, self.copy = results, copy


def _keep_previous(stack: contextlib.ExitStack, path: str | None) -> _Kept | None:
    if not path:
        return None
    import tempfile

    from conformance.rerun import load_previous

    previous = load_previous(path)  # UsageError (exit 2) when it is no results file
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="conformance-rerun-")))
    copy = folder / "previous-results.json"
    copy.write_text(json.dumps(previous.results, ensure_ascii=False), encoding="utf-8")
    return _Kept(previous.results, str(copy))


def questions_line(questions: dict[str, Any]) -> str:
    """`428 questions: paging 277, errors 57, ...` (most first): what the run cost the gateway."""
    parts = sorted(questions.get("by_area", {}).items(), key=lambda kv: (-kv[1], kv[0]))
    return f"{questions.get('total', 0)} questions: " + ", ".join(f"{a} {n}" for a, n in parts)


def _unreachable_reason(exchanges: list[dict[str, Any]]) -> str | None:
    """Why no exchange got any HTTP answer (the first transport error), or None if one did."""
    if not exchanges or any(e["response"]["status"] is not None for e in exchanges):
        return None
    return str(exchanges[0]["response"].get("error") or "no answer")


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    for line in reversed(lines):
        if "UsageError" in line or line.startswith("ERROR"):
            return line
    return lines[-1] if lines else ""
