"""Results → what the HTML template shows: sorted rules, the area matrix, clause texts, and evidence
cut to a size a browser opens quickly (the full record stays in results.json and evidence.zip).

The template only loops and prints; every decision about order, size and highlighting is made here.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from conformance.redact import mask_json_text, redact_headers, scrub, scrub_data
from conformance.report.clauses import Clause, clauses_for, load_clauses
from conformance.report.onboarding import onboarding_view
from conformance.report.pretty import Pretty, Segment, find, pretty, window
from conformance.report.results import CheckRecord, Record, ordered_rules, read_record
from conformance.results_doc import QueryWindow, WaiverNotes
from conformance.rules import AREAS, SEVERITIES, STATUSES

STATUS_LABELS = {"fail": "fail", "warn": "warn", "pass": "pass", "skip": "skip", "not_applicable": "n/a",
                 "waived": "waived"}
EVIDENCE_STATUSES = ("fail", "warn")  # checks whose evidence is shown
MAX_EXCHANGES_PER_CHECK = 3
MAX_EXCHANGES_SHOWN = 150  # in the whole page; later checks point to results.json instead
EVIDENCE_BUDGET_CHARS = 1_100_000  # everything shown of all exchanges together (keeps the page < 2 MB)
BODY_CAP_MIN, BODY_CAP_MAX = 2_000, 24_000
MAX_CURL_CHARS = 8_000


_BODY = frozenset({"body"})


@dataclass
class BodyView:
    empty: bool
    is_json: bool
    segments: list[Segment]
    hidden_lines: int
    highlight_how: str = "none"
    highlight_note: str = ""
    highlight_lines: str = ""  # "lines 40–41", for the caption
    cut_note: str = ""


@dataclass
class ExchangeView:
    id: str
    api: str
    purpose: str
    method: str
    url: str
    request_headers: list[tuple[str, str]]
    request_body: BodyView
    status: Any
    response_headers: list[tuple[str, str]]
    response_body: BodyView
    error: str
    error_kind: str
    elapsed_ms: Any
    curl: str


@dataclass
class FindingView:
    path: str
    expected: str
    actual: str


@dataclass
class CheckView:
    nodeid: str
    api: str
    status: str
    message: str
    path: str
    findings: list[FindingView] = field(default_factory=list)  # those with an expected or actual value
    exchanges: list[ExchangeView] = field(default_factory=list)
    carried_at: str = ""  # a rerun carried this record over from the run of this time
    more_exchanges: int = 0
    evidence_dropped: bool = False  # over the page budget: see results.json


@dataclass
class RuleView:
    id: str
    title: str
    area: str
    severity: str
    spec_ref: str
    status: str
    clauses: list[Clause]
    checks: list[CheckView]
    check_counts: dict[str, int]
    search: str
    open: bool


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _line_range(lines: set[int]) -> str:
    if not lines:
        return ""
    first, last = min(lines) + 1, max(lines) + 1
    return f"line {first}" if first == last else f"lines {first}–{last}"


@functools.lru_cache(maxsize=16)
def _printed(text: str) -> Pretty:
    """One exchange is often the evidence of several checks: print its body once."""
    return pretty(mask_json_text(scrub(text)))


def body_view(text: str, path: str, cap_chars: int) -> BodyView:
    """A body pretty-printed, the check's field highlighted, cut to about `cap_chars`."""
    if not text:
        return BodyView(empty=True, is_json=False, segments=[], hidden_lines=0)
    printed = _printed(text)
    mark = find(printed, path) if path else None
    lines = mark.lines if mark else set()
    segments, hidden = window(printed.lines, lines, cap_chars)
    return BodyView(empty=False, is_json=printed.is_json, segments=segments, hidden_lines=hidden,
                    highlight_how=mark.how if mark else "none", highlight_note=mark.note if mark else "",
                    highlight_lines=_line_range(lines), cut_note=printed.cut_note)


def _headers(value: Any) -> list[tuple[str, str]]:
    if not isinstance(value, dict):
        return []
    return list(redact_headers({str(k): _text(v) for k, v in value.items()}).items())


