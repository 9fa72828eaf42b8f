"""Area `all-query`: the ALL asset-type query of portfolio and balance (C11, C10, I44).

A broker claiming ALL answers it in one message equal to the union of its per-group answers; a
broker not claiming it refuses it with 6001 or serves it just as completely, never partially.
The per-group chains are walked to the end before comparing, so a paged group is compared whole.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from typing import Any

import pytest

from conformance import checking as ck
from conformance.contract import ApiSpec, ListSpec, get_api, is_no_value
from conformance.errors import error_code

ALL_APIS = ["portfolio", "balance"]
INVALID_ASSET_TYPE = 6001


# --- questions ---------------------------------------------------------------------------------
def _all_exchange(client, api: str):
    """The ALL question (count 0 as C11 says): the same body as the API's default question."""
    return client.call(api, purpose=f"{api} ALL query", account=ck.first_account(client.profile),
                       query={"assetType": "ALL", "count": 0, "page": "null"})


def _group_docs(client, api: str) -> dict[str, list[dict[str, Any]]]:
    """Every page of every per-group answer of the first account, by group. A group that is not
    answered, or whose chain does not end, leaves nothing to compare: GRP-001 / PAGE-003 judge it."""
    spec = get_api(api)
    account = ck.first_account(client.profile)
    out: dict[str, list[dict[str, Any]]] = {}
    for group in spec.groups:
        first = client.call(api, purpose=f"{api} {group} group page 1", account=account,
                            query={spec.asset_type_field: group, "page": "null"})
        if not ck.is_success(first, spec):
            pytest.skip(f"the per-group query {group} was not answered (HTTP {first.status}); "
                        "GRP-001 judges it, the union cannot be formed")
        answers, terminated = ck.walk_pages(client, api, f"{api} {group} group",
                                            query={spec.asset_type_field: group}, account=account)
        if not terminated:
            pytest.skip(f"the {group} page chain does not end; PAGE-003 judges it")
        out[group] = [a.doc for a in answers]
    return out




