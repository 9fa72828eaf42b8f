"""The reference brokers answer every API at its real path, and refuse what the contract refuses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from conformance.reference import ReferenceServer
from conformance.reference import examples as ex
from conformance.reference.instruments import USERS

BROKERS = ("diamond", "cyber", "star")


@pytest.fixture(scope="module", params=BROKERS)
def broker(request: pytest.FixtureRequest) -> Iterator[tuple[str, httpx.Client]]:
    with ReferenceServer(request.param) as server, httpx.Client(base_url=server.base_url) as client:
        yield request.param, client


def post(client: httpx.Client, api: str, short: str, query: dict[str, Any] | None = None, *,
         headers: dict[str, str] | None = None, body: Any = None, **kw: Any) -> Any:
    payload = body if body is not None else ex.body(api, short, query, **kw)
    return client.post(ex.path(api, short), content=json.dumps(payload, ensure_ascii=False).encode(),
                       headers=headers if headers is not None else ex.headers(api, short))


@pytest.mark.parametrize("api", ex.ALL_APIS)
def test_every_api_answers_success(broker, api):
    """Each of the 11 APIs answers a sample-shaped request with HTTP 200 (and resp 200/OK)."""
    short, client = broker
    response = post(client, api, short)
    assert response.status_code == 200, response.text
    doc = response.json()
    if api.startswith("member-"):
        assert "result" in doc or "vtAccList" in doc
    else:
        assert doc["resp"] == {"respCode": "200", "respMsg": "OK"}


@pytest.mark.parametrize("api", ex.ACCOUNT_APIS)
def test_account_echo_is_exact(broker, api):
    """vtAccNo, reqIdConsumer and the CI come back exactly as sent (leading space kept)."""
    short, client = broker
    doc = post(client, api, short, ci=" " + ex.HWANNY_CI).json()
    assert doc["accInfo"]["vtAccNo"] == ex.main_account(short).vt_acc_no
    assert doc["commonHeader"]["reqIdConsumer"] == "ID000001"
    assert doc["commonHeader"]["ci"] == " " + ex.HWANNY_CI


def test_query_block_echo_keeps_numbers_and_values(broker):
    short, client = broker
    query = {"fromDate": ex.main_account(short).history[0], "count": 3, "isinCode": "KR7005930003",
             "side": "BID"}
    echoed = post(client, "transaction", short, query).json()["transactionHistoryResponseBody"]["queryParams"]
    assert echoed["count"] == 3 and isinstance(echoed["count"], int)
    assert (echoed["isinCode"], echoed["side"]) == ("KR7005930003", "BID")
    assert echoed["fromDate"] == query["fromDate"]


@pytest.mark.parametrize("api", ex.ALL_APIS)
def test_missing_credentials_are_refused(broker, api):
    short, client = broker
    response = post(client, api, short, headers=ex.headers(api, short, "none"))
    assert response.status_code == 401
    if api.startswith("member-"):
        assert response.json() == {"message": "No API key found in request"}
    else:
        assert response.json()["code"] == 401


@pytest.mark.parametrize("api", ["balance", "tradebook", "member-consent"])
def test_wrong_credentials_are_refused(broker, api):
    short, client = broker
    response = post(client, api, short, headers=ex.headers(api, short, "wrong"))
    assert response.status_code == 401
    if api == "member-consent":
        assert response.json() == {"message": "Invalid authentication credentials"}


def test_b2b_needs_the_comid_header_and_takes_any_scheme_case(broker):
    short, client = broker
    headers = ex.headers("accountlist", short)
    without = {k: v for k, v in headers.items() if k != "comId"}
    assert post(client, "accountlist", short, headers=without).status_code == 401
    lower = {**headers, "authorization": headers["authorization"].replace("Basic", "basic")}
    assert post(client, "accountlist", short, headers=lower).status_code == 200
    other = {**headers, "comId": "99999"}
    assert post(client, "accountlist", short, headers=other).status_code == 403


def test_media_type_is_checked_case_insensitively(broker):
    short, client = broker
    headers = ex.headers("balance", short)
    text = {**headers, "Content-Type": "text/plain"}
    assert post(client, "balance", short, headers=text).status_code == 415
    mixed = {**headers, "Content-Type": "Application/JSON; charset=UTF-8"}
    assert post(client, "balance", short, headers=mixed).status_code == 200


def test_routing_errors_are_json(broker):
    short, client = broker
    unknown = client.post(f"/v1/{short}/account/nothing/search")
    assert unknown.json() == {"message": "no Route matched with those values"}
    assert client.post("/v1/nobroker/account/balance/search").status_code == 404
    assert client.post(f"/v1/{short}/account/balance").status_code == 404
    response = client.get(ex.path("balance", short))
    assert response.status_code == 405 and response.json()["code"] == 405
    upper = client.post(f"/v1/{short.upper()}/account/balance/search",
                        content=json.dumps(ex.body("balance", short)), headers=ex.headers("balance", short))
    assert upper.status_code == 200


def error(response: Any) -> tuple[int, int | None]:
    return response.status_code, response.json().get("code")


def test_malformed_and_incomplete_requests(broker):
    short, client = broker
    headers = ex.headers("balance", short)
    assert error(client.post(ex.path("balance", short), content=b"{bad", headers=headers)) == (400, 3011)
    assert error(client.post(ex.path("balance", short), content=b"[1]", headers=headers)) == (400, 3011)
    surrogate = json.dumps(ex.body("balance", short)).replace('"ID000001"', '"\\ud800"').encode()
    assert error(client.post(ex.path("balance", short), content=surrogate, headers=headers)) == (400, 3011)
    no_acc = ex.body("balance", short)
    del no_acc["accInfo"]["vtAccNo"]
    assert error(post(client, "balance", short, body=no_acc)) == (400, 3003)
    no_body = ex.body("balance", short)
    del no_body["balanceRequestBody"]
    assert error(post(client, "balance", short, body=no_body)) == (400, 3003)
    no_acc_no = ex.body("tradebook", short, {"qrAccNo": ...})
    assert error(post(client, "tradebook", short, body=no_acc_no)) == (400, 3003)
    assert error(post(client, "balance", short, {"count": "10"})) == (500, 7000)
    assert error(post(client, "balance", short, {"assetType": 5})) == (500, 7000)
    assert error(post(client, "balance", short, {"count": -1})) == (500, 7000)
    huge = json.dumps(ex.body("balance", short, {"count": 0})).replace('"count": 0', '"count": 1e400')
    assert error(client.post(ex.path("balance", short), content=huge, headers=headers)) == (500, 7000)
    assert error(post(client, "transaction", short, {"fromDate": "2016-01-01"})) == (500, 7000)


def test_query_values_outside_the_contract(broker):
    short, client = broker
    assert error(post(client, "balance", short, {"assetType": "STOCK"})) == (500, 6001)
    assert error(post(client, "portfolio", short, {"rspType": "PCT"})) == (500, 6002)
    assert error(post(client, "transaction", short, {"side": "BUY"})) == (500, 6008)
    too_long = {"fromDate": "20000101", "toDate": "20161231"}
    assert error(post(client, "transaction", short, too_long)) == (500, 6006)
    assert error(post(client, "balance", short, {"page": "no-such-key"})) == (500, 6003)
    assert error(post(client, "orderdetail", short, {"qrSellBuyType": "9"})) == (500, 7000)
    assert error(post(client, "settlelist", short, {"qrAssetType": "KSP"})) == (500, 6001)


def test_all_and_qty_follow_the_broker_capabilities(broker):
    short, client = broker
    all_query = post(client, "balance", short, {"assetType": "ALL"})
    qty = post(client, "portfolio", short, {"rspType": "QTY"})
    if short == "cyber":
        assert error(all_query) == (500, 6001) and error(qty) == (500, 6002)
    else:
        assert all_query.status_code == 200 and qty.status_code == 200


def test_identity_checks(broker):
    short, client = broker
    assert error(post(client, "balance", short, ci="Zm9vYmFy" * 11)) == (500, 4004)
    jeonga_acc = next(s for s in ex.data.account_specs(short) if s.owner == "jeonga")
    assert error(post(client, "balance", short, vt_acc_no=jeonga_acc.vt_acc_no)) == (500, 4003)
    assert error(post(client, "balance", short, vt_acc_no="160600000000000099"))[1] in (4001, 3012)
    assert error(post(client, "balancelist", short, {"qrAccNo": "0019990000000"})) == (500, 4001)
    dashed = ex.main_b2b_account(short).acc_no
    dashed = f"{dashed[:3]}-{dashed[3:6]}-{dashed[6:]}"
    response = post(client, "balancelist", short, {"qrAccNo": dashed})
    assert response.status_code == 200
    assert response.json()["balanceListResponseBody"]["queryParameter"]["qrAccNo"] == dashed


def test_table_spellings_and_flat_fields_are_accepted(broker):
    short, client = broker
    canonical = post(client, "transaction", short).json()["transList"]
    table = ex.body("transaction", short)
    query = table["transactionHistoryRequestBody"]["queryParams"]
    table["transactionHistoryRequestBody"] = {"queryPrams": query}
    assert post(client, "transaction", short, body=table).json()["transList"] == canonical
    interest = ex.body("interest", short)
    interest["InterestStmbolListRequestBody"] = interest.pop("interestSymbolListRequestBody")
    assert post(client, "interest", short, body=interest).status_code == 200
    flat = ex.body("portfolio", short)
    flat["portfolioRequestBody"] = flat["portfolioRequestBody"]["queryType"]
    assert post(client, "portfolio", short, body=flat).status_code == 200
    accounts = ex.body("accountlist", short)
    accounts["accountListRequestBody"] = {"count": 2, "page": None}
    assert len(post(client, "accountlist", short, body=accounts).json()["accountList"]["account"]) == 2


@pytest.mark.parametrize("first_page", ["null", None, "", ...])
def test_every_first_page_key_form_gives_the_first_page(broker, first_page):
    short, client = broker
    reference = post(client, "balance", short, {"count": 2}).json()["balanceList"]
    assert post(client, "balance", short, {"count": 2, "page": first_page}).json()["balanceList"] == reference


def test_unused_and_unknown_request_fields_are_ignored(broker):
    short, client = broker
    plain = post(client, "transaction", short).json()["transList"]
    noisy = ex.body("transaction", short)
    noisy["commonHeader"].update(reqIdPlatform="android", certDn="Ou=KOSCOM")
    noisy["accInfo"]["realAccNo"] = None
    noisy["devInfo"] = {"ipAddr": "IP", "macAddr": ""}
    noisy["partner"] = {"comId": "COMPANY-ID", "srvId": "CLIENT-ID"}
    noisy["extra"] = {"anything": [1, 2]}
    assert post(client, "transaction", short, body=noisy).json()["transList"] == plain


def test_membership(broker):
    short, client = broker
    member = post(client, "member-register", short).json()
    assert member["result"] == "member" and len(member["commonTermsExpireDate"]) == 8
    stranger = post(client, "member-register", short, ci="Tm9ib2R5" * 11).json()
    assert stranger["result"] == "nonMember"
    consent = post(client, "member-consent", short).json()
    listed = {(a["comId"], a["vtAccNo"]) for a in consent["vtAccList"]}
    assert listed == {("00992", "160635473367600099"), ("00991", "160613251214500099"),
                      ("00993", "160646584478700099")}
    jeeae = post(client, "member-consent", short, ci=USERS["jeeae"][1]).json()
    assert [a["vtAccNo"] for a in jeeae["vtAccList"]] == ["160657695589800099"]


def test_interest_query_type_only_where_supported(broker):
    short, client = broker
    response = post(client, "interest", short, {"count": 2, "page": "garbage-key"})
    if short == "star":
        assert error(response) == (500, 6003)
        doc = post(client, "interest", short, {"count": 2}).json()["interestSymbolListResponseBody"]
        assert len(doc["groupList"]["group"]) == 2 and doc["queryResult"]["totalCnt"] == 12
    else:
        assert response.status_code == 200
        assert len(response.json()["interestSymbolListResponseBody"]["groupList"]["group"]) == 12
