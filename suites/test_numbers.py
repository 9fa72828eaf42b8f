"""Area `numbers`: number notation (C8), numbers as numbers (C9), precision (C30)."""

from __future__ import annotations

import pytest

from conformance import checking as ck
from conformance.contract import API_IDS, get_api
from conformance.judges.numbers import rates_two_decimals

APIS = list(API_IDS)


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("rule_id", ck.rules("NUM-001", "NUM-002"))
def test_number_literals(rule_id, api, client):
    """Nine zeros only in exponent notation (NUM-001); numbers never as strings (NUM-002)."""
    ck.judge_messages(rule_id, api, client)


@pytest.mark.rule("NUM-003")
@pytest.mark.parametrize("api", ["portfolio", "balance", "balancelist"])
def test_rates_have_two_decimals(api, client):
    ck.claimed(client.profile, api)
    judged = 0
    for exchange in ck.representative_exchanges(client, api):
        if not ck.is_success(exchange, get_api(api)):
            continue
        judged += 1
        rates_two_decimals(exchange, api)
    if not judged:
        ck.nothing_judged("NUM-003", client, api)


@pytest.mark.rule("NUM-004")
@pytest.mark.parametrize("notation", ["10.0", "1.0E1"])
def test_request_numbers_in_any_notation(notation, client):
    """The broker reads `count` written as an integral float or in exponent notation (C8, C9)."""
    profile = client.profile
    api = next((a for a in ("balance", "transaction", "tradebook", "accountlist") if profile.claims(a)), None)
    if api is None:
        ck.not_applicable("no paged API claimed")
    spec = get_api(api)
    body = client.body(api, account=ck.first_account(profile) if spec.family == "account" else None,
                       b2b=ck.first_b2b(profile) if spec.family == "b2b" else None,
                       query={"count": 10})
    import json

    raw = json.dumps(body, ensure_ascii=False).replace('"count": 10', f'"count": {notation}').encode()
    exchange = client.call(api, purpose=f"{api} count written {notation}", raw_body=raw)
    ck.must_succeed("NUM-004", exchange, api, f"count written as {notation}", baseline=client)
