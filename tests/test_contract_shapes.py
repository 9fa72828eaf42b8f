"""Judging through wrong shapes (DECISIONS.md, "Older message shapes"): the wrong container or the
missing level is reported once, and the content is still judged where it can be located, every
finding at its real path."""

from __future__ import annotations

import copy
from typing import Any

from helpers_contract import dumps, findings, load_sample, must

from conformance.contract import Violation, validate


def _run(api: str, kind: str, doc: dict[str, Any]) -> list[Violation]:
    return validate(api, kind, dumps(doc))


def _wrappers(doc: dict[str, Any], parent: str, level: str) -> None:
    """The sample client's shape 4: one wrapper object per product group, in an array."""
    groups = doc[parent][level]
    doc[parent][level] = [{name: value} for name, value in groups.items()]


def test_portfolio_as_wrappers_is_reported_once_and_its_items_are_judged_at_their_path() -> None:
    doc = load_sample("portfolio", "response")
    _wrappers(doc, "portfolioList", "portfolio")
    clean = _run("portfolio", "response", doc)
    assert must(clean) == {("portfolioList.portfolio", "SCHEMA-003")}
    assert [v.path for v in clean].count("portfolioList.portfolio") == 1
    # the SHOULD findings inside are found too, at the items' real paths (fundList is wrapper 2)
    assert ("portfolioList.portfolio[2].fundList[0].fundName", "SCHEMA-006") in findings(clean)
    doc["portfolioList"]["portfolio"][2]["fundList"][0]["maturity"] = "9999-99-99"
    doc["portfolioList"]["portfolio"][2]["fundList"][2]["maturity"] = "9999-99-99"
    doc["portfolioList"]["portfolio"][1]["equityList"][3]["qty"] = "12"
    assert must(_run("portfolio", "response", doc)) == {
        ("portfolioList.portfolio", "SCHEMA-003"),
        ("portfolioList.portfolio[2].fundList[0].maturity", "SCHEMA-005"),
        ("portfolioList.portfolio[2].fundList[2].maturity", "SCHEMA-005"),
        ("portfolioList.portfolio[1].equityList[3].qty", "NUM-002")}


def test_portfolio_as_an_array_of_portfolio_objects_judges_each_element() -> None:
    doc = load_sample("portfolio", "response")
    whole = doc["portfolioList"]["portfolio"]
    second = copy.deepcopy(whole)
    second["fundList"][1]["maturity"] = "9999-99-99"
    del second["etcList"][4]["assetName"]
    doc["portfolioList"]["portfolio"] = [whole, second]
    assert must(_run("portfolio", "response", doc)) == {
        ("portfolioList.portfolio", "SCHEMA-003"),
        ("portfolioList.portfolio[1].fundList[1].maturity", "SCHEMA-005"),
        ("portfolioList.portfolio[1].etcList[4].assetName", "SCHEMA-002")}


def test_balance_as_wrappers_judges_every_group() -> None:
    doc = load_sample("balance", "response")
    _wrappers(doc, "balanceList", "balance")
    assert must(_run("balance", "response", doc)) == {("balanceList.balance", "SCHEMA-003")}
    wrappers = doc["balanceList"]["balance"]
    wrappers[0]["summary"]["d1"] = "6,976,542"
    wrappers[2]["fundList"][1]["maturity"] = "9999-99-99"
    wrappers[3]["etcList"][12]["assetType"] = "BONDS"
    got = _run("balance", "response", doc)
    assert must(got) == {
        ("balanceList.balance", "SCHEMA-003"),
        ("balanceList.balance[0].summary.d1", "NUM-002"),
        ("balanceList.balance[2].fundList[1].maturity", "SCHEMA-005"),
        ("balanceList.balance[3].etcList[12].assetType", "SCHEMA-004")}
    [advice] = [v.message for v in got if v.rule_id == "NUM-002"]
    assert advice.endswith("write the JSON number 6976542")


def _without_level(doc: dict[str, Any]) -> None:
    """The groups directly under balanceList, without the `balance` level (a saved real message)."""
    doc["balanceList"] = doc["balanceList"]["balance"]


