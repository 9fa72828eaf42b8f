"""Area `service-link`: member register → consent list → the linked accounts work (C21, C26)."""

from __future__ import annotations

import re

import pytest

from conformance import checking as ck
from conformance.contract import get_api, is_no_value
from conformance.errors import error_code
from conformance.profile import Account

UNKNOWN_CI = "VW5rbm93bkNJZm9yQ29uZm9ybWFuY2VDaGVja3NOb3RBUmVhbFBlcnNvbjAwMDAwMDAwMDAwMDAwMDAwMDAwMDA9PQ=="
DATE = re.compile(r"^[0-9]{8}$")


def _member(client, api):
    ck.claimed(client.profile, api)
    if not client.profile.member_ci:
        ck.not_applicable("the profile has no member block (member.ci)")


def _consent_list(client, rule_id):
    exchange = client.call("member-consent", purpose="member-consent for the profile's member")
    doc = ck.answer(exchange, "member-consent", rule_id).doc
    entries = doc.get("vtAccList")
    return exchange, entries if isinstance(entries, list) else []


def _of_this_broker(client, entry):
    profile = client.profile
    com_id = str(entry.get("comId") or "").strip()
    endpoint = str(entry.get("endpoint") or "")
    return (profile.code and com_id == profile.code) or f"/{profile.short_name}/" in endpoint


@pytest.mark.rule("LINK-001")
def test_register_answers_member(client):
    _member(client, "member-register")
    exchange = client.call("member-register", purpose="member-register for the profile's member")
    doc = ck.answer(exchange, "member-register", "LINK-001").doc
    if doc.get("result") != "member":
        ck.violate("LINK-001", f"result is {doc.get('result')!r}, expected \"member\"", exchanges=[exchange],
                   path="result", api="member-register")


@pytest.mark.rule("LINK-002")
def test_linked_accounts_work(client):
    _member(client, "member-consent")
    profile = client.profile
    api = next((a for a in ("balance", "portfolio", "transaction", "interest") if profile.claims(a)), None)
    if api is None:
        ck.not_applicable("no account API claimed")
    if (profile.member_ci or "").strip() != ck.first_account(profile).ci.strip():
        ck.not_applicable("the profile's bearer token is the test account user's, not the member's (C17)")
    consent, entries = _consent_list(client, "LINK-002")
    mine = [e for e in entries if isinstance(e, dict) and _of_this_broker(client, e)]
    if not mine:
        ck.not_applicable("member-consent lists no account of this broker for the member")
    for entry in mine:
        account = Account(str(entry.get("vtAccNo")), profile.member_ci or "")
        query = {"assetType": "EQTY"} if api in ("balance", "portfolio") else None
        exchange = client.call(api, purpose=f"{api} of a linked account", account=account, query=query)
        if not ck.is_success(exchange, get_api(api)):
            ck.violate("LINK-002", f"the linked account {entry.get('vtAccNo')} is refused by {api} "
                       f"(HTTP {exchange.status}, code {error_code(exchange)})", exchanges=[consent, exchange],
                       api=api)


@pytest.mark.rule("LINK-003")
def test_consent_lists_only_own_accounts(client):
    _member(client, "member-consent")
    _, entries = _consent_list(client, "LINK-003")
    mine = {str(e.get("vtAccNo")) for e in entries if isinstance(e, dict)}
    profile = client.profile
    others = [a.ci for a in profile.accounts if a.ci.strip() != (profile.member_ci or "").strip()]
    for ci in [*dict.fromkeys(others), UNKNOWN_CI]:
        exchange = client.call("member-consent", purpose="member-consent for another CI", ci=ci)
        if exchange.error or exchange.status != 200:
            continue
        doc = exchange.json() or {}
        listed = {str(e.get("vtAccNo")) for e in doc.get("vtAccList") or [] if isinstance(e, dict)}
        own = {a.vtAccNo for a in profile.accounts if a.ci.strip() == ci.strip()}
        leaked = (listed & mine) - own
        if ci == UNKNOWN_CI and listed:
            leaked |= listed
        if leaked:
            ck.violate("LINK-003", f"another CI is shown the accounts {sorted(leaked)[:5]}",
                       exchanges=[exchange], api="member-consent")


@pytest.mark.rule("LINK-004")
def test_consent_dates(client):
    _member(client, "member-register")
    exchange = client.call("member-register", purpose="member-register for the profile's member")
    doc = ck.answer(exchange, "member-register", "LINK-004").doc
    problems = []
    if doc.get("result") == "member":
        value = doc.get("commonTermsExpireDate")
        if is_no_value(value) or not DATE.match(str(value)):
            problems.append(f"commonTermsExpireDate is {value!r}, expected YYYYMMDD for a member")
    exchanges = [exchange]
    if client.profile.claims("member-consent"):
        consent = client.call("member-consent", purpose="member-consent for the profile's member")
        exchanges.append(consent)
        cdoc = consent.json() or {}
        value = cdoc.get("serviceTermsExpireDate") if isinstance(cdoc, dict) else None
        if value is not None and not is_no_value(value) and not DATE.match(str(value)):
            problems.append(f"serviceTermsExpireDate is {value!r}, expected YYYYMMDD")
    if problems:
        ck.violate("LINK-004", "; ".join(problems), exchanges=exchanges, api="member-register")


@pytest.mark.rule("LINK-005")
def test_unknown_ci_is_not_a_member(client):
    _member(client, "member-register")
    exchange = client.call("member-register", purpose="member-register for an unknown CI", ci=UNKNOWN_CI)
    ck.require_answer(exchange, "LINK-005", "member-register")
    doc = exchange.json()
    if exchange.status == 200 and isinstance(doc, dict) and doc.get("result") == "member":
        ck.violate("LINK-005", "an unknown CI is answered as a member", exchanges=[exchange],
                   path="result", api="member-register")
