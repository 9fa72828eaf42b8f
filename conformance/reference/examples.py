"""Example requests each virtual broker answers successfully: path, headers and body of any API.

For the reference broker's own tests, benchmarks and documentation (the suites build their requests
from a profile through conformance.client, never from here).
"""

from __future__ import annotations

import base64
from typing import Any

from conformance.reference import b2b_data, data
from conformance.reference.inbound import SPECS
from conformance.reference.instruments import USERS

ACCOUNT_APIS = ("portfolio", "balance", "transaction", "interest")
B2B_APIS = ("orderdetail", "balancelist", "settlelist", "accountlist", "tradebook")
MEMBER_APIS = ("member-register", "member-consent")
ALL_APIS = ACCOUNT_APIS + B2B_APIS + MEMBER_APIS
HWANNY_CI = USERS["hwanny"][1]


def main_account(broker: str, size: str = "main") -> data.AccountSpec:
    return next(s for s in data.account_specs(broker) if s.size == size)


def main_b2b_account(broker: str) -> b2b_data.B2BAccount:
    return b2b_data.b2b_accounts(broker)[0]


def path(api: str, broker: str = "diamond") -> str:
    if api.startswith("member-"):
        return f"/v1/common/member/{api.removeprefix('member-')}/search"
    family = "account" if api in ACCOUNT_APIS else "b2baccount"
    return f"/v1/{broker}/{family}/{api}/search"


def headers(api: str, broker: str = "diamond", mode: str = "valid") -> dict[str, str]:
    """mode: valid | none | wrong; for account APIs also expired | other-user (C17 tokens)."""
    out = {"Content-Type": "application/json"}
    if mode == "none":
        return out
    if api in ACCOUNT_APIS:
        tokens = {"valid": f"{broker}-token", "expired": f"{broker}-expired-token",
                  "other-user": f"{broker}-other-user-token"}
        out["Authorization"] = f"Bearer {tokens.get(mode, 'wrong-token')}"
    elif api in B2B_APIS:
        secret = f"{broker}-secret" if mode == "valid" else "wrong"
        out["authorization"] = "Basic " + base64.b64encode(f"{broker}-apikey:{secret}".encode()).decode()
        out["comId"] = "00995"
    else:
        out["apikey"] = f"{broker}-member-key" if mode == "valid" else "wrong-key"
    return out


def default_query(api: str, broker: str = "diamond") -> dict[str, Any]:
    acc = main_account(broker)
    b2b = main_b2b_account(broker)
    history = acc.history or ("20160101", "20160131")
    queries: dict[str, dict[str, Any]] = {
        "portfolio": {"assetType": "EQTY", "rspType": "RAT", "count": 0, "page": "null"},
        "balance": {"assetType": "EQTY", "count": 0, "page": "null"},
        "transaction": {"fromDate": history[0], "toDate": history[1], "isinCode": "", "side": "", "count": 0,
                        "page": "null"},
        "interest": {"assetType": "", "rspType": None, "count": 0, "page": "", "totalCnt": 0},
        "orderdetail": {"qrAssetType": "EQTY", "qrSellBuyType": "0", "qrAccNo": b2b.acc_no, "qrOrderDate": "",
                        "qrIsinCode": None, "qrOrderNo": None, "count": 0, "page": None},
        "balancelist": {"qrAccNo": b2b.acc_no, "qrAssetType": "EQTY", "count": 0, "page": None},
        "settlelist": {"qrAssetType": "EQTY", "qrSellBuyType": "0", "qrAccNo": b2b.acc_no, "qrOrderDate": "",
                       "qrIsinCode": "", "count": 0, "page": None},
        "accountlist": {"count": 0, "page": None},
        "tradebook": {"qrAccNo": b2b.acc_no, "qrFromDate": b2b.history[0], "qrToDate": b2b.history[1],
                      "count": 0, "page": "null"},
    }
    return dict(queries.get(api, {}))


def body(api: str, broker: str = "diamond", query: dict[str, Any] | None = None, *,
         vt_acc_no: str | None = None, ci: str | None = None) -> dict[str, Any]:
    """A valid request body; `query` overrides query fields (the value ... removes one)."""
    merged = default_query(api, broker)
    for key, value in (query or {}).items():
        if value is ...:
            merged.pop(key, None)
        else:
            merged[key] = value
    spec = SPECS[api]
    partner = {"comId": "F9999", "srvId": "999"}
    if api in ACCOUNT_APIS:
        return {"partner": partner,
                "commonHeader": {"reqIdPlatform": "", "reqIdConsumer": "ID000001", "ci": ci or HWANNY_CI},
                "devInfo": {"ipAddr": "123451234500", "macAddr": "7054D27EE247"},
                "accInfo": {"vtAccNo": vt_acc_no or main_account(broker).vt_acc_no},
                spec.body[0]: {spec.query[0]: merged}}
    if api in B2B_APIS:
        return {"partner": partner, "commonHeader": {"reqIdConsumer": "Fintech-2016062200001"},
                spec.body[0]: {spec.query[0]: merged}}
    return {"partner": {"comId": "F0995", "srvId": "297"},
            "commonHeader": {"reqIdConsumer": "reqid-0001", "ci": ci or HWANNY_CI},
            "body": {"korName": USERS["hwanny"][0]}}
