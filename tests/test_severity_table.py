"""The severity table under test: every rule's severity (schemas/rules.yaml) equals the CONTRACT.md
section-6 severity of the convention aspects it cites (schemas/severities.yaml, quoted verbatim),
unless schemas/DECISIONS.md declares the difference in an entry that names the rule."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from helpers_contract import REPO

from conformance.rules import load_rules

TABLE = REPO / "schemas" / "severities.yaml"
DECISIONS = REPO / "schemas" / "DECISIONS.md"
# the shared digest beside the checkout (or beside the worktrees folder of a git worktree)
CONTRACT = next((p for p in (REPO.parent / "shared" / "spec" / "CONTRACT.md",
                             REPO.parent.parent / "shared" / "spec" / "CONTRACT.md") if p.exists()),
                REPO.parent / "shared" / "spec" / "CONTRACT.md")
WORDS = {"MUST": "MUST", "SHOULD": "SHOULD", "warning": "SHOULD", "INFO": "INFO"}


def _table() -> dict[str, dict[str, Any]]:
    rules: dict[str, dict[str, Any]] = yaml.safe_load(TABLE.read_text(encoding="utf-8"))["rules"]
    return rules


def _aspects(entry: dict[str, Any]) -> list[tuple[str, str]]:
    return [(clause, quote) for aspect in entry.get("section6", []) for clause, quote in aspect.items()]


def severity_of(quote: str) -> str:
    """The one severity a quoted aspect states (MUST, SHOULD — also written "warning" — or INFO)."""
    found = {WORDS[word] for word in re.findall(r"\b(MUST|SHOULD|warning|INFO)\b", quote)}
    assert len(found) == 1, f"the quote must state exactly one severity: {quote!r} states {sorted(found)}"
    return found.pop()


def _departures() -> dict[str, str]:
    """D# → its row of the departures table."""
    text = DECISIONS.read_text(encoding="utf-8")
    return {m.group(1): m.group(0) for m in re.finditer(r"^\| (D\d+) \|.*$", text, flags=re.M)}


def _entry_text(declared: str) -> str:
    if declared.startswith("D"):
        return _departures().get(declared, "")
    text = DECISIONS.read_text(encoding="utf-8")
    match = re.search(rf"^\*\*{declared} — .*?(?=^\*\*I\d+ — |^## )", text, flags=re.M | re.S)
    return match.group(0) if match else ""


def undeclared_differences(rules: dict[str, Any], table: dict[str, dict[str, Any]]) -> list[str]:
    """Every rule whose severity differs from a quoted section-6 aspect, or rests on none, without
    a declaration; and every declaration that no longer declares anything."""
    problems = []
    for rule_id, rule in sorted(rules.items()):
        entry = table.get(rule_id, {})
        stated = {severity_of(quote) for _, quote in _aspects(entry)}
        departs = bool(stated - {rule.severity}) or not stated
        declared = entry.get("declared")
        if departs and not declared:
            problems.append(f"{rule_id}: {rule.severity}, section 6 says {sorted(stated) or 'nothing'}; "
                            "not declared in DECISIONS.md")
        elif declared and not departs:
            problems.append(f"{rule_id}: declared {declared} but its severity equals section 6")
        elif declared and rule_id not in _entry_text(declared):
            problems.append(f"{rule_id}: DECISIONS.md {declared} does not name the rule")
    return problems


def test_every_rule_has_a_row_and_every_row_a_rule() -> None:
    assert sorted(set(_table()) ^ set(load_rules())) == []


def test_every_cited_convention_is_quoted_or_set_aside_with_a_reason() -> None:
    wrong = []
    for rule_id, rule in load_rules().items():
        entry = _table()[rule_id]
        quoted = {clause for clause, _ in _aspects(entry)}
        context = entry.get("context", {})
        cited = {ref for ref in rule.spec_refs if ref.startswith("C")}
        if (quoted | set(context)) != cited or quoted & set(context):
            wrong.append((rule_id, sorted(cited), sorted(quoted), sorted(context)))
        wrong.extend((rule_id, clause) for clause, why in context.items() if len(str(why)) < 15)
    assert wrong == []


@pytest.mark.skipif(not CONTRACT.exists(), reason="the contract digest (shared/spec) is not shipped")
def test_every_quote_is_verbatim_from_its_section_6_line() -> None:
    text = CONTRACT.read_text(encoding="utf-8")
    section = text[text.index("## 6."):]
    section = section[:section.index("\n## ", 4)] if "\n## " in section[4:] else section
    lines = {m.group(1): m.group(2) for m in re.finditer(r"^- \*\*(C\d+):\*\* (.*)$", section, flags=re.M)}
    assert len(lines) == 33
    wrong = [(rule_id, clause, quote) for rule_id, entry in _table().items() for clause, quote in _aspects(entry)
             if quote not in lines.get(clause, "")]
    assert wrong == []


def test_no_rule_departs_from_section_6_without_a_declaration() -> None:
    assert undeclared_differences(load_rules(), _table()) == []


def test_every_declaration_is_an_entry_of_decisions_md() -> None:
    departures = _departures()
    for rule_id, entry in _table().items():
        declared = entry.get("declared")
        if declared:
            assert re.fullmatch(r"[DI]\d+", declared), rule_id
            assert _entry_text(declared), f"{rule_id}: {declared} is not an entry of DECISIONS.md"
    assert {f"D{n}" for n in range(1, len(departures) + 1)} == set(departures)


def test_an_undeclared_change_of_severity_is_caught() -> None:
    """The test bites: PAGE-002 turned SHOULD (as section 6 has it) would be a stale declaration,
    and NUM-003 turned MUST an undeclared departure."""
    rules = load_rules()
    table = _table()
    from dataclasses import replace

    changed = {**rules, "NUM-003": replace(rules["NUM-003"], severity="MUST"),
               "PAGE-002": replace(rules["PAGE-002"], severity="SHOULD")}
    problems = undeclared_differences(changed, table)
    assert any(p.startswith("NUM-003: MUST, section 6 says ['SHOULD']") for p in problems), problems
    assert any(p.startswith("PAGE-002: declared D15") for p in problems), problems
    assert severity_of("→ warning (SHOULD), never a failure") == "SHOULD"
    with pytest.raises(AssertionError):
        severity_of("(MUST for `vtAccNo`/`qrAccNo`, SHOULD otherwise")
