"""Area `all-query`: the ALL answer against the union of the per-group answers (C11, C10).

Equal as data: no-value forms equal each other, 1 equals 1.0, keys in any order; the fields that
follow the market (prices, valuations, ratios: `market` in the field tables) need only agree on
carrying a value, since C11 asks for the same items, not frozen prices.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from typing import Any

from conformance.contract import ApiSpec, ListSpec, is_no_value
from conformance.judges import Finding, is_json_number
from conformance.judges.lists import item_identity, list_items


def same_value(a: Any, b: Any, market: frozenset[str] = frozenset()) -> bool:
    """Equal as data; fields of `market` need only agree on carrying a value."""
    if is_no_value(a) and is_no_value(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return all(is_no_value(a.get(k)) == is_no_value(b.get(k)) if k in market
                   else same_value(a.get(k), b.get(k)) for k in set(a) | set(b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    if is_json_number(a) and is_json_number(b):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    return bool(a == b)


def union_differences(spec: ApiSpec, all_doc: Any, group_docs: dict[str, list[Any]],
                      partial: frozenset[str] = frozenset()) -> list[Finding]:
    """How the ALL answer differs from the union of the per-group answers, list by list.

    Each list is taken from the answers of its own group only (a list leaking into another
    group's answer is GRP-002's business); an object block (cash, summary) from its group's
    first page that carries it. For a group in `partial` only the first pages of its chain were
    read (a large account): its items must be in ALL, but ALL may carry more of them."""
    problems: list[Finding] = []
    ratio = spec.is_ratio_answer(all_doc)
    for lst in spec.lists:
        name = lst.path.rsplit(".", 1)[-1]
        market = spec.market_leaves(lst.path + ("" if lst.kind == "object" else "[]"), ratio)
        in_all = list_items(all_doc, lst)
        in_groups = [item for doc in group_docs.get(lst.group or "", []) for item in list_items(doc, lst)]
        if lst.kind == "object":
            in_groups = in_groups[:1]
            if bool(in_all) != bool(in_groups):
                problems.append(Finding(lst.path, f"{name}: {'present' if in_all else 'missing'} in the ALL "
                                        f"answer, {'present' if in_groups else 'missing'} in the {lst.group} answer"))
            elif in_all and not same_value(in_all[0], in_groups[0], market):
                problems.append(Finding(lst.path, f"{name}: differs: ALL {_show(in_all[0])} vs "
                                                  f"{lst.group} {_show(in_groups[0])}"))
            continue
        problems.extend(Finding(lst.path, m) for m in
                        _list_differences(lst, name, in_all, in_groups, market, lst.group in partial))
    return problems


def _list_differences(lst: ListSpec, name: str, in_all: list[Any], in_groups: list[Any],
                      market: frozenset[str], partial: bool) -> list[str]:
    by_all: dict[str, list[Any]] = defaultdict(list)
    by_group: dict[str, list[Any]] = defaultdict(list)
    for item in in_all:
        by_all[item_identity(item, lst, market)].append(item)
    for item in in_groups:
        by_group[item_identity(item, lst, market)].append(item)
    missing, extra, changed = [], [], []
    for ident in sorted(set(by_all) | set(by_group)):
        a, g = by_all.get(ident, []), by_group.get(ident, [])
        if len(a) < len(g):
            missing.append(ident)
        elif len(a) > len(g) and not partial:
            extra.append(ident)
        elif g and not _covers(a, g, market, exact=not partial):
            changed.append(f"{ident}: ALL {_show(a[0])} vs {lst.group} {_show(g[0])}")
    out = []
    if missing:
        out.append(f"{name}: {len(missing)} item(s) of the {lst.group} answer missing from ALL "
                   f"(of {len(in_groups)}{' read' if partial else ''}): {', '.join(missing[:5])}")
    if extra:
        out.append(f"{name}: {len(extra)} item(s) in ALL not in the {lst.group} answer: "
                   f"{', '.join(extra[:5])}")
    if changed:
        out.append(f"{name}: {len(changed)} item(s) with other values in ALL: " + "; ".join(changed[:3]))
    return out


def _covers(a: list[Any], b: list[Any], market: frozenset[str], exact: bool) -> bool:
    """Every item of `b` has its own equal item in `a` (and nothing is left over when `exact`)."""
    left = list(a)
    for item in b:
        match = next((i for i, other in enumerate(left) if same_value(other, item, market)), None)
        if match is None:
            return False
        left.pop(match)
    return not (exact and left)


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 240 else text[:240] + "…"