# --- comparing (pure: unit-tested on canned messages) ------------------------------------------
def same_value(a: Any, b: Any, market: frozenset[str] = frozenset()) -> bool:
    """Equal as data: the four no-value forms equal each other, 1 equals 1.0, keys in any order.
    Fields of `market` (prices, valuations, ratios: they move between two calls, C11 asks for the
    same items, not frozen prices) need only agree on carrying a value."""
    if is_no_value(a) and is_no_value(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return all(is_no_value(a.get(k)) == is_no_value(b.get(k)) if k in market
                   else same_value(a.get(k), b.get(k)) for k in set(a) | set(b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    if _is_number(a) and _is_number(b):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    return bool(a == b)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def union_differences(spec: ApiSpec, all_doc: Any, group_docs: dict[str, list[Any]]) -> list[str]:
    """How the ALL answer differs from the union of the per-group answers, list by list.

    Each list is taken from the answers of its own group only (a list leaking into another
    group's answer is GRP-002's business); an object block (cash, summary) from its group's
    first page that carries it."""
    problems: list[str] = []
    ratio = spec.is_ratio_answer(all_doc)
    for lst in spec.lists:
        name = lst.path.rsplit(".", 1)[-1]
        market = spec.market_leaves(lst.path + ("" if lst.kind == "object" else "[]"), ratio)
        in_all = ck.list_items(all_doc, lst)
        in_groups = [item for doc in group_docs.get(lst.group or "", []) for item in ck.list_items(doc, lst)]
        if lst.kind == "object":
            in_groups = in_groups[:1]
            if bool(in_all) != bool(in_groups):
                problems.append(f"{name}: {'present' if in_all else 'missing'} in the ALL answer, "
                                f"{'present' if in_groups else 'missing'} in the {lst.group} answer")
            elif in_all and not same_value(in_all[0], in_groups[0], market):
                problems.append(f"{name}: differs: ALL {_show(in_all[0])} vs "
                                f"{lst.group} {_show(in_groups[0])}")
            continue
        problems.extend(_list_differences(lst, name, in_all, in_groups, market))
    return problems


def _list_differences(lst: ListSpec, name: str, in_all: list[Any], in_groups: list[Any],
                      market: frozenset[str]) -> list[str]:
    by_all: dict[str, list[Any]] = defaultdict(list)
    by_group: dict[str, list[Any]] = defaultdict(list)
    for item in in_all:
        by_all[ck.item_identity(item, lst, market)].append(item)
    for item in in_groups:
        by_group[ck.item_identity(item, lst, market)].append(item)
    missing, extra, changed = [], [], []
    for ident in sorted(set(by_all) | set(by_group)):
        a, g = by_all.get(ident, []), by_group.get(ident, [])
        if len(a) < len(g):
            missing.append(ident)
        elif len(a) > len(g):
            extra.append(ident)
        elif not _same_multiset(a, g, market):
            changed.append(f"{ident}: ALL {_show(a[0])} vs {lst.group} {_show(g[0])}")
    out = []
    if missing:
        out.append(f"{name}: {len(missing)} item(s) of the {lst.group} answer missing from ALL "
                   f"(of {len(in_groups)}): {', '.join(missing[:5])}")
    if extra:
        out.append(f"{name}: {len(extra)} item(s) in ALL not in the {lst.group} answer: "
                   f"{', '.join(extra[:5])}")
    if changed:
        out.append(f"{name}: {len(changed)} item(s) with other values in ALL: " + "; ".join(changed[:3]))
    return out


def _same_multiset(a: list[Any], b: list[Any], market: frozenset[str]) -> bool:
    left = list(b)
    for item in a:
        match = next((i for i, other in enumerate(left) if same_value(item, other, market)), None)
        if match is None:
            return False
        left.pop(match)
    return True


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 240 else text[:240] + "…"


# --- checks ------------------------------------------------------------------------------------
def _claimed_all(client, api: str) -> None:
    ck.claimed(client.profile, api)
    if not client.profile.all_query:
        ck.not_applicable("the profile does not claim the ALL query (capabilities.all_query); "
                          "ALL-004 judges it")


def _claimed_all_answer(client, api: str, rule_id: str) -> ck.Answer:
    """The ALL answer a claiming broker gave; a refusal is ALL-001's failure, nothing to judge here."""
    _claimed_all(client, api)
    exchange = _all_exchange(client, api)
    ck.require_answer(exchange, rule_id, api)
    if not ck.is_success(exchange, get_api(api)):
        pytest.skip(f"ALL was not answered (HTTP {exchange.status}); ALL-001 judges it")
    return ck.answer(exchange, api, rule_id)


@pytest.mark.rule("ALL-001")
@pytest.mark.parametrize("api", ALL_APIS)
def test_claimed_all_is_answered(api, client):
    _claimed_all(client, api)
    ck.answer(_all_exchange(client, api), api, "ALL-001")


@pytest.mark.rule("ALL-002")
@pytest.mark.parametrize("api", ALL_APIS)
def test_all_equals_union_of_groups(api, client):
    got = _claimed_all_answer(client, api, "ALL-002")
    problems = union_differences(get_api(api), got.doc, _group_docs(client, api))
    if problems:
        ck.violate("ALL-002", "the ALL answer is not the union of the per-group answers:\n"
                   + "\n".join(problems), exchanges=[got.exchange], api=api)


@pytest.mark.rule("ALL-003")
@pytest.mark.parametrize("api", ALL_APIS)
def test_all_is_not_paged(api, client):
    got = _claimed_all_answer(client, api, "ALL-003")
    page = ck.next_page(got.doc, get_api(api))
    if page is not None:
        ck.violate("ALL-003", f"the ALL answer carries the next-page key {page!r}; ALL is answered in one "
                   "message (a no-value page form)", exchanges=[got.exchange], api=api)


@pytest.mark.rule("ALL-004")
@pytest.mark.parametrize("api", ALL_APIS)
def test_unclaimed_all_refused_or_complete(api, client):
    ck.claimed(client.profile, api)
    if client.profile.all_query:
        ck.not_applicable("the profile claims the ALL query; ALL-001..003 judge it")
    spec = get_api(api)
    exchange = _all_exchange(client, api)
    ck.require_answer(exchange, "ALL-004", api)
    if not ck.is_success(exchange, spec):
        code = error_code(exchange)
        if code == INVALID_ASSET_TYPE:
            return
        ck.violate("ALL-004", f"ALL was neither answered nor refused with {INVALID_ASSET_TYPE} "
                   f"(Invalid Asset Type): HTTP {exchange.status}, code {code}",
                   exchanges=[exchange], api=api)
    got = ck.answer(exchange, api, "ALL-004")
    page = ck.next_page(got.doc, spec)
    problems = [] if page is None else [f"the ALL answer is paged (next-page key {page!r})"]
    problems += union_differences(spec, got.doc, _group_docs(client, api))
    if problems:
        ck.violate("ALL-004", "ALL was answered (not refused with 6001) but not completely:\n"
                   + "\n".join(problems), exchanges=[exchange], api=api)


@pytest.mark.rule("ALL-005")
@pytest.mark.parametrize("api", ALL_APIS)
def test_all_support_matches_claim(api, client):
    ck.claimed(client.profile, api)
    exchange = _all_exchange(client, api)
    ck.require_answer(exchange, "ALL-005", api)
    served = ck.is_success(exchange, get_api(api))
    if client.profile.all_query and not served:
        ck.violate("ALL-005", f"the profile claims ALL, but ALL was refused (HTTP {exchange.status}, code "
                   f"{error_code(exchange)})", exchanges=[exchange], api=api)
    if not client.profile.all_query and served:
        ck.violate("ALL-005", "the profile does not claim ALL, but the broker serves it; consider "
                   "capabilities.all_query: true", exchanges=[exchange], api=api)
