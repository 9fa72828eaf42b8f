"""Paging faults of one API (issue 13): the nested pages of balancelist (C13) and interest's
queryType paging (C28), mistakes the generic pager faults (faults_logic) cannot show there."""

from __future__ import annotations

from typing import Any

from conformance.reference.behaviour import Behaviour
from conformance.reference.context import Call
from conformance.reference.faultkit import fault
from conformance.reference.paging import Page


@fault("balancelist-pages-accounts", "PAGE-001 PAGE-005 PAGE-006",
       "balancelist pages its one account element instead of the securities: every page carries all of "
       "the account's securities whatever count, totalCnt counts the element (1) and no page key is read.")
def balancelist_pages_accounts(b: Behaviour) -> None:
    pager = b.pager
    page = pager.page

    def by_element(items: list[Any], count: int | None, key: str | None, scope: str) -> Page:
        if not scope.startswith("balancelist:"):
            return page(items, count, key, scope)
        return Page(items, 1, 1, None)

    pager.page = by_element  # type: ignore[method-assign]


@fault("interest-counts-as-text", "PAGE-004",
       "The interest queryResult (queryType paging, C28) writes totalCnt and count as strings (\"3\").")
def interest_counts_as_text(b: Behaviour) -> None:
    def text_counts(tree: dict[str, Any], call: Call) -> dict[str, Any]:
        result = tree.get("interestSymbolListResponseBody", {}).get("queryResult") if call.api == "interest" else None
        if isinstance(result, dict):
            for name in ("totalCnt", "count"):
                if isinstance(result.get(name), int):
                    result[name] = str(result[name])
        return tree

    b.tree_transforms.append(text_counts)
