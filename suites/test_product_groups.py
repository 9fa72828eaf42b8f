"""Area `product-groups`: per-group queries, group lists and the derivatives caveat (C10, C11, C32).

The account APIs portfolio and balance are asked once per product group each test account holds
(profile `accounts[].product_groups`); the b2b APIs with `qrAssetType` once per group. A group the
broker declares held outside the comprehensive account (`capabilities.separate_product_groups`)
may be missing; observing it anyway is fine. The judging is conformance.judges.groups.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conformance.checking import accounts, check, is_success, next_page, require_answer
from conformance.contract import paging_field, product_groups
from conformance.errors import error_code
from conformance.evidence import Exchange
from conformance.judges import groups as judge
from conformance.profile import Account

MAX_SEARCH_PAGES = 50  # pages followed looking for a held group's first item


# --- questions ---------------------------------------------------------------------------------
def _held(ctx, account: Account) -> list[str]:
    return [g for g in ctx.spec.groups if g in account.product_groups]


def _first_page(ctx, account: Account, group: str) -> Exchange:
    # the API's default question with the group asked (count 0, the first-page key: C12)
    return ctx.call(f"{ctx.api} {group} group page 1", account=account, query={ctx.spec.asset_type_field: group})


def _group_questions(ctx) -> Iterator[tuple[Account, str, Exchange]]:
    """(account, group, first-page exchange) for every group each regular account holds; when no
    account declares its groups, every group of the first account (per-group queries work
    everywhere, C11)."""
    mine = accounts(ctx.profile)
    pairs = [(a, g) for a in mine for g in _held(ctx, a)] or [(mine[0], g) for g in ctx.spec.groups]
    for account, group in pairs:
        yield account, group, _first_page(ctx, account, group)


def _search_chain(ctx, account: Account, group: str, found) -> tuple[bool, list[Exchange]]:
    """Follow the group's page chain until `found(doc)` holds; (found?, exchanges asked)."""
    page: Any = paging_field("first_page")
    asked = []
    for number in range(1, MAX_SEARCH_PAGES + 1):
        exchange = ctx.call(f"{ctx.api} {group} group page {number}", account=account,
                            query={ctx.spec.asset_type_field: group, paging_field("page"): page})
        asked.append(exchange)
        if not is_success(exchange, ctx.spec):
            break
        doc = exchange.json()
        if found(doc):
            return True, asked
        page = next_page(doc, ctx.spec)
        if page is None:
            break
    return False, asked


def _b2b_group_answers(ctx) -> Iterator[tuple[str, Exchange]]:
    """(group, answer) of the first b2b account for each qrAssetType, asked once for both rules."""
    for group in ctx.spec.groups:
        exchange = ctx.call(f"{ctx.api} {group} group", b2b=ctx.b2b, query={ctx.spec.asset_type_field: group})
        require_answer(exchange, ctx.rule, ctx.api)
        yield group, exchange


# --- checks ------------------------------------------------------------------------------------
@check("GRP-001", requires=("account",))
def test_held_groups_answer_per_group_queries(ctx):
    """A group an account is declared to hold must be answered. Without declared groups every group
    is asked; one refused with 6001 then proves nothing (the account may not hold it)."""
    unsupported = ctx.expect_error("invalid_asset_type")
    refused = []
    for account, group, exchange in _group_questions(ctx):
        if not account.product_groups and error_code(exchange) == unsupported:
            refused.append(group)
            continue
        ctx.must_succeed(exchange, f"the {group} query of account …{account.vtAccNo[-4:]}")
    if refused and len(refused) == len(ctx.spec.groups):
        ctx.not_applicable(f"every group ({', '.join(refused)}) was refused with {unsupported} and the "
                           "profile declares no accounts[].product_groups to expect")


@check("GRP-002", requires=("account",))
def test_per_group_answer_has_that_group_only(ctx):
    judged = 0
    for _account, group, exchange in _group_questions(ctx):
        if not is_success(exchange, ctx.spec):
            continue  # GRP-001
        judged += 1
        found = judge.leaks(ctx.spec, group, exchange.json())
        if found:
            ctx.fail("\n".join(f.message for f in found), exchanges=[exchange])
    if not judged:
        pytest.skip("no per-group query was answered (GRP-001 judges it)")


