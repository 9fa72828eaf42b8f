"""The pytest plugin: options, fixtures, the `rule` marker, verdicts, results.json.

A check is a test marked `@pytest.mark.rule("ID")`. Its outcome becomes a check record: pass,
fail (ContractViolation), skip / not_applicable (`conformance.checking.NotApplicable`). SHOULD
and INFO failures are reported to pytest as passes carrying a warning, so pytest's own exit status
means "a MUST rule failed". Check data travels in `report.user_properties`, which pytest-xdist
forwards to the controller; only the controller writes results.
"""

from __future__ import annotations

import json
import os
import time
from datetime import UTC
from pathlib import Path
from typing import Any, cast

import pytest

from conformance import clock, outputs, prefetch, results_doc
from conformance.check_records import (
    CLIENT_KEY,
    api_param,
    check_record,
    clean,
    evidence_of,
    replay_excuse_of,
    window_excuse_of,
)
from conformance.checking import CURRENT_RULE, NotApplicable
from conformance.redact import scrub_data
from conformance.rules import AREAS, ContractViolation, get_rule

RESULTS_KEY = pytest.StashKey["RunState"]()
REPORTER_NAME = "conformance-results"
# rows of the onboarding table a check records with record_property (suites/test_onboarding_path.py)
ONBOARDING_ROW = "conformance_onboarding"


class RunState:
    def __init__(self) -> None:
        self.checks: list[dict[str, Any]] = []
        self.run_errors: list[dict[str, str]] = []
        self.started = clock.now().astimezone(UTC)
        self.t0 = time.monotonic()
        self.last_area = ""
        self.last_print = 0.0
        self.done = 0
        self.total = 0
        self.profile: Any = None
        self.recording: Any = None
        self.waivers: list[Any] | None = None  # loaded when a check first needs them (Allure labels)


# every option has an ini twin (pytest-html's manners): `--conformance-areas` ⇔ `conformance_areas`
OPTIONS: tuple[tuple[str, str, str, Any], ...] = (
    ("--profile", "conformance_profile", "broker profile (YAML)", None),
    ("--out", "conformance_out", "folder for results.json (default: no results written)", None),
    ("--conformance-base-url", "conformance_base_url", "override the profile's base_url", None),
    ("--conformance-areas", "conformance_areas", "comma-separated rule areas to run", ""),
    ("--conformance-insecure", "conformance_insecure", "do not verify TLS certificates", False),
    ("--conformance-fuzz", "conformance_fuzz", "schemathesis negative testing", False),
    ("--conformance-progress", "conformance_progress", "print a progress line per area", False),
    ("--conformance-replay", "conformance_replay",
     "answer every question from this recording (evidence.zip or exchanges/ folder)", None),
    ("--conformance-rerun", "conformance_rerun", "earlier results.json: ask only what it left unsettled", None),
    ("--conformance-rerun-label", "conformance_rerun_label", "how the report names that earlier run", None),
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "KOSCOM conformance")
    for flag, ini, text, default in OPTIONS:
        if isinstance(default, bool):
            group.addoption(flag, action="store_true", default=None, help=f"{text} (ini: {ini})")
            parser.addini(ini, text, type="bool", default=default)
        else:
            group.addoption(flag, default=None, help=f"{text} (ini: {ini})")
            parser.addini(ini, text, default=default)
    # repeatable, so no ini twin: a profile's `waivers:` and --waivers both arrive here
    group.addoption("--conformance-waivers", action="append", default=[], help="waivers file (repeatable)")


def option(config: pytest.Config, flag: str) -> Any:
    """An option's value: the command line's, else its ini twin's."""
    value = config.getoption(flag)
    if value is not None:
        return value
    ini = next(i for f, i, _, _ in OPTIONS if f == flag)
    return config.getini(ini)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "rule(rule_id): the conformance rule a check judges")
    config.stash[RESULTS_KEY] = RunState()
    from conformance.report.allure_scrub import install_allure_scrubber

    install_allure_scrubber(config)  # allure-pytest writes exception text that quotes the broker
    if not hasattr(config, "workerinput"):  # only the controller gathers verdicts and writes results
        config.pluginmanager.register(ResultsReporter(config), REPORTER_NAME)


