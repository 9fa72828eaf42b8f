"""results.json, owned here: its JSON Schema, how a run's record is assembled, and the one reader
every consumer uses (writers, the runner, the fleet audit). The schema is schemas/results.schema.json,
not in schemas/json/, which holds only what contract.build compiles.

DESIGN.md fixes the interface; extensions are additive. The reader accepts compatible extensions
(extra keys) and refuses only what cannot be read: not JSON, not an object, no `rules` list, a rule
without an id. The schema is stricter: it is what a run writes, proved against real runs in tests.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from conformance import __version__
from conformance.contract import API_IDS, get_api
from conformance.contract.window import in_closed_hours
from conformance.paths import schemas_dir
from conformance.rules import load_rules, rule_status

SCHEMA_FILE = "results.schema.json"
# what results.json keeps of a check record (window: excused by C27; filed_from: raised by another
# rule's check; findings: the typed defects of a failure; not_recorded: a replayed check whose
# question the recording lacks; carried_over / checked_at: kept by a rerun from the earlier run)
CHECK_KEYS = ("nodeid", "api", "status", "message", "path", "evidence", "window", "filed_from", "findings",
              "not_recorded", "carried_over", "checked_at")
COUNTED = ("pass", "fail", "warn", "skip", "not_applicable", "waived")
ONBOARDING_ORDER = ("member_without_account", "unlinked_account", "other_service_account", "expired_consent_account")


class ResultsError(Exception):
    """A results file that cannot be read; the message is one line naming the file."""


# --- writing -----------------------------------------------------------------------------------
def assemble(*, checks: list[dict[str, Any]], carried: list[dict[str, Any]] | None = None,
             run_errors: list[dict[str, str]], broker: dict[str, Any],
             started: datetime, finished: datetime, duration_s: float, areas: list[str], fuzz: bool,
             insecure: bool, profile_path: str, questions: dict[str, Any]) -> dict[str, Any]:
    """A run's record: check records folded into rule statuses, in catalogue order."""
    by_rule: dict[str, list[dict[str, Any]]] = {}
    checks = list(checks) + list(carried or [])  # a rerun's carried-over checks count as this run's
    for check in checks:
        by_rule.setdefault(check["rule_id"], []).append(check)
    rules_out = []
    counts = dict.fromkeys(COUNTED, 0)
    must_failed = 0
    for rule in load_rules().values():
        mine = sorted(by_rule.get(rule.id, []), key=lambda c: (c["api"], c["nodeid"]))
        status = rule_status(rule.severity, [c["status"] for c in mine])  # no checks: skip
        counts[status] += 1
        must_failed += status == "fail"
        entry: dict[str, Any] = {
            "id": rule.id, "title": rule.title, "area": rule.area, "severity": rule.severity,
            "spec_ref": rule.spec_ref, "status": status,
            "checks": [{k: c[k] for k in CHECK_KEYS if k in c} for c in mine],
        }
        if not mine:
            entry["note"] = ("not checked in this run" if areas and rule.area not in areas
                             else "no check ran for this rule")
        rules_out.append(entry)
    return {
        "tool": {"name": "koscom-conformance", "version": __version__},
        "broker": broker,
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": finished.isoformat(timespec="seconds"),
        "duration_s": duration_s,
        "options": {"areas": areas, "fuzz": fuzz, "insecure": insecure, "profile": profile_path},
        "summary": {"rules": len(rules_out), **counts, "must_failed": must_failed,
                    "unchecked": sum(1 for r in rules_out if not r["checks"]),
                    "compliant": must_failed == 0 and not run_errors,
                    "checks": len(checks), "run_errors": len(run_errors)},
        "rules": rules_out,
        "run_errors": run_errors,
        "query_window": query_window_note(started, finished, checks),
        "questions": questions,
    }


def onboarding_rows(checks: list[dict[str, Any]], clean: Any) -> list[dict[str, Any]]:
    """The onboarding path of the run: per state, what was asked of whom and what the broker answered,
    with the verdict of the rule that judged it (a row the check found right is a pass)."""
    rows = []
    for check in checks:
        for row in check.get("onboarding", []):
            verdict = "pass" if row.get("ok") else check["status"]
            rows.append({"state": row["state"], "label": row["label"], "subject": row["subject"],
                         "asked": row["asked"], "answered": clean(str(row["answered"])),
                         "rule_id": check["rule_id"], "verdict": verdict})
    order = ONBOARDING_ORDER
    return sorted(rows, key=lambda r: (order.index(r["state"]) if r["state"] in order else 9, r["rule_id"]))


def query_window_note(started: datetime, finished: datetime, checks: list[dict[str, Any]]) -> dict[str, Any]:
    """When the run met the C27 closed hours, and which checks it therefore could not judge."""
    excused = [{"rule_id": c["rule_id"], "api": c["api"], "nodeid": c["nodeid"]} for c in checks if c.get("window")]
    inside = in_closed_hours(started) or in_closed_hours(finished) or bool(excused)
    note = ""
    if excused:
        note = (f"{len(excused)} check(s) of {', '.join(sorted({e['api'] for e in excused}))} met an error answer "
                "between 08:30 and 16:00 Seoul time, when these APIs need not answer (C27): not applicable. "
                "A run before 08:30 or from 16:00 Seoul time judges them.")
    elif inside:
        note = "The run fell between 08:30 and 16:00 Seoul time; the time-windowed APIs answered all the same."
    return {"timezone": "Asia/Seoul", "closed_hours": "08:30-16:00",
            "apis": [a for a in API_IDS if get_api(a).time_window],
            "in_closed_hours": inside, "not_judged": excused, "note": note}


