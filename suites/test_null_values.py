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


def _call(client, api: str, purpose: str, **kwargs):
    spec = get_api(api)
    profile = client.profile
    if spec.family == "account":
        kwargs.setdefault("account", ck.first_account(profile))
    elif spec.family == "b2b":
        kwargs.setdefault("b2b", ck.first_b2b(profile))
    return client.call(api, purpose=purpose, **kwargs)


@pytest.mark.rule("NULL-001")
@pytest.mark.parametrize("api", sorted(EMPTY_MEANS_ALL))
def test_empty_string_accepted_for_fields_without_value(api, client):
    ck.claimed(client.profile, api)
    exchange = _call(client, api, f'{api} with "" for fields without value', query=EMPTY_MEANS_ALL[api])
    if not ck.is_success(exchange, get_api(api)):
        ck.require_answer(exchange, "NULL-001", api)
        ck.violate("NULL-001", f'"" sent for {", ".join(EMPTY_MEANS_ALL[api])} was refused '
                   f"(HTTP {exchange.status}: {exchange.response_body[:160].decode('utf-8', 'replace')})",
                   exchanges=[exchange], api=api)


@pytest.mark.rule("NULL-002")
@pytest.mark.parametrize("api", APIS)
def test_only_legal_no_value_forms(api, client):
    ck.judge_messages("NULL-002", api, client)


@pytest.mark.rule("NULL-003")
@pytest.mark.parametrize("form", list(FIRST_PAGE_FORMS))
@pytest.mark.parametrize("api", PAGED)
def test_first_page_key_forms(api, form, client):
    ck.claimed(client.profile, api)
    query = {"page": FIRST_PAGE_FORMS[form]}
    if api in ("portfolio", "balance"):
        query["assetType"] = "EQTY"
    exchange = _call(client, api, f"{api} first page key {form}", query=query)
    if not ck.is_success(exchange, get_api(api)):
        ck.require_answer(exchange, "NULL-003", api)
        ck.violate("NULL-003", f"first-page key sent as {form} was refused (HTTP {exchange.status}: "
                   f"{exchange.response_body[:160].decode('utf-8', 'replace')})", exchanges=[exchange], api=api)


@pytest.mark.rule("NULL-004")
@pytest.mark.parametrize("api", APIS)
def test_unused_request_fields_ignored(api, client):
    ck.claimed(client.profile, api)
    spec = get_api(api)
    profile = client.profile
    kwargs = {}
    if spec.family == "account":
        kwargs["account"] = ck.first_account(profile)
    elif spec.family == "b2b":
        kwargs["b2b"] = ck.first_b2b(profile)
    elif not profile.member_ci:
        ck.not_applicable("the profile has no member block")
    body = client.body(api, **kwargs)
    body["commonHeader"]["reqIdPlatform"] = "android"
    body["commonHeader"]["certDn"] = "null"
    if spec.family == "account":
        body["accInfo"]["realAccNo"] = None  # I29: the transaction sample sends it
    exchange = client.call(api, purpose=f"{api} with unused fields filled", body=body)
    if not ck.is_success(exchange, spec):
        ck.require_answer(exchange, "NULL-004", api)
        ck.violate("NULL-004", "a request carrying reqIdPlatform/certDn/realAccNo was refused "
                   f"(HTTP {exchange.status}: {exchange.response_body[:160].decode('utf-8', 'replace')})",
                   exchanges=[exchange], api=api)


@pytest.mark.rule("NULL-005")
@pytest.mark.parametrize("api", APIS)
def test_no_value_blocks_keep_their_type(api, client):
    ck.judge_messages("NULL-005", api, client)