def _area_of(item: pytest.Item) -> str:
    marker = item.get_closest_marker("rule")
    return get_rule(marker.args[0]).area if marker else "zz"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    wanted = {a.strip() for a in (option(config, "--conformance-areas") or "").split(",") if a.strip()}
    unknown = wanted - set(AREAS)
    if unknown:
        raise pytest.UsageError(f"unknown area(s) {', '.join(sorted(unknown))}; areas: {', '.join(AREAS)}")
    previous = _previous(config)
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        marker = item.get_closest_marker("rule")
        if marker is None:
            keep.append(item)
            continue
        get_rule(marker.args[0])  # unknown ids fail loudly
        wanted_here = (not wanted or _area_of(item) in wanted) and (previous is None or previous.selects(item.nodeid))
        (keep if wanted_here else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    order = {area: i for i, area in enumerate(AREAS)}
    items.sort(key=lambda it: order.get(_area_of(it), 99))
    config.stash[RESULTS_KEY].total = len(items)


def _previous(config: pytest.Config) -> Any:
    """The earlier run a rerun completes (conformance.rerun.Previous), or None."""
    path = option(config, "--conformance-rerun")
    if not path:
        return None
    from conformance.rerun import load_previous

    return load_previous(path, option(config, "--conformance-rerun-label"))


def _waivers(config: pytest.Config) -> list[Any]:
    from conformance.waivers import load_waivers

    return [w for path in config.getoption("--conformance-waivers") or [] for w in load_waivers(path)]


# --- fixtures ----------------------------------------------------------------------------------
def _profile(config: pytest.Config) -> Any:
    """The run's broker profile, loaded once per process (ProfileError propagates)."""
    state = config.stash[RESULTS_KEY]
    if state.profile is None:
        from conformance.profile import load_profile

        path = option(config, "--profile")
        if not path:
            raise pytest.UsageError("no broker profile: pass --profile FILE")
        state.profile = load_profile(path, base_url=option(config, "--conformance-base-url"))
    return state.profile


@pytest.fixture(scope="session")
def profile(pytestconfig: pytest.Config) -> Any:
    return _profile(pytestconfig)


@pytest.fixture(scope="session")
def client(profile: Any, pytestconfig: pytest.Config) -> Any:
    from conformance.client import Client

    c = Client(profile, insecure=option(pytestconfig, "--conformance-insecure"), replay=_recording(pytestconfig))
    pytestconfig.stash[CLIENT_KEY] = c
    yield c
    prefetch.finish(pytestconfig)  # every speculative question answered before the record is written
    out = option(pytestconfig, "--out")
    if out:  # every exchange, for the evidence bundle (one file per xdist worker)
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        lines = [json.dumps(scrub_data(exchange.to_evidence()), ensure_ascii=False) + "\n"
                 for exchange in c.exchanges]
        outputs.write_text(Path(out), Path(out) / "exchanges" / f"{worker}.jsonl", "".join(lines))
        prefetch.write_question_counts(c, Path(out) / "exchanges", worker)
    c.close()


def _recording(config: pytest.Config) -> Any:
    """The recording a replayed run answers from (loaded once per process), or None."""
    path = option(config, "--conformance-replay")
    state = config.stash[RESULTS_KEY]
    if path and state.recording is None:
        from conformance.client.replay import RecordingError, load_recording

        try:
            state.recording = load_recording(path)
        except RecordingError as exc:
            raise pytest.UsageError(str(exc)) from None
    return state.recording


@pytest.fixture(scope="session")
def fuzz_enabled(pytestconfig: pytest.Config) -> bool:
    return bool(option(pytestconfig, "--conformance-fuzz"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    """The running check's rule for the helpers (a finding is filed under it unless another rule
    is named), and Allure labels (a hook, not a fixture: a fixture would cost Allure a container
    file per test)."""
    prefetch.before_check(item)  # fixtures are ready: the area's questions are prefetched
    marker = item.get_closest_marker("rule")
    if marker is None:
        yield
        return
    allure = item.config.pluginmanager.hasplugin("allure_pytest")
    if allure:
        from conformance.report.allure_labels import apply_allure_labels

        apply_allure_labels(get_rule(marker.args[0]), api_param(item), _profile(item.config).short_name)
    token = CURRENT_RULE.set(marker.args[0])
    try:
        outcome = yield
    finally:
        CURRENT_RULE.reset(token)
    exc = outcome.excinfo[1] if outcome.excinfo else None
    if allure and isinstance(exc, ContractViolation):  # the evidence, while Allure records the test
        from conformance.report.allure_labels import attach_evidence

        attach_evidence(evidence_of(item, exc.exchanges))


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A check parametrized by an API judges it only where the profile claims it (declared once,
    here, for every check); the answers handed to it are counted from here."""
    client = item.config.stash.get(CLIENT_KEY, None)
    if client is not None:
        client.start_check()
    api = api_param(item)
    if api and item.get_closest_marker("rule") is not None and not _profile(item.config).claims(api):
        raise NotApplicable(f"the profile does not claim {api}")


# --- verdicts ----------------------------------------------------------------------------------
@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    outcome = yield
    report = outcome.get_result()
    marker = item.get_closest_marker("rule")
    if marker is None:
        return
    if report.when in ("setup", "teardown") and report.passed:
        return
    if not (report.when == "call" or report.skipped or report.failed):
        return
    check = check_record(item, call, report, get_rule(marker.args[0]))
    rows = [dict(cast(dict[str, Any], value)) for name, value in item.user_properties if name == ONBOARDING_ROW]
    if rows:
        check["onboarding"] = rows
    excuse = window_excuse_of(item, call) if check["status"] in ("fail", "warn", "skip") else None
    replayed = replay_excuse_of(item) if check["status"] != "not_applicable" else None
    if replayed:  # a question the recording does not hold: neither a pass nor a fail
        check.pop("filed_from", None)
        check.update(rule_id=marker.args[0], status="not_applicable", message=replayed, not_recorded=True,
                     path="", evidence=[], findings=[])
        excuse = None
    if excuse:  # no verdict at all: the check stays with its own rule
        check.pop("filed_from", None)
        check.update(rule_id=marker.args[0], status="not_applicable", message=excuse, window=True, path="",
                     evidence=[], findings=[])
    if check["status"] == "run_error":
        check["status"] = "skip"
        report.user_properties.append(("conformance_run_error", check["message"]))
    elif check["status"] != "fail" and report.failed:
        report.outcome = "passed"  # a warning or an excused answer: pytest sees a pass
        report.longrepr = None
    if check["status"] in ("fail", "warn") and item.config.pluginmanager.hasplugin("allure_pytest"):
        _label_waived(item, check)
    report.user_properties.append(("conformance_check", check))


def _label_waived(item: pytest.Item, check: dict[str, Any]) -> None:
    """Allure writes its record while the check runs: label it `waived` when a valid waiver will
    waive it (the verdict itself changes only in `waivers.apply_waivers`, with the same match)."""
    from conformance.waivers import seoul_date

    state = item.config.stash[RESULTS_KEY]
    if state.waivers is None:
        state.waivers = _waivers(item.config)
    today = seoul_date(state.started)
    broker = _profile(item.config).short_name
    waiver = next((w for w in state.waivers if not w.expired(today)
                   and w.matches(check["rule_id"], broker, check["api"], check["nodeid"])), None)
    if waiver is not None:
        from conformance.report.allure_labels import label_waived

        label_waived(waiver.reason, waiver.approved_by, waiver.expires.isoformat())


class ResultsReporter:
    """The controller's gatherer (registered on it in pytest_configure, as pytest-html does): every
    worker's check records arrive here through pytest-xdist, and it writes results.json once."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.state: RunState = config.stash[RESULTS_KEY]

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        state = self.state
        for name, value in report.user_properties:
            value = cast(Any, value)
            if name == "conformance_check":
                state.checks.append(value)
                state.done += 1
                if option(self.config, "--conformance-progress"):
                    _progress(state, get_rule(value["rule_id"]).area)
            elif name == "conformance_run_error":
                state.run_errors.append({"nodeid": report.nodeid, "message": value})

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        out = option(self.config, "--out")
        if not out:
            return
        results = build_results(self.state, self.config)
        Path(out).mkdir(parents=True, exist_ok=True)
        outputs.write_text(Path(out), Path(out) / "results.json",
                           json.dumps(scrub_data(results), ensure_ascii=False, indent=1))


def _progress(state: RunState, area: str) -> None:
    now = time.monotonic()
    if area != state.last_area or now - state.last_print > 3:
        done = f"{state.done}/{state.total}" if state.total else str(state.done)  # xdist: total unknown here
        print(f"  [{now - state.t0:5.1f}s] {area:<15} {done} checks", flush=True)
        state.last_area, state.last_print = area, now


def build_results(state: RunState, config: pytest.Config) -> dict[str, Any]:
    """The run's record, assembled by its owner module (conformance.results_doc) from what the
    controller gathered."""
    from conformance.profile import ProfileError

    broker: dict[str, Any] = {}
    insecure = bool(option(config, "--conformance-insecure"))
    try:
        prof = _profile(config)
        broker = {"name": prof.name, "short_name": prof.short_name, "code": prof.code, "base_url": prof.base_url}
        insecure = insecure or not prof.tls_verify  # tls: {verify: false} is as loud as --insecure
    except (ProfileError, pytest.UsageError):
        broker = {}
    previous = _previous(config)
    results = results_doc.assemble(
        checks=state.checks, carried=previous.carried() if previous else [], run_errors=state.run_errors,
        broker=broker, started=state.started,
        finished=clock.now().astimezone(UTC), duration_s=round(time.monotonic() - state.t0, 2),
        areas=[a for a in (option(config, "--conformance-areas") or "").split(",") if a],
        fuzz=bool(option(config, "--conformance-fuzz")), insecure=insecure,
        profile_path=option(config, "--profile") or "",
        questions=prefetch.question_summary(Path(option(config, "--out") or ".") / "exchanges"))
    results["onboarding"] = results_doc.onboarding_rows(state.checks, clean)
    if option(config, "--conformance-replay"):  # which recording answered, and what it could not judge
        results["replay"] = {**_recording(config).info(),
                             "not_judged": sum(1 for c in state.checks if c.get("not_recorded"))}
    if previous is not None:
        results["rerun"] = previous.note(state.checks)
        results["options"]["rerun_failed"] = previous.label
    waivers = _waivers(config)
    if waivers or config.getoption("--conformance-waivers"):
        results["options"]["waivers"] = list(config.getoption("--conformance-waivers"))
        from conformance.waivers import apply_waivers, seoul_date

        # the one place waivers change verdicts, after the fold; "today" is the run's start, in Seoul
        apply_waivers(results, waivers, seoul_date(state.started))
    return results
