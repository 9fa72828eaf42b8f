"""Area `transport`: content type, encoding, limits, redirects, HTTPS, rate headers (C1, C24, C25)."""

from __future__ import annotations

import pytest

from conformance import checking as ck
from conformance.checking.exchange import transport as judge
from conformance.contract import API_IDS

APIS = list(API_IDS)


def _judged(client, api):
    ck.claimed(client.profile, api)
    return ck.representative_exchanges(client, api)


@pytest.mark.rule("TRN-001")
@pytest.mark.parametrize("api", APIS)
def test_json_declared_as_json(api, client):
    judged = sum(judge.json_declared(exchange, api) for exchange in _judged(client, api))
    if not judged:
        ck.nothing_judged("TRN-001", client, api)


@pytest.mark.rule("TRN-002")
@pytest.mark.parametrize("api", APIS)
def test_bodies_are_utf8(api, client):
    judged = sum(judge.utf8_body(exchange, api) for exchange in _judged(client, api))
    if not judged:
        ck.nothing_judged("TRN-002", client, api)


@pytest.mark.rule("TRN-003")
def test_https_outside_loopback(client):
    judge.https_off_loopback(client.profile.base_url)


@pytest.mark.rule("TRN-004")
@pytest.mark.parametrize("api", APIS)
def test_exchanges_within_limits(api, client):
    for exchange in _judged(client, api):
        if exchange.error and exchange.error_kind != "redirect":
            ck.violate("TRN-004", f"{exchange.error}", exchanges=[exchange], api=api)


@pytest.mark.rule("TRN-005")
def test_rate_limit_headers(client):
    for api in APIS:
        if client.profile.claims(api):
            ck.default_exchange(client, api)
    answered = [e for e in client.exchanges if e.status is not None]
    if not answered:
        ck.violate("TRN-005", "no exchange was answered, so no rate-limit header could be judged",
                   exchanges=client.exchanges[:1])
    for exchange in answered:
        judge.rate_headers(exchange)


@pytest.mark.rule("TRN-006")
@pytest.mark.parametrize("api", APIS)
def test_no_redirects(api, client):
    judged = sum(judge.not_redirected(exchange, api) for exchange in _judged(client, api))
    if not judged:
        ck.nothing_judged("TRN-006", client, api)
