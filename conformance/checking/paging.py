"""Lists, item identity and page chains."""

from __future__ import annotations

from typing import Any

from conformance.checking.answers import Answer, answer
from conformance.client import Client
from conformance.contract import MISSING, ApiSpec, get_api, get_path, is_no_value
from conformance.judges.lists import item_identity, list_items
from conformance.profile import Account, B2BAccount

MAX_PAGES = 500  # a page chain longer than this does not terminate (PAGE-003)

__all__ = ["MAX_PAGES", "all_items", "item_identity", "list_items", "next_page", "walk_pages"]


def all_items(doc: Any, api: ApiSpec, group: str | None = None) -> list[tuple[str, Any]]:
    """(list path, item) for every list of an API (optionally one product group's)."""
    out: list[tuple[str, Any]] = []
    for spec in api.lists:
        if spec.kind == "object" or (group and spec.group != group):
            continue
        out.extend((spec.path, item) for item in list_items(doc, spec))
    return out


def next_page(doc: Any, api: ApiSpec) -> Any:
    if not api.result:
        return None
    result = get_path(doc, api.result)
    if result is MISSING and api.id == "portfolio":
        result = get_path(doc, "portfolioResponseBody.queryRequest")  # I20
    if not isinstance(result, dict):
        return None
    page = result.get("page", MISSING)
    return None if is_no_value(page) else page


def walk_pages(client: Client, api: str, purpose: str, *, query: dict[str, Any],
               account: Account | None = None, b2b: B2BAccount | None = None,
               rule_id: str | None = None) -> tuple[list[Answer], bool]:
    """Follow the page chain; returns the answers and whether it terminated within MAX_PAGES.
    A refused page fails the running check's rule (or `rule_id`)."""
    spec = get_api(api)
    answers: list[Answer] = []
    page: Any = query.get("page", "null")
    seen_keys: set[str] = set()
    for number in range(1, MAX_PAGES + 1):
        exchange = client.call(api, purpose=f"{purpose} page {number}", account=account, b2b=b2b,
                               query={**query, "page": page})
        got = answer(exchange, api, rule_id)
        answers.append(got)
        page = next_page(got.doc, spec)
        if page is None:
            return answers, True
        if str(page) in seen_keys:
            return answers, False
        seen_keys.add(str(page))
    return answers, False
