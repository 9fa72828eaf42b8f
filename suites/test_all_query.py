"""Area `all-query`: the ALL asset-type query of portfolio and balance (C11, C10, I44).

A broker claiming ALL answers it in one message equal to the union of its per-group answers; a
broker not claiming it refuses it with 6001 or serves it just as completely, never partially.
The per-group chains are walked to the end before comparing, so a paged group is compared whole.

The large accounts (profile `large: true`) are asked too: ALL exists for brokers able to send
large data in one message (C11). Their answers are held to the profile's limits by the client (a
cut or late answer is TRN-004's); of their per-group chains only the first LARGE_GROUP_PAGES pages
are read, whose items must all be in ALL. The comparing is conformance.judges.all_query.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conformance.checking import Answer, check, is_success, next_page, require_answer
from conformance.contract import paging_field, product_groups
from conformance.errors import error_code
from conformance.evidence import Exchange
from conformance.judges import all_query as judge
from conformance.profile import Account

LARGE_GROUP_PAGES = 1  # pages of a large account's group chain compared with its ALL answer


# --- questions ---------------------------------------------------------------------------------
def _accounts(ctx) -> list[Account]:
    """The first account, then the large accounts of its user (the one bearer token, C17)."""
    owner = ctx.account.ci.strip()
    return [ctx.account] + [a for a in ctx.profile.accounts if a.large and a.ci.strip() == owner]


def _all_exchange(ctx, account: Account) -> Exchange:
    """The ALL question: the API's default question (count 0, first page, C11) with ALL asked."""
    large = " (large account)" if account.large else ""
    return ctx.call(f"{ctx.api} ALL query{large}", account=account,
                    query={ctx.spec.asset_type_field: product_groups().all})


def _group_docs(ctx, account: Account) -> dict[str, list[dict[str, Any]]] | None:
    """The per-group answers of an account, by group: every page for a regular account, the first
    LARGE_GROUP_PAGES for a large one. A group that is not answered, or whose chain does not end,
    leaves nothing to compare: GRP-001 / PAGE-003 judge it (None: a large account is left out)."""
    spec = ctx.spec
    out: dict[str, list[dict[str, Any]]] = {}
    for group in spec.groups:
        purpose = f"{ctx.api} {group} group"
        first = ctx.call(f"{purpose} page 1", account=account, query={spec.asset_type_field: group})
        if not is_success(first, spec):
            if account.large:
                return None
            pytest.skip(f"the per-group query {group} was not answered (HTTP {first.status}); "
                        "GRP-001 judges it, the union cannot be formed")
        if account.large:
            out[group] = _first_pages(ctx, account, group, first)
            continue
        answers, terminated = ctx.walk_pages(purpose, query={spec.asset_type_field: group}, account=account)
        if not terminated:
            pytest.skip(f"the {group} page chain does not end; PAGE-003 judges it")
        out[group] = [a.doc for a in answers]
    return out


def _first_pages(ctx, account: Account, group: str, first: Exchange) -> list[dict[str, Any]]:
    docs = [first.json()]
    for number in range(2, LARGE_GROUP_PAGES + 1):
        page = next_page(docs[-1], ctx.spec)
        if page is None:
            break
        exchange = ctx.call(f"{ctx.api} {group} group page {number}", account=account,
                            query={ctx.spec.asset_type_field: group, paging_field("page"): page})
        if not is_success(exchange, ctx.spec):
            break
        docs.append(exchange.json())
    return docs


def _unread(ctx, docs: dict[str, list[dict[str, Any]]]) -> frozenset[str]:
    """The groups whose chain goes on beyond the pages read."""
    return frozenset(g for g, pages in docs.items() if next_page(pages[-1], ctx.spec) is not None)


def _differences(ctx, account: Account, all_doc: Any) -> list[str]:
    docs = _group_docs(ctx, account)
    if docs is None:
        return []
    partial = _unread(ctx, docs) if account.large else frozenset()
    found = judge.union_differences(ctx.spec, all_doc, docs, partial)
    return [f"{f.message} (large account …{account.vtAccNo[-4:]})" if account.large else f.message for f in found]


