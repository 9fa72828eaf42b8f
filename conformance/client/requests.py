"""Build each API's request body and headers from the catalogue and the profile.

The bodies follow the page samples (CONTRACT.md section 2): canonical block names, "" for a
field without value (C3), "null" as the first-page key (C12). The query block and its fields come
from the API's field table (`conformance.contract.queries`); callers override query fields.
"""

from __future__ import annotations

import base64
import itertools
from datetime import date, timedelta
from typing import Any

from conformance import clock
from conformance.contract.catalogue import ApiSpec
from conformance.contract.queries import query_block, query_fields
from conformance.profile import Account, B2BAccount, Profile

_counter = itertools.count(1)

def next_request_id() -> str:
    return f"KC{next(_counter):010d}"


def default_window(max_days: int | None = None, *, today: date | None = None) -> tuple[str, str]:
    """The date window asked for when the profile names none: the last 90 days (C15: the maximum
    range differs per broker), shorter when the profile says the broker's maximum is shorter.
    "Today" is the run's (`conformance.clock`, Seoul date), never the machine's."""
    days = min(90, max_days or 90)
    today = today or clock.today()
    return (today - timedelta(days=days - 1)).strftime("%Y%m%d"), today.strftime("%Y%m%d")


def default_query(api: ApiSpec, profile: Profile, account: Account | None,
                  b2b: B2BAccount | None, *, today: date | None = None) -> dict[str, Any]:
    history = (account.history if account else None) or (b2b.history if b2b else None)
    start, end = history or default_window(profile.max_date_range_days, today=today)
    fills = {"account": b2b.accNo if b2b is not None else None, "from": start, "to": end}
    query = {f.name: fills[f.fill] if f.fill else f.ask for f in query_fields(api.id)}
    if api.id == "portfolio" and profile.rsp_types:
        query["rspType"] = profile.rsp_types[0]
    group_field = api.asset_type_field
    if api.family == "account" and group_field in query and not profile.all_query:
        # C11: without the ALL capability the plain question is a per-group one (equities first)
        held = [g for g in ("EQTY", "CASH", "FUND", "ETC") if account and g in account.product_groups]
        query[group_field or ""] = held[0] if held else "EQTY"
    return query


def build_body(api: ApiSpec, profile: Profile, *, account: Account | None = None,
               b2b: B2BAccount | None = None, query: dict[str, Any] | None = None,
               ci: str | None = None, today: date | None = None) -> dict[str, Any]:
    """The request body of one call; `query` overrides (a value of ... removes the key). `today`
    dates a default window (None: the run's clock)."""
    merged = default_query(api, profile, account, b2b, today=today)
    for key, value in (query or {}).items():
        if value is ...:
            merged.pop(key, None)
        else:
            merged[key] = value
    partner = {"comId": profile.partner["comId"], "srvId": profile.partner["srvId"]}
    if api.family == "account":
        assert account is not None, f"{api.id} needs an account"
        return {
            "partner": partner,
            "commonHeader": {"reqIdPlatform": "", "reqIdConsumer": next_request_id(),
                             "ci": account.ci if ci is None else ci},
            "devInfo": {"ipAddr": "127000000001", "macAddr": "7054D27EE247"},
            "accInfo": {"vtAccNo": account.vtAccNo},
            api.request_body or "": {query_block(api.id) or "": merged},
        }
    if api.family == "b2b":
        return {
            "partner": partner,
            "commonHeader": {"reqIdConsumer": next_request_id()},
            api.request_body or "": {query_block(api.id) or "": merged},
        }
    return {
        "partner": partner,
        "commonHeader": {"reqIdConsumer": next_request_id(), "ci": profile.member_ci if ci is None else ci},
        "body": {"korName": profile.member_name},
    }


def auth_headers(api: ApiSpec, profile: Profile, mode: str = "valid",
                 bearer_token: str | None = None) -> dict[str, str]:
    """Headers of the API family's auth scheme. mode: valid | none | wrong | no-comid | lowercase-scheme;
    for account APIs also expired | other-user (the profile's optional C17 tokens). `bearer_token`:
    another user's token for the account APIs (an onboarding subject's); else the run's."""
    if mode == "none":
        return {}
    if api.family == "account":
        tokens = {"wrong": "invalid-token-0000", "expired": profile.expired_bearer_token,
                  "other-user": profile.other_user_bearer_token}
        token = tokens[mode] if mode in tokens else (bearer_token or profile.bearer_token)
        return {"Authorization": f"Bearer {token or ''}"}
    if api.family == "b2b":
        secret = "wrong-secret" if mode == "wrong" else (profile.basic_secret or "")
        credential = base64.b64encode(f"{profile.basic_apikey or ''}:{secret}".encode()).decode()
        scheme = "basic" if mode == "lowercase-scheme" else "Basic"
        headers = {"authorization": f"{scheme} {credential}"}
        if mode != "no-comid":
            headers["comId"] = profile.com_id or profile.partner["comId"]
        return headers
    return {"apikey": "invalid-key-0000" if mode == "wrong" else (profile.apikey or "")}
