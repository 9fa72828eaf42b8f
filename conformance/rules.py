"""The rule catalogue (schemas/rules.yaml) and the verdict model.

A rule has an id, a title, an area, a severity and a spec reference. A check judges evidence and
fails with a ContractViolation (the broker is wrong); a harness error is any other exception and is
counted apart. A rule's status is derived from the statuses of all its checks.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

import yaml

from conformance.findings import Finding, dedupe, render
from conformance.paths import schemas_dir

AREAS: tuple[str, ...] = (
    "schema", "null-values", "echo", "all-query", "product-groups", "paging",
    "query-filters", "numbers", "errors", "auth", "service-link", "transport",
)
SEVERITIES: tuple[str, ...] = ("MUST", "SHOULD", "INFO")
# waived: a failure or warning a valid waiver accepts (conformance.waivers); never counts against a broker
STATUSES: tuple[str, ...] = ("pass", "fail", "warn", "skip", "not_applicable", "waived")


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    area: str
    severity: str
    spec_ref: str
    apis: str | tuple[str, ...] = ()  # the APIs it applies to: a named set of catalogue.yaml or ids

    @property
    def spec_refs(self) -> list[str]:
        return [part.strip() for part in self.spec_ref.split(",") if part.strip()]


@functools.lru_cache(maxsize=1)
def load_rules() -> dict[str, Rule]:
    """All rules by id, in catalogue order."""
    data = yaml.safe_load((schemas_dir() / "rules.yaml").read_text(encoding="utf-8"))
    rules: dict[str, Rule] = {}
    for row in data["rules"]:
        rule = Rule(id=row["id"], title=row["title"], area=row["area"],
                    severity=row["severity"], spec_ref=row["spec_ref"],
                    apis=row["apis"] if isinstance(row.get("apis"), str) else tuple(row.get("apis", ())))
        rules[rule.id] = rule
    return rules


def get_rule(rule_id: str) -> Rule:
    try:
        return load_rules()[rule_id]
    except KeyError:
        raise KeyError(f"unknown rule id {rule_id!r} (not in schemas/rules.yaml)") from None


class ContractViolation(AssertionError):
    """The broker broke the contract: a check failed. Carries the rule, its findings (typed: path,
    expected, actual, exchanges) and the message rendered from them."""

    def __init__(self, rule_id: str, message: str = "", *, path: str = "", api: str = "",
                 exchanges: Iterable[str] = (), findings: Iterable[Finding] = ()) -> None:
        found = dedupe(findings)
        if not found:  # one defect told in prose: it is the one finding
            found = [Finding(rule=rule_id, message=message, path=path, api=api, exchanges=tuple(exchanges))]
        message = message or (found[0].message if len(found) == 1 else render(found))
        path = path or (found[0].path if len(found) == 1 else "")
        super().__init__(f"{rule_id} {path + ': ' if path else ''}{message}")
        self.rule_id = rule_id
        self.message = message
        self.path = path
        self.api = api or found[0].api
        self.findings = found
        ids = list(exchanges) or [e for f in found for e in f.exchanges]
        self.exchanges = list(dict.fromkeys(ids))


def rule_status(severity: str, check_statuses: Iterable[str]) -> str:
    """Fold check statuses into the rule status: any failure fails (or warns for SHOULD/INFO)."""
    statuses = list(check_statuses)
    if not statuses:
        return "skip"
    if "fail" in statuses:
        return "fail" if severity == "MUST" else "warn"
    if "warn" in statuses:
        return "warn"
    if "waived" in statuses:
        return "waived"
    if "pass" in statuses:
        return "pass"
    if all(s == "not_applicable" for s in statuses):
        return "not_applicable"
    return "skip"
