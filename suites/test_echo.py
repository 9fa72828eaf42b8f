"""Area `echo`: fields marked echo (`반환`) and the query blocks come back as sent (C5, C14, I15)."""

from __future__ import annotations

import json

import pytest

from conformance import checking as ck
from conformance.contract import MISSING, get_api, get_path, is_no_value, same_or_both_empty
from conformance.redact import MASKED_KEYS, mask_value

ECHO_APIS = ["portfolio", "balance", "transaction", "interest",
             "orderdetail", "balancelist", "settlelist", "accountlist", "tradebook"]


def _digits(value: object) -> object:
    return value.replace("-", "").strip() if isinstance(value, str) else value  # I52


def _shown(path: str, value: object) -> str:
    """A value for a message; account numbers and CIs masked (they identify people)."""
    if isinstance(value, str) and path.rsplit(".", 1)[-1] in MASKED_KEYS:
        value = mask_value(value)
    return json.dumps(value, ensure_ascii=False)


def _mismatches(api: str, exchange, rule_id: str) -> list[tuple[str, str]]:
    spec = get_api(api)
    request = exchange.request_json() or {}
    got = ck.answer(exchange, api, rule_id)
    out = []
    for field in spec.echo_fields():
        if field.echo.get("rule") != rule_id:
            continue
        returned = get_path(got.doc, field.path)
        if returned is MISSING or is_no_value(returned):
            continue  # C4, C5: an echo may carry no value; a value, when given, must be the request's
        sent = get_path(request, field.echo["from"])
        if sent is MISSING:
            sent = None
        if rule_id == "ECHO-001":
            ok = _digits(sent) == _digits(returned)
        elif field.path.endswith("qrOrderDate") and is_no_value(sent):
            ok = True  # C32: an empty order date means today and may be echoed as today's date
        else:
            ok = same_or_both_empty(sent, returned)
        if not ok:
            shown_sent, shown_returned = _shown(field.path, sent), _shown(field.path, returned)
            out.append((field.path, f"{field.path}: sent {shown_sent}, got back {shown_returned}"))
    return out


def _judge(api: str, client, rule_id: str) -> None:
    ck.claimed(client.profile, api)
    judged = 0
    for exchange in ck.representative_exchanges(client, api):
        if not ck.is_success(exchange, get_api(api)):
            continue
        judged += 1
        problems = _mismatches(api, exchange, rule_id)
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
