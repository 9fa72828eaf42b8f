"""Asking the broker and demanding answers: success or the rule that judges what went wrong."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NoReturn

from conformance.checking.filing import not_applicable, report, violate
from conformance.client import Client
from conformance.contract import ApiSpec, Parsed, Violation, check_document, get_api, parse
from conformance.evidence import Exchange
from conformance.profile import Account, B2BAccount, Profile


def replay_excuse(exchanges: Iterable[Exchange]) -> str | None:
    """Why a replayed check could not be judged: one of its questions is not in the recording
    (`conformance run --replay`). Applied by the verdict layer to every check, pass or fail."""
    hit = next((e for e in exchanges if e.error_kind == "not_recorded"), None)
    if hit is None:
        return None
    return f"not judged in this replay: {hit.purpose!r} ({hit.api}) was not asked in the recorded run"


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
