"""Area `product-groups`: per-group queries, group lists and the derivatives caveat (C10, C11, C32).

The account APIs portfolio and balance are asked once per product group each test account holds
(profile `accounts[].product_groups`); the b2b APIs with `qrAssetType` once per group. A group the
broker declares held outside the comprehensive account (`capabilities.separate_product_groups`)
may be missing; observing it anyway is fine.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conformance import checking as ck
from conformance.contract import ApiSpec, get_api, is_no_value
from conformance.errors import error_code
from conformance.profile import Account

GROUP_APIS = ["portfolio", "balance"]
B2B_GROUP_APIS = ["orderdetail", "balancelist", "settlelist"]
INVALID_ASSET_TYPE = 6001
DERIVATIVE_KINDS = ("FUT", "OPT", "ELW")
MAX_SEARCH_PAGES = 50  # pages followed looking for a held group's first item


def kinds(api: str, group: str) -> tuple[str, ...]:
    """The documented product kinds (assetType enumeration) of a group's list."""
    spec = get_api(api)
    lst = next(x for x in spec.lists if x.group == group)
    info = spec.fields["response"].get(f"{lst.path}[].assetType")
    return tuple(info.enum or ()) if info else ()


# --- questions ---------------------------------------------------------------------------------
def _held(spec: ApiSpec, account: Account) -> list[str]:
    return [g for g in spec.groups if g in account.product_groups]


def _group_questions(client, api: str) -> Iterator[tuple[Account, str, Any]]:
    """(account, group, first-page exchange) for every group each regular account holds; when no
    account declares its groups, every group of the first account (per-group queries work
    everywhere, C11)."""
    spec = get_api(api)
    accounts = ck.accounts(client.profile)
    if not accounts:
        ck.not_applicable("the profile lists no account for the account APIs")
    pairs = [(a, g) for a in accounts for g in _held(spec, a)]
    if not pairs:
        pairs = [(accounts[0], g) for g in spec.groups]
    for account, group in pairs:
        yield account, group, _first_page(client, api, account, group)


def _first_page(client, api: str, account: Account, group: str):
    spec = get_api(api)
    return client.call(api, purpose=f"{api} {group} group page 1", account=account,
                       query={spec.asset_type_field: group, "page": "null"})


def _search_chain(client, api: str, account: Account, group: str, found) -> tuple[bool, list[Any]]:
    """Follow the group's page chain until `found(doc)` holds; (found?, exchanges asked)."""
    spec = get_api(api)
    page: Any = "null"
    asked = []
    for number in range(1, MAX_SEARCH_PAGES + 1):
        exchange = client.call(api, purpose=f"{api} {group} group page {number}", account=account,
                               query={spec.asset_type_field: group, "page": page})
        asked.append(exchange)
        if not ck.is_success(exchange, spec):
            break
        doc = exchange.json()
        if found(doc):
            return True, asked
        page = ck.next_page(doc, spec)
        if page is None:
            break
    return False, asked


# --- judging (pure: unit-tested on canned messages) --------------------------------------------
def leaks(spec: ApiSpec, group: str, doc: Any) -> list[str]:
    """Lists of other groups that carry items in a per-group answer."""
    out = []
    for lst in spec.lists:
        # the cash/summary block is the account overview: brokers may send it with every answer
        if lst.group and lst.group != group and lst.kind != "object":
            items = ck.list_items(doc, lst)
            if items:
                what = "a value" if lst.kind == "object" else f"{len(items)} item(s)"
                out.append(f"{lst.path} ({lst.group}) carries {what} in the {group} answer")
    return out


def misplaced(api: str, doc: Any) -> list[tuple[str, str]]:
    """(path, message) for items whose product kind is not one of their list's documented kinds
    (C10): an equity kind in etcList, an etc kind in equityList, or a word of the broker's own."""
    spec = get_api(api)
    documented = {"EQTY": kinds(api, "EQTY"), "ETC": kinds(api, "ETC")}
    home_of = {k: "equityList" for k in documented["EQTY"]} | {k: "etcList" for k in documented["ETC"]}
    out = []
    for lst in spec.lists:
        if lst.group not in documented:
            continue
        for index, item in enumerate(ck.list_items(doc, lst)):
            kind = item.get("assetType") if isinstance(item, dict) else None
            if not isinstance(kind, str) or is_no_value(kind) or kind.strip() in documented[lst.group]:
                continue
            where = f"{lst.path}[{index}]"
            home = home_of.get(kind.strip())
            if home:
                message = f"{where}.assetType is {kind} in the {lst.group} list; {kind} belongs in {home}"
            else:
                message = (f"{where}.assetType {kind!r} is not a documented {lst.group} kind "
                           f"({', '.join(documented[lst.group])})")
            out.append((f"{where}.assetType", message))
    return out


def has_group_items(spec: ApiSpec, group: str, doc: Any) -> bool:
    return any(ck.list_items(doc, lst) for lst in spec.lists if lst.group == group)


def has_derivatives(spec: ApiSpec, doc: Any) -> bool:
    return any(isinstance(item, dict) and str(item.get("assetType", "")).strip() in DERIVATIVE_KINDS
               for lst in spec.lists if lst.group == "EQTY" for item in ck.list_items(doc, lst))


