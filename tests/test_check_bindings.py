"""The rule catalogue and the suites in step: every rule has a check, every check a catalogued rule,
and a check bound with @check names its rule once; the binding's parameters and needs work."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from conformance.checking import NOT_APPLICABLE, CheckContext, NotApplicable, check
from conformance.checking.context import rule_apis
from conformance.contract import api_set, error_code
from conformance.rules import load_rules

SUITES = Path(__file__).resolve().parent.parent / "suites"
RULE_ID = re.compile(r"^[A-Z]+-\d{3}$")


def _bound_rules(tree: ast.AST) -> list[str]:
    """Rule ids named in check registrations: @check(...), pytest.mark.rule(...), ck.rules(...)."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            if name in ("check", "ck.check", "pytest.mark.rule", "ck.rules", "rules"):
                out += [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
                        and RULE_ID.match(a.value)]
    return out


def _rule_literals(tree: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and RULE_ID.match(n.value)]


MODULES = {path.name: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(SUITES.glob("test_*.py"))}
NEW_STYLE = sorted(name for name, tree in MODULES.items()
                   if "ck" not in {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                                   for a in n.names})


def test_every_rule_has_a_check_and_every_check_a_rule() -> None:
    bound = {rule for tree in MODULES.values() for rule in _bound_rules(tree)}
    catalogued = set(load_rules())
    assert not bound - catalogued, f"checks of unknown rules: {sorted(bound - catalogued)}"
    assert not catalogued - bound, f"rules without a check: {sorted(catalogued - bound)}"


@pytest.mark.parametrize("module", NEW_STYLE)
def test_a_new_style_suite_names_each_rule_once(module: str) -> None:
    literals = _rule_literals(MODULES[module])
    twice = sorted({r for r in literals if literals.count(r) > 1})
    assert not twice, f"{module} writes these rule ids more than once: {twice}"
    assert "claimed(" not in ast.unparse(MODULES[module]), "applicability is declared: requires=..."


def test_every_suite_is_new_style() -> None:
    """No suite binds a check the old way (a marker plus `ck.*` calls that repeat the rule id)."""
    assert len(MODULES) == 14 and sorted(NEW_STYLE) == sorted(MODULES)
    old = [name for name, tree in MODULES.items() if "pytest.mark.rule" in ast.unparse(tree)]
    assert not old, f"suites still marking rules by hand: {old}"


def test_rule_apis_come_from_the_catalogue() -> None:
    assert rule_apis("ECHO-004") == ["portfolio", "balance", "transaction", "interest"]
    assert rule_apis("NUM-001") == list(api_set("all")) and len(api_set("all")) == 11
    assert rule_apis("NUM-004") == []
    with pytest.raises(KeyError):
        api_set("no-such-set")


@pytest.mark.parametrize("rule_id", ["ECHO-001", "ECHO-002", "ECHO-003", "ECHO-004", "ECHO-005"])
def test_an_echo_rule_runs_where_the_response_has_a_field_it_judges(rule_id: str) -> None:
    """An echo check on an API without a field of its rule could only pass, never judge (issue 13)."""
    from conformance.contract import get_api

    judges = "ECHO-002" if rule_id == "ECHO-005" else rule_id  # ECHO-005: the query block's numbers
    having = [api for api in api_set("all") if any(
        (f.echo or {}).get("rule") == judges and (rule_id != "ECHO-005" or f.type == "number")
        for f in get_api(api).echo_fields())]
    assert rule_apis(rule_id) == having


def test_symbolic_error_codes() -> None:
    assert error_code("invalid_page") == 6003
    assert error_code("invalid_asset_type") == 6001
    with pytest.raises(KeyError):
        error_code("no_such_error")


def test_check_parametrizes_over_the_rules_apis_and_marks_the_rule() -> None:
    @check("ECHO-004")
    def test_x(ctx):  # noqa: ANN001
        return ctx

    marks = {m.name: m for m in test_x.pytestmark}
    assert marks["rule"].args == ("ECHO-004",)
    assert list(marks["parametrize"].args[1]) == ["portfolio", "balance", "transaction", "interest"]
    assert list(__import__("inspect").signature(test_x).parameters) == ["api", "client"]


def test_a_single_rule_may_keep_its_id_in_the_node_id() -> None:
    """rule_in_id: the node id of an older binding (test_x[SCHEMA-009-balancelist]) stays as it was."""
    @check("SCHEMA-009", rule_in_id=True)
    def test_x(ctx):  # noqa: ANN001
        return ctx

    by_rule, by_api = [m for m in test_x.pytestmark if m.name == "parametrize"]
    assert by_rule.args[0] == "rule_id" and [p.id for p in by_rule.args[1]] == ["SCHEMA-009"]
    assert by_api.args == ("api", ["balancelist"])
    assert list(__import__("inspect").signature(test_x).parameters) == ["rule_id", "api", "client"]


class _Profile:
    regular_accounts: list[object] = []
    b2b_accounts: list[object] = []
    member_ci = ""

    def __init__(self, claimed: set[str]) -> None:
        self.claimed = claimed

    def claims(self, api: str) -> bool:
        return api in self.claimed


class _Client:
    def __init__(self, claimed: set[str]) -> None:
        self.profile = _Profile(claimed)


def test_unmet_needs_are_a_typed_not_applicable_before_any_question() -> None:
    seen: list[CheckContext] = []

    @check("ECHO-004", requires=("b2b",))
    def test_x(ctx):  # noqa: ANN001
        seen.append(ctx)

    with pytest.raises(NotApplicable) as unclaimed:
        test_x(api="portfolio", client=_Client(set()))
    assert unclaimed.value.reason == "the profile does not claim portfolio"
    assert str(unclaimed.value) == NOT_APPLICABLE + "the profile does not claim portfolio"  # old skip text
    with pytest.raises(NotApplicable, match="no b2b account"):
        test_x(api="portfolio", client=_Client({"portfolio"}))
    assert not seen


def test_the_context_knows_its_rule_and_api_and_files_under_them() -> None:
    from conformance.rules import ContractViolation

    @check("NUM-001", "NUM-002")
    def test_x(ctx, notation):  # noqa: ANN001
        ctx.fail(f"bad {notation}")

    with pytest.raises(ContractViolation) as failed:
        test_x(rule_id="NUM-002", api="balance", client=_Client({"balance"}), notation="1e9")
    assert (failed.value.rule_id, failed.value.api, failed.value.message) == ("NUM-002", "balance", "bad 1e9")
