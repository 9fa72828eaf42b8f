"""Area `service-link`, the onboarding path (C21, C26): a fintech must be able to tell a portal member
without a virtual account, an account issued but not linked to its service (or linked to another
srvId), and an account whose consent expired, from a linked account that works.

The subjects are the profile's optional `onboarding` block. Each question and answer also becomes a
row of the run's onboarding table (results.json `onboarding`, the report's "Onboarding path"),
recorded through pytest's `record_property`; subjects are masked there.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance import checking as ck
from conformance.client.requests import build_body
from conformance.contract import get_api, is_no_value
from conformance.errors import error_code
from conformance.profile import Account, Subject
from conformance.redact import mask_value

ROW = "conformance_onboarding"
STATES = {
    "member_without_account": "portal member without a virtual account",
    "unlinked_account": "account issued, not linked to this service",
    "other_service_account": "account linked to another service (srvId) only",
    "expired_consent_account": "consent for this service expired",
}
# The refusals the contract documents for an account this service may not see: C21 (4003, 3009,
# 3012, 4001), C17 (4003, 4004, 3007, 4006, HTTP 401/403), C26 (4006), and 2100 (section 3.2: the
# permission for the API or service could not be obtained). Any other answer says something else.
REFUSALS = frozenset({4001, 4003, 4004, 4006, 3007, 3009, 3012, 2100, 401, 403})
ACCOUNT_APIS = ("balance", "portfolio", "transaction", "interest")


def _subjects(client: Any, states: tuple[str, ...], api: str) -> list[tuple[str, Subject]]:
    """The profile's subjects of `states`; not applicable (naming the keys) when it names none."""
    ck.claimed(client.profile, api)
    named = [(s, client.profile.onboarding[s]) for s in states if s in client.profile.onboarding]
    if not named:
        keys = " or ".join(f"onboarding.{s}" for s in states)
        ck.not_applicable(f"the profile names no onboarding subject for this check: add {keys}")
    return named


def _row(record: Any, state: str, subject: Subject, asked: str, answered: str, ok: bool) -> None:
    who = f"vtAccNo {mask_value(subject.vtAccNo)}" if subject.vtAccNo else f"CI {mask_value(subject.ci)}"
    record(ROW, {"state": state, "label": STATES[state], "subject": who, "asked": asked,
                 "answered": answered, "ok": ok})


def _member_call(client: Any, api: str, subject: Subject, purpose: str) -> Any:
    body = build_body(get_api(api), client.profile, ci=subject.ci)
    body["body"]["korName"] = subject.korName or client.profile.member_name
    return client.call(api, purpose=purpose, body=body)


def _said(exchange: Any) -> str:
    """A short account of an error answer: status and code."""
    code = error_code(exchange)
    return f"HTTP {exchange.status}" + (f", code {code}" if code is not None else "")


@pytest.mark.rule("LINK-006")
def test_subjects_are_members(client, record_property):
    """Every subject joined the portal (issuing or linking an account needs membership): member."""
    subjects = _subjects(client, tuple(STATES), "member-register")
    wrong = []
    exchanges = []
    for state, subject in subjects:
        exchange = _member_call(client, "member-register", subject, f"member-register for the {STATES[state]}")
        ck.require_answer(exchange, "LINK-006", "member-register")
        doc = exchange.json()
        result = doc.get("result") if exchange.status == 200 and isinstance(doc, dict) else None
        answered = repr(result) if result is not None else _said(exchange)
        _row(record_property, state, subject, "member-register", f"result {answered}", result == "member")
        if result != "member":
            wrong.append(f"the {STATES[state]} is answered {answered}, expected \"member\"")
            exchanges.append(exchange)
    if wrong:
        ck.violate("LINK-006", "; ".join(wrong), exchanges=exchanges, path="result", api="member-register")


def _listed(doc: Any) -> list[str]:
    entries = doc.get("vtAccList") if isinstance(doc, dict) else None
    if is_no_value(entries) or not isinstance(entries, list):
        return []
    return [str(e.get("vtAccNo") if isinstance(e, dict) else e).strip() for e in entries]


@pytest.mark.rule("LINK-007")
def test_consent_lists_only_linked_accounts(client, record_property):
    """No account for a member without one; never the issued-only or the other service's account."""
    subjects = _subjects(client, ("member_without_account", "unlinked_account", "other_service_account"),
                         "member-consent")
    wrong = []
    exchanges = []
    for state, subject in subjects:
        exchange = _member_call(client, "member-consent", subject, f"member-consent for the {STATES[state]}")
        ck.require_answer(exchange, "LINK-007", "member-consent")
        if exchange.status != 200:  # no list at all: nothing is shown that should not be
            _row(record_property, state, subject, "member-consent", f"no list ({_said(exchange)})", True)
            continue
        listed = _listed(exchange.json())
        if subject.vtAccNo:
            shown = subject.vtAccNo.strip() in listed
            answered = "lists the account" if shown else f"does not list it ({len(listed)} other account(s))"
            problem = f"the {STATES[state]} {subject.vtAccNo} is listed for this service" if shown else ""
        else:
            answered = f"lists {len(listed)} account(s)" if listed else "lists no account"
            problem = f"the {STATES[state]} is shown {len(listed)} account(s)" if listed else ""
        _row(record_property, state, subject, "member-consent", answered, not problem)
        if problem:
            wrong.append(problem)
            exchanges.append(exchange)
    if wrong:
        ck.violate("LINK-007", "; ".join(wrong), exchanges=exchanges, path="vtAccList", api="member-consent")


def _refused(client: Any, rule_id: str, states: tuple[str, ...], record: Any) -> None:
    """Each subject account asked on an account API gets a documented refusal, never data."""
    profile = client.profile
    api = next((a for a in ACCOUNT_APIS if profile.claims(a)), None)
    if api is None:
        ck.not_applicable("no account API claimed")
    subjects = _subjects(client, states, api)
    wrong = []
    exchanges = []
    for state, subject in subjects:
        query = {"assetType": "EQTY"} if api in ("balance", "portfolio") else None
        exchange = client.call(api, purpose=f"{api} of the {STATES[state]}",
                               account=Account(subject.vtAccNo, subject.ci), query=query)
        ck.require_answer(exchange, rule_id, api)
        code = error_code(exchange)
        if ck.is_success(exchange, get_api(api)):
            items = len(ck.all_items(exchange.json(), get_api(api)))
            answered, problem = f"HTTP 200 with data ({items} items)", f"the {STATES[state]} is served data"
        elif (code if code is not None else exchange.status) in REFUSALS:
            answered, problem = f"refused ({_said(exchange)})", ""
        else:
            answered = f"refused ({_said(exchange)})"
            problem = (f"the {STATES[state]} is refused with {_said(exchange)}, which does not say why "
                       f"(documented: {', '.join(map(str, sorted(REFUSALS)))})")
        _row(record, state, subject, api, answered, not problem)
        if problem:
            wrong.append(problem)
            exchanges.append(exchange)
    if wrong:
        ck.violate(rule_id, "; ".join(wrong), exchanges=exchanges, api=api)


@pytest.mark.rule("LINK-008")
def test_unlinked_accounts_refused(client, record_property):
    _refused(client, "LINK-008", ("unlinked_account", "other_service_account"), record_property)


@pytest.mark.rule("LINK-009")
def test_expired_consent_refused(client, record_property):
    _refused(client, "LINK-009", ("expired_consent_account",), record_property)
