"""Paging, the ALL query and the query filters of the reference brokers, followed over real HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from conformance import clock
from conformance.reference import ReferenceServer
from conformance.reference import examples as ex
from conformance.reference.values import is_no_value

BROKERS = ("diamond", "cyber", "star")
# API -> (path of the query echo block's parent, result block, list path)
LISTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "transaction": ("transactionHistoryResponseBody", ("transList", "transaction")),
    "orderdetail": ("orderDetailListResponseBody", ("orderDetailList", "orderDetail")),
    "balancelist": ("balanceListResponseBody", ("balanceList", "balance")),
    "settlelist": ("settleListResponseBody", ("settleList", "settleInfo")),
    "accountlist": ("accountListResponseBody", ("accountList", "account")),
    "tradebook": ("tradeBookListResponseBody", ("tradeBookList", "tradeBook")),
}
# lists whose paged items sit inside each element (C13: balancelist pages the account's securities)
NESTED = {"balancelist": "securitiesBalInfo"}
GROUP_LISTS = {"portfolio": ("portfolioResponseBody", ("portfolioList", "portfolio"), "cash"),
               "balance": ("balanceResponseBody", ("balanceList", "balance"), "summary")}
LIST_KEYS = {"EQTY": "equityList", "FUND": "fundList", "ETC": "etcList"}


@pytest.fixture(scope="module", params=BROKERS)
def broker(request: pytest.FixtureRequest) -> Iterator[tuple[str, httpx.Client]]:
    with ReferenceServer(request.param) as server, httpx.Client(base_url=server.base_url) as client:
        yield request.param, client


def call(client: httpx.Client, api: str, short: str, query: dict[str, Any] | None = None) -> dict[str, Any]:
    response = client.post(ex.path(api, short), content=json.dumps(ex.body(api, short, query)).encode(),
                           headers=ex.headers(api, short))
    assert response.status_code == 200, response.text
    return response.json()


def dig(doc: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        doc = doc.get(key) if isinstance(doc, dict) else None
    return doc


def items_of(doc: dict[str, Any], api: str, group: str | None = None) -> list[Any]:
    if api in GROUP_LISTS:
        _body, block, cash_key = GROUP_LISTS[api]
        node = dig(doc, block) or {}
        if group == "CASH":
            return [] if is_no_value(node.get(cash_key)) else [node[cash_key]]
        value = node.get(LIST_KEYS[group or "EQTY"])
        return [] if is_no_value(value) else value
    value = dig(doc, LISTS[api][1])
    value = [] if is_no_value(value) else value
    if api in NESTED:
        return [entry for element in value for entry in element[NESTED[api]]]
    return value


def chain(client: httpx.Client, api: str, short: str, query: dict[str, Any], group: str | None = None,
          limit: int = 500) -> list[Any]:
    """Follow the page keys from the first page to a no-value key; every page within count."""
    body_name = (GROUP_LISTS.get(api) or LISTS[api])[0]
    out: list[Any] = []
    page: Any = "null"
    for _ in range(limit):
        doc = call(client, api, short, {**query, "page": page})
        items = items_of(doc, api, group)
        if query.get("count"):
            assert len(items) <= query["count"]
        out.extend(items)
        result = doc[body_name].get("queryResult", {})
        assert result.get("count") == len(items)
        page = result.get("page")
        if is_no_value(page):
            assert result.get("totalCnt") == len(out)
            return out
    raise AssertionError("the page chain did not end")


def window(first: str, days: int = 20) -> tuple[str, str]:
    """A short date range from the start of a history window: a few pages, fast to walk."""
    start = date(int(first[:4]), int(first[4:6]), int(first[6:]))
    return first, (start + timedelta(days=days - 1)).strftime("%Y%m%d")


def narrow(api: str, short: str) -> dict[str, Any]:
    if api == "transaction":
        lo, hi = window(ex.main_account(short).history[0])
        return {"fromDate": lo, "toDate": hi}
    if api == "tradebook":
        lo, hi = window(ex.main_b2b_account(short).history[0])
        return {"qrFromDate": lo, "qrToDate": hi}
    return {}


def key(item: Any) -> str:
    return json.dumps(item, sort_keys=True, ensure_ascii=False)


def assert_once(items: list[Any]) -> None:
    keys = [key(i) for i in items]
    assert len(keys) == len(set(keys)), "an item came twice"


@pytest.mark.parametrize("api", sorted(LISTS))
def test_page_chains_yield_every_item_once(broker, api):
    """count 3 and the broker's own page size give the same items, each exactly once."""
    short, client = broker
    query = narrow(api, short)
    small = chain(client, api, short, {**query, "count": 3})
    default = chain(client, api, short, {**query, "count": 0})
    assert_once(small)
    assert sorted(map(key, small)) == sorted(map(key, default))
    assert len(small) > 3, "the chain should span several pages"


@pytest.mark.parametrize("api", sorted(GROUP_LISTS))
@pytest.mark.parametrize("group", ["CASH", "EQTY", "FUND", "ETC"])
def test_group_page_chains_yield_every_item_once(broker, api, group):
    short, client = broker
    items = chain(client, api, short, {"assetType": group, "count": 4}, group)
    assert_once(items)
    assert items and (group != "CASH" or len(items) == 1)


