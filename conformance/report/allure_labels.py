"""Allure labels for one check: epic = broker, feature = rule area, story = rule id, severity from
the rule's, a link per contract clause, and the API as a parameter. The pytest plugin calls
`apply_allure_labels` inside each test and `attach_evidence` with the exchanges it judged.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import allure

from conformance.evidence import Exchange
from conformance.redact import scrub, scrub_data
from conformance.report.clauses import clauses_for
from conformance.rules import Rule

SEVERITY = {"MUST": "critical", "SHOULD": "normal", "INFO": "minor"}
# Where a clause link points: the clause appendix of the run's report.html (anchors are clause ids).
SPEC_LINK_BASE = "report.html"


def allure_labels(rule: Rule, api: str, broker_short_name: str, *,
                  spec_link_base: str = SPEC_LINK_BASE) -> dict[str, Any]:
    """The labels as data: epic, feature, story, severity, title, links [{url, name}], parameters."""
    return {
        "epic": broker_short_name,
        "feature": rule.area,
        "story": rule.id,
        "severity": SEVERITY.get(rule.severity, "normal"),
        "title": f"{rule.id} [{api}] {rule.title}",
        "tags": [rule.severity, rule.area],
        "links": [{"url": f"{spec_link_base}#{clause.id}", "name": f"{clause.id} {clause.title}"}
                  for clause in clauses_for(rule.spec_ref)],
        "parameters": {"api": api},
    }


def apply_allure_labels(rule: Rule, api: str, broker: str) -> None:
    """Set the labels on the running test (a no-op when allure-pytest is not collecting)."""
    labels = allure_labels(rule, api, broker)
    allure.dynamic.epic(labels["epic"])
    allure.dynamic.feature(labels["feature"])
    allure.dynamic.story(labels["story"])
    allure.dynamic.severity(allure.severity_level(labels["severity"]))
    allure.dynamic.title(labels["title"])
    allure.dynamic.tag(*labels["tags"])
    for link in labels["links"]:
        allure.dynamic.link(link["url"], name=link["name"])
    for name, value in labels["parameters"].items():
        allure.dynamic.parameter(name, value)


def label_waived(reason: str, approved_by: str, expires: str) -> None:
    """Mark the running test as waived (conformance.waivers): a tag and a `waiver` label."""
    allure.dynamic.tag("waived")
    allure.dynamic.label("waiver", scrub(f"{reason} (approved by {approved_by}, until {expires})"))


def attach_evidence(exchanges: Iterable[Exchange | dict[str, Any]]) -> None:
    """Attach each exchange (Exchange or its to_evidence() dict) as a JSON attachment, secrets scrubbed."""
    for exchange in exchanges:
        evidence = exchange.to_evidence() if isinstance(exchange, Exchange) else exchange
        clean = scrub_data(evidence)
        label = f"{clean.get('id', 'exchange')} {clean.get('api', '')} {clean.get('purpose', '')}"
        name = scrub(label.strip())
        allure.attach(json.dumps(clean, ensure_ascii=False, indent=2), name=name,
                      attachment_type=allure.attachment_type.JSON)