# --- reading -----------------------------------------------------------------------------------
def load_results(path: str | Path) -> dict[str, Any]:
    """The record saved at `path`; ResultsError (one line) when it cannot be read as one."""
    source = Path(path)
    try:
        raw = source.read_bytes()
    except FileNotFoundError:
        raise ResultsError(f"{source}: no such file") from None
    except OSError as exc:
        raise ResultsError(f"{source}: cannot be read ({exc.strerror or exc})") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ResultsError(f"{source}: not a JSON results file ({' '.join(str(exc).split())})") from None
    problem = structure_problem(data)
    if problem:
        raise ResultsError(f"{source}: not a results file: {problem}")
    return data  # type: ignore[no-any-return]


def parse_record(text: str | bytes, source: str = "results.json") -> dict[str, Any]:
    """A record read from memory (an evidence bundle's member); ResultsError when it is not one."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ResultsError(f"{source}: not a JSON results file ({' '.join(str(exc).split())})") from None
    problem = structure_problem(data)
    if problem:
        raise ResultsError(f"{source}: not a results file: {problem}")
    return data  # type: ignore[no-any-return]


def structure_problem(data: Any) -> str | None:
    """What makes `data` unusable as a results record, or None."""
    if not isinstance(data, dict):
        return "the top level is not a JSON object"
    if not isinstance(data.get("rules"), list):
        return "'rules' is missing or not a list"
    for index, rule in enumerate(data["rules"]):
        if not isinstance(rule, dict) or not isinstance(rule.get("id"), str):
            return f"rules[{index}] has no string 'id'"
        if not isinstance(rule.get("checks", []), list):
            return f"rules[{index}] ({rule['id']}): 'checks' is not a list"
    for key in ("summary", "broker", "tool", "options"):
        if key in data and not isinstance(data[key], dict):
            return f"'{key}' is not an object"
    return None


@functools.lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    return json.loads((schemas_dir() / SCHEMA_FILE).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def schema_errors(data: Any) -> list[str]:
    """Where a record departs from what a run writes (empty: it is a run's record)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema())
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))]


@dataclass(frozen=True)
class Summary:
    """The summary block, typed (a record of an older run may lack the later counts: 0)."""

    rules: int
    passed: int
    failed: int
    warned: int
    skipped: int
    not_applicable: int
    must_failed: int
    compliant: bool
    unchecked: int = 0
    checks: int = 0
    run_errors: int = 0
    waived: int = 0  # rules waived (conformance.waivers)
    waived_checks: int = 0


def summary_of(results: dict[str, Any]) -> Summary:
    s = results.get("summary") or {}
    return Summary(rules=int(s.get("rules", len(results["rules"]))), passed=int(s.get("pass", 0)),
                   failed=int(s.get("fail", 0)), warned=int(s.get("warn", 0)), skipped=int(s.get("skip", 0)),
                   not_applicable=int(s.get("not_applicable", 0)), must_failed=int(s.get("must_failed", 0)),
                   compliant=bool(s.get("compliant", False)), unchecked=int(s.get("unchecked", 0)),
                   checks=int(s.get("checks", 0)), run_errors=int(s.get("run_errors", 0)),
                   waived=int(s.get("waived") or 0), waived_checks=int(s.get("waived_checks") or 0))


