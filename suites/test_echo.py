"""Area `echo`: fields marked echo (`반환`) and the query blocks come back as sent (C5, C14, I15)."""

from __future__ import annotations

import pytest

from conformance import checking as ck
from conformance.contract import get_api
from conformance.judges.echo import mismatches

ECHO_APIS = ["portfolio", "balance", "transaction", "interest",
             "orderdetail", "balancelist", "settlelist", "accountlist", "tradebook"]


def _judge(api: str, client, rule_id: str) -> None:
    ck.claimed(client.profile, api)
    judged = 0
    for exchange in ck.representative_exchanges(client, api):
        if not ck.is_success(exchange, get_api(api)):
            continue
        judged += 1
        problems = mismatches(api, exchange, rule_id)
        if problems:
            ck.violate(rule_id, "\n".join(m for _, m in problems), exchanges=[exchange],
                       path=problems[0][0], api=api)
    if not judged:
        ck.nothing_judged(rule_id, client, api)


@pytest.mark.rule("ECHO-001")
@pytest.mark.parametrize("api", ECHO_APIS)
def test_account_number_echoed(api, client):
    _judge(api, client, "ECHO-001")


@pytest.mark.rule("ECHO-002")
@pytest.mark.parametrize("api", ECHO_APIS)
def test_query_block_echoed(api, client):
    _judge(api, client, "ECHO-002")


@pytest.mark.rule("ECHO-003")
@pytest.mark.parametrize("api", ECHO_APIS)
def test_request_id_echoed(api, client):
    _judge(api, client, "ECHO-003")


@pytest.mark.rule("ECHO-004")
@pytest.mark.parametrize("api", ["portfolio", "balance", "transaction", "interest"])
def test_ci_echoed(api, client):
    _judge(api, client, "ECHO-004")


@pytest.mark.rule("ECHO-005")
@pytest.mark.parametrize("api", ECHO_APIS)
def test_echoed_numbers_are_numbers(api, client):
    ck.judge_messages("ECHO-005", api, client)
