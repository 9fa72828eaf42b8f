"""Every answer of every clean virtual broker, under every null-form option, passes the contract
validator: no MUST violation and no SHOULD finding either (the reference is the model answer)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.datastructures import Headers

from conformance import contract
from conformance.reference import create_app
from conformance.reference import examples as ex
from conformance.reference.context import Call
from conformance.reference.inbound import SPECS

BROKERS = ("diamond", "cyber", "star")
NULL_FORMS = (None, "absent", "null", "string", "empty", "rotate")
# Per API, the queries whose answers are judged (beyond the default one).
QUERIES: dict[str, list[dict[str, Any]]] = {
    "portfolio": [*({"assetType": g} for g in ("CASH", "FUND", "ETC", "ALL")),
                  {"rspType": "QTY", "count": 3}],
    "balance": [{"assetType": g} for g in ("CASH", "FUND", "ETC", "ALL")] + [{"count": 3, "page": "null"}],
    "transaction": [{"count": 7}, {"side": "DEP"}],
    "interest": [{"count": 5}],
    "orderdetail": [{"qrAssetType": "FUND"}, {"qrAssetType": "ETC", "qrSellBuyType": "2"}, {"count": 2}],
    "balancelist": [{"qrAssetType": "FUND"}, {"qrAssetType": "ETC"}],
    "settlelist": [{"qrAssetType": "FUND"}, {"count": 1}],
    "accountlist": [{"count": 3}],
    "tradebook": [{"count": 9}],
    "member-register": [],
    "member-consent": [],
}


def _answers(broker: str, null_forms: str | None) -> list[tuple[str, dict[str, Any], bytes]]:
    reference = create_app(broker, null_forms=null_forms).state.reference
    out = []
    for api in ex.ALL_APIS:
        for query in [{}, *QUERIES[api]]:
            raw = json.dumps(ex.body(api, broker, query)).encode()
            call = Call(api, SPECS[api].family, reference.broker, Headers(ex.headers(api, broker)),
                        ex.path(api, broker), "http://127.0.0.1:8700", "20250102", raw)
            reply = reference._answer(call)
            if reply.status == 200:
                out.append((api, query, reply.body))
            else:
                assert (broker, reply.error_code) in (("cyber", 6001), ("cyber", 6002)), reply.body
    return out


@pytest.mark.parametrize("null_forms", NULL_FORMS)
@pytest.mark.parametrize("broker", BROKERS)
def test_every_answer_validates(broker, null_forms):
    problems = []
    for api, query, raw in _answers(broker, null_forms):
        for violation in contract.validate(api, "response", raw):
            problems.append(f"{api} {query}: {violation.severity} {violation.line()}")
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("broker", BROKERS)
def test_the_example_requests_validate(broker):
    for api in ex.ALL_APIS:
        raw = json.dumps(ex.body(api, broker)).encode()
        musts = [v.line() for v in contract.validate(api, "request", raw) if v.severity == "MUST"]
        assert not musts, (api, musts)
