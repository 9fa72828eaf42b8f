"""results.json → junit.xml, for CI systems that read JUnit.

One testcase per check: classname = rule area, name = `RULE-ID[api]`. A check that failed is a
<failure>; skip, not-applicable and waived (the waiver's reason) are <skipped>; a warning is a
passing testcase with a <system-out> note (and a `status` property) so it shows without breaking a
build. Run errors (the harness or the network failed) are <error> testcases in a suite of their
own. The totals equal the check counts of results.json.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

from conformance import outputs
from conformance.redact import scrub, scrub_data
from conformance.report.results import CheckRecord, read_record

# Characters XML 1.0 cannot carry at all (broker bodies may contain them).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MAX_TEXT_CHARS = 20_000  # evidence excerpts in failure text; the whole record is in results.json


def _xml(text: Any) -> str:
    return _XML_ILLEGAL.sub("\ufffd", "" if text is None else str(text))


def _seconds(check: CheckRecord) -> float:
    total = 0.0
    for evidence in check.evidence:
        try:
            total += float(evidence.get("elapsed_ms") or 0) / 1000
        except (TypeError, ValueError):
            continue
    return round(total, 3)


def _evidence_text(check: CheckRecord) -> str:
    """Message, path and, per exchange, the status line and the curl reproduction."""
    lines = [check.message]
    if check.path:
        lines.append(f"path: {check.path}")
    for evidence in check.evidence:
        response = evidence.get("response") or {}
        outcome = (f"HTTP {response.get('status')}" if response.get("status") is not None
                   else f"{response.get('error_kind') or 'no response'}: {response.get('error') or ''}")
        lines.append(f"exchange {evidence.get('id')}: {outcome} ({evidence.get('elapsed_ms')} ms)")
        if evidence.get("curl"):
            lines.append(f"  {evidence['curl']}")
    text = "\n".join(lines)
    return text if len(text) <= MAX_TEXT_CHARS else text[:MAX_TEXT_CHARS] + "\n… (see results.json)"


def _properties(parent: ET.Element, values: dict[str, Any]) -> None:
    props = ET.SubElement(parent, "properties")
    for name, value in values.items():
        if value not in (None, ""):
            ET.SubElement(props, "property", name=name, value=_xml(value))


def build_junit(results: dict[str, Any]) -> ET.Element:
    """The <testsuites> tree (strings already scrubbed)."""
    record = read_record(scrub_data(results))
    broker = record.broker.get("short_name") or "broker"
    suites: dict[str, ET.Element] = {}
    counts: dict[str, Counter[str]] = {}
    root = ET.Element("testsuites", name=_xml(f"koscom-conformance {broker}"))
    for rule, check in record.checks():
        area = rule.area or "unknown"
        if area not in suites:
            suites[area] = ET.SubElement(root, "testsuite", name=_xml(f"{broker}.{area}"),
                                         timestamp=_xml(record.started_at))
            counts[area] = Counter()
        status = check.status or "skip"
        case = ET.SubElement(suites[area], "testcase", classname=_xml(area), name=_xml(f"{rule.id}[{check.api}]"),
                             time=f"{_seconds(check):.3f}")
        _properties(case, {"rule": rule.id, "severity": rule.severity, "spec_ref": rule.spec_ref, "status": status,
                           "nodeid": check.nodeid, "path": check.path,
                           "carried_over_from": check.checked_at if check.carried_over else None})
        counts[area]["tests"] += 1
        if status == "fail":
            counts[area]["failures"] += 1
            failure = ET.SubElement(case, "failure", message=_xml(check.message or "failed"),
                                    type=_xml(f"{rule.severity} {rule.id}"))
            failure.text = _xml(_evidence_text(check))
        elif status in ("skip", "not_applicable"):
            counts[area]["skipped"] += 1
            label = "not applicable" if status == "not_applicable" else "skipped"
            reason = f"{label}: {check.message}".rstrip(": ")
            ET.SubElement(case, "skipped", message=_xml(reason))
        elif status == "waived":  # an accepted deviation: skipped, with the waiver as the reason
            counts[area]["skipped"] += 1
            waiver: dict[str, Any] = check.waiver or {}
            ET.SubElement(case, "skipped", message=_xml(
                f"waived ({check.waived_status or 'fail'}): {waiver.get('reason', '')} "
                f"(approved by {waiver.get('approved_by', '')}, {waiver.get('clause', '')}, "
                f"until {waiver.get('expires', '')})"))
        elif status == "warn":
            out = ET.SubElement(case, "system-out")
            out.text = _xml(f"WARNING ({rule.severity} {rule.id}): " + _evidence_text(check))
    run_errors = record.run_errors
    if run_errors:
        suites["run-errors"] = ET.SubElement(root, "testsuite", name=_xml(f"{broker}.run-errors"),
                                             timestamp=_xml(record.started_at))
        counts["run-errors"] = Counter()
        for error in run_errors:
            case = ET.SubElement(suites["run-errors"], "testcase", classname="run-errors",
                                 name=_xml(error.get("nodeid") or "run"), time="0.000")
            ET.SubElement(case, "error", message=_xml(error.get("message") or "run error"), type="RunError")
            counts["run-errors"]["tests"] += 1
            counts["run-errors"]["errors"] += 1
    totals: Counter[str] = Counter()
    for area, suite in suites.items():
        for key in ("tests", "failures", "errors", "skipped"):
            suite.set(key, str(counts[area][key]))
            totals[key] += counts[area][key]
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(totals[key]))
    if record.duration_s is not None:
        root.set("time", f"{float(record.duration_s):.3f}")
    return root


def write_junit(results: dict[str, Any], path: Path) -> None:
    """Write junit.xml (UTF-8, XML declaration) with every text scrubbed of secrets."""
    tree = build_junit(results)
    ET.indent(tree)
    text = ET.tostring(tree, encoding="unicode")
    target = Path(path)
    outputs.write_text(target.parent, target, '<?xml version="1.0" encoding="UTF-8"?>\n' + scrub(text) + "\n")
