"""Area `paging`: count, page keys and the page chain (C12, C13, I12, I13, I36).

Each paged API the profile claims is asked for its richest list (the first account's held groups
for portfolio/balance, the history window for transaction/tradebook) twice: with count 0 (the
broker chooses) and with a small count planned from what the broker holds (`planned_count`: about
TARGET_PAGES pages, smaller than the broker's own page size so the two chains cut the items at
different places). Both chains are followed to their end; together they must deliver the same
items, each once. A chain of a handful of pages proves PAGE-001/002/003 as well as a hundred, and
costs a real gateway seconds instead of minutes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest

from conformance import checking as ck
from conformance.contract import MISSING, ApiSpec, ListSpec, get_api, get_path, is_no_value
from conformance.errors import error_code
from conformance.rules import ContractViolation

PAGED_APIS = ["portfolio", "balance", "transaction", "interest", "orderdetail", "balancelist",
              "settlelist", "accountlist", "tradebook"]
TARGET_PAGES = 6  # pages of the small-count chain, about (never fewer than the items allow)
PROBE = 10  # when count 0 is refused, the first page asked with this count tells how many items there are
INVENTED_KEY = "ZZZZ-NOT-A-KEY"
INVALID_PAGE = 6003
INVALID_ASSET_TYPE = 6001
_WHOLE_ITEM = ListSpec(path="")  # identity = the whole item


@dataclass
class Subject:
    """One question whose page chains are judged: its query and who is asked."""

    label: str
    query: dict[str, Any]
    who: dict[str, Any] = field(default_factory=dict)  # account= or b2b=
    small: int = PROBE  # the small page size, planned from the broker's answer (`_planned`)


@dataclass
class Chain:
    count: int
    answers: list[ck.Answer]
    terminated: bool

    @property
    def exchanges(self) -> list[Any]:
        return [a.exchange for a in self.answers]


# --- questions ---------------------------------------------------------------------------------
def subjects(client, api: str) -> list[Subject]:
    profile = client.profile
    ck.claimed(profile, api)
    spec = get_api(api)
    if spec.paging_capability and not getattr(profile, spec.paging_capability, False):
        ck.not_applicable(f"{api} is paged only with capabilities.{spec.paging_capability} (C28)")
    if spec.family == "account":
        regular = ck.accounts(profile)
        if not regular:
            ck.not_applicable("the profile lists no account for the account APIs")
        if spec.date_range:
            account = next((a for a in regular if a.history), regular[0])
            return _planned(client, api, [Subject(f"{api} history", {}, {"account": account})])
        account = regular[0]
        if spec.groups:
            held = [g for g in spec.groups if g != "CASH" and g in account.product_groups] or ["EQTY"]
            return _planned(client, api, _answered_groups(client, api, [
                Subject(f"{api} {g} group", {spec.asset_type_field: g}, {"account": account}) for g in held]))
        return _planned(client, api, [Subject(api, {}, {"account": account})])
    b2b = ck.first_b2b(profile)
    if spec.date_range:
        b2b = next((b for b in profile.b2b_accounts if b.history), b2b)
    return _planned(client, api, [Subject(api, {}, {"b2b": b2b})])


def _answered_groups(client, api: str, candidates: list[Subject]) -> list[Subject]:
    """The per-group subjects whose group the broker serves: a group refused as such (6001) is
    GRP-001's business, not a paging failure."""
    kept = [s for s in candidates if error_code(_first(client, api, s, 0)) != INVALID_ASSET_TYPE]
    if not kept:
        pytest.skip(f"every per-group query of {api} was refused with {INVALID_ASSET_TYPE}; "
                    "GRP-001 judges it")
    return kept


def _planned(client, api: str, chosen: list[Subject]) -> list[Subject]:
    """Each subject with its small page size, from what the broker answered to count 0: totalCnt
    when it is plausible, else the items of the whole count-0 chain (walked anyway by PAGE-002)."""
    spec = get_api(api)
    for subject in chosen:
        first = _first(client, api, subject, 0)
        if ck.is_success(first, spec):
            doc = first.json()
            on_first = len(page_items(spec, doc))
            more = ck.next_page(doc, spec) is not None
            total = _total_count(spec, doc, on_first) if more else on_first
            if total is None:
                total = _chain_total(client, api, subject)
            if total is not None:
                subject.small = planned_count(total, on_first if more else None)
                continue
        probe = _first(client, api, subject, PROBE)  # count 0 refused: PAGE-007 fails it; plan anyway
        doc = probe.json() if ck.is_success(probe, spec) else None
        total = _total_count(spec, doc, len(page_items(spec, doc))) if doc is not None else None
        subject.small = PROBE if total is None else planned_count(total, None)
    return chosen


