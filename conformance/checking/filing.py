"""Filing findings: the running check's rule, violations, and the not-applicable outcome."""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any, NoReturn

import pytest

from conformance.contract import Violation
from conformance.evidence import Exchange
from conformance.findings import render
from conformance.rules import ContractViolation

NOT_APPLICABLE = "not_applicable: "
# The user property under which a passing check leaves what it observed (INFO rules).
NOTE = "conformance_note"
# the rule of the check now running, set by the plugin: helpers file under it unless told otherwise
CURRENT_RULE: ContextVar[str] = ContextVar("conformance_current_rule", default="")


def current_rule(rule_id: str | None = None) -> str:
    """The rule a finding belongs to: the one named, else the running check's own."""
    rule = rule_id or CURRENT_RULE.get()
    if not rule:
        raise RuntimeError("no rule: call from a check marked @pytest.mark.rule(...) or name the rule")
    return rule


def violate(rule_id: str | None, message: str, *, exchanges: Iterable[Exchange] = (), path: str = "",
            api: str = "") -> NoReturn:
    """Fail a rule (None: the running check's) with the evidence that proves it."""
    exchanges = list(exchanges)
    raise ContractViolation(current_rule(rule_id), message, path=path, api=api, exchanges=[e.id for e in exchanges])


class NotApplicable(pytest.skip.Exception):  # type: ignore[misc,name-defined]
    """The typed outcome of a check that cannot apply to this broker (a capability or account it
    does not declare). The plugin recognises the class; the skip text keeps its old form."""

    def __init__(self, reason: str) -> None:
        super().__init__(NOT_APPLICABLE + reason)
        self.reason = reason


# pytest prints a skip as "Skipped: <reason>"; keep that line for output compatibility
NotApplicable.__module__, NotApplicable.__qualname__ = "builtins", "Skipped"


def not_applicable(reason: str) -> NoReturn:
    raise NotApplicable(reason)


def report(rule_id: str, violations: list[Violation], exchange: Exchange, api: str) -> None:
    """Fail `rule_id` with every violation of it found in one message, each a typed finding (the
    message lists them, path first; the first one's path is the check's)."""
    mine = [v.finding(api, [exchange.id]) for v in violations if v.rule_id == rule_id]
    if not mine:
        return
    raise ContractViolation(rule_id, render(mine), path=mine[0].path, api=api, exchanges=[exchange.id],
                            findings=mine)


def note(record_property: Any, text: str) -> None:
    """Leave an observation on a passing check (pytest's `record_property` fixture): the verdict
    layer writes it as the check's message in results.json."""
    record_property(NOTE, text)
