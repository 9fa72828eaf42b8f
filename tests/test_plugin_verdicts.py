"""The plugin's verdict fold, tried with pytester on tiny suites of its own: a violation is filed
under the rule it names, with that rule's severity, whichever check raised it."""

from __future__ import annotations

import json

import pytest

pytest_plugins = ["pytester"]

SUITE = '''
import pytest
from conformance import checking as ck
from conformance.rules import ContractViolation


@pytest.mark.rule("NUM-001")
def test_must_failure():
    ck.violate(None, "a MUST finding")


@pytest.mark.rule("SCHEMA-006")
def test_should_failure():
    ck.violate(None, "a SHOULD finding")


@pytest.mark.rule("SCHEMA-006")
def test_must_finding_inside_a_should_check():
    ck.violate("NUM-001", "a MUST finding raised by a SHOULD check")


@pytest.mark.rule("ALL-002")
def test_other_rule_named():
    raise ContractViolation("PAGE-003", "the chain does not end")


@pytest.mark.rule("GRP-004")
def test_not_applicable():
    ck.not_applicable("the profile declares no groups")


@pytest.mark.rule("GRP-003")
def test_harness_error():
    raise KeyError("oops")


@pytest.mark.rule("NUM-003")
def test_unknown_rule_named():
    raise ContractViolation("NOPE-999", "no such rule")


@pytest.mark.rule("ECHO-001")
def test_pass():
    assert ck.current_rule() == "ECHO-001"
'''


@pytest.fixture
def folded(pytester: pytest.Pytester) -> tuple[pytest.RunResult, dict]:
    pytester.makepyfile(test_suite=SUITE)
    out = pytester.path / "out"
    result = pytester.runpytest_subprocess("-p", "conformance.plugin", "--out", str(out), "-p", "no:cacheprovider",
                                           "-p", "no:allure_pytest")
    return result, json.loads((out / "results.json").read_text(encoding="utf-8"))


def _checks(results: dict) -> dict[str, tuple[str, str]]:
    """test name → (rule filed under, status)."""
    return {c["nodeid"].split("::")[-1]: (r["id"], c["status"]) for r in results["rules"] for c in r["checks"]}


def test_each_outcome_is_filed_where_it_belongs(folded):
    _result, results = folded
    checks = _checks(results)
    assert checks["test_must_failure"] == ("NUM-001", "fail")
    assert checks["test_should_failure"] == ("SCHEMA-006", "warn")
    assert checks["test_must_finding_inside_a_should_check"] == ("NUM-001", "fail")
    assert checks["test_other_rule_named"] == ("PAGE-003", "fail")
    assert checks["test_not_applicable"] == ("GRP-004", "not_applicable")
    assert checks["test_pass"] == ("ECHO-001", "pass")
    # a harness error and an unknown rule id are run errors, never verdicts on the broker
    assert checks["test_harness_error"] == ("GRP-003", "skip")
    assert checks["test_unknown_rule_named"] == ("NUM-003", "skip")
    assert {e["nodeid"].split("::")[-1] for e in results["run_errors"]} == {"test_harness_error",
                                                                           "test_unknown_rule_named"}
    assert results["summary"]["compliant"] is False


def test_filed_elsewhere_says_where_it_was_raised(folded):
    _result, results = folded
    page3 = next(r for r in results["rules"] if r["id"] == "PAGE-003")
    assert page3["status"] == "fail"
    assert page3["checks"][0]["filed_from"] == "ALL-002"
    all2 = next(r for r in results["rules"] if r["id"] == "ALL-002")
    assert all2["checks"] == [] and all2["status"] == "skip"


def test_pytest_outcome_means_a_must_rule_failed(folded):
    """A warning is a pass for pytest; a MUST failure, a harness error and a misfiled MUST are not."""
    result, _results = folded
    # failed: the MUST finding, the MUST inside a SHOULD check, PAGE-003, the two harness errors
    result.assert_outcomes(passed=2, failed=5, skipped=1)
