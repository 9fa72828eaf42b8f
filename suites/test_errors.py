"""Area `errors`: success and error answers (C24, C21, C1), malformed requests, fuzzing."""

from __future__ import annotations

import json

import pytest

from conformance import checking as ck
from conformance.checking.exchange import errors as judge
from conformance.contract import API_IDS, get_api
from conformance.errors import error_code, is_error_body

APIS = list(API_IDS)
ACCOUNT_OR_B2B = [a for a in APIS if get_api(a).family != "member"]
UNKNOWN_VTACC = "999999999999999999"
UNKNOWN_ACCNO = "99999999999"


def _unknown_account_exchange(client, api):
    from conformance.profile import Account, B2BAccount

    profile = client.profile
    spec = get_api(api)
    if spec.family == "account":
        real = ck.first_account(profile)
        return client.call(api, purpose=f"{api} unknown account", account=Account(UNKNOWN_VTACC, real.ci))
    if api == "accountlist":
        return None
    ck.first_b2b(profile)
    return client.call(api, purpose=f"{api} unknown account", b2b=B2BAccount(UNKNOWN_ACCNO))


def _bad_json_exchange(client, api):
    return client.call(api, purpose=f"{api} truncated JSON body", raw_body=b'{"partner": {"comId": ')


def _error_exchanges(client, api):
    """(what was wrong, answer) for questions that must end in an error, for the format rules."""
    spec = get_api(api)
    out = []
    unknown = _unknown_account_exchange(client, api) if spec.family != "member" else None
    if unknown is not None:
        out.append(("unknown account", unknown))
    out.append(("no credentials", ck.ask(client, api, f"{api} without credentials", auth="none")))
    out.append(("truncated JSON", _bad_json_exchange(client, api)))
    return out


@pytest.mark.rule("ERR-001")
@pytest.mark.parametrize("api", APIS)
def test_success_is_http_200_with_code_200(api, client):
    ck.claimed(client.profile, api)
    judge.success_answer(ck.default_exchange(client, api), api)
    for _, other in _error_exchanges(client, api):  # and HTTP 200 is never sent with another code
        judge.http200_code(other, api)


@pytest.mark.rule("ERR-002")
@pytest.mark.parametrize("api", APIS)
def test_error_answers_are_json_with_code(api, client):
    ck.claimed(client.profile, api)
    for _, exchange in _error_exchanges(client, api):
        ck.require_answer(exchange, "ERR-002", api)
        judge.error_body(exchange, api)


@pytest.mark.rule("ERR-003")
@pytest.mark.parametrize("api", APIS)
def test_error_codes_documented(api, client):
    ck.claimed(client.profile, api)
    for _, exchange in _error_exchanges(client, api):
        ck.require_answer(exchange, "ERR-003", api)
        judge.documented_code(exchange, api)


@pytest.mark.rule("ERR-004")
@pytest.mark.parametrize("api", ACCOUNT_OR_B2B)
def test_unknown_account_gets_an_error(api, client):
    ck.claimed(client.profile, api)
    exchange = _unknown_account_exchange(client, api)
    if exchange is None:
        ck.not_applicable("accountlist takes no account number")
    ck.require_answer(exchange, "ERR-004", api)
    spec = get_api(api)
    # C21 states the error for the account APIs; a b2b broker may answer "no such account" with no data
    if spec.family == "account" and exchange.status == 200 and error_code(exchange) is None:
        ck.violate("ERR-004", "an unknown account was answered as a success", exchanges=[exchange], api=api)
    items = ck.all_items(exchange.json(), spec)
    if items:
        ck.violate("ERR-004", f"the error answer for an unknown account carries {len(items)} items",
                   exchanges=[exchange], api=api)


@pytest.mark.rule("ERR-005")
@pytest.mark.parametrize("api", APIS)
def test_errors_not_sent_with_2xx(api, client):
    ck.claimed(client.profile, api)
    for wrong, exchange in _error_exchanges(client, api):
        ck.require_answer(exchange, "ERR-005", api)
        judge.error_with_2xx(exchange, api, wrong)


