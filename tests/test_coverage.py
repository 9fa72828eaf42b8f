"""docs/coverage.md is the output of `python -m conformance.coverage` for the current suites, rules
and proofs; the proofs name only rules their fault declares and pairs the suites check."""

from __future__ import annotations

import pytest
from runs import list_faults

from conformance import coverage


@pytest.fixture(scope="module")
def pairs() -> set[tuple[str, str]]:
    return coverage.rule_api_pairs()


def test_the_coverage_table_is_fresh(pairs):
    text = coverage.render(pairs, coverage.fault_proofs(), coverage.unbreakable())
    assert coverage.DOC.read_text(encoding="utf-8") == text, "stale: run python -m conformance.coverage"


def test_every_convention_row_names_a_rule(pairs):
    text = coverage.render(pairs, coverage.fault_proofs(), coverage.unbreakable())
    rows = [line for line in text.splitlines() if line.startswith("| C")]
    assert len(rows) == 33
    empty = [row.split(" |")[0] for row in rows if not any(cell.strip() for cell in row.split("|")[2:])]
    assert empty == []


def test_proofs_name_declared_rules_and_checked_pairs(pairs):
    faults = list_faults()
    proofs = coverage.fault_proofs()
    for (rule, api), names in proofs.items():
        assert (rule, api) in pairs, (rule, api)
        for name in names:
            assert rule in faults[name][0], f"{name} does not declare {rule}"
    reasons = coverage.unbreakable()
    assert set(reasons) <= pairs and not set(reasons) & set(proofs)
    assert all(len(why) > 30 for why in reasons.values())


def test_proofs_reach_beyond_the_old_single_apis():
    """Issue 13: NUM-001 beyond balance, SCHEMA-004 beyond portfolio/balance, a member response broken,
    interest paging, and the C31 currency pattern."""
    proofs = coverage.fault_proofs()
    on = lambda rule: {api for (r, api) in proofs if r == rule}  # noqa: E731
    assert len(on("NUM-001")) >= 5 and {"accountlist", "orderdetail", "member-register"} <= on("SCHEMA-004")
    assert "interest" in on("PAGE-001") and on("SCHEMA-009") == {"balancelist"}


def test_every_pair_is_proven_or_reasoned_unbreakable(pairs):
    """Issue 13 item 4: every rule × API pair the suites check is broken by a named fault on that API
    (tests/fixtures/fault_apis.yaml, asserted by the detection matrix) or listed with its reason in
    tests/fixtures/unbreakable_pairs.yaml; none is left open."""
    proofs, reasons = coverage.fault_proofs(), coverage.unbreakable()
    open_pairs = {p for p in pairs if p not in proofs and p not in reasons}
    assert sorted(open_pairs) == [], "pairs neither proven nor reasoned unbreakable"
