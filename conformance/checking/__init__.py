"""What every suite needs to turn evidence into verdicts, split by job:

- `filing`: the running check's rule, `violate`, the typed `NotApplicable` outcome;
- `answers`: asking the broker, demanding success answers, judging messages for one rule;
- `paging`: list items, item identity, page chains;
- `window`: the C27 closed hours;
- `context`: `@check(rule, requires=...)` and the `CheckContext` a check receives.

The flat names below are the old `ck.*` API, kept so that checks written against it still run.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance.checking.answers import (
    Answer,
    accounts,
    answer,
    ask,
    claimed,
    default_exchange,
    findings,
    first_account,
    first_b2b,
    is_success,
    judge_messages,
    must_succeed,
    nothing_judged,
    replay_excuse,
    representative_exchanges,
    require_answer,
    success_code,
    transport_problem,
)
from conformance.checking.context import CheckContext, check
from conformance.checking.filing import (
    CURRENT_RULE,
    NOT_APPLICABLE,
    NOTE,
    NotApplicable,
    current_rule,
    not_applicable,
    note,
    report,
    violate,
)
from conformance.checking.paging import (
    MAX_PAGES,
    all_items,
    data_items,
    item_identity,
    list_items,
    next_page,
    walk_pages,
)
from conformance.checking.window import closed_hours_error, window_excuse
from conformance.judges import iter_doc_strings

__all__ = [
    "CURRENT_RULE", "MAX_PAGES", "NOT_APPLICABLE", "NOTE", "note", "Answer", "CheckContext", "NotApplicable",
    "accounts", "data_items",
    "all_items", "answer", "ask", "check", "claimed", "closed_hours_error", "current_rule", "default_exchange",
    "findings", "first_account", "first_b2b", "is_success", "item_identity", "iter_doc_strings", "replay_excuse",
    "judge_messages", "list_items", "must_succeed", "next_page", "not_applicable", "nothing_judged", "report",
    "representative_exchanges", "require_answer", "rules", "success_code", "transport_problem", "violate",
    "walk_pages", "window_excuse",
]


def rules(*rule_ids: str) -> list[Any]:
    """Old style: parameters for one check function that judges several rules the same way
    (new checks use `@check("A", "B")`)."""
    return [pytest.param(rule_id, marks=pytest.mark.rule(rule_id), id=rule_id) for rule_id in rule_ids]
