"""Area `service-link`, the onboarding path (C21, C26): what each answer about a test subject says.

Each judge returns what the broker answered (a row of the run's onboarding table) and the findings.
"""

from __future__ import annotations

from typing import Any

from conformance.contract import error_code, is_no_value
from conformance.judges import Finding

STATES = {
    "member_without_account": "portal member without a virtual account",
    "unlinked_account": "account issued, not linked to this service",
    "other_service_account": "account linked to another service (srvId) only",
    "expired_consent_account": "consent for this service expired",
}
# The refusals the contract documents for an account this service may not see: C21 (4003, 3009,
# 3012, 4001), C17 (4003, 4004, 3007, 4006, HTTP 401/403), C26 (4006), and 2100 (section 3.2: the
# permission for the API or service could not be obtained). Any other answer says something else.
REFUSAL_NAMES = ("account_not_found", "ci_account_mismatch", "ci_not_found", "consent_not_found",
                 "user_not_found", "account_info_not_found", "unknown_account_number", "authorization_failed",
                 "unauthorized", "forbidden")
MEMBER = "member"


def refusals() -> frozenset[int]:
    return frozenset(error_code(name) for name in REFUSAL_NAMES)


def said(status: int | None, code: int | None) -> str:
    """A short account of an error answer: status and code."""
    return f"HTTP {status}" + (f", code {code}" if code is not None else "")


def member_answer(state: str, status: int | None, code: int | None, doc: Any) -> tuple[str, list[Finding]]:
    """LINK-006: every subject is a portal member, so member-register answers result "member"."""
    result = doc.get("result") if status == 200 and isinstance(doc, dict) else None
    answered = repr(result) if result is not None else said(status, code)
    if result == MEMBER:
        return f"result {answered}", []
    return f"result {answered}", [Finding("result", f"the {STATES[state]} is answered {answered}, expected \"member\"")]


def listed_accounts(doc: Any) -> list[str]:
    """The vtAccNo of each entry of a member-consent list (none for a no-value list)."""
    entries = doc.get("vtAccList") if isinstance(doc, dict) else None
    if is_no_value(entries) or not isinstance(entries, list):
        return []
    return [str(e.get("vtAccNo") if isinstance(e, dict) else e).strip() for e in entries]


def consent_answer(state: str, vt_acc_no: str, status: int | None, code: int | None,
                   doc: Any) -> tuple[str, list[Finding]]:
    """LINK-007: the consent list shows a subject's account never, a member without one nothing."""
    if status != 200:  # no list at all: nothing is shown that should not be
        return f"no list ({said(status, code)})", []
    listed = listed_accounts(doc)
    if vt_acc_no:
        if vt_acc_no.strip() in listed:
            found = Finding("vtAccList", f"the {STATES[state]} {vt_acc_no} is listed for this service")
            return "lists the account", [found]
        return f"does not list it ({len(listed)} other account(s))", []
    if listed:
        found = Finding("vtAccList", f"the {STATES[state]} is shown {len(listed)} account(s)")
        return f"lists {len(listed)} account(s)", [found]
    return "lists no account", []


def refusal_answer(state: str, served_items: int | None, status: int | None,
                   code: int | None) -> tuple[str, list[Finding]]:
    """LINK-008/009: an account API refuses the subject's account with a documented refusal, never
    serves it (`served_items`: the items of a successful answer, None when it was not one)."""
    if served_items is not None:
        return f"HTTP 200 with data ({served_items} items)", [Finding("", f"the {STATES[state]} is served data")]
    answered = f"refused ({said(status, code)})"
    documented = refusals()
    if (code if code is not None else status) in documented:
        return answered, []
    return answered, [Finding("", f"the {STATES[state]} is refused with {said(status, code)}, which does not say why "
                                  f"(documented: {', '.join(map(str, sorted(documented)))})")]
