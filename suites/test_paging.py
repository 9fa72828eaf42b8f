"""Area `paging`: count, page keys and the page chain (C12, C13, I12, I13, I36); bindings of the
paging rules (judge: conformance/judges/paging.py).

Each paged API the profile claims is asked for its richest list (the first account's held groups
for portfolio/balance, the history window for transaction/tradebook) twice: with count 0 (the
broker chooses) and with a small count planned from what the broker holds (`planned_count`: about
TARGET_PAGES pages, smaller than the broker's own page size so the two chains cut the items at
different places). Both chains are followed to their end; together they must deliver the same
items, each once. A chain of a handful of pages proves PAGE-001/002/003 as well as a hundred, and
costs a real gateway seconds instead of minutes.

Accounts marked `large: true` (thousands of lines) are asked too, for one list each, but only the
first `limits.large_pages` pages of a chain are walked: enough to see a page over count, a wrong
count, a count that is text or a key that comes back (PAGE-001/003/004/005/007), never the whole
chain PAGE-002 would need.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from conformance.checking import MAX_PAGES, Answer, accounts, check, is_success, require_answer
from conformance.contract import paging_field
from conformance.errors import error_code
from conformance.judges import paging as judge
from conformance.profile import Account, Profile
from conformance.rules import ContractViolation

PROBE = 10  # when count 0 is refused, the first page asked with this count tells how many items there are
INVENTED_KEY = "ZZZZ-NOT-A-KEY"
COUNT, PAGE, FIRST_PAGE = paging_field("count"), paging_field("page"), paging_field("first_page")


@dataclass
class Subject:
    """One question whose page chains are judged: its query and who is asked."""

    label: str
    query: dict[str, Any]
    who: dict[str, Any] = field(default_factory=dict)  # account= or b2b=
    small: int = PROBE  # the small page size, planned from the broker's answer (`_planned`)
    large: bool = False  # a large account's: its chains are walked for their first pages only


@dataclass
class Chain:
    count: int
    answers: list[Answer]
    terminated: bool
    bounded: bool = False  # only the first pages were walked (a large account's chain)

    @property
    def exchanges(self) -> list[Any]:
        return [a.exchange for a in self.answers]

    @property
    def docs(self) -> list[Any]:
        return [a.doc for a in self.answers]


# --- questions ---------------------------------------------------------------------------------
def subjects(ctx) -> list[Subject]:
    profile, spec, api = ctx.profile, ctx.spec, ctx.api
    if spec.paging_capability and not getattr(profile, spec.paging_capability, False):
        ctx.not_applicable(f"{api} is paged only with capabilities.{spec.paging_capability} (C28)")
    if spec.family == "account":
        regular = accounts(profile)
        if not regular:
            ctx.not_applicable("the profile lists no account for the account APIs")
        large = _large_subjects(ctx, _large_accounts(profile))
        if spec.date_range:
            account = next((a for a in regular if a.history), regular[0])
            return _planned(ctx, [Subject(f"{api} history", {}, {"account": account})] + large)
        account = regular[0]
        if spec.groups:
            held = [g for g in spec.groups if g != "CASH" and g in account.product_groups] or ["EQTY"]
            return _planned(ctx, _answered_groups(ctx, [
                Subject(f"{api} {g} group", {spec.asset_type_field: g}, {"account": account}) for g in held]) + large)
        return _planned(ctx, [Subject(api, {}, {"account": account})] + large)
    b2b = ctx.b2b
    if spec.date_range:
        b2b = next((b for b in profile.b2b_accounts if b.history), b2b)
    return _planned(ctx, [Subject(api, {}, {"b2b": b2b})])


def _large_accounts(profile: Profile) -> list[Account]:
    """The large accounts of the token's user (C17, like `accounts`)."""
    regular = accounts(profile)
    owner = regular[0].ci.strip() if regular else None
    return [a for a in profile.accounts if a.large and a.ci.strip() == owner]


