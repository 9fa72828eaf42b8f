"""The detection matrix: every fault of the reference catalogue is caught by one of its declared
rules and makes the run exit 1; the clean virtual brokers are compliant under every null form."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from runs import list_faults, profile_for, run

from conformance.coverage import NO_API
from conformance.reference.server import ReferenceServer
from conformance.rules import get_rule, load_rules

FAULTS = list_faults()
# fault → rule → the APIs the fault is proven to break it on (docs/coverage.md reads the same file)
PROOFS = yaml.safe_load((Path(__file__).parent / "fixtures" / "fault_apis.yaml").read_text(encoding="utf-8"))["faults"]
# Faults that need a profile adjusted to show (the profile sets what the suite expects).
LIMITS = {"slow-responses": {"timeout_s": 1}}
# Faults shown under a profile's own legal choice: QTY first, so the plain portfolio question asks
# quantities (C29) and the message rules judge an answer that carries amounts.
CAPABILITIES = {"plain-billions": {"rsp_types": ["QTY", "RAT"]}}
EXTRA = {"fuzz-crash": ("--fuzz",)}


# Faults whose rules depend on a capability: ALL-004 judges brokers that do not claim ALL (cyber).
BROKERS = {"all-partial": ("diamond", "cyber"), "page-overflow": ("diamond", "star"),  # star: interest paging
           "page-drops": ("diamond", "star"), "page-key-ignored": ("diamond", "star"),
           "count-zero-refused": ("diamond", "star"), "interest-counts-as-text": ("star",),
           "interest-last-page-bare": ("star",),  # C28: only a claimer of the interest queryType pages it
           "table-spellings": ("diamond", "star")}  # star: the interest paging counts (NUM-002)


@pytest.mark.slow
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_is_detected(fault, tmp_path):
    """Every rule the fault declares fails (or warns, for SHOULD rules); the run exits 1 when one of
    them is a MUST (a fault that breaks only SHOULD rules leaves the broker compliant, with warnings)."""
    rules, _ = FAULTS[fault]
    areas = sorted({get_rule(r).area for r in rules})
    caught: dict[str, str] = {}
    broken: set[tuple[str, str]] = set()
    for broker in BROKERS.get(fault, ("diamond",)):
        with ReferenceServer(broker=broker, faults=[fault]) as server:
            profile = profile_for(broker, server.base_url, tmp_path, **LIMITS.get(fault, {}))
            if fault in CAPABILITIES:
                data = yaml.safe_load(profile.read_text(encoding="utf-8"))
                data["capabilities"].update(CAPABILITIES[fault])
                profile.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
            result = run(profile, tmp_path / f"out-{broker}", *areas, extra=EXTRA.get(fault, ()))
        assert result.results is not None, result.stderr
        musts = [r for r in rules if get_rule(r).severity == "MUST"]
        expected = 1 if musts else 0  # a fault breaking SHOULD rules only warns (SCHEMA-009, C31)
        assert result.exit_code == expected, f"{fault} on {broker}: exit {result.exit_code}; {result.stderr[-500:]}"
        assert not musts or any(result.status(r) == "fail" for r in musts), result.failing()
        caught.update({r: result.status(r) for r in rules if result.status(r) in ("fail", "warn")})
        broken |= {(r, c["api"] or NO_API) for r in rules for c in result.rule(r)["checks"]
                   if c["status"] in ("fail", "warn")}
        broken |= {(r, NO_API) for r, _ in broken}  # a check without an api parameter names its own
        # specificity: a fault fails no MUST rule it does not declare
        collateral = {rid: st for rid, st in result.failing().items() if st == "fail" and rid not in rules}
        assert not collateral, f"{fault} on {broker} also fails undeclared MUST rules: {collateral}"
    missed = [r for r in rules if r not in caught]
    assert not missed, f"{fault}: {missed} not caught; caught {caught}"
    # per API (issue 13): the fault breaks each rule on every API tests/fixtures/fault_apis.yaml lists
    claimed = {(r, api) for r, apis in PROOFS.get(fault, {}).items() for api in apis}
    assert sorted(claimed - broken) == [], f"{fault}: not broken on these (rule, api) pairs"


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


def test_every_rule_is_broken_by_some_fault():
    """The fault catalogue covers the rule catalogue. TRN-003 and TRN-007 are judged on the profile
    alone (below, tests/test_conventions_rules.py); ERR-009 and LINK-010 are INFO notes that cannot
    fail (C27's verdicts belong to the verdict layer, C33 is contractual): their notes are tested."""
    declared = {rule for rules, _ in FAULTS.values() for rule in rules}
    assert set(load_rules()) - declared == {"TRN-003", "TRN-007", "ERR-009", "LINK-010"}


@pytest.mark.parametrize(("base_url", "fails"), [
    ("http://gateway.broker.example:8080", True),
    ("https://gateway.broker.example", False),
    ("http://127.0.0.1:8700", False),
    ("http://localhost:8700", False),
])
def test_https_rule_judges_the_gateway_address(base_url, fails):
    """TRN-003 both ways, without sending anything: plain HTTP is warned off loopback only."""
    from conformance.checking.exchange.transport import https_off_loopback
    from conformance.rules import ContractViolation

    if fails:
        with pytest.raises(ContractViolation, match="TRN-003"):
            https_off_loopback(base_url)
    else:
        https_off_loopback(base_url)


def _without(data, *keys):
    for key in keys:
        data.pop(key, None)
    return data


PROFILE_VARIANTS = {
    # a broker that offers one family only, and a profile in the bare DESIGN.md format
    "account-only": lambda d: _without({**d, "apis": ["portfolio", "balance", "transaction", "interest"]},
                                       "b2b_accounts", "member"),
    "b2b-only": lambda d: _without({**d, "apis": ["orderdetail", "balancelist", "settlelist", "accountlist",
                                                  "tradebook"]}, "accounts", "member"),
    "member-only": lambda d: _without({**d, "apis": ["member-register", "member-consent"]},
                                      "accounts", "b2b_accounts"),
    "bare-design-format": lambda d: {
        **d, "accounts": [{"vtAccNo": a["vtAccNo"], "ci": a["ci"]} for a in d["accounts"]],
        "b2b_accounts": [{"accNo": b["accNo"]} for b in d["b2b_accounts"]],
        "capabilities": _without(dict(d["capabilities"]), "max_date_range_days")},
}


@pytest.mark.slow
@pytest.mark.parametrize("variant", sorted(PROFILE_VARIANTS))
@pytest.mark.parametrize("broker", ["cyber", "star"])
def test_profiles_claiming_less_are_compliant(broker, variant, tmp_path):
    """What a profile does not claim or does not know is never held against the broker."""
    import yaml

    with ReferenceServer(broker=broker) as server:
        path = profile_for(broker, server.base_url, tmp_path)
        data = PROFILE_VARIANTS[variant](yaml.safe_load(path.read_text(encoding="utf-8")))
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        result = run(path, tmp_path / "out")
    assert result.results is not None, result.stderr
    assert result.exit_code == 0, result.failing()
    assert not result.failing()
