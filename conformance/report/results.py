"""Reading a saved results.json (DESIGN.md's fixed interface) for the writers, with one-line errors.

Writers accept compatible extensions (extra keys) and tolerate missing optional parts; they refuse
only what they cannot render: not JSON, not an object, no `rules` list, a rule without an id.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from conformance.rules import STATUSES

# Failures first, then warnings; among the rest, what was not judged before what passed.
STATUS_ORDER: dict[str, int] = {"fail": 0, "warn": 1, "waived": 2, "skip": 3, "pass": 4, "not_applicable": 5}
SEVERITY_ORDER: dict[str, int] = {"MUST": 0, "SHOULD": 1, "INFO": 2}


class ResultsError(Exception):
    """A results file that cannot be rendered; the message is one line naming the file."""


def load_results(path: str | Path) -> dict[str, Any]:
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
        raise ResultsError(f"{source}: not a JSON results file ({_one_line(exc)})") from None
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


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def iter_checks(results: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Every (rule, check) pair, in results order."""
    for rule in results.get("rules", []):
        for check in rule.get("checks", []) or []:
            if isinstance(check, dict):
                yield rule, check


def check_counts(results: dict[str, Any]) -> Counter[str]:
    """Checks by status (every status present as a key)."""
    counts: Counter[str] = Counter({status: 0 for status in STATUSES})
    for _, check in iter_checks(results):
        counts[str(check.get("status", "skip"))] += 1
    return counts


def rule_sort_key(rule: dict[str, Any]) -> tuple[int, int]:
    return (STATUS_ORDER.get(str(rule.get("status")), len(STATUS_ORDER)),
            SEVERITY_ORDER.get(str(rule.get("severity")), len(SEVERITY_ORDER)))


def ordered_rules(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Rules failures first (fail, warn, skip, pass, not applicable), MUST before SHOULD before
    INFO, otherwise in catalogue order (the sort is stable)."""
    return sorted(results.get("rules", []), key=rule_sort_key)
