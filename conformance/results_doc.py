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


def summary_of(results: dict[str, Any]) -> Summary:
    s = results.get("summary") or {}
    return Summary(rules=int(s.get("rules", len(results["rules"]))), passed=int(s.get("pass", 0)),
                   failed=int(s.get("fail", 0)), warned=int(s.get("warn", 0)), skipped=int(s.get("skip", 0)),
                   not_applicable=int(s.get("not_applicable", 0)), must_failed=int(s.get("must_failed", 0)),
                   compliant=bool(s.get("compliant", False)), unchecked=int(s.get("unchecked", 0)),
                   checks=int(s.get("checks", 0)), run_errors=int(s.get("run_errors", 0)))


def verdicts(results: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    """Rule id → (area, severity, status): what the history stores of a run."""
    return {r["id"]: (str(r.get("area", "")), str(r.get("severity", "")), str(r.get("status", "skip")))
            for r in results["rules"]}


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
