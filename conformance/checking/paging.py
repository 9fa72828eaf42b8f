"""Lists, item identity and page chains."""

from __future__ import annotations

import json
from typing import Any

from conformance.checking.answers import Answer, answer
from conformance.client import Client
from conformance.contract import MISSING, ApiSpec, ListSpec, get_api, get_path, is_no_value
from conformance.profile import Account, B2BAccount

MAX_PAGES = 500  # a page chain longer than this does not terminate (PAGE-003)


def list_items(doc: Any, spec: ListSpec) -> list[Any]:
    """Items of one list block (no-value forms count as empty); an object block (cash, summary)
    counts as one item when any of its fields carries a value."""
    value = get_path(doc, spec.path)
    if value is MISSING or is_no_value(value):
        return []
    if spec.kind == "object":
        valued = isinstance(value, dict) and not all(is_no_value(v) for v in value.values())
        return [value] if valued else []
    return list(value) if isinstance(value, list) else []


def all_items(doc: Any, api: ApiSpec, group: str | None = None) -> list[tuple[str, Any]]:
    """(list path, item) for every list of an API (optionally one product group's)."""
    out: list[tuple[str, Any]] = []
    for spec in api.lists:
        if spec.kind == "object" or (group and spec.group != group):
            continue
        out.extend((spec.path, item) for item in list_items(doc, spec))
    return out


def item_identity(item: Any, spec: ListSpec, market: frozenset[str] = frozenset()) -> str:
    """A stable text identifying an item: its key fields, or the whole item less the fields that
    follow the market (a price that moved between two pages does not make another item)."""
    if isinstance(item, dict) and spec.key:
        return json.dumps([_norm(item.get(k)) for k in spec.key], ensure_ascii=False, sort_keys=True)
    if isinstance(item, dict) and market:
        item = {k: v for k, v in item.items() if k not in market}
    return json.dumps(_norm(item), ensure_ascii=False, sort_keys=True)


def _norm(value: Any) -> Any:
    if is_no_value(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_norm(v) for v in value]
    return value


def _table_spellings(api: ApiSpec, path: str) -> list[str]:
    """The other spellings of a response block that its field table accepts (its `aliases`)."""
    parent, _, name = path.rpartition(".")
    return [p for p, info in api.fields["response"].items() if info.alias_of == name and p.rpartition(".")[0] == parent]


def next_page(doc: Any, api: ApiSpec) -> Any:
    if not api.result:
        return None
    result = get_path(doc, api.result)
    for spelling in _table_spellings(api, api.result):  # I20: portfolio's table names it queryRequest
        if result is not MISSING:
            break
        result = get_path(doc, spelling)
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