def _chain_total(client, api: str, subject: Subject) -> int | None:
    """The items of the whole count-0 chain; None when a page of it is refused (the checks judge that)."""
    try:
        walked = chain(client, api, subject, 0, "PAGE-002")
    except ContractViolation:
        return None
    return sum(len(page_items(get_api(api), a.doc)) for a in walked.answers)


def _total_count(spec: ApiSpec, doc: Any, on_first: int) -> int | None:
    """totalCnt of a first page, when it is a number not below the items already delivered."""
    _, block = result_block(spec, doc)
    total = _number(block.get("totalCnt")) if isinstance(block, dict) else None
    return int(total) if total is not None and total.is_integer() and total >= on_first else None


def planned_count(total: int, broker_page: int | None) -> int:
    """The small count: about TARGET_PAGES pages over `total` items, and below the broker's own page
    size (`broker_page`, when its count-0 chain has several pages) so that the two chains cut the
    items at different places: a repeated or lost item then shows as a difference between them."""
    size = -(-max(total, 1) // TARGET_PAGES)
    if broker_page is not None and broker_page > 1:
        size = min(size, broker_page - 1)
    return max(1, size)


def chain(client, api: str, subject: Subject, count: int, rule_id: str) -> Chain:
    answers, terminated = ck.walk_pages(client, api, f"{subject.label} count {count}",
                                        query={**subject.query, "count": count}, rule_id=rule_id,
                                        **subject.who)
    return Chain(count, answers, terminated)


def _first(client, api: str, subject: Subject, count: int, page: Any = "null"):
    return client.call(api, purpose=f"{subject.label} count {count} page 1", **subject.who,
                       query={**subject.query, "count": count, "page": page})


def _count_zero_chain(client, api: str, subject: Subject, rule_id: str) -> Chain:
    """The broker-sized chain; a refused count 0 leaves nothing to compare (PAGE-007 judges it)."""
    if not ck.is_success(_first(client, api, subject, 0), get_api(api)):
        pytest.skip(f"count 0 was not answered for {subject.label}; PAGE-007 judges it")
    return chain(client, api, subject, 0, rule_id)




# --- judging (pure: unit-tested on canned messages) --------------------------------------------
def page_items(spec: ApiSpec, doc: Any) -> list[tuple[str, Any]]:
    """The items of one message: every element of the API's list arrays (I13)."""
    return ck.all_items(doc, spec)


def identities(spec: ApiSpec, docs: list[Any]) -> Counter[str]:
    """How often each item is delivered over a chain.

    balancelist carries one element per account that holds the account's securities (I46); a
    broker may page the element or the securities inside it, so the securities are what is counted
    and the element itself counts once however many pages repeat it."""
    lists = {lst.path: lst for lst in spec.lists}
    out: Counter[str] = Counter()
    for doc in docs:
        ratio = spec.is_ratio_answer(doc)
        for path, item in page_items(spec, doc):
            key = ck.item_identity(item, lists[path], spec.market_leaves(path + "[]", ratio))
            ident = f"{path.rsplit('.', 1)[-1]} {key}"
            nested = item.get("securitiesBalInfo") if isinstance(item, dict) else None
            if spec.id == "balancelist" and isinstance(nested, list):
                market = spec.market_leaves(f"{path}[].securitiesBalInfo[]", ratio)
                out[ident] = 1
                out.update(f"{ident} securitiesBalInfo {ck.item_identity(sec, _WHOLE_ITEM, market)}"
                           for sec in nested)
            else:
                out[ident] += 1
    return out


def overfull_pages(spec: ApiSpec, docs: list[Any], count: int) -> list[str]:
    return [f"page {n} carries {len(page_items(spec, doc))} items for count {count}"
            for n, doc in enumerate(docs, 1) if len(page_items(spec, doc)) > count]


def chain_differences(spec: ApiSpec, small: list[Any], broker_sized: list[Any], count: int) -> list[str]:
    """Items the small-count chain repeats or drops, measured against the count-0 chain."""
    got, truth = identities(spec, small), identities(spec, broker_sized)
    out = []
    repeated = sorted((got - truth).items())
    dropped = sorted((truth - got).items())
    if repeated:
        out.append(f"{sum(n for _, n in repeated)} extra delivery(ies) in the count-{count} chain "
                   f"(repeated or foreign items): " + "; ".join(f"{i} (+{n})" for i, n in repeated[:5]))
    if dropped:
        out.append(f"{sum(n for _, n in dropped)} item(s) of the count-0 chain never delivered by the "
                   f"count-{count} chain: " + "; ".join(i for i, _ in dropped[:5]))
    return out


def result_block(spec: ApiSpec, doc: Any) -> tuple[str, Any]:
    """(path, block) of the paging result (portfolio also under its table name queryRequest, I20)."""
    if not spec.result:
        return "", MISSING
    value = get_path(doc, spec.result)
    if value is MISSING and spec.id == "portfolio":
        alias = spec.result.rsplit(".", 1)[0] + ".queryRequest"
        return alias, get_path(doc, alias)
    return spec.result, value


def count_type_problems(spec: ApiSpec, doc: Any) -> list[tuple[str, str]]:
    """(path, message) for totalCnt/count that carry a value which is not a JSON number."""
    path, block = result_block(spec, doc)
    if not isinstance(block, dict):
        return []
    out = []
    for name in ("totalCnt", "count"):
        value = block.get(name, MISSING)
        if is_no_value(value) or (isinstance(value, (int, float)) and not isinstance(value, bool)):
            continue
        out.append((f"{path}.{name}",
                    f"{path}.{name} is {value!r} ({type(value).__name__}); it must be a JSON number"))
    return out


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def count_agreement_problems(spec: ApiSpec, docs: list[Any]) -> list[str]:
    """totalCnt against the items of the whole chain, count against the items of each message (I13)."""
    total = sum(len(page_items(spec, doc)) for doc in docs)
    out = []
    for n, doc in enumerate(docs, 1):
        _, block = result_block(spec, doc)
        if not isinstance(block, dict):
            continue
        total_cnt, count = _number(block.get("totalCnt")), _number(block.get("count"))
        if total_cnt is not None and total_cnt != total:
            out.append(f"page {n}: totalCnt {block.get('totalCnt')} but the chain delivers {total} items")
        here = len(page_items(spec, doc))
        if count is not None and count != here:
            out.append(f"page {n}: count {block.get('count')} but the message carries {here} items")
    return out


# --- checks ------------------------------------------------------------------------------------
@pytest.mark.rule("PAGE-001")
@pytest.mark.parametrize("api", PAGED_APIS)
def test_page_never_exceeds_count(api, client):
    spec = get_api(api)
    for subject in subjects(client, api):
        small = chain(client, api, subject, subject.small, "PAGE-001")
        problems = overfull_pages(spec, [a.doc for a in small.answers], subject.small)
        if problems:
            ck.violate("PAGE-001", f"{subject.label}: " + "; ".join(problems[:5]),
                       exchanges=small.exchanges[:3], api=api)


@pytest.mark.rule("PAGE-002")
@pytest.mark.parametrize("api", PAGED_APIS)
def test_chain_yields_every_item_once(api, client):
    spec = get_api(api)
    for subject in subjects(client, api):
        small = chain(client, api, subject, subject.small, "PAGE-002")
        broker_sized = _count_zero_chain(client, api, subject, "PAGE-002")
        if not (small.terminated and broker_sized.terminated):
            pytest.skip(f"a page chain of {subject.label} does not end; PAGE-003 judges it")
        problems = chain_differences(spec, [a.doc for a in small.answers],
                                     [a.doc for a in broker_sized.answers], subject.small)
        if problems:
            ck.violate("PAGE-002", f"{subject.label}: " + "\n".join(problems),
                       exchanges=small.exchanges[:5] + broker_sized.exchanges[:2], api=api)


@pytest.mark.rule("PAGE-003")
@pytest.mark.parametrize("api", PAGED_APIS)
def test_chain_terminates(api, client):
    for subject in subjects(client, api):
        chains = [chain(client, api, subject, subject.small, "PAGE-003")]
        if ck.is_success(_first(client, api, subject, 0), get_api(api)):
            chains.append(chain(client, api, subject, 0, "PAGE-003"))
        for walked in chains:
            if not walked.terminated:
                keys = [str(ck.next_page(a.doc, get_api(api))) for a in walked.answers[-3:]]
                how = (f"still a next-page key after {ck.MAX_PAGES} pages"
                       if len(walked.answers) >= ck.MAX_PAGES
                       else f"the next-page key repeats after {len(walked.answers)} pages")
                ck.violate("PAGE-003", f"{subject.label} with count {walked.count}: the chain does not end "
                           f"({how}; last keys {', '.join(keys)}); the last page carries a no-value page "
                           "(absent, null, \"null\" or \"\")", exchanges=walked.exchanges[-3:], api=api)


@pytest.mark.rule("PAGE-004")
@pytest.mark.parametrize("api", PAGED_APIS)
def test_result_counts_are_numbers(api, client):
    spec = get_api(api)
    for subject in subjects(client, api):
        answers = chain(client, api, subject, subject.small, "PAGE-004").answers
        first_zero = _first(client, api, subject, 0)
        if ck.is_success(first_zero, spec):
            answers = answers + [ck.answer(first_zero, api, "PAGE-004")]
        for got in answers:
            problems = count_type_problems(spec, got.doc)
            if problems:
                ck.violate("PAGE-004", "\n".join(m for _, m in problems), exchanges=[got.exchange],
                           path=problems[0][0], api=api)


@pytest.mark.rule("PAGE-005")
@pytest.mark.parametrize("api", PAGED_APIS)
def test_result_counts_agree_with_items(api, client):
    spec = get_api(api)
    for subject in subjects(client, api):
        chains = [chain(client, api, subject, subject.small, "PAGE-005")]
        if ck.is_success(_first(client, api, subject, 0), spec):
            chains.append(chain(client, api, subject, 0, "PAGE-005"))
        for walked in chains:
            if not walked.terminated:
                continue  # PAGE-003
            problems = count_agreement_problems(spec, [a.doc for a in walked.answers])
            if problems:
                ck.violate("PAGE-005", f"{subject.label} with count {walked.count}: "
                           + "; ".join(problems[:5]), exchanges=walked.exchanges[:3], api=api)


@pytest.mark.rule("PAGE-006")
@pytest.mark.parametrize("api", PAGED_APIS)
def test_invented_page_key_refused(api, client):
    subject = subjects(client, api)[0]
    exchange = _first(client, api, subject, subject.small, page=INVENTED_KEY)
    ck.require_answer(exchange, "PAGE-006", api)
    if ck.is_success(exchange, get_api(api)):
        n = len(page_items(get_api(api), exchange.json()))
        ck.violate("PAGE-006", f"the invented page key {INVENTED_KEY!r} was answered with data ({n} items); "
                   f"an unknown page key is refused with {INVALID_PAGE} (Invalid Page Value)",
                   exchanges=[exchange], api=api)
    code = error_code(exchange)
    if code != INVALID_PAGE:
        ck.violate("PAGE-006", f"the invented page key {INVENTED_KEY!r} was refused with HTTP "
                   f"{exchange.status}, code {code}; the documented code is {INVALID_PAGE} "
                   "(Invalid Page Value)",
                   exchanges=[exchange], api=api)


@pytest.mark.rule("PAGE-007")
@pytest.mark.parametrize("api", PAGED_APIS)
def test_count_zero_answered(api, client):
    for subject in subjects(client, api):
        exchange = _first(client, api, subject, 0)
        ck.require_answer(exchange, "PAGE-007", api)
        if not ck.is_success(exchange, get_api(api)):
            body = exchange.response_body[:200].decode("utf-8", "replace")
            ck.violate("PAGE-007", f"{subject.label}: count 0 (the broker chooses the page size) was "
                       f"refused: HTTP {exchange.status}: {body}", exchanges=[exchange], api=api)
