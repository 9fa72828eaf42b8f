"""The rules of suites/test_conventions.py that judge the profile or the clock, not the broker:
TRN-007 (C2) both ways, and what the INFO notes ERR-009 (C27) and LINK-010 (C33) say."""

from __future__ import annotations

import pytest

from conformance import clock
from conformance.judges.conventions import ONBOARDING_NOTE, broker_pair, window_note
from conformance.rules import get_rule


@pytest.mark.parametrize(("short_name", "code", "fails"), [
    ("diamond", "00992", False), ("samsung", "00030", False), ("SHINHAN", "00002", False),
    ("kiwoom", "", False),  # no code in the profile: the short name alone is listed
    ("diamond", "00049", True), ("samsung", "00992", True), ("acme", "01234", True),
])
def test_broker_pair_is_judged_on_the_profile(short_name, code, fails):
    found = broker_pair(short_name, code)
    assert bool(found) is fails
    assert all("C2" in f.message for f in found)
    assert get_rule("TRN-007").severity == "INFO"


@pytest.mark.parametrize(("at", "inside", "local"), [
    ("2026-12-02T08:29:00+09:00", False, "08:29"), ("2026-12-02T08:30:00+09:00", True, "08:30"),
    ("2026-12-02T06:59:00+00:00", True, "15:59"), ("2026-12-02T16:00:00+09:00", False, "16:00"),
])
def test_the_query_window_note_says_where_the_run_fell(at, inside, local):
    note = window_note(clock.parse_instant(at))
    assert f"at {local} Seoul time" in note
    assert ("inside 08:30-16:00" in note) is inside and ("outside 08:30-16:00" in note) is not inside


def test_the_window_note_reads_the_pinned_clock(monkeypatch):
    monkeypatch.setenv("CONFORMANCE_NOW", "2026-12-02T10:15:00+09:00")
    assert "at 10:15 Seoul time, inside" in window_note(clock.now())
    assert get_rule("ERR-009").severity == "INFO"


def test_the_onboarding_note_names_what_is_not_tested():
    assert "C33" in ONBOARDING_NOTE and "licence" in ONBOARDING_NOTE
    assert get_rule("LINK-010").severity == "INFO"


def test_every_convention_is_the_spec_ref_of_a_rule():
    from conformance.rules import load_rules

    cited = {ref for rule in load_rules().values() for ref in rule.spec_refs}
    assert sorted({f"C{n}" for n in range(1, 34)} - cited, key=lambda c: int(c[1:])) == []
