"""What the writers need of a results record beyond its reader (conformance.results_doc, the
owner of results.json): counts and the order rules are shown in."""

from __future__ import annotations

from collections import Counter

from conformance.results_doc import (
    CheckRecord,
    Record,
    ResultsError,
    RuleRecord,
    iter_checks,
    load_results,
    read_record,
    structure_problem,
)
from conformance.rules import STATUSES

__all__ = ["STATUS_ORDER", "CheckRecord", "Record", "ResultsError", "RuleRecord", "check_counts", "iter_checks",
           "load_results", "ordered_rules", "read_record", "structure_problem"]

# Failures first, then warnings; among the rest, what was not judged before what passed.
STATUS_ORDER: dict[str, int] = {"fail": 0, "warn": 1, "waived": 2, "skip": 3, "pass": 4, "not_applicable": 5}
SEVERITY_ORDER: dict[str, int] = {"MUST": 0, "SHOULD": 1, "INFO": 2}


def check_counts(record: Record) -> Counter[str]:
    """Checks by status (every status present as a key; a check without one counts as skip)."""
    counts: Counter[str] = Counter({status: 0 for status in STATUSES})
    for _, check in record.checks():
        counts[check.status or "skip"] += 1
    return counts


def rule_sort_key(rule: RuleRecord) -> tuple[int, int]:
    return (STATUS_ORDER.get(rule.status, len(STATUS_ORDER)), SEVERITY_ORDER.get(rule.severity, len(SEVERITY_ORDER)))


def ordered_rules(record: Record) -> list[RuleRecord]:
    """Rules failures first (fail, warn, skip, pass, not applicable), MUST before SHOULD before
    INFO, otherwise in catalogue order (the sort is stable)."""
    return sorted(record.rules, key=rule_sort_key)
