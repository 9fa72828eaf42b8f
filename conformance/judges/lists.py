"""The items of a message's lists and their identity, as the catalogue describes the lists.

Pure (messages and the contract only): the judges compare lists with these, and the checks'
page-chain helpers (conformance.checking.paging) re-export them.
"""

from __future__ import annotations

import json
from typing import Any

from conformance.contract import MISSING, ApiSpec, ListSpec, get_path, is_no_value


def list_items(doc: Any, spec: ListSpec) -> list[Any]:
    """Items of one list block (no-value forms count as empty); an object block (cash, summary)
    counts as one item when any of its fields carries a value."""
    value = get_path(doc, spec.path)
    if value is MISSING and spec.nested:  # I46 (b): the element's fields directly in the parent block
        parent = get_path(doc, spec.path.rpartition(".")[0])
        framed = isinstance(parent, dict) and any(k in parent for k in (spec.nested, *spec.key))
        return [parent] if framed else []
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


def nested_entries(item: Any, spec: ListSpec) -> list[Any]:
    """The paged entries an element of a `nested` list frames (balancelist's securities, C13)."""
    entries = item.get(spec.nested) if spec.nested and isinstance(item, dict) else None
    return list(entries) if isinstance(entries, list) else []


def expanded_items(doc: Any, api: ApiSpec, *, frames: bool = False) -> list[tuple[str, Any]]:
    """(list path, item) for every element of the API's lists; for a `nested` list the entries
    each element frames instead, and with `frames` the element itself too when another of its
    fields carries a value (cash balances)."""
    out: list[tuple[str, Any]] = []
    nested = {lst.path: lst for lst in api.lists if lst.nested}
    for path, item in all_items(doc, api):
        lst = nested.get(path)
        if lst is None:
            out.append((path, item))
            continue
        out.extend((f"{path}[].{lst.nested}", entry) for entry in nested_entries(item, lst))
        if frames and isinstance(item, dict) and _carries_value(
                {k: v for k, v in item.items() if k not in (lst.nested, *lst.key)}):
            out.append((path, item))
    return out


def data_items(doc: Any, api: ApiSpec) -> list[tuple[str, Any]]:
    """(list path, item) for every item that carries data: an account element framing empty lists
    is no data (C4), one framing a cash balance is."""
    return expanded_items(doc, api, frames=True)


def _carries_value(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_carries_value(v) for v in value.values())
    if isinstance(value, list):
        return any(_carries_value(v) for v in value)
    return not is_no_value(value)


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
    if isinstance(value, dict):  # an absent field and the no-value forms are one (C4, I12)
        return {k: _norm(v) for k, v in value.items() if not is_no_value(v)}
    if isinstance(value, list):
        return [_norm(v) for v in value]
    return value
