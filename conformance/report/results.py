"""What the writers need of a results record beyond its reader (conformance.results_doc, the
owner of results.json): counts and the order rules are shown in."""

from __future__ import annotations

from collections import Counter
from typing import Any

from conformance.results_doc import ResultsError, iter_checks, load_results, structure_problem
from conformance.rules import STATUSES

__all__ = ["STATUS_ORDER", "ResultsError", "check_counts", "iter_checks", "load_results", "ordered_rules",
           "structure_problem"]

# Failures first, then warnings; among the rest, what was not judged before what passed.
STATUS_ORDER: dict[str, int] = {"fail": 0, "warn": 1, "waived": 2, "skip": 3, "pass": 4, "not_applicable": 5}
SEVERITY_ORDER: dict[str, int] = {"MUST": 0, "SHOULD": 1, "INFO": 2}


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
