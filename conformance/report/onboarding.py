"""The onboarding path of a run (C21, C26) for the report: per state of the path, which subject was
asked what and what the broker answered, from results.json `onboarding` (older results have none).

States the run did not exercise are shown too, naming the profile key that would exercise them, so a
reader sees what was judged and what was not."""

from __future__ import annotations

from typing import Any

# state -> (label, profile key), in the order a user walks the path
STATES: dict[str, tuple[str, str]] = {
    "member_without_account": ("portal member without a virtual account", "onboarding.member_without_account"),
    "unlinked_account": ("account issued, not linked to this service", "onboarding.unlinked_account"),
    "other_service_account": ("account linked to another service (srvId) only",
                              "onboarding.other_service_account"),
    "expired_consent_account": ("consent for this service expired", "onboarding.expired_consent_account"),
}


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def onboarding_view(rows: Any, *, judged: bool = True) -> list[dict[str, Any]] | None:
    """One entry per state with its rows; None when the results carry no onboarding block, or when
    the run did not check the service-link area at all (nothing to say about the profile then)."""
    if not isinstance(rows, list) or (not rows and not judged):
        return None
    by_state: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        if isinstance(row, dict):
            by_state.setdefault(_text(row.get("state")), []).append(
                {k: _text(row.get(k)) for k in ("subject", "asked", "answered", "rule_id", "verdict")})
    states = [*STATES, *sorted(s for s in by_state if s not in STATES)]
    return [{"state": state, "label": STATES.get(state, (state, ""))[0], "key": STATES.get(state, ("", ""))[1],
             "rows": by_state.get(state, [])} for state in states]