@check("GRP-003", requires=("account",))
def test_product_kinds_in_their_list(ctx):
    exchanges = [ex for _a, _g, ex in _group_questions(ctx)]
    exchanges.append(ctx.default())  # the ALL answer, where served
    judged = 0
    for exchange in exchanges:
        if not is_success(exchange, ctx.spec):
            continue
        judged += 1
        found = judge.misplaced(ctx.api, exchange.json())
        if found:
            ctx.fail("\n".join(f.message for f in found[:10]), exchanges=[exchange], path=found[0].path)
    if not judged:
        ctx.nothing_judged()


@check("GRP-004", requires=("account",))
def test_held_group_not_silently_missing(ctx):
    spec, words = ctx.spec, product_groups()
    separate = set(ctx.profile.separate_product_groups)
    declared = [a for a in accounts(ctx.profile) if a.product_groups]
    if not declared:
        ctx.not_applicable("no account declares the product groups it holds (accounts[].product_groups)")
    judged = 0
    for account in declared:
        for group in _held(ctx, account):
            if group in separate:
                continue
            if not is_success(_first_page(ctx, account, group), spec):
                continue  # a refusal is not silent: GRP-001 judges it
            judged += 1
            ok, asked = _search_chain(ctx, account, group, lambda d, g=group: judge.has_group_items(spec, g, d))
            if not ok:
                ctx.fail(f"account …{account.vtAccNo[-4:]} holds {group} (profile), but the {group} answer "
                         "carries no item (C10: a held group must not be silently missing)", exchanges=asked[:3])
        if words.derivatives in account.product_groups and words.derivatives not in separate:
            home = words.derivatives_group
            if not is_success(_first_page(ctx, account, home), spec):
                continue
            judged += 1
            ok, asked = _search_chain(ctx, account, home, lambda d: judge.has_derivatives(spec, d))
            if not ok:
                ctx.fail(f"account …{account.vtAccNo[-4:]} holds {words.derivatives} (profile) and the profile "
                         f"does not declare them held separately, but no {'/'.join(words.derivative_kinds)} "
                         f"item is in the {home} answer (declare capabilities.separate_product_groups: "
                         f"[{words.derivatives}] if they are kept in a separate account)", exchanges=asked[:3])
    if not judged:
        pytest.skip("no held group could be judged (per-group queries refused: GRP-001)")


@check("GRP-005", requires=("b2b",))
def test_b2b_answers_each_asset_type(ctx):
    """Each qrAssetType the profile offers is answered; one it does not offer may be refused with
    6001 (Invalid Asset Type), the documented "unsupported asset type", or answered."""
    offered, unsupported = ctx.profile.b2b_asset_types, ctx.expect_error("invalid_asset_type")
    for group, exchange in _b2b_group_answers(ctx):
        if is_success(exchange, ctx.spec):
            continue
        code = error_code(exchange)
        if group not in offered and code == unsupported:
            continue
        body = exchange.response_body[:200].decode("utf-8", "replace")
        note = "" if group in offered else (
            f" (not offered per capabilities.b2b_asset_types, but then refused with {code}, not {unsupported})")
        ctx.fail(f"{ctx.spec.asset_type_field} {group} was not answered: HTTP {exchange.status}: {body}{note}",
                 exchanges=[exchange])


@check("GRP-006", requires=("b2b",))
def test_b2b_asset_types_share_no_item(ctx):
    """An order, holding or settlement belongs to one product group: the answers to two qrAssetType
    groups never carry the same one (the filter honoured, C10, C32). Only the groups the profile offers:
    one it does not offer may be answered as the broker likes (GRP-005), even with every item."""
    offered = ctx.profile.b2b_asset_types
    answered = {group: exchange for group, exchange in _b2b_group_answers(ctx)
                if group in offered and is_success(exchange, ctx.spec)}
    if len(answered) < 2:
        pytest.skip(f"fewer than two offered {ctx.spec.asset_type_field} groups were answered (GRP-005 judges it)")
    found = judge.shared_items(ctx.spec, {group: exchange.json() for group, exchange in answered.items()})
    if found:
        ctx.fail("\n".join(f.message for f in found[:10]), exchanges=list(answered.values()), path=found[0].path)
