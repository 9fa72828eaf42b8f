"""schemas/rules.yaml: well-formed, covering every area, citing clauses that exist, and in step
with the rule ids the contract module emits."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import yaml
from helpers_contract import REPO

from conformance.rules import AREAS, SEVERITIES, get_rule, load_rules

RULES_YAML = REPO / "schemas" / "rules.yaml"
CLAUSES_YAML = REPO / "schemas" / "clauses.yaml"
CONTRACT = REPO.parent / "shared" / "spec" / "CONTRACT.md"
PREFIX = {"schema": "SCHEMA", "null-values": "NULL", "echo": "ECHO", "all-query": "ALL",
          "product-groups": "GRP", "paging": "PAGE", "query-filters": "FLT", "numbers": "NUM",
          "errors": "ERR", "auth": "AUTH", "service-link": "LINK", "transport": "TRN"}


def _rows() -> list[dict[str, str]]:
    return list(yaml.safe_load(RULES_YAML.read_text(encoding="utf-8"))["rules"])


def _refs() -> set[str]:
    return {ref for rule in load_rules().values() for ref in rule.spec_refs}


def test_ids_are_unique_and_well_formed() -> None:
    ids = [row["id"] for row in _rows()]
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert all(re.fullmatch(r"[A-Z]+-\d{3}", i) for i in ids)
    assert len(load_rules()) == len(ids)


def test_every_rule_has_a_known_area_severity_and_a_title() -> None:
    for row in _rows():
        assert set(row) - {"apis"} == {"id", "area", "severity", "spec_ref", "title"}, row["id"]
        assert row["area"] in AREAS and row["severity"] in SEVERITIES, row["id"]
        assert row["id"].startswith(PREFIX[row["area"]] + "-"), row["id"]
        assert len(row["title"]) > 20, row["id"]


def test_at_least_40_rules_covering_all_12_areas() -> None:
    rules = load_rules()
    assert len(rules) >= 40
    assert {rule.area for rule in rules.values()} == set(AREAS) and len(AREAS) == 12
    assert set(PREFIX) == set(AREAS)


def test_spec_refs_are_clause_tokens() -> None:
    for rule in load_rules().values():
        assert rule.spec_refs, rule.id
        for ref in rule.spec_refs:
            assert re.fullmatch(r"[CI]\d{1,2}", ref), (rule.id, ref)


@pytest.mark.skipif(not CONTRACT.exists(), reason="the contract digest (shared/spec) is not shipped")
def test_every_cited_clause_exists_in_the_contract_digest() -> None:
    text = CONTRACT.read_text(encoding="utf-8")
    conventions = set(re.findall(r"^\*\*(C\d+) —", text, flags=re.M))
    defined = conventions | set(re.findall(r"^\*\*(I\d+)\.", text, flags=re.M))
    assert {f"C{n}" for n in range(1, 34)} <= defined and {f"I{n}" for n in range(1, 88)} <= defined
    assert sorted(_refs() - defined) == []


def test_every_cited_clause_has_a_text_in_clauses_yaml() -> None:
    clauses = yaml.safe_load(CLAUSES_YAML.read_text(encoding="utf-8"))["clauses"]
    ids = {clause["id"] for clause in clauses}
    assert sorted(_refs() - ids) == []


def test_every_rule_id_the_contract_module_emits_is_catalogued() -> None:
    """No check without a rule: rule-id literals in conformance/contract/ exist in rules.yaml."""
    emitted: set[str] = set()
    for source in (REPO / "conformance" / "contract").glob("*.py"):
        text = source.read_text(encoding="utf-8")
        emitted |= set(re.findall(r'"((?:SCHEMA|NULL|ECHO|NUM|TRN)-\d{3})"', text))
    assert {"SCHEMA-001", "SCHEMA-002", "NULL-002", "NULL-005", "NUM-001", "NUM-002", "TRN-002"} <= emitted
    for rule_id in sorted(emitted):
        get_rule(rule_id)


def test_severities_of_the_contract_rules_match_the_decisions() -> None:
    """schemas/DECISIONS.md: C8 and the C15 date list are MUST, open vocabularies and lengths SHOULD."""
    expected = {"NUM-001": "MUST", "NUM-002": "MUST", "SCHEMA-005": "MUST", "SCHEMA-006": "SHOULD",
                "SCHEMA-007": "SHOULD", "SCHEMA-008": "SHOULD", "NULL-002": "MUST", "NULL-005": "MUST",
                "ECHO-001": "MUST", "ECHO-005": "SHOULD"}
    assert {rule_id: get_rule(rule_id).severity for rule_id in expected} == expected
