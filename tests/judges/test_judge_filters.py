"""The query-filters judge on canned items (FLT-001..008): each judge passes a conforming answer
and finds the fault in a faulty one; the catalogue's filter fields exist in the field tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from conformance.contract import get_api
from conformance.judges import filters as judge

B2B_CODE = "isinInfo[].isinCode"


# --- reading items ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "day"), [
    ("20160126", "20160126"), ("2016062211262636", "20160622"), ("2016-01-26", "20160126"),
    ("112626", None), ("20161350", None), ("", None), (None, None), (20160126, None),
])
def test_day_of(value, day):
    assert judge.day_of(value) == day


def test_codes_of_transaction_and_b2b_items():
    assert judge.codes_of({"isinCode": " KR7005930003"}, "isinCode") == ["KR7005930003"]
    assert judge.codes_of({"isinCode": "null"}, "isinCode") == []
    item = {"isinInfo": [{"isinCode": "KR7005930003"}, {"isinCode": "A005930"}, {"isinCode": None}]}
    assert judge.codes_of(item, B2B_CODE) == ["KR7005930003", "A005930"]
    assert judge.codes_of({"isinInfo": "null"}, B2B_CODE) == []
    assert judge.codes_of("not an item", B2B_CODE) == []


def test_outside_window_flt_001():
    items = [{"transDate": "20160105"}, {"transDate": "20160301"}, {"transDate": "null"},
             {"transDate": "20151231"}]
    assert judge.outside_window(items, "transDate", "20160101", "20160228") == ["20160301", "20151231"]


def test_pick_instrument_prefers_a_code_not_on_every_item():
    items = [{"isinCode": "CASH"}, {"isinCode": "A"}, {"isinCode": "A"}, {"isinCode": "B"}, {"isinCode": ""}]
    assert judge.pick_instrument(items, "isinCode") == "A"
    assert judge.pick_instrument([{"isinCode": "A"}, {"isinCode": "A"}], "isinCode") == "A"
    assert judge.pick_instrument([{"isinCode": "CASH"}], "isinCode") is None
    assert judge.pick_instrument([{"isinInfo": [{"isinCode": "X"}]}, {"isinInfo": []}], B2B_CODE) == "X"


def test_today_candidates_follow_the_instant_not_the_machine():
    late = datetime(2026, 12, 2, 20, 0, tzinfo=UTC)  # 05:00 on the 3rd in Seoul
    assert judge.today_candidates(late) == {"20261202", "20261203"}
    pinned = datetime(2026, 12, 2, 17, 0, tzinfo=timezone(timedelta(hours=9)))
    assert judge.today_candidates(pinned) == {"20261202"}
    assert all(judge.day_of(d) == d for d in judge.today_candidates(late))


def test_a_pinned_run_also_accepts_the_live_brokers_own_today():
    """CONFORMANCE_NOW pins the run, not the broker: its empty order date means its real today."""
    pinned = datetime(2026, 12, 2, 17, 0, tzinfo=timezone(timedelta(hours=9)))
    real = datetime(2027, 3, 9, 1, 0, tzinfo=UTC)
    todays = judge.today_candidates(pinned, real)
    assert todays == {"20261202", "20270309"}
    assert judge.stale_orders(["20270309", "20261202"], todays, "qrOrderDate") == []
    assert judge.stale_orders(["20270308"], todays, "qrOrderDate")  # a day neither clock calls today


def test_narrower_window_is_the_middle_third_of_the_dates():
    items = [{"d": f"2016010{n}"} for n in range(1, 7)]
    assert judge.narrower_window(items, "d") == ("20160103", "20160105", 3)
    assert judge.narrower_window(items[:2], "d") is None


# --- FLT-001 / FLT-008 ---------------------------------------------------------------------------
def test_dates_inside_the_window_pass_and_outside_fail():
    inside = [{"transDate": "20160105"}, {"transDate": "20160228"}]
    assert judge.dated_outside(inside, "transDate", "20160101", "20160228") == []
    (found,) = judge.dated_outside(inside + [{"transDate": "20160301"}], "transDate", "20160101", "20160228")
    assert found.message == "1 item(s) dated outside the requested 20160101..20160228: 20160301"


def test_a_window_that_loses_its_items_fails():
    assert judge.window_emptied([{"transDate": "20160105"}], 1, "20160101", "20160110") == []
    assert judge.window_emptied([], 0, "20160101", "20160110") == []  # nothing expected
    (found,) = judge.window_emptied([], 4, "20160101", "20160110")
    assert "answered no item" in found.message and "4 item(s)" in found.message


def test_an_overlong_range_is_refused_only_with_the_documented_code():
    assert judge.long_range_refusal("20 years", 500, 6006, "{}", 6006) == []
    (found,) = judge.long_range_refusal("20 years", 500, 3999, '{"code": 3999}', 6006)
    assert found.message.startswith("a date range of 20 years was answered with HTTP 500, code 3999")
    assert "gives data or 6006" in found.message


# --- FLT-002 / FLT-007 ---------------------------------------------------------------------------
def test_the_instrument_filter():
    assert judge.foreign_instruments([{"isinCode": "A"}], "A", "isinCode", "isinCode") == []
    (found,) = judge.foreign_instruments([{"isinCode": "A"}, {"isinCode": "B"}, {}], "A", "isinCode", "isinCode")
    assert found.message == "filtered on isinCode A, got items of other instruments: (none), B"
    b2b = [{"isinInfo": [{"isinCode": "X"}, {"isinCode": "Y"}]}]  # one item under two codes: still X
    assert judge.foreign_instruments(b2b, "X", B2B_CODE, "qrIsinCode") == []
    assert judge.instrument_lost([{"isinCode": "A"}], 2, "A", "isinCode") == []
    (lost,) = judge.instrument_lost([], 2, "A", "qrIsinCode")
    assert lost.message == "filtered on qrIsinCode A, got no item although the unfiltered answer holds 2"


def test_an_unknown_instrument_gives_nothing_or_6007():
    assert judge.unknown_instrument_items([], "KR0", "isinCode") == []
    (found,) = judge.unknown_instrument_items([{"isinCode": "B"}], "KR0", "isinCode")
    assert found.message == "the unknown instrument KR0 was answered with 1 item(s) of other instruments (B)"
    assert judge.unknown_instrument_refusal("KR0", 500, 6007, "{}", 6007) == []
    (refused,) = judge.unknown_instrument_refusal("KR0", 400, 6001, "{}", 6007)
    assert "code 6001" in refused.message and "6007 (Invalid Isincode)" in refused.message


# --- FLT-003 / FLT-006 / FLT-004 -----------------------------------------------------------------
def test_the_side_filter():
    assert judge.other_kinds([{"transType": " BID"}], "BID", "side", "transType", 1) == []
    (other,) = judge.other_kinds([{"transType": "BID"}, {"transType": "ASK"}], "BID", "side", "transType", 1)
    assert other.message == "filtered on side BID, got 1 item(s) of other kinds: ASK"
    (lost,) = judge.other_kinds([], "DEP", "side", "transType", 3)
    assert lost.message == "filtered on side DEP, got no item although the unfiltered answer holds 3"


def test_an_invalid_side_is_refused_with_6008():
    assert judge.invalid_side_answer("XYZ", False, 500, 6008, 6008) == []
    (answered,) = judge.invalid_side_answer("XYZ", True, 200, None, 6008)
    assert "answered with data" in answered.message
    (wrong,) = judge.invalid_side_answer("XYZ", False, 400, 6001, 6008)
    assert "code 6001" in wrong.message and "6008" in wrong.message


def test_the_sell_buy_filter():
    assert judge.other_sell_buy([{"sellBuyType": "1"}], "1", "sell", "qrSellBuyType", "sellBuyType", 1) == []
    (other,) = judge.other_sell_buy([{"sellBuyType": "1"}, {"sellBuyType": "2"}, {"sellBuyType": "2"}],
                                    "1", "sell", "qrSellBuyType", "sellBuyType", 1)
    assert other.message == "filtered on qrSellBuyType 1 (sell), got 2 item(s) with sellBuyType 2"
    (lost,) = judge.other_sell_buy([], "2", "buy", "qrSellBuyType", "sellBuyType", 5)
    assert "got no item although the unfiltered answer holds 5" in lost.message


# --- FLT-005 ---------------------------------------------------------------------------------------
def test_the_order_filters():
    assert judge.stale_orders(["20261202"], {"20261202"}, "qrOrderDate") == []
    (stale,) = judge.stale_orders(["20261202", "20160622"], {"20261202", "20261203"}, "qrOrderDate")
    assert stale.message == ("an empty qrOrderDate means today (20261202/20261203), but 1 order(s) of other "
                             "dates came back: 20160622")
    assert judge.other_order_dates(["20160622"], "20160622", "qrOrderDate") == []
    assert len(judge.other_order_dates(["20160622", "20160623"], "20160622", "qrOrderDate")) == 1
    fields = ("orderNo", "orgOrderNo")
    amended = [{"orderNo": "7", "orgOrderNo": "5"}, {"orderNo": "5"}]  # an amendment names its original
    assert judge.other_orders(amended, "5", "qrOrderNo", fields) == []
    (other,) = judge.other_orders(amended + [{"orderNo": "9"}], "5", "qrOrderNo", fields)
    assert other.message == "filtered on qrOrderNo 5, got 1 other order(s): 9"
    (lost,) = judge.other_orders([], "5", "qrOrderNo", fields)
    assert "got no order" in lost.message


# --- the catalogue's filter fields are fields of the contract -----------------------------------------
@pytest.mark.parametrize("api", ["transaction", "orderdetail", "settlelist"])
def test_filter_fields_point_into_the_field_tables(api):
    spec = get_api(api)
    assert spec.filters, api
    item = spec.lists[0].path + "[]"
    for name, row in spec.filters.items():
        assert f"{spec.query_request}.{row['query']}" in spec.fields["request"], (api, name)
        for field in filter(None, (row["item"], row.get("also"))):
            assert f"{item}.{field}" in spec.fields["response"], (api, name, field)
        for value in row.get("labels", {}):
            info = spec.field_at("request", f"{spec.query_request}.{row['query']}")
            assert info is not None and value in (info.enum or ()), (api, name, value)