def _large_subjects(ctx, large: list[Account]) -> list[Subject]:
    """One subject per large account: its history window, or its first held group (a group the
    broker refuses is GRP-001's business and leaves the account out). An account refused with
    6005 Result Too Many (section 3.2: more results than the broker can provide, on every paged
    API) is left out too: a documented answer for thousands of lines, no paging failure."""
    spec, out = ctx.spec, []
    excused = {ctx.expect_error("result_too_many")}
    for account in large:
        label = f"{ctx.api} large account"
        if spec.date_range:
            subject = Subject(f"{label} history", {}, {"account": account}, large=True)
        elif spec.groups:
            held = next((g for g in spec.groups if g != "CASH" and g in account.product_groups), "EQTY")
            subject = Subject(f"{label} {held} group", {spec.asset_type_field: held}, {"account": account}, large=True)
        else:
            subject = Subject(label, {}, {"account": account}, large=True)
        refusals = excused | ({ctx.expect_error("invalid_asset_type")} if spec.groups else set())
        if error_code(_first(ctx, subject, 0)) not in refusals:
            out.append(subject)
    return out


def _answered_groups(ctx, candidates: list[Subject]) -> list[Subject]:
    """The per-group subjects whose group the broker serves: a group refused as such (6001) is
    GRP-001's business, not a paging failure."""
    refused = ctx.expect_error("invalid_asset_type")
    kept = [s for s in candidates if error_code(_first(ctx, s, 0)) != refused]
    if not kept:
        pytest.skip(f"every per-group query of {ctx.api} was refused with {refused}; GRP-001 judges it")
    return kept


def _planned(ctx, chosen: list[Subject]) -> list[Subject]:
    """Each subject with its small page size, from what the broker answered to count 0: totalCnt
    when it is plausible, else the items of the whole count-0 chain (walked anyway by PAGE-002)."""
    spec = ctx.spec
    for subject in chosen:
        first = _first(ctx, subject, 0)
        if is_success(first, spec):
            doc = first.json()
            on_first = len(judge.page_items(spec, doc))
            more = judge.next_page(doc, spec) is not None
            total = judge.total_count(spec, doc, on_first) if more else on_first
            if total is None and not subject.large:  # a large account's chain is never walked whole
                total = _chain_total(ctx, subject)
            if total is not None:
                subject.small = judge.planned_count(total, on_first if more else None)
                continue
        probe = _first(ctx, subject, PROBE)  # count 0 refused: PAGE-007 fails it; plan anyway
        doc = probe.json() if is_success(probe, spec) else None
        total = judge.total_count(spec, doc, len(judge.page_items(spec, doc))) if doc is not None else None
        subject.small = PROBE if total is None else judge.planned_count(total, None)
    return chosen


def _chain_total(ctx, subject: Subject) -> int | None:
    """The items of the whole count-0 chain; None when a page of it is refused (the checks judge that)."""
    try:
        walked = chain(ctx, subject, 0)
    except ContractViolation:
        return None
    return sum(len(judge.page_items(ctx.spec, doc)) for doc in walked.docs)


def chain(ctx, subject: Subject, count: int) -> Chain:
    """The page chain of a subject for `count`: whole, or a large account's first pages."""
    bound = ctx.profile.large_pages if subject.large else MAX_PAGES
    answers, terminated = ctx.walk_pages(f"{subject.label} count {count}", query={**subject.query, COUNT: count},
                                         max_pages=bound, **subject.who)
    return Chain(count, answers, terminated, bounded=subject.large)


def _first(ctx, subject: Subject, count: int, page: Any = FIRST_PAGE):
    return ctx.call(f"{subject.label} count {count} page 1", **subject.who,
                    query={**subject.query, COUNT: count, PAGE: page})


def _count_zero_chain(ctx, subject: Subject) -> Chain:
    """The broker-sized chain; a refused count 0 leaves nothing to compare (PAGE-007 judges it)."""
    if not is_success(_first(ctx, subject, 0), ctx.spec):
        pytest.skip(f"count 0 was not answered for {subject.label}; PAGE-007 judges it")
    return chain(ctx, subject, 0)


def _both_chains(ctx, subject: Subject) -> list[Chain]:
    """The small-count chain, and the count-0 chain when count 0 is answered (a large account:
    the small-count chain's first pages only)."""
    chains = [chain(ctx, subject, subject.small)]
    if not subject.large and is_success(_first(ctx, subject, 0), ctx.spec):
        chains.append(chain(ctx, subject, 0))
    return chains


# --- checks ------------------------------------------------------------------------------------
@check("PAGE-001")
def test_page_never_exceeds_count(ctx):
    for subject in subjects(ctx):
        small = chain(ctx, subject, subject.small)
        problems = judge.overfull_pages(ctx.spec, small.docs, subject.small)
        if problems:
            ctx.fail(f"{subject.label}: " + "; ".join(p.message for p in problems[:5]), exchanges=small.exchanges[:3])