# --- checks ------------------------------------------------------------------------------------
@pytest.mark.rule("GRP-001")
@pytest.mark.parametrize("api", GROUP_APIS)
def test_held_groups_answer_per_group_queries(api, client):
    """A group an account is declared to hold must be answered. Without declared groups every group
    is asked; one refused with 6001 then proves nothing (the account may not hold it)."""
    ck.claimed(client.profile, api)
    refused = []
    for account, group, exchange in _group_questions(client, api):
        if not account.product_groups and error_code(exchange) == INVALID_ASSET_TYPE:
            refused.append(group)
            continue
        ck.must_succeed("GRP-001", exchange, api, f"the {group} query of account …{account.vtAccNo[-4:]}")
    if refused and len(refused) == len(get_api(api).groups):
        ck.not_applicable(f"every group ({', '.join(refused)}) was refused with {INVALID_ASSET_TYPE} and the "
                          "profile declares no accounts[].product_groups to expect")


@pytest.mark.rule("GRP-002")
@pytest.mark.parametrize("api", GROUP_APIS)
def test_per_group_answer_has_that_group_only(api, client):
    ck.claimed(client.profile, api)
    spec = get_api(api)
    judged = 0
    for _account, group, exchange in _group_questions(client, api):
        if not ck.is_success(exchange, spec):
            continue  # GRP-001
        judged += 1
        found = leaks(spec, group, exchange.json())
        if found:
            ck.violate("GRP-002", "\n".join(found), exchanges=[exchange], api=api)
    if not judged:
        pytest.skip("no per-group query was answered (GRP-001 judges it)")


@pytest.mark.rule("GRP-003")
@pytest.mark.parametrize("api", GROUP_APIS)
def test_product_kinds_in_their_list(api, client):
    ck.claimed(client.profile, api)
    spec = get_api(api)
    exchanges = [ex for _a, _g, ex in _group_questions(client, api)]
    exchanges.append(ck.default_exchange(client, api))  # the ALL answer, where served
    judged = 0
    for exchange in exchanges:
        if not ck.is_success(exchange, spec):
            continue
        judged += 1
        found = misplaced(api, exchange.json())
        if found:
            ck.violate("GRP-003", "\n".join(m for _, m in found[:10]), exchanges=[exchange],
                       path=found[0][0], api=api)
    if not judged:
        ck.nothing_judged("GRP-003", client, api)


@pytest.mark.rule("GRP-004")
@pytest.mark.parametrize("api", GROUP_APIS)
def test_held_group_not_silently_missing(api, client):
    profile = client.profile
    ck.claimed(profile, api)
    spec = get_api(api)
    separate = set(profile.separate_product_groups)
    declared = [a for a in ck.accounts(profile) if a.product_groups]
    if not declared:
        ck.not_applicable("no account declares the product groups it holds (accounts[].product_groups)")
    judged = 0
    for account in declared:
        for group in _held(spec, account):
            if group in separate:
                continue
            if not ck.is_success(_first_page(client, api, account, group), spec):
                continue  # a refusal is not silent: GRP-001 judges it
            judged += 1
            ok, asked = _search_chain(client, api, account, group,
                                      lambda d, g=group: has_group_items(spec, g, d))
            if not ok:
                ck.violate("GRP-004", f"account …{account.vtAccNo[-4:]} holds {group} (profile), but the "
                           f"{group} answer carries no item (C10: a held group must not be silently missing)",
                           exchanges=asked[:3], api=api)
        if "derivatives" in account.product_groups and "derivatives" not in separate:
            if not ck.is_success(_first_page(client, api, account, "EQTY"), spec):
                continue
            judged += 1
            ok, asked = _search_chain(client, api, account, "EQTY", lambda d: has_derivatives(spec, d))
            if not ok:
                ck.violate("GRP-004", f"account …{account.vtAccNo[-4:]} holds derivatives (profile) and the "
                           "profile does not declare them held separately, but no FUT/OPT/ELW item is in "
                           "the EQTY answer (declare capabilities.separate_product_groups: [derivatives] "
                           "if they are kept in a separate account)", exchanges=asked[:3], api=api)
    if not judged:
        pytest.skip("no held group could be judged (per-group queries refused: GRP-001)")


@pytest.mark.rule("GRP-005")
@pytest.mark.parametrize("api", B2B_GROUP_APIS)
def test_b2b_answers_each_asset_type(api, client):
    """Each qrAssetType the profile offers is answered; one it does not offer may be refused with
    6001 (Invalid Asset Type), the documented "unsupported asset type", or answered."""
    profile = client.profile
    ck.claimed(profile, api)
    b2b = ck.first_b2b(profile)
    spec = get_api(api)
    for group in spec.groups:
        exchange = client.call(api, purpose=f"{api} {group} group", b2b=b2b, query={spec.asset_type_field: group})
        ck.require_answer(exchange, "GRP-005", api)
        if ck.is_success(exchange, spec):
            continue
        code = error_code(exchange)
        if group not in profile.b2b_asset_types and code == INVALID_ASSET_TYPE:
            continue
        body = exchange.response_body[:200].decode("utf-8", "replace")
        offered = "" if group in profile.b2b_asset_types else (
            f" (not offered per capabilities.b2b_asset_types, but then refused with {code}, not "
            f"{INVALID_ASSET_TYPE})")
        ck.violate("GRP-005", f"qrAssetType {group} was not answered: HTTP {exchange.status}: {body}{offered}",
                   exchanges=[exchange], api=api)
