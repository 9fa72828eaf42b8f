"""Conventions that had no rule before issue 13: C2 (short name and code), C22 (devInfo), C23
(partner codes), C27 (the query window, noted), C28 (interest queryType), C29 (rspTypes), C31
(currency suffix), C33 (onboarding, noted). Kept apart from the area files the other suites own.
The judging is conformance/judges/conventions.py's; this file asks the questions."""

from __future__ import annotations

import pytest

from conformance import clock
from conformance.checking import check, is_success, note, require_answer
from conformance.contract import empty_request_fields, get_api, paging_field, request_variant, set_path
from conformance.errors import error_code
from conformance.judges.conventions import (
    ONBOARDING_NOTE,
    broker_pair,
    is_virtual_broker,
    media_type_refusal,
    method_refusal,
    query_result_missing,
    ratio_non_numbers,
    ratio_precision,
    rsp_type_refusal,
    window_note,
)

# C22: device information other than a PC's; C23: another fintech service's codes (catalogue.yaml).
DEVICE = request_variant("device_info")
PARTNER = request_variant("other_partner")
OTHER_PARTNER = PARTNER.forms["other_service"]
EMPTY_FIELDS = empty_request_fields()
COUNT, PAGE, FIRST_PAGE = paging_field("count"), paging_field("page"), paging_field("first_page")
# C29: the rspTypes of the portfolio field table (RAT, QTY), and one that no broker offers.
_PORTFOLIO = get_api("portfolio")
RSP_TYPE = _PORTFOLIO.rsp_type_field or ""
RSP_TYPES = _PORTFOLIO.fields["request"][f"{_PORTFOLIO.query_request}.{RSP_TYPE}"].enum or ()
UNKNOWN_RSP_TYPE = "XYZ"


@check("TRN-007")
def test_broker_pair_is_known(ctx, record_property):
    """INFO: judged on the profile alone; a pair C2 does not list is noted, never a failure."""
    profile = ctx.profile
    for finding in broker_pair(profile.short_name, profile.code):
        ctx.fail(finding.message + " (C2 dates from 2018; an unlisted pair may be correct)")
    note(record_property, f"{profile.short_name} {profile.code or '(no code)'} is a C2 pair")


@check("NULL-006")
@pytest.mark.parametrize("form", sorted(DEVICE.forms))
def test_any_device_information_accepted(ctx, form):
    body = ctx.body()
    body[DEVICE.block] = dict(DEVICE.forms[form])
    exchange = ctx.call(f"{ctx.api} with {DEVICE.block} {form}", body=body)
    ctx.must_succeed(exchange, f"{DEVICE.block} in the {form} form ({DEVICE.forms[form]})", baseline=True)


@check("AUTH-008")
def test_other_partner_codes_accepted(ctx):
    if not is_virtual_broker(ctx.profile.short_name):
        ctx.not_applicable("partner codes are validated by production brokers; C23 frees the virtual brokers only")
    body = ctx.body()
    body[PARTNER.block] = dict(OTHER_PARTNER)
    exchange = ctx.call(f"{ctx.api} with another service's partner codes", body=body)
    ctx.must_succeed(exchange, f"{PARTNER.block} {OTHER_PARTNER}", baseline=True)


@check("ERR-009")
def test_query_window_is_noted(ctx, record_property):
    """INFO that cannot fail: the verdicts of C27 are the verdict layer's; this says when the run was."""
    note(record_property, window_note(clock.now()))


@check("FLT-009", requires=("claims:interest",))
def test_interest_query_type_ignored_by_non_claimers(ctx):
    ctx.api = "interest"
    if ctx.profile.interest_query_type:
        ctx.not_applicable("the profile claims the interest queryType; its paging is judged by the paging area")
    exchange = ctx.ask("interest with a filled queryType block", query={COUNT: 1, PAGE: FIRST_PAGE})
    ctx.must_succeed(exchange, "a queryType block asking count 1", baseline=True)


@check("FLT-010")
def test_interest_query_result_returned_by_claimers(ctx):
    """C28: the broker that honours the interest queryType answers each page with its queryResult."""
    if not ctx.profile.interest_query_type:
        ctx.not_applicable("the profile does not claim the interest queryType, which it then ignores")
    answers, _ = ctx.walk_pages("interest paged by its queryType block", query={COUNT: 5}, account=ctx.account)
    missing = query_result_missing(ctx.spec.result or "", [a.doc for a in answers])
    if missing:
        ctx.fail("; ".join(f.message for f in missing[:5]), exchanges=[a.exchange for a in answers][-3:],
                 path=missing[0].path)


