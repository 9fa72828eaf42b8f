"""The older message shapes of the public sample client (koscomopenapi/JsonSampleForJava, message
standard V1.0/V1.1, 2016-2017), each pinned to the decision of schemas/DECISIONS.md section
"Older message shapes". The messages are written here from the shapes, with our own values."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from helpers_contract import dumps, findings, load_sample, must

from conformance.contract import validate

PLATFORM_FIELDS = {"portalId": "user01", "apiAccessToken": "token-value", "apiAccessTokenLifetime": "600"}


def _check(api: str, kind: str, doc: dict[str, Any]) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    got = validate(api, kind, dumps(doc))
    return must(got), findings(got)


def test_platform_fields_block_is_ignored() -> None:
    """Shape 1: an extra `platformFields` block (portal id, token, lifetime) is not part of the
    contract; unknown blocks are ignored (I29), so it is accepted."""
    for kind in ("request", "response"):
        doc = load_sample("portfolio", kind)
        doc["platformFields"] = dict(PLATFORM_FIELDS)
        assert _check("portfolio", kind, doc)[0] == set()


BODIES = [("portfolio", "portfolioRequestBody"), ("balance", "balanceRequestBody"),
          ("transaction", "transactionHistoryRequestBody"), ("interest", "interestSymbolListRequestBody")]


@pytest.mark.parametrize(("api", "body"), BODIES)
def test_account_info_inside_the_request_body_is_a_missing_account(api: str, body: str) -> None:
    """Shape 2: `accInfo` inside the request body instead of at the root: the broker cannot find
    the account where the contract puts it (C20), SCHEMA-002 at accInfo."""
    doc = load_sample(api, "request")
    doc.setdefault(body, {})["accInfo"] = doc.pop("accInfo")
    assert _check(api, "request", doc)[0] == {("accInfo", "SCHEMA-002")}


def test_account_info_inside_the_response_body_is_accepted() -> None:
    """Shape 3: in a response the root accInfo is optional (C4); a second one inside the body is an
    unknown block (transaction even documents it, I28)."""
    doc = load_sample("portfolio", "response")
    doc["portfolioResponseBody"]["accInfo"] = doc.pop("accInfo")
    assert _check("portfolio", "response", doc)[0] == set()


def test_product_groups_as_a_list_of_wrappers_is_a_type_violation() -> None:
    """Shape 4: `portfolio` / `balance` as an array of one-group objects ([{cash}, {equityList}, ...])
    instead of one object holding the groups: SCHEMA-003 at the container."""
    doc = load_sample("portfolio", "response")
    groups = doc["portfolioList"]["portfolio"]
    doc["portfolioList"]["portfolio"] = [{name: value} for name, value in groups.items()]
    assert _check("portfolio", "response", doc)[0] == {("portfolioList.portfolio", "SCHEMA-003")}
    doc = load_sample("balance", "response")
    groups = doc["balanceList"]["balance"]
    doc["balanceList"]["balance"] = [{name: value} for name, value in groups.items()]
    assert _check("balance", "response", doc)[0] == {("balanceList.balance", "SCHEMA-003")}


def test_result_block_inside_the_body_or_missing_is_a_missing_resp() -> None:
    """Shape 5: interest with `resp` inside interestSymbolListResponseBody; transaction without any
    `resp`: the result block is required at the root (C20, C24)."""
    doc = load_sample("interest", "response")
    doc["interestSymbolListResponseBody"]["resp"] = doc.pop("resp")
    assert _check("interest", "response", doc)[0] == {("resp", "SCHEMA-002")}
    doc = load_sample("transaction", "response")
    del doc["resp"]
    assert _check("transaction", "response", doc)[0] == {("resp", "SCHEMA-002")}


@pytest.mark.parametrize(("value", "violates"), [("99999999", False), ("9999-99-99", True)])
def test_open_ended_maturity_sentinels(value: str, violates: bool) -> None:
    """Shape 6: maturity "99999999" for "no maturity" is an 8-digit sentinel like "00000000" and
    passes; "9999-99-99" is not YYYYMMDD: SCHEMA-005."""
    doc = load_sample("portfolio", "response")
    doc["portfolioList"]["portfolio"]["fundList"][0]["maturity"] = value
    path = "portfolioList.portfolio.fundList[0].maturity"
    assert _check("portfolio", "response", doc)[0] == ({(path, "SCHEMA-005")} if violates else set())


def test_java_number_output() -> None:
    """Shape 7: doubles as Double.toString writes them (5.0E8, 1.65E7, -15.0) pass; an int-typed
    amount of a billion written plainly (1000000000) is NUM-001."""
    sample = dumps(load_sample("tradebook", "response"))
    raw = sample.replace(b'"changeAmt": -9000000', b'"changeAmt": -9.0E8')
    assert raw != sample and must(validate("tradebook", "response", raw)) == set()
    raw = raw.replace(b'"changeAmt": -9.0E8', b'"changeAmt": -1000000000')
    path = "tradeBookList.tradeBook[0].changeAmt"
    assert must(validate("tradebook", "response", raw)) == {(path, "NUM-001")}


def test_extra_request_fields_and_nulls_left_out() -> None:
    """Shape 8: b2b request headers carrying certDn/ci, request bodies carrying a queryResult block,
    and null fields left out by the serializer: all accepted (I2, I29, C4)."""
    doc = load_sample("settlelist", "request")
    doc["commonHeader"].update({"certDn": "cn=test", "ci": "abc"})
    doc["settleListRequestBody"]["queryResult"] = {"totalCnt": 0, "count": 0, "page": "null"}
    assert _check("settlelist", "request", doc)[0] == set()
    response = load_sample("settlelist", "response")
    for item in response["settleList"]["settleInfo"]:
        for key in [k for k, v in item.items() if v is None]:
            del item[key]
    assert _check("settlelist", "response", response)[0] == set()


def test_the_misspelt_cash_balance_block_is_a_warning() -> None:
    """Shape 9: balancelist `cachBalInfo` (a field-name typo in the sample client) is read as
    cashBalInfo with a SCHEMA-007 warning, so its content is still judged."""
    doc = load_sample("balancelist", "response")
    balance = doc["balanceList"]["balance"][0]
    balance["cachBalInfo"] = balance.pop("cashBalInfo")
    strict, everything = _check("balancelist", "response", doc)
    assert strict == set()
    assert ("balanceList.balance[0].cachBalInfo", "SCHEMA-007") in everything
    broken = copy.deepcopy(doc)
    broken["balanceList"]["balance"][0]["cachBalInfo"][0]["cashBalance"] = "3000000"
    assert _check("balancelist", "response", broken)[0] == {
        ("balanceList.balance[0].cachBalInfo[0].cashBalance", "NUM-002")}


def test_long_codes_and_times_only_warn() -> None:
    """Shape 10: partner.comId "uberple" (7 > 5), 16-digit orderTime/execTime: SCHEMA-006 (SHOULD)."""
    doc = load_sample("orderdetail", "request")
    doc["partner"]["comId"] = "uberple"
    strict, everything = _check("orderdetail", "request", doc)
    assert strict == set() and ("partner.comId", "SCHEMA-006") in everything
