"""Area `transport`: content type, encoding, limits, redirects, HTTPS, rate headers and the opt-in
quota burst (C1, C24, C25)."""

from __future__ import annotations

from conformance.checking import check, note
from conformance.checking.exchange import transport as judge
from conformance.checking.quota import quota_burst
from conformance.contract import api_set


@check("TRN-001")
def test_json_declared_as_json(ctx):
    judged = sum(judge.json_declared(exchange, ctx.api) for exchange in ctx.representative())
    if not judged:
        ctx.nothing_judged()


@check("TRN-002")
def test_bodies_are_utf8(ctx):
    judged = sum(judge.utf8_body(exchange, ctx.api) for exchange in ctx.representative())
    if not judged:
        ctx.nothing_judged()


@check("TRN-003")
def test_https_outside_loopback(ctx):
    judge.https_off_loopback(ctx.profile.base_url)


@check("TRN-004")
def test_exchanges_within_limits(ctx):
    for exchange in ctx.representative():
        if exchange.error and exchange.error_kind != "redirect":
            ctx.fail(f"{exchange.error}", exchanges=[exchange])


@check("TRN-005")
def test_rate_limit_headers(ctx):
    for api in api_set("all"):
        if ctx.profile.claims(api):
            ctx.default(api)
    answered = [e for e in ctx.client.exchanges if e.status is not None]
    if not answered:
        ctx.fail("no exchange was answered, so no rate-limit header could be judged",
                 exchanges=ctx.client.exchanges[:1])
    for exchange in answered:
        judge.rate_headers(exchange)


# the quota burst's rule, named by the header check it shares (test_quota_burst, last in the run)
RATE_RULE = test_rate_limit_headers.conformance_rules[0]


@check("TRN-006")
def test_no_redirects(ctx):
    judged = sum(judge.not_redirected(exchange, ctx.api) for exchange in ctx.representative())
    if not judged:
        ctx.nothing_judged()


# Last of the run (the transport area is the last one), after the headers: the burst may leave the
# gateway limiting for a while. `record_property` keeps this check out of the speculative pass, so
# the burst is asked alone, once, and only where the profile opts in (limits.quota_test).
@check(RATE_RULE)
def test_quota_burst(ctx, record_property):
    ctx.require(("quota_test",))
    api = next((a for a in api_set("all") if ctx.profile.claims(a)), None)
    if api is None:
        ctx.not_applicable("no API claimed")
    ctx.api = api
    burst = quota_burst(ctx.client, api, ctx.body())
    note(record_property, burst.summary())