def verdicts(results: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    """Rule id → (area, severity, status): what the history stores of a run."""
    return {r.id: (r.area, r.severity, r.status or "skip") for r in read_record(results).rules}


def iter_checks(results: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Every (rule, check) pair, in results order."""
    for rule in results.get("rules", []):
        for check in rule.get("checks", []) or []:
            if isinstance(check, dict):
                yield rule, check


def questions_of(results: dict[str, Any]) -> dict[str, Any]:
    """`{"total": N, "by_area": {...}}`, empty for a record without question counts."""
    questions = results.get("questions")
    return questions if isinstance(questions, dict) else {}


# --- the typed reader ----------------------------------------------------------------------------
# What every writer reads of a record. Strings missing from a loose record (an older run, a test's
# sketch) read as "", so writers do not guard each field; a consumer that wants another default for
# a missing status applies it (`rule.status or "skip"`). Exchanges stay the mappings evidence.py
# records (Exchange.to_evidence), and the waiver entries those of conformance.waivers.
def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> tuple[dict[str, Any], ...]:
    return tuple(item for item in value or () if isinstance(item, dict)) if isinstance(value, list) else ()


@dataclass(frozen=True)
class FindingRecord:
    """One typed defect of a failed check (conformance.findings, as saved)."""

    rule: str
    message: str
    path: str
    api: str
    expected: str
    actual: str
    kind: str


@dataclass(frozen=True)
class CheckRecord:
    nodeid: str
    api: str
    status: str
    message: str
    path: str
    evidence: tuple[dict[str, Any], ...]
    findings: tuple[FindingRecord, ...]
    window: bool  # excused by C27
    carried_over: bool  # kept by a rerun from the earlier run (of `checked_at`)
    checked_at: str
    waiver: dict[str, Any] | None  # the waiver that waived it
    waived_status: str  # what it was before the waiver


@dataclass(frozen=True)
class RuleRecord:
    id: str
    title: str
    area: str
    severity: str
    spec_ref: str
    status: str
    checks: tuple[CheckRecord, ...]


@dataclass(frozen=True)
class QueryWindow:
    """The C27 note: whether the run met the closed hours, and the checks it could not judge."""

    in_closed_hours: bool
    closed_hours: str
    note: str
    not_judged: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class WaiverNotes:
    """The waivers block: entries as conformance.waivers writes them."""

    applied: tuple[dict[str, Any], ...]
    expired: tuple[dict[str, Any], ...]
    unused: tuple[dict[str, Any], ...]
    expiring_soon: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Record:
    """A results record as its readers see it. Blocks a record may lack are None (or empty)."""

    tool: dict[str, Any]
    broker: dict[str, Any]
    started_at: str
    finished_at: str
    duration_s: Any
    options: dict[str, Any]
    summary_block: dict[str, Any] | None  # as saved (the pages print its counts); None: the record has none
    summary: Summary
    rules: tuple[RuleRecord, ...]
    run_errors: tuple[dict[str, Any], ...]
    query_window: QueryWindow | None
    waivers: WaiverNotes | None
    onboarding: Any
    replay: dict[str, Any] | None
    passive: dict[str, Any] | None
    rerun: dict[str, Any] | None

    def checks(self) -> Iterator[tuple[RuleRecord, CheckRecord]]:
        """Every (rule, check) pair, in results order."""
        for rule in self.rules:
            for check in rule.checks:
                yield rule, check


def finding_record(raw: dict[str, Any]) -> FindingRecord:
    return FindingRecord(rule=_text(raw.get("rule")), message=_text(raw.get("message")), path=_text(raw.get("path")),
                         api=_text(raw.get("api")), expected=_text(raw.get("expected")),
                         actual=_text(raw.get("actual")), kind=_text(raw.get("kind")))


def check_record(raw: dict[str, Any]) -> CheckRecord:
    waiver = raw.get("waiver")
    return CheckRecord(
        nodeid=_text(raw.get("nodeid")), api=_text(raw.get("api")), status=_text(raw.get("status")),
        message=_text(raw.get("message")), path=_text(raw.get("path")), evidence=_dicts(raw.get("evidence")),
        findings=tuple(finding_record(f) for f in _dicts(raw.get("findings"))), window=bool(raw.get("window")),
        carried_over=bool(raw.get("carried_over")), checked_at=_text(raw.get("checked_at")),
        waiver=waiver if isinstance(waiver, dict) else None, waived_status=_text(raw.get("waived_status")))


def rule_record(raw: dict[str, Any]) -> RuleRecord:
    return RuleRecord(id=_text(raw.get("id")), title=_text(raw.get("title")), area=_text(raw.get("area")),
                      severity=_text(raw.get("severity")), spec_ref=_text(raw.get("spec_ref")),
                      status=_text(raw.get("status")),
                      checks=tuple(check_record(c) for c in _dicts(raw.get("checks"))))


def _query_window(raw: Any) -> QueryWindow | None:
    if not isinstance(raw, dict):
        return None
    return QueryWindow(in_closed_hours=bool(raw.get("in_closed_hours")), closed_hours=_text(raw.get("closed_hours")),
                       note=_text(raw.get("note")), not_judged=_dicts(raw.get("not_judged")))


def _waiver_notes(raw: Any) -> WaiverNotes | None:
    if not isinstance(raw, dict):
        return None
    return WaiverNotes(applied=_dicts(raw.get("applied")), expired=_dicts(raw.get("expired")),
                       unused=_dicts(raw.get("unused")), expiring_soon=_dicts(raw.get("expiring_soon")))


def read_record(results: dict[str, Any]) -> Record:
    """The typed view of a record that load_results or parse_record returned (or a writer scrubbed)."""
    optional = {key: results[key] if isinstance(results.get(key), dict) else None
                for key in ("replay", "passive", "rerun")}
    return Record(
        tool=_mapping(results.get("tool")), broker=_mapping(results.get("broker")),
        started_at=_text(results.get("started_at")), finished_at=_text(results.get("finished_at")),
        duration_s=results.get("duration_s"), options=_mapping(results.get("options")),
        summary_block=results["summary"] if isinstance(results.get("summary"), dict) else None,
        summary=summary_of(results),
        rules=tuple(rule_record(r) for r in _dicts(results.get("rules"))),
        run_errors=_dicts(results.get("run_errors")), query_window=_query_window(results.get("query_window")),
        waivers=_waiver_notes(results.get("waivers")), onboarding=results.get("onboarding"), **optional)