@check("PAGE-002")
def test_chain_yields_every_item_once(ctx):
    for subject in subjects(ctx):
        if subject.large:
            continue  # "every item once" needs the whole chains, never walked for a large account
        small = chain(ctx, subject, subject.small)
        broker_sized = _count_zero_chain(ctx, subject)
        if not (small.terminated and broker_sized.terminated):
            pytest.skip(f"a page chain of {subject.label} does not end; PAGE-003 judges it")
        problems = judge.chain_differences(ctx.spec, small.docs, broker_sized.docs, subject.small)
        if problems:
            ctx.fail(f"{subject.label}: " + "\n".join(p.message for p in problems),
                     exchanges=small.exchanges[:5] + broker_sized.exchanges[:2])


@check("PAGE-003")
def test_chain_terminates(ctx):
    for subject in subjects(ctx):
        for walked in _both_chains(ctx, subject):
            if walked.bounded:
                again = judge.repeated_keys(ctx.spec, walked.docs)
                if again:
                    ctx.fail(f"{subject.label} with count {walked.count}: the next-page key {again[0]} comes "
                             f"back within the first {len(walked.answers)} pages; the chain cannot end",
                             exchanges=walked.exchanges[-3:])
                continue
            if not walked.terminated:
                keys = [str(judge.next_page(doc, ctx.spec)) for doc in walked.docs[-3:]]
                how = (f"still a next-page key after {MAX_PAGES} pages" if len(walked.answers) >= MAX_PAGES
                       else f"the next-page key repeats after {len(walked.answers)} pages")
                ctx.fail(f"{subject.label} with count {walked.count}: the chain does not end "
                         f"({how}; last keys {', '.join(keys)}); the last page carries a no-value page "
                         "(absent, null, \"null\" or \"\")", exchanges=walked.exchanges[-3:])


@check("PAGE-004")
def test_result_counts_are_numbers(ctx):
    for subject in subjects(ctx):
        answers = chain(ctx, subject, subject.small).answers
        first_zero = _first(ctx, subject, 0)
        if is_success(first_zero, ctx.spec):
            answers = answers + [ctx.answer(first_zero)]
        for got in answers:
            problems = judge.count_type_problems(ctx.spec, got.doc)
            if problems:
                ctx.fail("\n".join(p.message for p in problems), exchanges=[got.exchange], path=problems[0].path)


@check("PAGE-005")
def test_result_counts_agree_with_items(ctx):
    for subject in subjects(ctx):
        for walked in _both_chains(ctx, subject):
            if not (walked.terminated or walked.bounded):
                continue  # PAGE-003
            problems = judge.count_agreement_problems(ctx.spec, walked.docs, whole=walked.terminated)
            if problems:
                ctx.fail(f"{subject.label} with count {walked.count}: "
                         + "; ".join(p.message for p in problems[:5]), exchanges=walked.exchanges[:3])


@check("PAGE-006")
def test_invented_page_key_refused(ctx):
    subject = subjects(ctx)[0]
    invalid_page = ctx.expect_error("invalid_page")
    exchange = _first(ctx, subject, subject.small, page=INVENTED_KEY)
    require_answer(exchange, ctx.rule, ctx.api)
    if is_success(exchange, ctx.spec):
        n = len(judge.page_items(ctx.spec, exchange.json()))
        ctx.fail(f"the invented page key {INVENTED_KEY!r} was answered with data ({n} items); "
                 f"an unknown page key is refused with {invalid_page} (Invalid Page Value)", exchanges=[exchange])
    code = error_code(exchange)
    if code != invalid_page:
        ctx.fail(f"the invented page key {INVENTED_KEY!r} was refused with HTTP {exchange.status}, code {code}; "
                 f"the documented code is {invalid_page} (Invalid Page Value)", exchanges=[exchange])


@check("PAGE-007")
def test_count_zero_answered(ctx):
    for subject in subjects(ctx):
        exchange = _first(ctx, subject, 0)
        require_answer(exchange, ctx.rule, ctx.api)
        if not is_success(exchange, ctx.spec):
            body = exchange.response_body[:200].decode("utf-8", "replace")
            ctx.fail(f"{subject.label}: count 0 (the broker chooses the page size) was "
                     f"refused: HTTP {exchange.status}: {body}", exchanges=[exchange])