@pytest.mark.parametrize("api", sorted(GROUP_LISTS))
def test_all_equals_the_union_of_the_groups(broker, api):
    short, client = broker
    if short == "cyber":  # no ALL at cyber: refused outright, never answered partially (C11)
        response = client.post(ex.path(api, short), headers=ex.headers(api, short),
                               content=json.dumps(ex.body(api, short, {"assetType": "ALL"})))
        assert (response.status_code, response.json()["code"]) == (500, 6001)
        return
    doc = call(client, api, short, {"assetType": "ALL", "count": 0})
    body_name = GROUP_LISTS[api][0]
    assert is_no_value(doc[body_name]["queryResult"].get("page"))
    for group in ("CASH", "EQTY", "FUND", "ETC"):
        per_group = chain(client, api, short, {"assetType": group, "count": 0}, group)
        assert sorted(map(key, items_of(doc, api, group))) == sorted(map(key, per_group)), group


def test_derivatives_only_where_the_broker_keeps_them(broker):
    short, client = broker
    equities = chain(client, "balance", short, {"assetType": "EQTY", "count": 0}, "EQTY")
    kinds = {i["assetType"] for i in equities}
    assert ({"FUT", "OPT"} <= kinds) == (short == "diamond")
    assert kinds - {"FUT", "OPT", "ELW"} <= {"KSP", "KDQ", "ETF"}


def test_positive_count_is_never_exceeded_and_zero_lets_the_broker_choose(broker):
    short, client = broker
    sizes = {"diamond": 50, "cyber": 5, "star": 20}
    doc = call(client, "balance", short, {"assetType": "EQTY", "count": 0})
    assert len(items_of(doc, "balance", "EQTY")) == sizes[short]
    doc = call(client, "balance", short, {"assetType": "EQTY", "count": 7})
    assert len(items_of(doc, "balance", "EQTY")) == (5 if short == "cyber" else 7)


def test_page_keys_are_refused_when_invented(broker):
    short, client = broker
    first = call(client, "tradebook", short, {"count": 3})
    real_key = first["tradeBookListResponseBody"]["queryResult"]["page"]
    tampered = ("9" if real_key[0] != "9" else "1") + real_key[1:]
    for invented in ("P9999999", "invented", tampered):
        body = ex.body("tradebook", short, {"count": 3, "page": invented})
        response = client.post(ex.path("tradebook", short), headers=ex.headers("tradebook", short),
                               content=json.dumps(body))
        assert response.status_code == 500 and response.json()["code"] == 6003, invented


def test_transaction_filters(broker):
    short, client = broker
    lo, hi = window(ex.main_account(short).history[0], 40)
    span = {"fromDate": lo, "toDate": hi, "count": 0}
    everything = chain(client, "transaction", short, span)
    assert len(everything) >= 15 and all(lo <= t["transDate"] <= hi for t in everything)
    mid = everything[len(everything) // 2]["transDate"]
    first_half = chain(client, "transaction", short, {**span, "toDate": mid})
    assert first_half and len(first_half) < len(everything) and all(t["transDate"] <= mid for t in first_half)
    sells = chain(client, "transaction", short, {**span, "side": "ASK"})
    assert sells and {t["transType"] for t in sells} == {"ASK"}
    assert sorted(map(key, chain(client, "transaction", short, {**span, "side": "ALL"}))) == \
        sorted(map(key, everything))
    isin = next(t["isinCode"] for t in everything if t["transType"] == "ASK")
    one = chain(client, "transaction", short, {**span, "isinCode": isin})
    assert one and {t["isinCode"] for t in one} == {isin}
    assert chain(client, "transaction", short, {**span, "isinCode": "KR7999999999"}) == []


def test_b2b_filters(broker):
    short, client = broker
    orders = chain(client, "orderdetail", short, {"count": 0})
    today = clock.today().strftime("%Y%m%d")  # the reference's today is Seoul's
    assert orders and all(o["orderTime"].startswith(today) for o in orders)
    for side in ("1", "2"):
        picked = chain(client, "orderdetail", short, {"qrSellBuyType": side, "count": 0})
        assert {o["sellBuyType"] for o in picked} <= {side} and len(picked) < len(orders)
    one = orders[0]
    by_no = chain(client, "orderdetail", short, {"qrOrderNo": one["orderNo"], "count": 0})
    assert [o["orderNo"] for o in by_no] == [one["orderNo"]]
    isin = one["isinInfo"][0]["isinCode"]
    by_isin = chain(client, "orderdetail", short, {"qrIsinCode": isin, "count": 0})
    assert by_isin and all(any(i["isinCode"] == isin for i in o["isinInfo"]) for o in by_isin)
    history_day = next(o.day for o in ex.main_b2b_account(short).orders if o.group == "EQTY")
    past = chain(client, "orderdetail", short, {"qrOrderDate": history_day, "count": 0})
    assert past and all(o["orderTime"].startswith(history_day) for o in past)
    lo, _hi = ex.main_b2b_account(short).history
    book = chain(client, "tradebook", short, {"qrFromDate": lo, "qrToDate": lo[:6] + "31", "count": 0})
    assert book and all(lo <= e["transDate"] <= lo[:6] + "31" for e in book)
    for group in ("EQTY", "FUND", "ETC"):
        doc = call(client, "balancelist", short, {"qrAssetType": group})
        assert doc["balanceList"]["balance"][0]["securitiesBalInfo"], group