# --- checks ------------------------------------------------------------------------------------
def _claimed_all(ctx) -> None:
    if not ctx.profile.all_query:
        ctx.not_applicable("the profile does not claim the ALL query (capabilities.all_query); "
                           "ALL-004 judges it")


def _claimed_all_answers(ctx) -> Iterator[tuple[Account, Answer]]:
    """The ALL answers a claiming broker gave, first account first; a refusal is ALL-001's failure,
    nothing to judge here (of a large account: that account is left out)."""
    _claimed_all(ctx)
    for account in _accounts(ctx):
        exchange = _all_exchange(ctx, account)
        require_answer(exchange, ctx.rule, ctx.api)
        if not is_success(exchange, ctx.spec):
            if account.large:
                continue
            pytest.skip(f"ALL was not answered (HTTP {exchange.status}); ALL-001 judges it")
        yield account, ctx.answer(exchange)


def _too_many(ctx, account: Account, exchange: Exchange) -> bool:
    """A large account refused with 6005 Result Too Many (section 3.2, every paged API): a
    documented answer for thousands of lines, which leaves that account out."""
    return account.large and error_code(exchange) == ctx.expect_error("result_too_many")


@check("ALL-001", requires=("account",))
def test_claimed_all_is_answered(ctx):
    _claimed_all(ctx)
    for account in _accounts(ctx):
        exchange = _all_exchange(ctx, account)
        if not _too_many(ctx, account, exchange):
            ctx.answer(exchange)


@check("ALL-002", requires=("account",))
def test_all_equals_union_of_groups(ctx):
    for account, got in _claimed_all_answers(ctx):
        problems = _differences(ctx, account, got.doc)
        if problems:
            ctx.fail("the ALL answer is not the union of the per-group answers:\n" + "\n".join(problems),
                     exchanges=[got.exchange])


@check("ALL-003", requires=("account",))
def test_all_is_not_paged(ctx):
    for _account, got in _claimed_all_answers(ctx):
        page = next_page(got.doc, ctx.spec)
        if page is not None:
            ctx.fail(f"the ALL answer carries the next-page key {page!r}; ALL is answered in one "
                     "message (a no-value page form)", exchanges=[got.exchange])


@check("ALL-004", requires=("account",))
def test_unclaimed_all_refused_or_complete(ctx):
    if ctx.profile.all_query:
        ctx.not_applicable("the profile claims the ALL query; ALL-001..003 judge it")
    unsupported = ctx.expect_error("invalid_asset_type")
    for account in _accounts(ctx):
        exchange = _all_exchange(ctx, account)
        require_answer(exchange, ctx.rule, ctx.api)
        if not is_success(exchange, ctx.spec):
            code = error_code(exchange)
            if code == unsupported or _too_many(ctx, account, exchange):
                continue
            ctx.fail(f"ALL was neither answered nor refused with {unsupported} (Invalid Asset Type): "
                     f"HTTP {exchange.status}, code {code}", exchanges=[exchange])
        got = ctx.answer(exchange)
        page = next_page(got.doc, ctx.spec)
        problems = [] if page is None else [f"the ALL answer is paged (next-page key {page!r})"]
        problems += _differences(ctx, account, got.doc)
        if problems:
            ctx.fail(f"ALL was answered (not refused with {unsupported}) but not completely:\n"
                     + "\n".join(problems), exchanges=[exchange])


@check("ALL-005", requires=("account",))
def test_all_support_matches_claim(ctx):
    exchange = _all_exchange(ctx, ctx.account)
    require_answer(exchange, ctx.rule, ctx.api)
    served = is_success(exchange, ctx.spec)
    if ctx.profile.all_query and not served:
        ctx.fail(f"the profile claims ALL, but ALL was refused (HTTP {exchange.status}, code "
                 f"{error_code(exchange)})", exchanges=[exchange])
    if not ctx.profile.all_query and served:
        ctx.fail("the profile does not claim ALL, but the broker serves it; consider "
                 "capabilities.all_query: true", exchanges=[exchange])