def exchange_view(raw: dict[str, Any], path: str, cap_chars: int) -> ExchangeView:
    """One exchange for the page; its small fields are scrubbed here, its bodies in `_printed`."""
    evidence = scrub_data(raw, keep=frozenset({"request", "response"}))
    request = scrub_data(raw.get("request") or {}, keep=_BODY)
    response = scrub_data(raw.get("response") or {}, keep=_BODY)
    curl = _text(evidence.get("curl"))
    if len(curl) > MAX_CURL_CHARS:
        curl = curl[:MAX_CURL_CHARS] + f" … ({len(curl) - MAX_CURL_CHARS} more characters: see results.json)"
    return ExchangeView(
        id=_text(evidence.get("id")), api=_text(evidence.get("api")), purpose=_text(evidence.get("purpose")),
        method=_text(request.get("method")), url=_text(request.get("url")),
        request_headers=_headers(request.get("headers")),
        request_body=body_view(_text(request.get("body")), "", cap_chars),
        status=response.get("status"), response_headers=_headers(response.get("headers")),
        response_body=body_view(_text(response.get("body")), path, cap_chars),
        error=_text(response.get("error")), error_kind=_text(response.get("error_kind")),
        elapsed_ms=evidence.get("elapsed_ms"), curl=curl,
    )


def finding_views(check: CheckRecord) -> list[FindingView]:
    """The check's findings that say what was expected and what came (scrubbed once more here)."""
    return [FindingView(scrub(f.path), scrub(f.expected), scrub(f.actual))
            for f in check.findings if f.expected or f.actual]


