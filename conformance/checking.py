"""What every suite needs to turn evidence into verdicts: typed failures and common questions.

Checks raise `ContractViolation` (via `violate`) when the broker is wrong; a check that cannot
apply calls `not_applicable`. Asking the broker goes through the session's Client, whose cache
makes repeated questions free.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn

import pytest

from conformance.client import Client
from conformance.contract import (
    MISSING,
    ApiSpec,
    ListSpec,
    Parsed,
    Violation,
    check_document,
    get_api,
    get_path,
    is_no_value,
    parse,
)
from conformance.contract.window import in_closed_hours, seoul_time
from conformance.evidence import Exchange
from conformance.findings import render
from conformance.profile import Account, B2BAccount, Profile
from conformance.rules import ContractViolation

MAX_PAGES = 500  # a page chain longer than this does not terminate (PAGE-003)
NOT_APPLICABLE = "not_applicable: "
# the rule of the check now running, set by the plugin: helpers file under it unless told otherwise
CURRENT_RULE: ContextVar[str] = ContextVar("conformance_current_rule", default="")


def current_rule(rule_id: str | None = None) -> str:
    """The rule a finding belongs to: the one named, else the running check's own."""
    rule = rule_id or CURRENT_RULE.get()
    if not rule:
        raise RuntimeError("no rule: call from a check marked @pytest.mark.rule(...) or name the rule")
    return rule


def violate(rule_id: str | None, message: str, *, exchanges: Iterable[Exchange] = (), path: str = "",
            api: str = "") -> NoReturn:
    """Fail a rule (None: the running check's) with the evidence that proves it."""
    exchanges = list(exchanges)
    raise ContractViolation(current_rule(rule_id), message, path=path, api=api, exchanges=[e.id for e in exchanges])


def not_applicable(reason: str) -> NoReturn:
    pytest.skip(NOT_APPLICABLE + reason)


def report(rule_id: str, violations: list[Violation], exchange: Exchange, api: str) -> None:
    """Fail `rule_id` with every violation of it found in one message, each a typed finding (the
    message lists them, path first; the first one's path is the check's)."""
    mine = [v.finding(api, [exchange.id]) for v in violations if v.rule_id == rule_id]
    if not mine:
        return
    raise ContractViolation(rule_id, render(mine), path=mine[0].path, api=api, exchanges=[exchange.id],
                            findings=mine)


def closed_hours_error(exchange: Exchange) -> bool:
    """An error answer of a time-windowed API asked between 08:30 and 16:00 Seoul time (C27): the
    broker may refuse then, so such an answer proves nothing about any rule."""
    if not exchange.asked_at or not get_api(exchange.api).time_window:
        return False
    return in_closed_hours(datetime.fromisoformat(exchange.asked_at)) and not is_success(
        exchange, get_api(exchange.api))


def window_excuse(exchanges: Iterable[Exchange]) -> str | None:
    """Why a check that saw closed-hours error answers could not be judged, or None. The verdict
    layer applies it to every check: no check has to remember the window."""
    hit = next((e for e in exchanges if closed_hours_error(e)), None)
    if hit is None:
        return None
    at = seoul_time(datetime.fromisoformat(hit.asked_at)).strftime("%H:%M")
    return (f"{hit.api} answered an error (HTTP {hit.status}) at {at} Seoul time, inside 08:30-16:00 when "
            f"it need not answer (C27); a run before 08:30 or from 16:00 judges this check")


def transport_problem(exchange: Exchange) -> str | None:
    if exchange.error:
        return f"{exchange.error} ({exchange.error_kind})"
    return None


def require_answer(exchange: Exchange, rule_id: str | None = None, api: str = "") -> None:
    """The exchange produced an HTTP answer; otherwise the transport rule that judges the problem
    fails (TRN-006 a redirect, TRN-004 a timeout, reset or oversized answer), whichever check asked:
    the check's own rule is not what the broker broke."""
    problem = transport_problem(exchange)
    if problem:
        violate("TRN-006" if exchange.error_kind == "redirect" else "TRN-004",
                f"no usable answer: {problem}", exchanges=[exchange], api=api)


