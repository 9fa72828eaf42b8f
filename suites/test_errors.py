"""Area `errors`: success and error answers (C24, C21, C1), malformed requests, fuzzing."""

from __future__ import annotations

import json

import pytest

from conformance.checking import check, data_items, require_answer
from conformance.checking.exchange import errors as judge
from conformance.contract import api_set, paging_field
from conformance.errors import error_code, is_error_body
from conformance.profile import Account, B2BAccount

UNKNOWN_VTACC = "999999999999999999"
UNKNOWN_ACCNO = "99999999999"


def _unknown_account_exchange(ctx):
    if ctx.spec.family == "account":
        return ctx.call(f"{ctx.api} unknown account", account=Account(UNKNOWN_VTACC, ctx.account.ci))
    if ctx.api == "accountlist":
        return None
    # asked over the window where the profile's b2b account has data: a broker that serves another
    # account for an unknown number shows it only where that account has items (C21)
    return ctx.call(f"{ctx.api} unknown account", b2b=B2BAccount(UNKNOWN_ACCNO, ctx.b2b.history))


def _bad_json_exchange(ctx):
    return ctx.call(f"{ctx.api} truncated JSON body", raw_body=b'{"partner": {"comId": ')


def _error_exchanges(ctx):
    """(what was wrong, answer) for questions that must end in an error, for the format rules."""
    out = []
    unknown = _unknown_account_exchange(ctx) if ctx.spec.family != "member" else None
    if unknown is not None:
        out.append(("unknown account", unknown))
    out.append(("no credentials", ctx.ask(f"{ctx.api} without credentials", auth="none")))
    out.append(("truncated JSON", _bad_json_exchange(ctx)))
    return out


@check("ERR-001")
def test_success_is_http_200_with_code_200(ctx):
    judge.success_answer(ctx.default(), ctx.api)
    for _, other in _error_exchanges(ctx):  # and HTTP 200 is never sent with another code
        judge.http200_code(other, ctx.api)


@check("ERR-002")
def test_error_answers_are_json_with_code(ctx):
    for _, exchange in _error_exchanges(ctx):
        require_answer(exchange, ctx.rule, ctx.api)
        judge.error_body(exchange, ctx.api)


# the error format's rule, named by its check: a malformed request without an error body files here
# when no error of the broker has one (test_malformed_request_gets_documented_error)
ERROR_FORMAT_RULE = test_error_answers_are_json_with_code.conformance_rules[0]


@check("ERR-003")
def test_error_codes_documented(ctx):
    for _, exchange in _error_exchanges(ctx):
        require_answer(exchange, ctx.rule, ctx.api)
        judge.documented_code(exchange, ctx.api)


@check("ERR-004")
def test_unknown_account_gets_an_error(ctx):
    exchange = _unknown_account_exchange(ctx)  # never None: the rule's APIs name an account
    require_answer(exchange, ctx.rule, ctx.api)
    # C21 states the error for the account APIs; a b2b broker may answer "no such account" with no data
    if ctx.spec.family == "account" and exchange.status == 200 and error_code(exchange) is None:
        ctx.fail("an unknown account was answered as a success", exchanges=[exchange])
    items = data_items(exchange.json(), ctx.spec)  # balancelist's account frame of empty lists is no data
    if items:
        ctx.fail(f"the error answer for an unknown account carries {len(items)} items", exchanges=[exchange])


@check("ERR-005")
def test_errors_not_sent_with_2xx(ctx):
    for wrong, exchange in _error_exchanges(ctx):
        require_answer(exchange, ctx.rule, ctx.api)
        judge.error_with_2xx(exchange, ctx.api, wrong)


@check("ERR-006")
@pytest.mark.parametrize("case", ["bad-json", "bad-enumeration", "wrong-type"])
def test_malformed_request_gets_documented_error(ctx, case):
    spec = ctx.spec
    if case == "bad-json":
        exchange = _bad_json_exchange(ctx)
    elif case == "bad-enumeration":
        if not spec.asset_type_field:
            ctx.not_applicable(f"{ctx.api} has no enumerated query field to break")
        exchange = ctx.ask(f"{ctx.api} undocumented {spec.asset_type_field}", query={spec.asset_type_field: "XXXX"})
    else:
        if not spec.query_request:
            ctx.not_applicable(f"{ctx.api} has no numeric query field to break")
        exchange = ctx.ask(f"{ctx.api} count written as a word", query={paging_field("count"): "ten"})
    require_answer(exchange, ctx.rule, ctx.api)
    # a wrong-typed field may be tolerated (success) or refused; only a crash is wrong
    if case != "wrong-type" and exchange.status == 200 and error_code(exchange) is None:
        ctx.fail(f"a request with {case} was answered as a success", exchanges=[exchange])
    if exchange.status is not None and exchange.status >= 400 and not is_error_body(exchange.json()):
        # a crash, unless no error of this broker has an error body: then the error format's rule
        plain_error = ctx.ask(f"{ctx.api} without credentials", auth="none")
        ctx.fail(f"{case}: HTTP {exchange.status} without a JSON error body: "
                 f"{exchange.response_body[:160].decode('utf-8', 'replace')!r}", exchanges=[exchange],
                 rule=None if is_error_body(plain_error.json()) else ERROR_FORMAT_RULE)


@check("ERR-007")
@pytest.mark.parametrize("family", ["account", "b2baccount"])
def test_unknown_path_not_2xx(ctx, family):
    profile = ctx.profile
    api = "balance" if family == "account" else "accountlist"
    if not any(profile.claims(a) for a in api_set("family:account" if family == "account" else "family:b2b")):
        ctx.not_applicable(f"no {family} API claimed")
    exchange = ctx.ask(f"unknown {family} path", api=api, path=f"/v1/{profile.short_name}/{family}/nosuchapi/search")
    require_answer(exchange, ctx.rule, api)
    if 200 <= (exchange.status or 0) < 300:
        ctx.fail(f"an unknown path was answered with HTTP {exchange.status}", exchanges=[exchange], api=api)


@check("ERR-008")
def test_fuzzed_requests_get_documented_answers(ctx, fuzz_enabled):
    if not fuzz_enabled:
        ctx.not_applicable("property-based negative testing runs with --fuzz")
    from conformance.fuzz import FUZZ_BUDGET, cases_per_api, negative_bodies

    profile = ctx.profile
    budget = FUZZ_BUDGET if profile.fuzz_budget is None else profile.fuzz_budget
    count = cases_per_api(sum(1 for a in api_set("all") if profile.claims(a)), budget)
    if count == 0:
        ctx.not_applicable("the profile's limits.fuzz_budget is 0")
    for index, body in enumerate(negative_bodies(ctx.api, count=count)):
        # schemathesis may generate a raw bytes body: it is sent as it is
        raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode("utf-8")
        exchange = ctx.call(f"{ctx.api} negative case {index}", raw_body=raw)
        require_answer(exchange, ctx.rule, ctx.api)
        doc = exchange.json()
        if exchange.status == 200 and isinstance(doc, dict):
            continue
        if exchange.status is not None and exchange.status >= 400 and is_error_body(doc):
            continue
        ctx.fail(f"negative case {index} got HTTP {exchange.status} with an undocumented body: "
                 f"{exchange.response_body[:160].decode('utf-8', 'replace')!r}", exchanges=[exchange])
