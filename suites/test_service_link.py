"""Area `service-link`: member register → consent list → the linked accounts work (C21, C26)."""

from __future__ import annotations

import re

from conformance.checking import check, is_success, require_answer
from conformance.contract import api_set, get_api, is_no_value
from conformance.errors import error_code
from conformance.profile import Account

UNKNOWN_CI = "VW5rbm93bkNJZm9yQ29uZm9ybWFuY2VDaGVja3NOb3RBUmVhbFBlcnNvbjAwMDAwMDAwMDAwMDAwMDAwMDAwMDA9PQ=="
DATE = re.compile(r"^[0-9]{8}$")
REGISTER, CONSENT = api_set("family:member")  # the member APIs: register, then the consent list
# The member messages' fields by role (catalogue.yaml `member:`): register's membership answer and
# consent expiry; the consent list, each entry's broker code, account number and base URL, its expiry.
RESULT, MEMBER_EXPIRY = (get_api(REGISTER).member_field(r) for r in ("membership", "expiry"))
ACCOUNTS, BROKER, ACCOUNT, ENDPOINT, SERVICE_EXPIRY = (
    get_api(CONSENT).member_field(r) for r in ("accounts", "broker", "account", "base_url", "expiry"))


def _consent_list(ctx):
    exchange = ctx.call("member-consent for the profile's member", api=CONSENT)
    doc = ctx.answer(exchange, api=CONSENT).doc
    entries = doc.get(ACCOUNTS)
    return exchange, entries if isinstance(entries, list) else []


def _of_this_broker(profile, entry):
    com_id = str(entry.get(BROKER) or "").strip()
    endpoint = str(entry.get(ENDPOINT) or "")
    return (profile.code and com_id == profile.code) or f"/{profile.short_name}/" in endpoint


@check("LINK-001", requires=(f"claims:{REGISTER}", "member"))
def test_register_answers_member(ctx):
    ctx.api = REGISTER
    exchange = ctx.call("member-register for the profile's member")
    doc = ctx.answer(exchange).doc
    if doc.get(RESULT) != "member":
        ctx.fail(f"{RESULT} is {doc.get(RESULT)!r}, expected \"member\"", exchanges=[exchange], path=RESULT)


@check("LINK-002", requires=(f"claims:{CONSENT}", "member"))
def test_linked_accounts_work(ctx):
    profile = ctx.profile
    api = next((a for a in ("balance", "portfolio", "transaction", "interest") if profile.claims(a)), None)
    if api is None:
        ctx.not_applicable("no account API claimed")
    if (profile.member_ci or "").strip() != ctx.account.ci.strip():
        ctx.not_applicable("the profile's bearer token is the test account user's, not the member's (C17)")
    consent, entries = _consent_list(ctx)
    mine = [e for e in entries if isinstance(e, dict) and _of_this_broker(profile, e)]
    if not mine:
        ctx.not_applicable("member-consent lists no account of this broker for the member")
    for entry in mine:
        account = Account(str(entry.get(ACCOUNT)), profile.member_ci or "")
        group = get_api(api).asset_type_field  # of the four, balance's and portfolio's
        query = {group: "EQTY"} if group else None
        exchange = ctx.call(f"{api} of a linked account", api=api, account=account, query=query)
        if not is_success(exchange, get_api(api)):
            ctx.fail(f"the linked account {entry.get(ACCOUNT)} is refused by {api} "
                     f"(HTTP {exchange.status}, code {error_code(exchange)})", exchanges=[consent, exchange], api=api)


@check("LINK-003", requires=(f"claims:{CONSENT}", "member"))
def test_consent_lists_only_own_accounts(ctx):
    ctx.api = CONSENT
    _, entries = _consent_list(ctx)
    mine = {str(e.get(ACCOUNT)) for e in entries if isinstance(e, dict)}
    profile = ctx.profile
    others = [a.ci for a in profile.accounts if a.ci.strip() != (profile.member_ci or "").strip()]
    for ci in [*dict.fromkeys(others), UNKNOWN_CI]:
        exchange = ctx.call("member-consent for another CI", ci=ci)
        if exchange.error or exchange.status != 200:
            continue
        doc = exchange.json() or {}
        listed = {str(e.get(ACCOUNT)) for e in doc.get(ACCOUNTS) or [] if isinstance(e, dict)}
        own = {a.vtAccNo for a in profile.accounts if a.ci.strip() == ci.strip()}
        leaked = (listed & mine) - own
        if ci == UNKNOWN_CI and listed:
            leaked |= listed
        if leaked:
            ctx.fail(f"another CI is shown the accounts {sorted(leaked)[:5]}", exchanges=[exchange])


@check("LINK-004", requires=(f"claims:{REGISTER}", "member"))
def test_consent_dates(ctx):
    ctx.api = REGISTER
    exchange = ctx.call("member-register for the profile's member")
    doc = ctx.answer(exchange).doc
    problems = []
    if doc.get(RESULT) == "member":
        value = doc.get(MEMBER_EXPIRY)
        if is_no_value(value) or not DATE.match(str(value)):
            problems.append(f"{MEMBER_EXPIRY} is {value!r}, expected YYYYMMDD for a member")
    exchanges = [exchange]
    if ctx.profile.claims(CONSENT):
        consent = ctx.call("member-consent for the profile's member", api=CONSENT)
        exchanges.append(consent)
        cdoc = consent.json() or {}
        value = cdoc.get(SERVICE_EXPIRY) if isinstance(cdoc, dict) else None
        if value is not None and not is_no_value(value) and not DATE.match(str(value)):
            problems.append(f"{SERVICE_EXPIRY} is {value!r}, expected YYYYMMDD")
    if problems:
        ctx.fail("; ".join(problems), exchanges=exchanges)


@check("LINK-005", requires=(f"claims:{REGISTER}", "member"))
def test_unknown_ci_is_not_a_member(ctx):
    ctx.api = REGISTER
    exchange = ctx.call("member-register for an unknown CI", ci=UNKNOWN_CI)
    require_answer(exchange, ctx.rule, ctx.api)
    doc = exchange.json()
    if exchange.status == 200 and isinstance(doc, dict) and doc.get(RESULT) == "member":
        ctx.fail("an unknown CI is answered as a member", exchanges=[exchange], path=RESULT)