def findings(exchange: Exchange, api: str) -> tuple[Parsed, list[Violation]]:
    """The strict parse of an answer and its contract violations, computed once per exchange:
    a dozen rules read the same findings."""
    if api not in exchange.findings_cache:
        parsed = parse(exchange.response_body)
        exchange.findings_cache[api] = (parsed, check_document(api, "response", parsed))
    cached: tuple[Parsed, list[Violation]] = exchange.findings_cache[api]
    return cached


@dataclass
class Answer:
    """A parsed success answer: the exchange, its strict parse and the document."""

    exchange: Exchange
    doc: dict[str, Any]
    violations: list[Violation]


def success_code(doc: Any) -> str | None:
    """The resp.respCode of a document (also under the table spelling Resp)."""
    if not isinstance(doc, dict):
        return None
    resp = doc.get("resp", doc.get("Resp"))
    if isinstance(resp, dict):
        code = resp.get("respCode")
        return str(code) if code is not None else None
    return None


def is_success(exchange: Exchange, api: ApiSpec) -> bool:
    if exchange.error or exchange.status != 200:
        return False
    doc = exchange.json()
    if not isinstance(doc, dict):
        return False
    if api.family == "member":
        return True
    return success_code(doc) in ("200", None)


def answer(exchange: Exchange, api: str, rule_id: str | None = None) -> Answer:
    """Demand a success answer (HTTP 200, JSON object); otherwise fail `rule_id` with the evidence."""
    require_answer(exchange, rule_id, api)
    parsed, violations = findings(exchange, api)
    if exchange.status != 200:
        violate(rule_id, f"expected a success answer, got HTTP {exchange.status}: "
                f"{exchange.response_body[:200].decode('utf-8', 'replace')}", exchanges=[exchange], api=api)
    if parsed.error or not isinstance(parsed.doc, dict):
        violate(rule_id, f"the success answer is not a JSON object: {parsed.error or 'not an object'}",
                exchanges=[exchange], api=api)
    code = success_code(parsed.doc)
    if get_api(api).family != "member" and code not in (None, "200"):
        violate(rule_id, f"HTTP 200 but resp.respCode is {code!r}", exchanges=[exchange], api=api)
    return Answer(exchange, parsed.doc, violations)


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
    import json

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


def next_page(doc: Any, api: ApiSpec) -> Any:
    if not api.result:
        return None
    result = get_path(doc, api.result)
    if result is MISSING and api.id == "portfolio":
        result = get_path(doc, "portfolioResponseBody.queryRequest")  # I20
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


def accounts(profile: Profile) -> list[Account]:
    """The test accounts of the first account's user: the profile's one bearer token belongs to one
    user (C17), so another user's account would be refused, rightly."""
    regular = profile.regular_accounts
    return [a for a in regular if a.ci.strip() == regular[0].ci.strip()] if regular else []


def first_account(profile: Profile) -> Account:
    regular = profile.regular_accounts
    if not regular:
        not_applicable("the profile lists no account for the account APIs")
    return regular[0]


def first_b2b(profile: Profile) -> B2BAccount:
    if not profile.b2b_accounts:
        not_applicable("the profile lists no b2b account")
    return profile.b2b_accounts[0]


def claimed(profile: Profile, api: str) -> None:
    if not profile.claims(api):
        not_applicable(f"the profile does not claim {api}")


def default_exchange(client: Client, api: str) -> Exchange:
    """The plain question of an API (first account, defaults): asked once, judged by many rules."""
    return ask(client, api, f"{api} default query")


