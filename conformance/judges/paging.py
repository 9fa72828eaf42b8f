"""Area `paging`, pure: the items of a page, their identity, the page chain's verdicts (C12, C13, I13).

No HTTP: the bindings in suites/test_paging.py walk the chains (conformance.checking.paging) and
hand the messages here. Field names come from the contract (catalogue `paging`, `lists`, field tables).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from conformance.contract import MISSING, ApiSpec, ListSpec, get_path, is_no_value, paging_field
from conformance.judges import Finding, is_json_number
from conformance.judges.lists import all_items, expanded_items, item_identity, nested_entries

TARGET_PAGES = 6  # pages of the small-count chain, about (never fewer than the items allow)
_WHOLE_ITEM = ListSpec(path="")  # identity = the whole item


def page_items(spec: ApiSpec, doc: Any) -> list[tuple[str, Any]]:
    """The items a message carries, the ones `count` bounds and totalCnt counts (C12, I13): every
    element of the API's list arrays; for a list with `nested` items (balancelist, C13) the nested
    entries of every element instead, the element being the frame each page repeats."""
    return expanded_items(doc, spec)


# --- the result block --------------------------------------------------------------------------
def result_block(spec: ApiSpec, doc: Any) -> tuple[str, Any]:
    """(path, block) of the paging result, also under a table spelling of its name (portfolio's
    queryRequest, I20: a field-table alias of the result block)."""
    if not spec.result:
        return "", MISSING
    value = get_path(doc, spec.result)
    if value is MISSING:
        parent, _, leaf = spec.result.rpartition(".")
        for path, info in spec.fields.get("response", {}).items():
            if info.alias_of == leaf and path.rpartition(".")[0] == parent:
                return path, get_path(doc, path)
    return spec.result, value


def next_page(doc: Any, api: ApiSpec) -> Any:
    """The next-page key of a message; None when it carries a no-value form (the chain ends)."""
    _, result = result_block(api, doc)
    if not isinstance(result, dict):
        return None
    page = result.get(paging_field("page"), MISSING)
    return None if is_no_value(page) else page


def _number(value: Any) -> float | None:
    return float(value) if is_json_number(value) else None


def total_count(spec: ApiSpec, doc: Any, on_first: int) -> int | None:
    """totalCnt of a first page, when it is a number not below the items already delivered."""
    _, block = result_block(spec, doc)
    total = _number(block.get(paging_field("total"))) if isinstance(block, dict) else None
    return int(total) if total is not None and total.is_integer() and total >= on_first else None


def planned_count(total: int, broker_page: int | None) -> int:
    """The small count: about TARGET_PAGES pages over `total` items, and below the broker's own page
    size (`broker_page`, when its count-0 chain has several pages) so that the two chains cut the
    items at different places: a repeated or lost item then shows as a difference between them."""
    size = -(-max(total, 1) // TARGET_PAGES)
    if broker_page is not None and broker_page > 1:
        size = min(size, broker_page - 1)
    return max(1, size)


# --- verdicts ----------------------------------------------------------------------------------
def identities(spec: ApiSpec, docs: list[Any]) -> Counter[str]:
    """How often each item is delivered over a chain.

    A list with `nested` items (balancelist: one element per account framing its securities, I46,
    C13) counts the nested entries, and the element itself once however many pages repeat it."""
    lists = {lst.path: lst for lst in spec.lists}
    out: Counter[str] = Counter()
    for doc in docs:
        ratio = spec.is_ratio_answer(doc)
        for path, item in all_items(doc, spec):
            key = item_identity(item, lists[path], spec.market_leaves(path + "[]", ratio))
            ident = f"{path.rsplit('.', 1)[-1]} {key}"
            inner = lists[path].nested
            if inner:  # the frame, also on a page whose securities are a no-value form (C4)
                market = spec.market_leaves(f"{path}[].{inner}[]", ratio)
                out[ident] = 1
                out.update(f"{ident} {inner} {item_identity(sec, _WHOLE_ITEM, market)}"
                           for sec in nested_entries(item, lists[path]))
            else:
                out[ident] += 1
    return out


def overfull_pages(spec: ApiSpec, docs: list[Any], count: int) -> list[Finding]:
    """PAGE-001: pages of a chain asked with `count` that carry more items than it."""
    sizes = [len(page_items(spec, doc)) for doc in docs]
    return [Finding("", f"page {n} carries {size} items for count {count}")
            for n, size in enumerate(sizes, 1) if size > count]


def chain_differences(spec: ApiSpec, small: list[Any], broker_sized: list[Any], count: int) -> list[Finding]:
    """PAGE-002: items the small-count chain repeats or drops, measured against the count-0 chain."""
    got, truth = identities(spec, small), identities(spec, broker_sized)
    out = []
    repeated = sorted((got - truth).items())
    dropped = sorted((truth - got).items())
    if repeated:
        out.append(Finding("", f"{sum(n for _, n in repeated)} extra delivery(ies) in the count-{count} chain "
                           f"(repeated or foreign items): " + "; ".join(f"{i} (+{n})" for i, n in repeated[:5])))
    if dropped:
        out.append(Finding("", f"{sum(n for _, n in dropped)} item(s) of the count-0 chain never delivered by the "
                           f"count-{count} chain: " + "; ".join(i for i, _ in dropped[:5])))
    return out


def count_type_problems(spec: ApiSpec, doc: Any) -> list[Finding]:
    """PAGE-004: totalCnt/count that carry a value which is not a JSON number."""
    path, block = result_block(spec, doc)
    if not isinstance(block, dict):
        return []
    out = []
    for name in (paging_field("total"), paging_field("here")):
        value = block.get(name, MISSING)
        if is_no_value(value) or is_json_number(value):
            continue
        out.append(Finding(f"{path}.{name}",
                           f"{path}.{name} is {value!r} ({type(value).__name__}); it must be a JSON number"))
    return out


def repeated_keys(spec: ApiSpec, docs: list[Any]) -> list[str]:
    """PAGE-003 on the first pages of a chain: next-page keys that come back (the chain loops)."""
    seen: set[str] = set()
    out = []
    for doc in docs:
        key = next_page(doc, spec)
        if key is None:
            continue
        if str(key) in seen:
            out.append(str(key))
        seen.add(str(key))
    return out


def count_agreement_problems(spec: ApiSpec, docs: list[Any], *, whole: bool = True) -> list[Finding]:
    """PAGE-005: totalCnt against the items of the whole chain, count against the items of each
    message (I13). `whole=False`: the first pages of a chain only, so only each message's count."""
    total_name, here_name = paging_field("total"), paging_field("here")
    total = sum(len(page_items(spec, doc)) for doc in docs)
    out = []
    for n, doc in enumerate(docs, 1):
        path, block = result_block(spec, doc)
        if not isinstance(block, dict):
            continue
        total_cnt, count = _number(block.get(total_name)), _number(block.get(here_name))
        if whole and total_cnt is not None and total_cnt != total:
            out.append(Finding(f"{path}.{total_name}", f"page {n}: {total_name} {block.get(total_name)} "
                               f"but the chain delivers {total} items"))
        here = len(page_items(spec, doc))
        if count is not None and count != here:
            out.append(Finding(f"{path}.{here_name}", f"page {n}: {here_name} {block.get(here_name)} "
                               f"but the message carries {here} items"))
    return out
