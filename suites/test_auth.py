"""Area `auth`: each family refuses missing and wrong credentials (C16–C19); CI ownership (C21)."""

from __future__ import annotations

import pytest

from conformance import checking as ck
from conformance.contract import API_IDS, get_api
from conformance.judges.auth import must_refuse
from conformance.profile import Account

ACCOUNT_APIS = [a for a in API_IDS if get_api(a).family == "account"]
B2B_APIS = [a for a in API_IDS if get_api(a).family == "b2b"]
MEMBER_APIS = [a for a in API_IDS if get_api(a).family == "member"]
FOREIGN_CI = "Zm9yZWlnbi1jaS1mb3ItY29uZm9ybWFuY2UtY2hlY2tzLW5vdC1hLXJlYWwtdXNlci0wMDAwMDAwMDAwMDAwMDA="


@pytest.mark.rule("AUTH-001")
@pytest.mark.parametrize("api", ACCOUNT_APIS)
def test_account_without_token_refused(api, client):
    ck.claimed(client.profile, api)
    must_refuse("AUTH-001", ck.ask(client, api, f"{api} without Authorization", auth="none"), api,
                 "a request without a bearer token")


@pytest.mark.rule("AUTH-002")
@pytest.mark.parametrize("api", ACCOUNT_APIS)
def test_account_with_invalid_token_refused(api, client):
    ck.claimed(client.profile, api)
    must_refuse("AUTH-002", ck.ask(client, api, f"{api} with an invalid token", auth="wrong"), api,
                 "a request with an invalid bearer token")


@pytest.mark.rule("AUTH-003")
@pytest.mark.parametrize("missing", ["authorization", "comId"])
@pytest.mark.parametrize("api", B2B_APIS)
def test_b2b_without_credentials_refused(api, missing, client):
    ck.claimed(client.profile, api)
    mode = "none" if missing == "authorization" else "no-comid"
    must_refuse("AUTH-003", ck.ask(client, api, f"{api} without {missing}", auth=mode), api,
                 f"a request without the {missing} header")


@pytest.mark.rule("AUTH-004")
@pytest.mark.parametrize("api", B2B_APIS)
def test_b2b_wrong_secret_refused(api, client):
    ck.claimed(client.profile, api)
    must_refuse("AUTH-004", ck.ask(client, api, f"{api} with a wrong Basic secret", auth="wrong"), api,
                 "a request with wrong Basic credentials")


@pytest.mark.rule("AUTH-005")
@pytest.mark.parametrize("mode", ["none", "wrong"])
@pytest.mark.parametrize("api", MEMBER_APIS)
def test_member_without_valid_apikey_refused(api, mode, client):
    ck.claimed(client.profile, api)
    what = "without an apikey" if mode == "none" else "with a wrong apikey"
    must_refuse("AUTH-005", ck.ask(client, api, f"{api} {what}", auth=mode), api, f"a request {what}")


@pytest.mark.rule("AUTH-006")
@pytest.mark.parametrize("api", ACCOUNT_APIS)
def test_account_not_served_to_another_ci(api, client):
    ck.claimed(client.profile, api)
    account = ck.first_account(client.profile)
    other = next((a.ci for a in client.profile.accounts if a.ci.strip() != account.ci.strip()), FOREIGN_CI)
    exchange = client.call(api, purpose=f"{api} with a CI that does not own the account",
                           account=Account(account.vtAccNo, other))
    must_refuse("AUTH-006", exchange, api, "an account asked for by a CI that does not own it")


@pytest.mark.rule("AUTH-007")
@pytest.mark.parametrize("variant", ["lowercase-basic", "mixed-case-media-type"])
def test_scheme_and_media_type_case_insensitive(variant, client):
    profile = client.profile
    if variant == "lowercase-basic":
        api = next((a for a in B2B_APIS if profile.claims(a)), None)
        if api is None:
            ck.not_applicable("no b2b API claimed")
        exchange = ck.ask(client, api, f"{api} with scheme word 'basic'", auth="lowercase-scheme")
    else:
        api = next((a for a in API_IDS if profile.claims(a)), None)
        if api is None:
            ck.not_applicable("no API claimed")
        exchange = ck.ask(client, api, f"{api} with Content-Type Application/JSON", content_type="Application/JSON")
    ck.must_succeed("AUTH-007", exchange, api, f"a request with {variant}", baseline=client)
