"""Build each API's request body and headers from the catalogue and the profile.

The bodies follow the page samples (CONTRACT.md section 2): canonical block names, "" for a
field without value (C3), "null" as the first-page key (C12). Callers override query fields.
"""

from __future__ import annotations

import base64
import itertools
from datetime import date, timedelta
from typing import Any

from conformance.contract.catalogue import ApiSpec
from conformance.profile import Account, B2BAccount, Profile

_counter = itertools.count(1)

# Query blocks as the samples send them; None marks "filled from the account/profile".
_QUERIES: dict[str, dict[str, Any]] = {
    "portfolio": {"assetType": "ALL", "rspType": "RAT", "count": 0, "page": "null"},
    "balance": {"assetType": "ALL", "count": 0, "page": "null"},
    "transaction": {"fromDate": None, "toDate": None, "isinCode": "", "side": "", "count": 0, "page": "null"},
    "interest": {"assetType": "", "rspType": "", "count": 0, "page": "null"},
    "orderdetail": {"qrAssetType": "EQTY", "qrSellBuyType": "0", "qrAccNo": None, "qrOrderDate": "",
                    "qrIsinCode": "", "qrOrderNo": "", "count": 0, "page": "null"},
    "balancelist": {"qrAccNo": None, "qrAssetType": "EQTY", "count": 0, "page": "null"},
    "settlelist": {"qrAssetType": "EQTY", "qrSellBuyType": "0", "qrAccNo": None, "qrOrderDate": "",
                   "qrIsinCode": "", "count": 0, "page": "null"},
    "accountlist": {"count": 0, "page": "null"},
    "tradebook": {"qrAccNo": None, "qrFromDate": None, "qrToDate": None, "count": 0, "page": "null"},
}


def next_request_id() -> str:
    return f"KC{next(_counter):010d}"


def default_window(max_days: int | None = None) -> tuple[str, str]:
    """The date window asked for when the profile names none: the last 90 days (C15: the maximum
    range differs per broker), shorter when the profile says the broker's maximum is shorter."""
    days = min(90, max_days or 90)
    today = date.today()
    return (today - timedelta(days=days - 1)).strftime("%Y%m%d"), today.strftime("%Y%m%d")


def default_query(api: ApiSpec, profile: Profile, account: Account | None,
                  b2b: B2BAccount | None) -> dict[str, Any]:
    query = dict(_QUERIES.get(api.id, {}))
    if api.id == "portfolio" and profile.rsp_types:
        query["rspType"] = profile.rsp_types[0]
    if "assetType" in query and api.id in ("portfolio", "balance") and not profile.all_query:
        # C11: without the ALL capability the plain question is a per-group one
        held = [g for g in ("EQTY", "CASH", "FUND", "ETC") if account and g in account.product_groups]
        query["assetType"] = held[0] if held else "EQTY"
    if "qrAccNo" in query and b2b is not None:
        query["qrAccNo"] = b2b.accNo
    history = (account.history if account else None) or (b2b.history if b2b else None)
    start, end = history or default_window(profile.max_date_range_days)
    for key, value in (("fromDate", start), ("toDate", end), ("qrFromDate", start), ("qrToDate", end)):
        if key in query:
            query[key] = value
    return query


def build_body(api: ApiSpec, profile: Profile, *, account: Account | None = None,
               b2b: B2BAccount | None = None, query: dict[str, Any] | None = None,
               ci: str | None = None) -> dict[str, Any]:
    """The request body of one call; `query` overrides (a value of ... removes the key)."""
    merged = default_query(api, profile, account, b2b)
    for key, value in (query or {}).items():
        if value is ...:
            merged.pop(key, None)
        else:
            merged[key] = value
    partner = {"comId": profile.partner["comId"], "srvId": profile.partner["srvId"]}
    if api.family == "account":
        assert account is not None, f"{api.id} needs an account"
        block = api.query_request.rsplit(".", 1)[-1] if api.query_request else "queryType"
        return {
            "partner": partner,
            "commonHeader": {"reqIdPlatform": "", "reqIdConsumer": next_request_id(),
                             "ci": account.ci if ci is None else ci},
            "devInfo": {"ipAddr": "127000000001", "macAddr": "7054D27EE247"},
            "accInfo": {"vtAccNo": account.vtAccNo},
            api.request_body or "": {block: merged},
        }
    if api.family == "b2b":
        return {
            "partner": partner,
            "commonHeader": {"reqIdConsumer": next_request_id()},
            api.request_body or "": {"queryParameter": merged},
        }
    return {
        "partner": partner,
        "commonHeader": {"reqIdConsumer": next_request_id(), "ci": profile.member_ci if ci is None else ci},
        "body": {"korName": profile.member_name},
    }


def auth_headers(api: ApiSpec, profile: Profile, mode: str = "valid",
                 bearer_token: str | None = None) -> dict[str, str]:
    """Headers of the API family's auth scheme. mode: valid | none | wrong | no-comid | lowercase-scheme.
    `bearer_token`: another user's token for the account APIs (an onboarding subject's); else the run's."""
    if mode == "none":
        return {}
    if api.family == "account":
        token = "invalid-token-0000" if mode == "wrong" else (bearer_token or profile.bearer_token or "")
        return {"Authorization": f"Bearer {token}"}
    if api.family == "b2b":
        secret = "wrong-secret" if mode == "wrong" else (profile.basic_secret or "")
        credential = base64.b64encode(f"{profile.basic_apikey or ''}:{secret}".encode()).decode()
        scheme = "basic" if mode == "lowercase-scheme" else "Basic"
        headers = {"authorization": f"{scheme} {credential}"}
        if mode != "no-comid":
            headers["comId"] = profile.com_id or profile.partner["comId"]
        return headers
    return {"apikey": "invalid-key-0000" if mode == "wrong" else (profile.apikey or "")}
