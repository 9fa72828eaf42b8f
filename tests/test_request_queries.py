"""The request builder asks what the field tables say (schemas/fields/*.yaml, via
conformance.contract.queries), and dates its default window on the run's clock, not the machine's."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from helpers_contract import REPO, load_sample

from conformance.client import Client
from conformance.client.requests import build_body, default_window
from conformance.contract import API_IDS, get_api
from conformance.contract.queries import query_block, query_fields
from conformance.profile import load_profile

QUERIED = [a for a in API_IDS if get_api(a).query_request]


def _profile(**changes):
    profile = load_profile(REPO / "profiles" / "diamond.yaml")
    return dataclasses.replace(profile, **changes)


def _no_history():
    profile = _profile()
    return dataclasses.replace(profile, accounts=tuple(dataclasses.replace(a, history=None) for a in profile.accounts),
                               b2b_accounts=tuple(dataclasses.replace(b, history=None) for b in profile.b2b_accounts))


def _sent_query(api: str, profile, **kwargs):
    spec = get_api(api)
    account = profile.regular_accounts[0] if spec.family == "account" else None
    b2b = profile.b2b_accounts[0] if spec.family == "b2b" else None
    body = build_body(spec, profile, account=account, b2b=b2b, **kwargs)
    return body[spec.request_body][query_block(api)]


@pytest.mark.parametrize("api", QUERIED)
def test_the_query_block_is_the_field_tables_in_the_samples_order(api):
    spec = get_api(api)
    table = spec.fields["request"]
    sent = _sent_query(api, _profile())
    assert f"{spec.query_request}" in table
    assert list(sent) == [f.name for f in query_fields(api)]
    assert all(f"{spec.query_request}.{name}" in table for name in sent)
    # the page sample names the same block and, but for fields the contract marks unused, the same fields in order
    sample = load_sample(api, "request")[spec.request_body][query_block(api)]
    unused = {n for n in sample if table.get(f"{spec.query_request}.{n}") and
              table[f"{spec.query_request}.{n}"].marker == "unused"}
    assert list(sent) == [n for n in sample if n not in unused]


def test_the_canonical_block_name_is_sent_never_a_table_alias():
    assert query_block("transaction") == "queryParams"  # the table also accepts queryPrams (I*)
    assert query_block("tradebook") == "queryParameter" and query_block("portfolio") == "queryType"
    assert query_block("member-register") is None and query_fields("member-register") == ()


def test_what_the_plain_question_sends_comes_from_the_rows():
    profile = _profile()
    assert _sent_query("portfolio", profile)["assetType"] == "ALL"  # ask
    assert _sent_query("orderdetail", profile)["qrSellBuyType"] == "0"  # ask
    assert _sent_query("orderdetail", profile)["qrIsinCode"] == ""  # no ask: "" (C3)
    assert _sent_query("interest", profile) == {"assetType": "", "rspType": "", "count": 0, "page": "null"}
    b2b = _sent_query("tradebook", profile)
    assert b2b["qrAccNo"] == profile.b2b_accounts[0].accNo  # fill: account
    assert (b2b["qrFromDate"], b2b["qrToDate"]) == profile.b2b_accounts[0].history  # catalogue date_range
    assert _sent_query("transaction", profile, query={"side": "BID", "count": ...})["side"] == "BID"
    assert "count" not in _sent_query("transaction", profile, query={"count": ...})


@pytest.mark.parametrize("day", [date(2025, 3, 14), date(2027, 8, 1)])
def test_the_default_window_ends_on_the_given_day(day):
    start, end = default_window(30, today=day)
    assert end == day.strftime("%Y%m%d")
    assert start == (day - timedelta(days=29)).strftime("%Y%m%d")


@pytest.mark.parametrize(("instant", "seoul_day"), [
    (datetime(2025, 3, 14, 12, 0, tzinfo=UTC), "20250314"),
    (datetime(2027, 8, 1, 20, 0, tzinfo=UTC), "20270802"),  # already the next day in Seoul
])
def test_the_clients_window_follows_its_clock_not_the_machine(instant, seoul_day):
    profile = _no_history()
    client = Client(profile, now=lambda: instant)
    try:
        for api in ("transaction", "tradebook"):
            spec = get_api(api)
            who = ({"account": profile.regular_accounts[0]} if spec.family == "account"
                   else {"b2b": profile.b2b_accounts[0]})
            query = client.body(api, **who)[spec.request_body][query_block(api)]
            assert query[spec.date_range["to"]] == seoul_day
            days = min(90, profile.max_date_range_days or 90)
            first = datetime.strptime(seoul_day, "%Y%m%d").date() - timedelta(days=days - 1)
            assert query[spec.date_range["from"]] == first.strftime("%Y%m%d")
    finally:
        client.close()


def test_the_pinned_run_clock_dates_the_window(monkeypatch):
    """Two pinned days in one process (one machine date): two windows, each ending on its day."""
    for pinned, day in (("2025-03-14T10:00:00+09:00", "20250314"), ("2027-08-01T23:30:00-05:00", "20270802")):
        monkeypatch.setenv("CONFORMANCE_NOW", pinned)
        assert default_window(7)[1] == day
        assert _sent_query("transaction", _no_history())["toDate"] == day


def test_the_seoul_day_is_used_whatever_the_offset():
    from conformance import clock

    assert clock.today(datetime(2026, 12, 2, 15, 30, tzinfo=UTC)) == date(2026, 12, 3)
    assert clock.today(datetime(2026, 12, 2, 23, 0, tzinfo=timezone(timedelta(hours=9)))) == date(2026, 12, 2)


def test_the_result_blocks_table_spelling_comes_from_the_field_table():
    """I20: portfolio's table names its result block queryRequest (an alias row of the table);
    the page key is read there when the canonical block is absent, and for no other API."""
    from conformance.checking.paging import next_page

    portfolio, tradebook = get_api("portfolio"), get_api("tradebook")
    assert next_page({"portfolioResponseBody": {"queryRequest": {"page": "k2"}}}, portfolio) == "k2"
    both = {"portfolioResponseBody": {"queryResult": {"page": "k1"}, "queryRequest": {"page": "k2"}}}
    assert next_page(both, portfolio) == "k1"
    assert next_page({"tradeBookListResponseBody": {"queryRequest": {"page": "k2"}}}, tradebook) is None