@pytest.mark.rule("ERR-006")
@pytest.mark.parametrize("case", ["bad-json", "bad-enumeration", "wrong-type"])
@pytest.mark.parametrize("api", APIS)
def test_malformed_request_gets_documented_error(api, case, client):
    ck.claimed(client.profile, api)
    spec = get_api(api)
    if case == "bad-json":
        exchange = _bad_json_exchange(client, api)
    elif case == "bad-enumeration":
        if not spec.asset_type_field:
            ck.not_applicable(f"{api} has no enumerated query field to break")
        exchange = ck.ask(client, api, f"{api} undocumented {spec.asset_type_field}",
                          query={spec.asset_type_field: "XXXX"})
    else:
        if not spec.query_request:
            ck.not_applicable(f"{api} has no numeric query field to break")
        exchange = ck.ask(client, api, f"{api} count written as a word", query={"count": "ten"})
    ck.require_answer(exchange, "ERR-006", api)
    # a wrong-typed field may be tolerated (success) or refused; only a crash is wrong
    if case != "wrong-type" and exchange.status == 200 and error_code(exchange) is None:
        ck.violate("ERR-006", f"a request with {case} was answered as a success", exchanges=[exchange], api=api)
    if exchange.status is not None and exchange.status >= 400 and not is_error_body(exchange.json()):
        # a crash, unless no error of this broker has an error body: then the error format's rule
        plain_error = ck.ask(client, api, f"{api} without credentials", auth="none")
        rule = "ERR-006" if is_error_body(plain_error.json()) else "ERR-002"
        ck.violate(rule, f"{case}: HTTP {exchange.status} without a JSON error body: "
                   f"{exchange.response_body[:160].decode('utf-8', 'replace')!r}", exchanges=[exchange], api=api)


@pytest.mark.rule("ERR-007")
@pytest.mark.parametrize("family", ["account", "b2baccount"])
def test_unknown_path_not_2xx(family, client):
    profile = client.profile
    api = "balance" if family == "account" else "accountlist"
    if not any(profile.claims(a) for a in APIS if get_api(a).family == ("account" if family == "account" else "b2b")):
        ck.not_applicable(f"no {family} API claimed")
    exchange = ck.ask(client, api, f"unknown {family} path",
                      path=f"/v1/{profile.short_name}/{family}/nosuchapi/search")
    ck.require_answer(exchange, "ERR-007", api)
    if 200 <= (exchange.status or 0) < 300:
        ck.violate("ERR-007", f"an unknown path was answered with HTTP {exchange.status}", exchanges=[exchange],
                   api=api)


@pytest.mark.rule("ERR-008")
@pytest.mark.parametrize("api", APIS)
def test_fuzzed_requests_get_documented_answers(api, client, fuzz_enabled):
    if not fuzz_enabled:
        ck.not_applicable("property-based negative testing runs with --fuzz")
    ck.claimed(client.profile, api)
    from conformance.fuzz import FUZZ_BUDGET, cases_per_api, negative_bodies

    profile = client.profile
    budget = FUZZ_BUDGET if profile.fuzz_budget is None else profile.fuzz_budget
    count = cases_per_api(sum(1 for a in APIS if profile.claims(a)), budget)
    if count == 0:
        ck.not_applicable("the profile's limits.fuzz_budget is 0")
    for index, body in enumerate(negative_bodies(api, count=count)):
        # schemathesis may generate a raw bytes body: it is sent as it is
        raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode("utf-8")
        exchange = client.call(api, purpose=f"{api} negative case {index}", raw_body=raw)
        ck.require_answer(exchange, "ERR-008", api)
        doc = exchange.json()
        if exchange.status == 200 and isinstance(doc, dict):
            continue
        if exchange.status is not None and exchange.status >= 400 and is_error_body(doc):
            continue
        ck.violate("ERR-008", f"negative case {index} got HTTP {exchange.status} with an undocumented body: "
                   f"{exchange.response_body[:160].decode('utf-8', 'replace')!r}", exchanges=[exchange], api=api)