def iter_doc_strings(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from iter_doc_strings(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from iter_doc_strings(value, f"{path}[{index}]")
    else:
        yield path, node


def representative_exchanges(client: Client, api: str) -> list[Exchange]:
    """The questions whose answers the message-level rules judge: the default query, and for
    APIs with product groups one query per group the profile's first account holds."""
    spec = get_api(api)
    exchanges = [default_exchange(client, api)]
    profile = client.profile
    if spec.groups and spec.asset_type_field:
        if spec.family == "account":
            account = first_account(profile)
            held = [g for g in spec.groups if g in account.product_groups] or list(spec.groups)
            for group in held:
                exchanges.append(client.call(api, purpose=f"{api} {group} group", account=account,
                                             query={spec.asset_type_field: group}))
        else:
            b2b = first_b2b(profile)
            for group in spec.groups:
                exchanges.append(client.call(api, purpose=f"{api} {group} group", b2b=b2b,
                                             query={spec.asset_type_field: group}))
    return exchanges


def nothing_judged(rule_id: str | None, client: Client, api: str) -> NoReturn:
    """A check found no answer it could judge: that is a failure of the broker, never a pass. It is
    filed under the rule that judges what went wrong with the plain question: a transport rule, ERR-001
    (refused), SCHEMA-001 / TRN-002 (not JSON), or else the check's own rule."""
    first = default_exchange(client, api)
    require_answer(first, rule_id, api)
    if not is_success(first, get_api(api)):
        answer(first, api, "ERR-001")  # fails: the plain question was refused
    parsed, violations = findings(first, api)
    if parsed.error:
        broken = violations[0]
        violate(broken.rule_id, f"no answer to judge: {broken.message}", exchanges=[first], api=api)
    violate(rule_id, "no answer to judge: every question of this check was refused or failed",
            exchanges=[first], api=api)


def judge_messages(rule_id: str, api: str, client: Client) -> None:
    """Judge every representative success answer of an API against the contract for one rule.
    Error answers are the errors area's business; no success answer at all fails the rule."""
    claimed(client.profile, api)
    judged = 0
    for exchange in representative_exchanges(client, api):
        if exchange.error or exchange.status != 200:
            continue
        parsed, violations = findings(exchange, api)
        if parsed.error and rule_id != "SCHEMA-001":
            continue
        report(rule_id, violations, exchange, api)
        judged += 1
    if judged == 0:
        nothing_judged(rule_id, client, api)


def ask(client: Client, api: str, purpose: str, **kwargs: Any) -> Exchange:
    """Ask an API a question about the profile's first account of its family (overridable)."""
    spec = get_api(api)
    profile = client.profile
    if spec.family == "account":
        kwargs.setdefault("account", first_account(profile))
    elif spec.family == "b2b":
        kwargs.setdefault("b2b", first_b2b(profile))
    elif not profile.member_ci:
        not_applicable("the profile has no member block (member.ci)")
    return client.call(api, purpose=purpose, **kwargs)


def must_succeed(rule_id: str | None, exchange: Exchange, api: str, what: str, *,
                 baseline: Client | None = None) -> None:
    """The broker answered `what` successfully; otherwise `rule_id` fails with what it answered.
    With `baseline` (the client), a variant of the plain question is held against its rule only when
    the plain question itself succeeds; if that is refused too, ERR-001 is what the broker broke."""
    if is_success(exchange, get_api(api)):
        return
    require_answer(exchange, rule_id, api)
    body = exchange.response_body[:160].decode("utf-8", "replace")
    if baseline is not None:
        plain = default_exchange(baseline, api)
        if not is_success(plain, get_api(api)):
            require_answer(plain, rule_id, api)
            violate("ERR-001", f"{what} was refused (HTTP {exchange.status}: {body}), and so is the plain "
                    f"question of {api} (HTTP {plain.status})", exchanges=[exchange, plain], api=api)
    violate(rule_id, f"{what} was refused (HTTP {exchange.status}: {body})", exchanges=[exchange], api=api)


def rules(*rule_ids: str) -> list[Any]:
    """Parameters for one check function that judges several rules the same way."""
    return [pytest.param(rule_id, marks=pytest.mark.rule(rule_id), id=rule_id) for rule_id in rule_ids]