def test_balance_groups_without_the_balance_level_are_reported_once_and_judged() -> None:
    doc = load_sample("balance", "response")
    _without_level(doc)
    clean = _run("balance", "response", doc)
    assert must(clean) == {("balanceList.balance", "SCHEMA-002")}
    [shape] = [v for v in clean if v.path == "balanceList.balance"]
    assert "directly under balanceList" in shape.message and "equityList" in shape.message
    assert ("balanceList.fundList[0].fundName", "SCHEMA-006") in findings(clean)
    doc["balanceList"]["equityList"][3]["isinCode"] = None
    doc["balanceList"]["fundList"][0]["maturity"] = "9999-99-99"
    doc["balanceList"]["summary"]["cashBalance"] = "x"
    assert must(_run("balance", "response", doc)) == {
        ("balanceList.balance", "SCHEMA-002"),
        ("balanceList.equityList[3].isinCode", "SCHEMA-002"),
        ("balanceList.fundList[0].maturity", "SCHEMA-005"),
        ("balanceList.summary.cashBalance", "SCHEMA-003")}


def test_a_balance_level_that_is_present_is_not_a_missing_level() -> None:
    """Groups both under `balance` and (as unknown keys) beside it: the documented level is judged,
    the extra keys are ignored (I29); no shape finding."""
    doc = load_sample("balance", "response")
    doc["balanceList"]["fundList"] = [{"fundCode": "X", "maturity": "9999-99-99"}]
    assert must(_run("balance", "response", doc)) == set()


def test_the_balancelist_shape_without_the_balance_level_stays_legal() -> None:
    """I46: for balancelist both shapes are documented; content of shape (b) is judged in place."""
    doc = load_sample("balancelist", "response")
    doc["balanceList"] = doc["balanceList"]["balance"][0]
    assert must(_run("balancelist", "response", doc)) == set()
    doc["balanceList"]["securitiesBalInfo"][0]["maturity"] = "9999-99-99"
    assert must(_run("balancelist", "response", doc)) == {
        ("balanceList.securitiesBalInfo[0].maturity", "SCHEMA-005")}


def test_account_info_inside_the_request_body_is_judged_there() -> None:
    """Shape 2: reported once at accInfo (SCHEMA-002), and the inner block is judged where it is."""
    doc = load_sample("portfolio", "request")
    doc["portfolioRequestBody"]["accInfo"] = doc.pop("accInfo")
    assert must(_run("portfolio", "request", doc)) == {("accInfo", "SCHEMA-002")}
    doc["portfolioRequestBody"]["accInfo"]["vtAccNo"] = 160678007213500001
    got = _run("portfolio", "request", doc)
    assert must(got) == {("accInfo", "SCHEMA-002"), ("portfolioRequestBody.accInfo.vtAccNo", "SCHEMA-003")}
    [shape] = [v for v in got if v.path == "accInfo"]
    assert "inside portfolioRequestBody" in shape.message


def test_result_block_inside_the_body_is_judged_there() -> None:
    """Shape 5: resp inside interestSymbolListResponseBody: SCHEMA-002 at resp once, and its content
    is judged at its real path."""
    doc = load_sample("interest", "response")
    inner = doc.pop("resp")
    inner["respCode"] = 200
    doc["interestSymbolListResponseBody"]["resp"] = inner
    assert must(_run("interest", "response", doc)) == {
        ("resp", "SCHEMA-002"), ("interestSymbolListResponseBody.resp.respCode", "SCHEMA-003")}


def test_account_info_inside_the_response_body_is_accepted_and_judged_like_the_root_one() -> None:
    """Shape 3: accepted (the root accInfo is optional), the inner copy judged like the root one."""
    doc = load_sample("portfolio", "response")
    doc["portfolioResponseBody"]["accInfo"] = doc.pop("accInfo")
    assert must(_run("portfolio", "response", doc)) == set()
    doc["portfolioResponseBody"]["accInfo"]["vtAccNo"] = "NULL"
    assert must(_run("portfolio", "response", doc)) == {("portfolioResponseBody.accInfo.vtAccNo", "NULL-002")}


def test_the_documented_shape_is_judged_exactly_as_before() -> None:
    """No relocation without a wrong shape: the samples give the same findings as ever."""
    for api in ("portfolio", "balance"):
        doc = load_sample(api, "response")
        assert must(_run(api, "response", doc)) == set()


def test_portfolio_groups_without_the_portfolio_level_are_reported_once_and_judged() -> None:
    """Shape 12 for portfolio: the groups directly under portfolioList."""
    doc = load_sample("portfolio", "response")
    doc["portfolioList"] = doc["portfolioList"]["portfolio"]
    assert must(_run("portfolio", "response", doc)) == {("portfolioList.portfolio", "SCHEMA-002")}
    doc["portfolioList"]["fundList"][1]["maturity"] = "9999-99-99"
    assert must(_run("portfolio", "response", doc)) == {
        ("portfolioList.portfolio", "SCHEMA-002"), ("portfolioList.fundList[1].maturity", "SCHEMA-005")}
