"""The fleet summary of one audit: summary.json and summary.html (one self-contained page).

Built from each broker's results.json and its history: a broker × area matrix of rule counts,
who is compliant, each MUST failure (linked into the broker's own report.html), and what changed
since earlier audits: rules that newly failed, rules fixed, capability drift (the profile's
declared capabilities, or the behaviour the capability rules observed).
Writers know no HTTP and no checks: this module only reads records.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2

from conformance import outputs
from conformance.redact import scrub, scrub_data
from conformance.report import i18n
from conformance.report.history import BrokerRun, Verdict
from conformance.report.templating import environment
from conformance.results_doc import Record, RuleRecord, read_record
from conformance.rules import AREAS, STATUSES

TEMPLATE = "summary.html.j2"
SUMMARY_FORMAT = "koscom-conformance/audit-summary/1"
# Rules whose verdict reflects a capability rather than a defect alone: a change in their status
# between audits is behaviour drift (e.g. a broker that answered assetType ALL and stopped).
CAPABILITY_RULES: dict[str, str] = {
    "ALL-001": "all_query",
    "ALL-004": "all_query",
    "ALL-005": "all_query",
    "GRP-004": "separate_product_groups",
}
VERDICT_WORDS = {"ok": "", "unreachable": "UNREACHABLE", "bad-profile": "BAD PROFILE", "error": "ERROR"}


@dataclass
class BrokerEntry:
    """One broker of the audit: its stored run, its results (None when it did not run), its past."""

    run: BrokerRun
    results: dict[str, Any] | None
    report: str | None = None  # relative link to the broker's report.html
    baseline: dict[str, Verdict] = field(default_factory=dict)
    previous: BrokerRun | None = None
    last_status: str | None = None


def verdict_word(broker: dict[str, Any]) -> str:
    if broker["status"] != "ok":
        return VERDICT_WORDS[broker["status"]]
    return "COMPLIANT" if broker["compliant"] else "NOT COMPLIANT"


def _rule_row(rule: RuleRecord, **extra: Any) -> dict[str, Any]:
    return {"id": rule.id, "title": rule.title, "area": rule.area, "severity": rule.severity, **extra}


def _first_message(rule: RuleRecord) -> str:
    for check in rule.checks:
        if check.status != "pass" and check.message:
            return check.message
    return ""


def area_counts(record: Record) -> dict[str, dict[str, int]]:
    """Rules per area by status (a rule without an area under "?", without a status as skip)."""
    counts = {area: {status: 0 for status in STATUSES} for area in AREAS}
    for rule in record.rules:
        area = counts.setdefault(rule.area or "?", {status: 0 for status in STATUSES})
        status = rule.status or "skip"
        area[status] = area.get(status, 0) + 1
    return counts


def changes(entry: BrokerEntry) -> dict[str, list[dict[str, Any]]]:
    """Regressions, new warnings, fixes and observed capability drift against the baseline."""
    out: dict[str, list[dict[str, Any]]] = {
        "regressions": [],
        "new_warnings": [],
        "fixed": [],
        "observed_drift": [],
    }
    audited = entry.run.status == "ok" and entry.results is not None
    record = read_record(entry.results) if audited and entry.results is not None else None
    for rule in record.rules if record is not None else ():
        before, now = entry.baseline.get(rule.id), rule.status
        if before is None or now == "skip":
            continue
        row = _rule_row(rule, was=before.status, now=now, since=before.started_at)
        if now == "fail" and before.status in ("pass", "warn"):
            out["regressions"].append(row)
        elif now == "warn" and before.status == "pass":
            out["new_warnings"].append(row)
        elif now == "pass" and before.status in ("fail", "warn"):
            out["fixed"].append(row)
        if rule.id in CAPABILITY_RULES and now != before.status:
            out["observed_drift"].append(
                {**row, "capability": CAPABILITY_RULES[rule.id], "message": _first_message(rule)}
            )
    return out


def declared_drift(previous: BrokerRun | None, run: BrokerRun) -> list[dict[str, Any]]:
    """Capabilities the profile declares now that differ from the last audited run's."""
    if previous is None or not previous.capabilities or not run.capabilities:
        return []
    keys = sorted(set(previous.capabilities) | set(run.capabilities))
    return [
        {"capability": key, "was": previous.capabilities.get(key), "now": run.capabilities.get(key)}
        for key in keys
        if previous.capabilities.get(key) != run.capabilities.get(key)
    ]


