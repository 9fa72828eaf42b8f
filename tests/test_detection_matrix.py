"""The detection matrix: every fault of the reference catalogue is caught by one of its declared
rules and makes the run exit 1; the clean virtual brokers are compliant under every null form."""

from __future__ import annotations

import pytest
from runs import list_faults, profile_for, run

from conformance.reference.server import ReferenceServer
from conformance.rules import get_rule

FAULTS = list_faults()
# Faults that need a profile adjusted to show (the profile sets what the suite expects).
LIMITS = {"slow-responses": {"timeout_s": 1}}
EXTRA = {"fuzz-crash": ("--fuzz",)}


@pytest.mark.slow
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_is_detected(fault, tmp_path):
    rules, _ = FAULTS[fault]
    areas = sorted({get_rule(r).area for r in rules})
    with ReferenceServer(broker="diamond", faults=[fault]) as server:
        profile = profile_for("diamond", server.base_url, tmp_path, **LIMITS.get(fault, {}))
        result = run(profile, tmp_path / "out", *areas, extra=EXTRA.get(fault, ()))
    assert result.results is not None, result.stderr
    caught = {r: result.status(r) for r in rules if result.status(r) in ("fail", "warn")}
    assert caught, f"{fault}: none of {rules} failed; failing rules: {result.failing()}"
    assert result.exit_code == 1, f"{fault}: exit {result.exit_code}; caught {caught}; {result.stderr[-500:]}"
    assert any(result.status(r) == "fail" for r in rules if get_rule(r).severity == "MUST"), caught


@pytest.mark.slow
@pytest.mark.parametrize("broker", ["diamond", "cyber", "star"])
def test_clean_brokers_are_compliant(broker, tmp_path):
    with ReferenceServer(broker=broker) as server:
        result = run(profile_for(broker, server.base_url, tmp_path), tmp_path / "out")
    assert result.results is not None, result.stderr
    must_failed = {r["id"]: [c["message"] for c in r["checks"] if c["status"] == "fail"][:2]
                   for r in result.results["rules"] if r["status"] == "fail"}
    assert not must_failed, must_failed
    assert result.exit_code == 0, result.stderr[-800:]
    passed_areas = {r["area"] for r in result.results["rules"] if r["status"] == "pass"}
    assert len(passed_areas) == 12, sorted(passed_areas)


@pytest.mark.slow
@pytest.mark.parametrize("form", ["absent", "null", "string", "empty", "rotate"])
def test_every_null_form_is_compliant(form, tmp_path):
    with ReferenceServer(broker="star", null_forms=form) as server:
        result = run(profile_for("star", server.base_url, tmp_path), tmp_path / "out",
                     "schema", "null-values", "echo", "all-query", "product-groups", "paging", "query-filters",
                     "numbers")
    assert result.results is not None, result.stderr
    failed = {r["id"]: [c["message"] for c in r["checks"] if c["status"] == "fail"][:2]
              for r in result.results["rules"] if r["status"] == "fail"}
    assert not failed, failed
    assert result.exit_code == 0