@check("NUM-005", requires=("claims:portfolio",))
@pytest.mark.parametrize("rsp_type", RSP_TYPES)
def test_claimed_rsp_types_answered(ctx, rsp_type):
    """Each rspType the field table lists is asked: a claimed one must be answered; any answer's
    qty and amt are numbers (C29); the refusal of an unclaimed one is NUM-006's."""
    ctx.api = "portfolio"
    exchange = ctx.ask(f"portfolio rspType {rsp_type}", query={RSP_TYPE: rsp_type})
    if rsp_type in ctx.profile.rsp_types:
        ctx.must_succeed(exchange, f"rspType {rsp_type}, which the profile claims", baseline=True)
    elif not is_success(exchange, ctx.spec):
        ctx.not_applicable(f"the profile does not claim rspType {rsp_type} and the broker refuses it "
                           f"(HTTP {exchange.status}, code {error_code(exchange)}); NUM-006 judges the refusal")
    bad = ratio_non_numbers(ctx.answer(exchange).doc)
    if bad:
        ctx.fail("; ".join(f.message for f in bad[:10]) + " (not a JSON number)", exchanges=[exchange],
                 path=bad[0].path)


@check("NUM-006")
def test_unoffered_rsp_types_refused_with_6002(ctx):
    """Section 3.2 documents 6002 (Invalid Rsp Type) for portfolio: asked with each rspType the
    profile does not claim and with one no broker offers."""
    problems, exchanges = [], []
    for rsp_type in [t for t in RSP_TYPES if t not in ctx.profile.rsp_types] + [UNKNOWN_RSP_TYPE]:
        exchange = ctx.ask(f"portfolio rspType {rsp_type}", query={RSP_TYPE: rsp_type})
        require_answer(exchange, ctx.rule, ctx.api)
        found = rsp_type_refusal(rsp_type, RSP_TYPES, is_success(exchange, ctx.spec), exchange.status,
                                 error_code(exchange))
        problems += [f.message for f in found]
        exchanges += [exchange] if found else []
    if problems:
        ctx.fail("; ".join(problems), exchanges=exchanges)


@check("LINK-010")
def test_onboarding_is_noted(ctx, record_property):
    """INFO that cannot fail: C33 is contractual (licence, security review, broker approval)."""
    note(record_property, ONBOARDING_NOTE)


@check("SCHEMA-009", rule_in_id=True)
def test_currency_codes(ctx):
    ctx.judge_messages()


@check("NULL-001", apis=sorted(EMPTY_FIELDS))
def test_every_api_accepts_empty_strings(ctx):
    """C3 on every API: "" in each request field the checker has no value for (catalogue.yaml)."""
    if ctx.spec.family == "member" and not ctx.profile.member_ci:
        ctx.not_applicable("the profile has no member block (member.ci)")
    body = ctx.body()
    for path in EMPTY_FIELDS[ctx.api]:
        set_path(body, path, "")
    exchange = ctx.call(f'{ctx.api} with "" in every field without value', body=body)
    ctx.must_succeed(exchange, f'"" sent for {", ".join(EMPTY_FIELDS[ctx.api])}', baseline=True)


@check("TRN-008")
@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_other_methods_refused_with_405(ctx, method):
    exchange = ctx.ask(f"{ctx.api} asked with {method}", method=method)
    require_answer(exchange, ctx.rule, ctx.api)
    for finding in method_refusal(ctx.api, method, exchange.status):
        ctx.fail(finding.message, exchanges=[exchange])


@check("AUTH-009")
def test_wrong_content_type_refused(ctx):
    exchange = ctx.ask(f"{ctx.api} sent as text/plain", content_type="text/plain")
    require_answer(exchange, ctx.rule, ctx.api)
    for finding in media_type_refusal(exchange.status):
        ctx.fail(finding.message, exchanges=[exchange])


@check("NUM-003", apis=["portfolio"])
def test_ratio_quantities_have_two_decimals(ctx):
    """C30: the ratio `qty`/`amt` of rspType RAT carry at most two decimals, like earningRate."""
    if "RAT" not in ctx.profile.rsp_types:
        ctx.not_applicable("the profile does not claim rspType RAT")
    exchange = ctx.ask("portfolio rspType RAT", query={RSP_TYPE: "RAT"})
    if not is_success(exchange, ctx.spec):
        ctx.nothing_judged()
    bad = ratio_precision(ctx.answer(exchange).doc)
    if bad:
        ctx.fail("; ".join(f.message for f in bad[:10]) + " (a ratio with more than 2 decimals)",
                 exchanges=[exchange], path=bad[0].path)