def _broker(entry: BrokerEntry) -> dict[str, Any]:
    run = entry.run
    # An unreachable gateway's results are no verdict on the broker: nothing is read from them.
    record = read_record(entry.results) if entry.results is not None and run.status == "ok" else None
    rules = record.rules if record is not None else ()
    diff = changes(entry)
    broker: dict[str, Any] = {
        "short_name": run.short_name,
        "name": run.name,
        "base_url": run.base_url,
        "profile": run.profile,
        "status": run.status,
        "reason": run.reason,
        "compliant": run.compliant,
        "must_failed": run.must_failed,
        "duration_s": run.duration_s,
        "report": entry.report,
        "summary": record.summary_block if record is not None else None,
        "areas": area_counts(record) if record is not None else {},
        "must_failures": [
            _rule_row(r, message=_first_message(r)) for r in rules if r.status == "fail" and r.severity == "MUST"
        ],
        **_waived(record),
        "should_warnings": [
            _rule_row(r, message=_first_message(r)) for r in rules if r.status == "warn" and r.severity == "SHOULD"
        ],
        **{key: diff[key] for key in ("regressions", "new_warnings", "fixed")},
        "capability_drift": {
            "declared": declared_drift(entry.previous, run),
            "observed": diff["observed_drift"],
        },
        "previous": None
        if entry.previous is None
        else {
            "audit_id": entry.previous.audit_id,
            "started_at": entry.previous.started_at,
            "compliant": entry.previous.compliant,
            "must_failed": entry.previous.must_failed,
        },
        "last_status": entry.last_status,
        "newly_unaudited": run.status != "ok" and entry.last_status == "ok",
        "capabilities": run.capabilities,
    }
    broker["drifted"] = bool(broker["capability_drift"]["declared"] or broker["capability_drift"]["observed"])
    broker["line"] = _line(broker)
    return broker


def _waived(record: Record | None) -> dict[str, Any]:
    """The broker's waived rules and checks, and its waivers that end within 14 days (run's date)."""
    block = record.waivers if record is not None else None
    return {"waived": record.summary.waived if record is not None else 0,
            "waived_checks": record.summary.waived_checks if record is not None else 0,
            "waivers_expiring": list(block.expiring_soon) if block is not None else [],
            "waivers_expired": list(block.expired) if block is not None else []}


def _line(b: dict[str, Any]) -> str:
    """One line for the terminal."""
    if b["status"] != "ok":
        return b["reason"]
    parts = [f"{b['must_failed']} MUST failed"]
    if b["previous"] is None and not b["regressions"] and not b["fixed"]:
        parts.append("first audit")
    else:
        parts += [f"{len(b['regressions'])} newly failed", f"{len(b['fixed'])} fixed"]
    if b["drifted"]:
        parts.append("capability drift")
    if b["waived"]:
        parts.append(f"{b['waived']} waived")
    if b["waivers_expiring"]:
        parts.append(f"{len(b['waivers_expiring'])} waivers expire within 14 days")
    return ", ".join(parts)


def build_summary(entries: list[BrokerEntry], meta: dict[str, Any]) -> dict[str, Any]:
    """summary.json's content: the audit, its totals, every broker (secrets scrubbed)."""
    brokers = [_broker(e) for e in entries]
    ok = [b for b in brokers if b["status"] == "ok"]
    totals = {
        "brokers": len(brokers),
        "audited": len(ok),
        "compliant": sum(bool(b["compliant"]) for b in ok),
        "non_compliant": sum(not b["compliant"] for b in ok),
        **{
            status.replace("-", "_"): sum(b["status"] == status for b in brokers)
            for status in ("unreachable", "bad-profile", "error")
        },
        "regressions": sum(len(b["regressions"]) for b in brokers),
        "fixed": sum(len(b["fixed"]) for b in brokers),
        "drifted": sum(b["drifted"] for b in brokers),
        "waived": sum(b["waived"] for b in brokers),
        "waivers_expiring": sum(len(b["waivers_expiring"]) for b in brokers),
    }
    doc = {
        "format": SUMMARY_FORMAT,
        "tool": meta.get("tool", {}),
        "audit": meta,
        "areas": list(meta.get("areas") or AREAS),
        "totals": totals,
        "brokers": brokers,
    }
    return scrub_data(doc)  # type: ignore[no-any-return]


def _environment() -> jinja2.Environment:
    env = environment()
    env.filters["verdict"] = verdict_word
    env.filters["js"] = lambda value: json.dumps(value, ensure_ascii=False)
    return env


def render_summary_html(doc: dict[str, Any], lang: str = i18n.DEFAULT_LANG) -> str:
    """summary.html as a string: inline CSS and JS, nothing to fetch, secrets scrubbed; both languages
    inside, `lang` shown first."""
    page = (
        _environment()
        .get_template(TEMPLATE)
        .render(
            doc=doc,
            lang=i18n.check_lang(lang),
            audit=doc["audit"],
            totals=doc["totals"],
            brokers=doc["brokers"],
            areas=doc["areas"],
            verdict_words=VERDICT_WORDS,
            generated_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
        )
    )
    return scrub(page)


def write_summary(doc: dict[str, Any], out: Path, lang: str = i18n.DEFAULT_LANG) -> tuple[Path, Path]:
    """Write OUT/summary.json and OUT/summary.html; returns both paths."""
    out.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out / "summary.json", out / "summary.html"
    outputs.write_text(out, json_path, json.dumps(scrub_data(doc), ensure_ascii=False, indent=1))
    outputs.write_text(out, html_path, render_summary_html(doc, lang))
    return json_path, html_path
