"""The C27 query window: one mechanism, decided in Seoul time on an injectable clock.

balancelist and settlelist may refuse between 08:30 and 16:00 Seoul time; an error answer then
makes whatever check met it not applicable, never a failure. Outside those hours, and for a broker
that answers all day, the same rules are judged as always. Prices that move on every call (a
market in trading hours) never make ALL-002 or PAGE-002 fail."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from runs import profile_for, run

from conformance.checking import window_excuse
from conformance.clock import parse_instant
from conformance.contract.window import in_closed_hours
from conformance.evidence import Exchange
from conformance.reference.server import ReferenceServer

EDGES = {"08:29": False, "08:30": True, "15:59": True, "16:00": False, "16:01": False}


def _at(hhmm: str) -> str:
    return f"2026-12-02T{hhmm}:00+09:00"


@pytest.mark.parametrize(("hhmm", "closed"), sorted(EDGES.items()))
def test_closed_hours_edges_in_seoul_time(hhmm, closed):
    assert in_closed_hours(parse_instant(_at(hhmm))) is closed


def test_closed_hours_read_in_seoul_whatever_the_offset():
    assert in_closed_hours(datetime(2026, 12, 2, 1, 0, tzinfo=UTC))  # 10:00 in Seoul
    assert not in_closed_hours(datetime(2026, 12, 2, 8, 0, tzinfo=UTC))  # 17:00 in Seoul
    assert in_closed_hours(parse_instant("2026-12-02T10:00:00"))  # no offset: Seoul time


def _answer(api: str, status: int, at: str) -> Exchange:
    body = b'{"resp": {"respCode": "200", "respMsg": "OK"}}' if status == 200 else b'{"code": 3600}'
    return Exchange(id="x1", api=api, purpose="canned", method="POST", url="http://t/", request_headers={},
                    request_body=b"{}", status=status, response_body=body, asked_at=at)


def test_only_error_answers_of_windowed_apis_in_closed_hours_excuse():
    assert window_excuse([_answer("balancelist", 503, _at("10:00"))]) is not None
    assert "C27" in (window_excuse([_answer("settlelist", 500, _at("08:30"))]) or "")
    assert window_excuse([_answer("balancelist", 200, _at("10:00"))]) is None  # answered: judged
    assert window_excuse([_answer("balancelist", 503, _at("16:00"))]) is None  # open again
    assert window_excuse([_answer("orderdetail", 503, _at("10:00"))]) is None  # no window
    assert window_excuse([_answer("balancelist", 503, "")]) is None  # no time recorded


def _judged(results: dict) -> dict[str, set[str]]:
    """rule → the APIs on which it passed."""
    out: dict[str, set[str]] = {}
    for rule in results["rules"]:
        for check in rule["checks"]:
            if check["status"] == "pass":
                out.setdefault(rule["id"], set()).add(check["api"])
    return out


def _must_failures(results: dict) -> dict[str, list[str]]:
    return {r["id"]: [c["message"][:160] for c in r["checks"] if c["status"] == "fail"][:2]
            for r in results["rules"] if r["status"] == "fail"}


@pytest.fixture(scope="module")
def judged_all_day(tmp_path_factory) -> dict[str, set[str]]:
    """What a broker that answers all day, with fixed prices, gets judged on."""
    folder = tmp_path_factory.mktemp("all-day")
    with ReferenceServer(broker="diamond") as server:
        result = run(profile_for("diamond", server.base_url, folder), folder / "out", now=_at("10:00"))
    assert result.exit_code == 0, _must_failures(result.results or {"rules": []})
    return _judged(result.results)


@pytest.mark.slow
@pytest.mark.parametrize("window", ["enforce", "open"])
@pytest.mark.parametrize("hhmm", sorted(EDGES))
def test_no_must_failure_at_any_hour(hhmm, window, tmp_path, judged_all_day):
    """A broker that enforces the window (or not) and drifts its prices is compliant at every edge;
    outside the closed hours it is judged on exactly the rules and APIs of an all-day broker."""
    at = parse_instant(_at(hhmm))
    with ReferenceServer(broker="diamond", window=window, prices="drift", now=lambda: at) as server:
        result = run(profile_for("diamond", server.base_url, tmp_path), tmp_path / "out", now=_at(hhmm))
    assert result.results is not None, result.stderr
    assert not _must_failures(result.results)
    assert result.exit_code == 0, result.stderr[-500:]
    assert not result.failing()  # not even a warning from moving prices
    note = result.results["query_window"]
    excused = {(c["rule_id"], c["api"]) for c in note["not_judged"]}
    assert note["in_closed_hours"] is EDGES[hhmm]
    if window == "enforce" and EDGES[hhmm]:
        assert {api for _rule, api in excused} == {"balancelist", "settlelist"}
        assert len(excused) > 40
        assert "from 16:00" in note["note"]
        report = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
        assert 'id="window-note"' in report and "not judged" in report
        windowed = {r: apis - {"balancelist", "settlelist"} for r, apis in judged_all_day.items()}
        assert {r: apis - {"balancelist", "settlelist"} for r, apis in _judged(result.results).items()} \
            == {r: a for r, a in windowed.items() if a}
    else:
        assert not excused
        assert _judged(result.results) == judged_all_day


@pytest.mark.slow
def test_a_fault_on_a_windowed_api_is_still_caught_from_16_00(tmp_path: Path):
    """The window excuses nothing from 16:00: a refused asset type of balancelist fails GRP-005."""
    at = parse_instant(_at("16:00"))
    with ReferenceServer(broker="diamond", faults=["b2b-group-refused"], window="enforce",
                         now=lambda: at) as server:
        result = run(profile_for("diamond", server.base_url, tmp_path), tmp_path / "out", "product-groups",
                     now=_at("16:00"))
    failing = {c["api"] for c in result.rule("GRP-005")["checks"] if c["status"] == "fail"}
    assert {"balancelist", "settlelist"} <= failing, failing
    assert not result.results["query_window"]["not_judged"]
