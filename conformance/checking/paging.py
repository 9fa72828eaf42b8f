"""Walking page chains: asking one page after the other (the items and their identity are pure:
conformance.judges.paging, re-exported here for the checks written against `ck.*`)."""

from __future__ import annotations

from typing import Any

from conformance.checking.answers import Answer, answer
from conformance.client import Client
from conformance.contract import get_api, paging_field
from conformance.judges.lists import all_items, data_items, item_identity, list_items
from conformance.judges.paging import next_page
from conformance.profile import Account, B2BAccount

__all__ = ["MAX_PAGES", "all_items", "data_items", "item_identity", "list_items", "next_page", "walk_pages"]

MAX_PAGES = 500  # a page chain longer than this does not terminate (PAGE-003)


def walk_pages(client: Client, api: str, purpose: str, *, query: dict[str, Any],
               account: Account | None = None, b2b: B2BAccount | None = None,
               rule_id: str | None = None, max_pages: int = MAX_PAGES) -> tuple[list[Answer], bool]:
    """Follow the page chain; returns the answers and whether it terminated within `max_pages`.
    A refused page fails the running check's rule (or `rule_id`)."""
    spec = get_api(api)
    page_name = paging_field("page")
    answers: list[Answer] = []
    page: Any = query.get(page_name, "null")
    seen_keys: set[str] = set()
    for number in range(1, max_pages + 1):
        exchange = client.call(api, purpose=f"{purpose} page {number}", account=account, b2b=b2b,
                               query={**query, page_name: page})
        got = answer(exchange, api, rule_id)
        answers.append(got)
        page = next_page(got.doc, spec)
        if page is None:
            return answers, True
        if str(page) in seen_keys:
            return answers, False
        seen_keys.add(str(page))
    return answers, False