def _body_cap(record: Record) -> int:
    """Share the page's evidence budget among the bodies it will show."""
    bodies = 0
    for _, check in record.checks():
        if check.status in EVIDENCE_STATUSES:
            bodies += 2 * min(len(check.evidence), MAX_EXCHANGES_PER_CHECK)
    bodies = min(bodies, 2 * MAX_EXCHANGES_SHOWN)
    if not bodies:
        return BODY_CAP_MAX
    return max(BODY_CAP_MIN, min(BODY_CAP_MAX, EVIDENCE_BUDGET_CHARS // bodies))


def _shown_size(view: ExchangeView) -> int:
    bodies = (view.request_body, view.response_body)
    headers = view.request_headers + view.response_headers
    return (sum(len(segment.text) for body in bodies for segment in body.segments) + len(view.curl)
            + sum(len(name) + len(value) for name, value in headers) + 1_200)  # + the markup around it


def rule_views(record: Record) -> list[RuleView]:
    cap = _body_cap(record)
    spent = shown = 0
    views: list[RuleView] = []
    for rule in ordered_rules(record):
        checks: list[CheckView] = []
        for check in sorted(rule.checks, key=lambda c: c.status not in EVIDENCE_STATUSES):
            status = check.status
            view = CheckView(nodeid=check.nodeid, api=check.api, status=status, message=check.message,
                             path=check.path, carried_at=check.checked_at if check.carried_over else "",
                             findings=finding_views(check))
            evidence = check.evidence
            if status in EVIDENCE_STATUSES and evidence:
                for item in evidence[:MAX_EXCHANGES_PER_CHECK]:
                    if spent >= EVIDENCE_BUDGET_CHARS or shown >= MAX_EXCHANGES_SHOWN:
                        view.evidence_dropped = True
                        break
                    exchange = exchange_view(item, view.path, cap)
                    spent += _shown_size(exchange)
                    shown += 1
                    view.exchanges.append(exchange)
                view.more_exchanges = len(evidence) - len(view.exchanges)
            checks.append(view)
        counts = Counter(check.status for check in checks)
        rule_status, spec_ref = rule.status, rule.spec_ref
        search = " ".join([rule.id, rule.title, rule.area, rule.severity, spec_ref, rule_status]
                          + [f"{c.api} {c.message} {c.path} {c.nodeid}" for c in checks])
        views.append(RuleView(
            id=rule.id, title=rule.title, area=rule.area, severity=rule.severity, spec_ref=spec_ref, status=rule_status,
            clauses=clauses_for(spec_ref), checks=checks, check_counts=dict(counts),
            search=" ".join(search.lower().split()), open=rule_status == "fail"))
    return views


def matrix(record: Record) -> dict[str, Any]:
    """Rule counts per area × status (areas in catalogue order, unknown areas after)."""
    counts: dict[str, Counter[str]] = {}
    for rule in record.rules:
        counts.setdefault(rule.area, Counter())[rule.status] += 1
    areas = [a for a in AREAS if a in counts] + sorted(a for a in counts if a not in AREAS)
    rows = [{"area": area, "counts": {s: counts[area][s] for s in STATUSES},
             "total": sum(counts[area].values())} for area in areas]
    totals = {s: sum(counts[area][s] for area in areas) for s in STATUSES}
    return {"rows": rows, "totals": totals, "total": sum(sum(c.values()) for c in counts.values())}


def _fields(value: Any, names: tuple[str, ...]) -> dict[str, str]:
    """The named fields of an optional object as text ("" when missing), extra fields kept."""
    source = value if isinstance(value, dict) else {}
    return {**{k: _text(v) for k, v in source.items()}, **{name: _text(source.get(name)) for name in names}}


def _query_window(block: QueryWindow | None) -> dict[str, Any] | None:
    """The C27 note, when the run met the closed hours (results of older versions have none)."""
    if block is None or not block.in_closed_hours:
        return None
    return {"note": block.note, "closed_hours": block.closed_hours,
            "checks": [(_text(e.get("rule_id")), _text(e.get("api"))) for e in block.not_judged]}


def waived_rows(record: Record) -> list[dict[str, str]]:
    """Every waived check with its waiver: what the report shows apart from the verdicts."""
    rows = []
    for rule, check in record.checks():
        waiver = check.waiver if check.status == "waived" else None
        if waiver is not None:
            rows.append({"rule": rule.id, "severity": rule.severity, "api": check.api, "nodeid": check.nodeid,
                         "was": check.waived_status, "message": check.message,
                         **{k: _text(waiver.get(k)) for k in ("reason", "approved_by", "clause", "expires")}})
    return rows


def _waiver_notes(block: WaiverNotes | None) -> dict[str, list[dict[str, str]]] | None:
    if block is None:
        return None
    return {kind: [{k: _text(v) for k, v in w.items()} for w in entries]
            for kind, entries in (("expired", block.expired), ("unused", block.unused),
                                  ("expiring_soon", block.expiring_soon))}


def context(results: dict[str, Any]) -> dict[str, Any]:
    """Everything the template prints, secrets scrubbed from every string."""
    record = read_record(scrub_data(results, keep=frozenset({"evidence"})))  # evidence: scrubbed where shown
    summary = record.summary_block or {}
    options = record.options
    rules = rule_views(record)
    statuses_present = Counter(rule.status for rule in rules)
    used = {ident for rule in rules for ident in (c.id for c in rule.clauses)}
    known = load_clauses()
    must_failed = summary.get("must_failed")
    if must_failed is None:
        must_failed = sum(1 for r in rules if r.status == "fail" and r.severity == "MUST")
    compliant = summary.get("compliant")
    if compliant is None:
        compliant = must_failed == 0
    run_errors = list(record.run_errors)
    option_rows = [(str(k), ", ".join(map(str, v)) if isinstance(v, list) else _text(v))
                   for k, v in options.items()]
    return {
        "tool": _fields(record.tool, ("name", "version")),
        "broker": _fields(record.broker, ("name", "short_name", "code", "base_url")),
        "started_at": record.started_at,
        "finished_at": record.finished_at,
        "duration_s": record.duration_s,
        "options": option_rows,
        "insecure": bool(options.get("insecure")),
        "query_window": _query_window(record.query_window),
        "onboarding": onboarding_view(record.onboarding,
                                      judged=any(r.area == "service-link" and r.checks for r in rules)),
        # a replayed run (`run --replay`) or a judged capture (`judge --har`): said above the verdict
        "replay": _fields(record.replay, ("bundle", "manifest_sha256", "recorded_at", "not_judged"))
        if record.replay is not None else None,
        "passive": _fields(record.passive, ("har", "entries", "judged", "ignored", "notes_total"))
        if record.passive is not None else None,
        "summary": summary,
        "compliant": bool(compliant),
        "must_failed": must_failed,
        "checks_total": sum(len(r.checks) for r in rules),
        "matrix": matrix(record),
        "rules": rules,
        "statuses": [(s, STATUS_LABELS[s], statuses_present.get(s, 0)) for s in STATUSES],
        "areas": [row["area"] for row in matrix(record)["rows"]],
        "severities": [s for s in SEVERITIES if any(r.severity == s for r in rules)],
        "run_errors": run_errors,
        "waived": waived_rows(record),
        "waiver_notes": _waiver_notes(record.waivers),
        "rerun": {k: _text(v) for k, v in record.rerun.items()} if record.rerun is not None else None,
        "clauses": [c for ident, c in known.items() if ident in used],
        "status_labels": STATUS_LABELS,
        "limits": {"exchanges": MAX_EXCHANGES_PER_CHECK, "body_cap": _body_cap(record)},
    }
