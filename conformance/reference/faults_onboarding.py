"""Faults on the onboarding path (C21, C26): who is a member, which accounts the consent list shows
for the asking service, and which accounts the account APIs serve."""

from __future__ import annotations

from conformance.reference import data
from conformance.reference.behaviour import Behaviour
from conformance.reference.context import Call
from conformance.reference.faultkit import fault


@fault("member-needs-account", "LINK-006",
       "member-register answers nonMember for a portal member who has not issued a virtual account yet.")
def member_needs_account(b: Behaviour) -> None:
    status = b.member_status

    def answer(user: str | None) -> tuple[str, str | None]:
        if user is not None and not data.linked_accounts(user):
            return "nonMember", None
        return status(user)

    b.member_status = answer


@fault("consent-lists-unlinked", "LINK-007 LINK-002",
       "member-consent lists every virtual account the user issued, linked to the asking service or not.")
def consent_lists_unlinked(b: Behaviour) -> None:
    b.listed_for_service = lambda call, broker, vt_acc_no: True


@fault("consent-ignores-srvid", "LINK-007 LINK-002",
       "member-consent lists the accounts linked to any of the user's services, whatever partner.srvId asks.")
def consent_ignores_srvid(b: Behaviour) -> None:
    def listed(call: Call, broker: str, vt_acc_no: str) -> bool:
        spec = data.find_spec(broker, vt_acc_no)
        return spec is None or spec.services != ()

    b.listed_for_service = listed


@fault("serves-unlinked-accounts", "LINK-008",
       "The account APIs serve any account of the CI, whether or not it is linked to the asking service.")
def serves_unlinked_accounts(b: Behaviour) -> None:
    b.link_check = lambda call, account: None


@fault("serves-expired-consent", "LINK-009",
       "The account APIs keep serving an account after the user's consent for the service expired.")
def serves_expired_consent(b: Behaviour) -> None:
    b.consent_check = lambda call, account: None
