"""The paging area's question plan: a small count chosen from what the broker holds, so that every
chain has a bounded number of pages and still cuts the items differently from the count-0 chain."""

from __future__ import annotations

import pytest

from conformance.contract import get_api
from conformance.fuzz import FUZZ_BUDGET, MAX_CASES_PER_API, cases_per_api
from conformance.judges import paging as PAGE


def _pages(total: int, size: int) -> int:
    return max(1, -(-total // size))


@pytest.mark.parametrize(("total", "broker_page", "size"), [
    (300, 50, 49),   # diamond's 300 transactions: 7 pages, against 6 pages of 50
    (267, 50, 45),
    (57, None, 10),  # everything on the count-0 page: 6 pages
    (300, 5, 4),     # a broker that never sends more than 5: below its page, however many pages
    (2, None, 1),
    (1, None, 1),
    (0, None, 1),
])
def test_planned_count(total, broker_page, size):
    assert PAGE.planned_count(total, broker_page) == size


def test_planned_chains_are_short_and_cut_differently_from_the_broker():
    for total in range(0, 700, 7):
        for broker_page in (None, 2, 5, 20, 50, 100, 1000):
            size = PAGE.planned_count(total, broker_page)
            pages = _pages(total, size)
            if broker_page is not None:
                assert size < broker_page  # the two chains never cut at the same places
                assert pages <= max(PAGE.TARGET_PAGES, _pages(total, broker_page - 1))
            else:
                assert pages <= PAGE.TARGET_PAGES
            if total >= 2:
                assert pages >= 2  # the chain really pages


def _result(api: str, total: object) -> dict[str, object]:
    path = get_api(api).result
    assert path
    doc: dict[str, object] = {}
    node = doc
    parts = path.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})  # type: ignore[assignment]
    node[parts[-1]] = {"totalCnt": total, "page": "K1"}
    return doc


@pytest.mark.parametrize(("total", "planned"), [(300, 300), (300.0, 300), (3, None), ("300", None),
                                                 (None, None), (12.5, None)])
def test_total_count_is_used_only_when_plausible(total, planned):
    """totalCnt below the items already delivered, or not a whole number, is not believed."""
    spec = get_api("transaction")
    assert PAGE.total_count(spec, _result("transaction", total), on_first=50) == planned


def test_fuzz_budget_is_spread_over_the_claimed_apis():
    assert cases_per_api(11) == MAX_CASES_PER_API == FUZZ_BUDGET // 11
    assert cases_per_api(11, budget=44) == 4
    assert cases_per_api(2, budget=1000) == MAX_CASES_PER_API
    assert cases_per_api(11, budget=5) == 1
    assert cases_per_api(11, budget=0) == cases_per_api(0) == 0
