"""Area `null-values`: the request and response "no value" conventions (C3, C4, C6, I12)."""

from __future__ import annotations

import pytest

from conformance import checking as ck
from conformance.contract import API_IDS, get_api

APIS = list(API_IDS)
# Request fields whose documented meaning of "" is "no filter" / "today" (C32, C3).
EMPTY_MEANS_ALL = {
    "transaction": {"isinCode": "", "side": ""},
    "orderdetail": {"qrOrderDate": "", "qrIsinCode": "", "qrOrderNo": ""},
    "settlelist": {"qrOrderDate": "", "qrIsinCode": ""},
    "interest": {"assetType": "", "rspType": "", "page": ""},
}
PAGED = ["portfolio", "balance", "transaction", "orderdetail", "balancelist", "settlelist",
         "accountlist", "tradebook"]
FIRST_PAGE_FORMS = {"string-null": "null", "json-null": None, "empty": "", "absent": ...}


@pytest.mark.rule("NULL-001")
@pytest.mark.parametrize("api", sorted(EMPTY_MEANS_ALL))
def test_empty_string_accepted_for_fields_without_value(api, client):
    ck.claimed(client.profile, api)
    exchange = ck.ask(client, api, f'{api} with "" for fields without value', query=EMPTY_MEANS_ALL[api])
    ck.must_succeed("NULL-001", exchange, api, f'"" sent for {", ".join(EMPTY_MEANS_ALL[api])}')


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("rule_id", ck.rules("NULL-002", "NULL-005"))
def test_response_no_value_forms(rule_id, api, client):
    """Only legal no-value forms (NULL-002); a block without value keeps its type or is absent (NULL-005)."""
    ck.judge_messages(rule_id, api, client)


@pytest.mark.rule("NULL-003")
@pytest.mark.parametrize("form", list(FIRST_PAGE_FORMS))
@pytest.mark.parametrize("api", PAGED)
def test_first_page_key_forms(api, form, client):
    ck.claimed(client.profile, api)
    query = {"page": FIRST_PAGE_FORMS[form]}
    if api in ("portfolio", "balance"):
        query["assetType"] = "EQTY"
    exchange = ck.ask(client, api, f"{api} first page key {form}", query=query)
    ck.must_succeed("NULL-003", exchange, api, f"the first-page key sent as {form}", baseline=client)


@pytest.mark.rule("NULL-004")
@pytest.mark.parametrize("api", APIS)
def test_unused_request_fields_ignored(api, client):
    ck.claimed(client.profile, api)
    spec = get_api(api)
    profile = client.profile
    if spec.family == "member" and not profile.member_ci:
        ck.not_applicable("the profile has no member block")
    account = ck.first_account(profile) if spec.family == "account" else None
    b2b = ck.first_b2b(profile) if spec.family == "b2b" else None
    body = client.body(api, account=account, b2b=b2b)
    body["commonHeader"]["reqIdPlatform"] = "android"
    body["commonHeader"]["certDn"] = "null"
    if spec.family == "account":
        body["accInfo"]["realAccNo"] = None  # I29: the transaction sample sends it
    exchange = client.call(api, purpose=f"{api} with unused fields filled", body=body)
    ck.must_succeed("NULL-004", exchange, api, "a request carrying reqIdPlatform, certDn and realAccNo",
                    baseline=client)
