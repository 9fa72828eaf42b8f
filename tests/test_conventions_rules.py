"""The rules of suites/test_conventions.py that judge the profile or the clock, not the broker:
TRN-007 (C2) both ways, and what the INFO notes ERR-009 (C27) and LINK-010 (C33) say."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import SimpleNamespace

import pytest

from conformance.rules import ContractViolation, get_rule

SUITE = Path(__file__).resolve().parent.parent / "suites" / "test_conventions.py"


@pytest.fixture(scope="module")
def suite():
    spec = importlib.util.spec_from_file_location("suite_conventions", SUITE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _client(short_name: str, code: str) -> SimpleNamespace:
    return SimpleNamespace(profile=SimpleNamespace(short_name=short_name, code=code))


@pytest.mark.parametrize(("short_name", "code", "fails"), [
    ("diamond", "00992", False), ("samsung", "00030", False), ("SHINHAN", "00002", False),
    ("kiwoom", "", False),  # no code in the profile: the short name alone is listed
    ("diamond", "00049", True), ("samsung", "00992", True), ("acme", "01234", True),
])
def test_broker_pair_is_judged_on_the_profile(suite, short_name, code, fails):
    notes: list[tuple[str, str]] = []
    record = lambda name, value: notes.append((name, value))  # noqa: E731
    if fails:
        with pytest.raises(ContractViolation, match="C2") as info:
            suite.test_broker_pair_is_known(_client(short_name, code), record)
        assert info.value.rule_id == "TRN-007" and get_rule("TRN-007").severity == "INFO"
        assert notes == []
    else:
        suite.test_broker_pair_is_known(_client(short_name, code), record)
        assert notes == [("conformance_note", f"{short_name} {code or '(no code)'} is a C2 pair")]


@pytest.mark.parametrize(("at", "inside", "local"), [
    ("2026-12-02T08:29:00+09:00", False, "08:29"), ("2026-12-02T08:30:00+09:00", True, "08:30"),
    ("2026-12-02T06:59:00+00:00", True, "15:59"), ("2026-12-02T16:00:00+09:00", False, "16:00"),
])
def test_the_query_window_note_says_where_the_run_fell(suite, at, inside, local):
    note = suite.window_note(at)
    assert f"at {local} Seoul time" in note
    assert ("inside 08:30-16:00" in note) is inside and ("outside 08:30-16:00" in note) is not inside


def test_the_window_check_notes_the_pinned_clock(suite, monkeypatch):
    monkeypatch.setenv("CONFORMANCE_NOW", "2026-12-02T10:15:00+09:00")
    notes: list[tuple[str, str]] = []
    suite.test_query_window_is_noted(_client("diamond", "00992"), lambda n, v: notes.append((n, v)))
    assert len(notes) == 1 and "at 10:15 Seoul time, inside" in notes[0][1]
    assert get_rule("ERR-009").severity == "INFO"


def test_the_onboarding_note_names_what_is_not_tested(suite):
    notes: list[tuple[str, str]] = []
    suite.test_onboarding_is_noted(_client("diamond", "00992"), lambda n, v: notes.append((n, v)))
    assert len(notes) == 1 and "C33" in notes[0][1] and "licence" in notes[0][1]
    assert get_rule("LINK-010").severity == "INFO"


def test_every_convention_is_the_spec_ref_of_a_rule():
    from conformance.rules import load_rules

    cited = {ref for rule in load_rules().values() for ref in rule.spec_refs}
    assert sorted({f"C{n}" for n in range(1, 34)} - cited, key=lambda c: int(c[1:])) == []
