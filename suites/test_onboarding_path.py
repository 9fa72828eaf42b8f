"""Area `service-link`, the onboarding path (C21, C26): a fintech must be able to tell a portal member
without a virtual account, an account issued but not linked to its service (or linked to another
srvId), and an account whose consent expired, from a linked account that works.

The subjects are the profile's optional `onboarding` block. Each question and answer also becomes a
row of the run's onboarding table (results.json `onboarding`, the report's "Onboarding path"),
recorded through pytest's `record_property`; subjects are masked there. The answers are judged by
conformance/judges/onboarding.py.
"""

from __future__ import annotations

from typing import Any

from conformance.checking import all_items, check, is_success, require_answer
from conformance.client.requests import build_body
from conformance.contract import api_set, get_api, set_path
from conformance.errors import error_code
from conformance.judges.onboarding import STATES, consent_answer, member_answer, refusal_answer
from conformance.profile import Account, Subject
from conformance.redact import mask_value

ROW = "conformance_onboarding"
REGISTER, CONSENT = api_set("family:member")
# catalogue.yaml `member:`: register's membership answer and the consent list of linked accounts
RESULT, ACCOUNTS = get_api(REGISTER).member_field("membership"), get_api(CONSENT).member_field("accounts")
ACCOUNT_APIS = ("balance", "portfolio", "transaction", "interest")  # the first one claimed is asked


def _subjects(ctx: Any, states: tuple[str, ...]) -> list[tuple[str, Subject]]:
    """The profile's subjects of `states`; not applicable (naming the keys) when it names none."""
    if getattr(ctx.client, "replay", None) is not None:  # masked identifiers collide: subjects can't be told apart
        ctx.not_applicable("a recording masks the subjects' CIs and account numbers, so the onboarding "
                           "states cannot be told apart in a replay; a live run judges them")
    named = [(s, ctx.profile.onboarding[s]) for s in states if s in ctx.profile.onboarding]
    if not named:
        keys = " or ".join(f"onboarding.{s}" for s in states)
        ctx.not_applicable(f"the profile names no onboarding subject for this check: add {keys}")
    return named


def _row(record: Any, state: str, subject: Subject, asked: str, answered: str, ok: bool) -> None:
    who = f"vtAccNo {mask_value(subject.vtAccNo)}" if subject.vtAccNo else f"CI {mask_value(subject.ci)}"
    record(ROW, {"state": state, "label": STATES[state], "subject": who, "asked": asked,
                 "answered": answered, "ok": ok})


def _member_call(ctx: Any, subject: Subject, purpose: str) -> Any:
    body = build_body(ctx.spec, ctx.profile, ci=subject.ci)
    set_path(body, ctx.spec.member_field("name"), subject.korName or ctx.profile.member_name)
    return ctx.call(purpose, body=body)


def _doc(exchange: Any) -> Any:
    return exchange.json() if exchange.status == 200 else None


def _file(ctx: Any, problems: list[str], exchanges: list[Any], path: str = "") -> None:
    if problems:
        ctx.fail("; ".join(problems), exchanges=exchanges, path=path)


@check("LINK-006", requires=(f"claims:{REGISTER}",))
def test_subjects_are_members(ctx, record_property):
    """Every subject joined the portal (issuing or linking an account needs membership): member."""
    ctx.api = REGISTER
    problems, exchanges = [], []
    for state, subject in _subjects(ctx, tuple(STATES)):
        exchange = _member_call(ctx, subject, f"member-register for the {STATES[state]}")
        require_answer(exchange, ctx.rule, ctx.api)
        answered, findings = member_answer(state, exchange.status, error_code(exchange), _doc(exchange))
        _row(record_property, state, subject, ctx.api, answered, not findings)
        problems += [f.message for f in findings]
        exchanges += [exchange] if findings else []
    _file(ctx, problems, exchanges, RESULT)


@check("LINK-007", requires=(f"claims:{CONSENT}",))
def test_consent_lists_only_linked_accounts(ctx, record_property):
    """No account for a member without one; never the issued-only or the other service's account."""
    ctx.api = CONSENT
    problems, exchanges = [], []
    for state, subject in _subjects(ctx, ("member_without_account", "unlinked_account", "other_service_account")):
        exchange = _member_call(ctx, subject, f"member-consent for the {STATES[state]}")
        require_answer(exchange, ctx.rule, ctx.api)
        answered, findings = consent_answer(state, subject.vtAccNo, exchange.status, error_code(exchange),
                                            _doc(exchange))
        _row(record_property, state, subject, ctx.api, answered, not findings)
        problems += [f.message for f in findings]
        exchanges += [exchange] if findings else []
    _file(ctx, problems, exchanges, ACCOUNTS)


def _refused(ctx: Any, states: tuple[str, ...], record: Any) -> None:
    """Each subject account asked on an account API gets a documented refusal, never data."""
    api = next((a for a in ACCOUNT_APIS if ctx.profile.claims(a)), None)
    if api is None:
        ctx.not_applicable("no account API claimed")
    ctx.api = api
    problems, exchanges = [], []
    for state, subject in _subjects(ctx, states):
        group = ctx.spec.asset_type_field
        query = {group: "EQTY"} if group else None
        exchange = ctx.call(f"{api} of the {STATES[state]}", account=Account(subject.vtAccNo, subject.ci), query=query,
                            bearer_token=subject.bearer_token)  # None: the run's token
        require_answer(exchange, ctx.rule, api)
        served = len(all_items(exchange.json(), ctx.spec)) if is_success(exchange, ctx.spec) else None
        answered, findings = refusal_answer(state, served, exchange.status, error_code(exchange))
        _row(record, state, subject, api, answered, not findings)
        problems += [f.message for f in findings]
        exchanges += [exchange] if findings else []
    _file(ctx, problems, exchanges)


@check("LINK-008")
def test_unlinked_accounts_refused(ctx, record_property):
    _refused(ctx, ("unlinked_account", "other_service_account"), record_property)


@check("LINK-009")
def test_expired_consent_refused(ctx, record_property):
    _refused(ctx, ("expired_consent_account",), record_property)
