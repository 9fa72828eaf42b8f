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
from conformance.report.results import iter_checks, ordered_rules
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


def finding_views(check: dict[str, Any]) -> list[FindingView]:
    """The check's findings that say what was expected and what came (scrubbed once more here)."""
    return [FindingView(scrub(_text(f.get("path"))), scrub(_text(f.get("expected"))),
                        scrub(_text(f.get("actual"))))
            for f in check.get("findings") or [] if isinstance(f, dict) and (f.get("expected") or f.get("actual"))]


def _body_cap(results: dict[str, Any]) -> int:
    """Share the page's evidence budget among the bodies it will show."""
    bodies = 0
    for _, check in iter_checks(results):
        if check.get("status") in EVIDENCE_STATUSES:
            bodies += 2 * min(len(check.get("evidence") or []), MAX_EXCHANGES_PER_CHECK)
    bodies = min(bodies, 2 * MAX_EXCHANGES_SHOWN)
    if not bodies:
        return BODY_CAP_MAX
    return max(BODY_CAP_MIN, min(BODY_CAP_MAX, EVIDENCE_BUDGET_CHARS // bodies))


def _shown_size(view: ExchangeView) -> int:
    bodies = (view.request_body, view.response_body)
    headers = view.request_headers + view.response_headers
    return (sum(len(segment.text) for body in bodies for segment in body.segments) + len(view.curl)
            + sum(len(name) + len(value) for name, value in headers) + 1_200)  # + the markup around it


def rule_views(results: dict[str, Any]) -> list[RuleView]:
    cap = _body_cap(results)
    spent = shown = 0
    views: list[RuleView] = []
    for rule in ordered_rules(results):
        checks: list[CheckView] = []
        for check in sorted(rule.get("checks") or [], key=lambda c: c.get("status") not in EVIDENCE_STATUSES):
            status = _text(check.get("status"))
            view = CheckView(nodeid=_text(check.get("nodeid")), api=_text(check.get("api")), status=status,
                             message=_text(check.get("message")), path=_text(check.get("path")),
                             carried_at=_text(check.get("checked_at")) if check.get("carried_over") else "",
                             findings=finding_views(check))
            evidence = [e for e in check.get("evidence") or [] if isinstance(e, dict)]
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
        rule_status = _text(rule.get("status"))
        spec_ref = _text(rule.get("spec_ref"))
        search = " ".join([_text(rule.get("id")), _text(rule.get("title")), _text(rule.get("area")),
                           _text(rule.get("severity")), spec_ref, rule_status]
                          + [f"{c.api} {c.message} {c.path} {c.nodeid}" for c in checks])
        views.append(RuleView(
            id=_text(rule.get("id")), title=_text(rule.get("title")), area=_text(rule.get("area")),
            severity=_text(rule.get("severity")), spec_ref=spec_ref, status=rule_status,
            clauses=clauses_for(spec_ref), checks=checks, check_counts=dict(counts),
            search=" ".join(search.lower().split()), open=rule_status == "fail"))
    return views


def matrix(results: dict[str, Any]) -> dict[str, Any]:
    """Rule counts per area × status (areas in catalogue order, unknown areas after)."""
    counts: dict[str, Counter[str]] = {}
    for rule in results.get("rules", []):
        counts.setdefault(_text(rule.get("area")), Counter())[_text(rule.get("status"))] += 1
    areas = [a for a in AREAS if a in counts] + sorted(a for a in counts if a not in AREAS)
    rows = [{"area": area, "counts": {s: counts[area][s] for s in STATUSES},
             "total": sum(counts[area].values())} for area in areas]
    totals = {s: sum(counts[area][s] for area in areas) for s in STATUSES}
    return {"rows": rows, "totals": totals, "total": sum(sum(c.values()) for c in counts.values())}


def _fields(value: Any, names: tuple[str, ...]) -> dict[str, str]:
    """The named fields of an optional object as text ("" when missing), extra fields kept."""
    source = value if isinstance(value, dict) else {}
    return {**{k: _text(v) for k, v in source.items()}, **{name: _text(source.get(name)) for name in names}}


def _query_window(block: Any) -> dict[str, Any] | None:
    """The C27 note, when the run met the closed hours (results of older versions have none)."""
    if not isinstance(block, dict) or not block.get("in_closed_hours"):
        return None
    excused = [e for e in block.get("not_judged") or [] if isinstance(e, dict)]
    return {"note": _text(block.get("note")), "closed_hours": _text(block.get("closed_hours")),
            "checks": [(_text(e.get("rule_id")), _text(e.get("api"))) for e in excused]}


def waived_rows(results: dict[str, Any]) -> list[dict[str, str]]:
    """Every waived check with its waiver: what the report shows apart from the verdicts."""
    rows = []
    for rule, check in iter_checks(results):
        waiver = check.get("waiver") if check.get("status") == "waived" else None
        if isinstance(waiver, dict):
            rows.append({"rule": _text(rule.get("id")), "severity": _text(rule.get("severity")),
                         "api": _text(check.get("api")), "nodeid": _text(check.get("nodeid")),
                         "was": _text(check.get("waived_status")), "message": _text(check.get("message")),
                         **{k: _text(waiver.get(k)) for k in ("reason", "approved_by", "clause", "expires")}})
    return rows


def _waiver_notes(block: Any) -> dict[str, list[dict[str, str]]] | None:
    if not isinstance(block, dict):
        return None
    return {kind: [{k: _text(v) for k, v in w.items()} for w in block.get(kind) or [] if isinstance(w, dict)]
            for kind in ("expired", "unused", "expiring_soon")}


def context(results: dict[str, Any]) -> dict[str, Any]:
    """Everything the template prints, secrets scrubbed from every string."""
    data = scrub_data(results, keep=frozenset({"evidence"}))  # evidence: scrubbed where shown
    summary = data.get("summary") or {}
    options = data.get("options") or {}
    rules = rule_views(data)
    statuses_present = Counter(rule.status for rule in rules)
    used = {ident for rule in rules for ident in (c.id for c in rule.clauses)}
    known = load_clauses()
    must_failed = summary.get("must_failed")
    if must_failed is None:
        must_failed = sum(1 for r in rules if r.status == "fail" and r.severity == "MUST")
    compliant = summary.get("compliant")
    if compliant is None:
        compliant = must_failed == 0
    run_errors = [e for e in data.get("run_errors") or [] if isinstance(e, dict)]
    option_rows = [(str(k), ", ".join(map(str, v)) if isinstance(v, list) else _text(v))
                   for k, v in options.items()]
    return {
        "tool": _fields(data.get("tool"), ("name", "version")),
        "broker": _fields(data.get("broker"), ("name", "short_name", "code", "base_url")),
        "started_at": _text(data.get("started_at")),
        "finished_at": _text(data.get("finished_at")),
        "duration_s": data.get("duration_s"),
        "options": option_rows,
        "insecure": bool(options.get("insecure")),
        "query_window": _query_window(data.get("query_window")),
        "onboarding": onboarding_view(data.get("onboarding"),
                                      judged=any(r.area == "service-link" and r.checks for r in rules)),
        # a replayed run (`run --replay`) or a judged capture (`judge --har`): said above the verdict
        "replay": _fields(data["replay"], ("bundle", "manifest_sha256", "recorded_at", "not_judged"))
        if isinstance(data.get("replay"), dict) else None,
        "passive": _fields(data["passive"], ("har", "entries", "judged", "ignored", "notes_total"))
        if isinstance(data.get("passive"), dict) else None,
        "summary": summary,
        "compliant": bool(compliant),
        "must_failed": must_failed,
        "checks_total": sum(len(r.checks) for r in rules),
        "matrix": matrix(data),
        "rules": rules,
        "statuses": [(s, STATUS_LABELS[s], statuses_present.get(s, 0)) for s in STATUSES],
        "areas": [row["area"] for row in matrix(data)["rows"]],
        "severities": [s for s in SEVERITIES if any(r.severity == s for r in rules)],
        "run_errors": run_errors,
        "waived": waived_rows(data),
        "waiver_notes": _waiver_notes(data.get("waivers")),
        "rerun": {k: _text(v) for k, v in data["rerun"].items()} if isinstance(data.get("rerun"), dict) else None,
        "clauses": [c for ident, c in known.items() if ident in used],
        "status_labels": STATUS_LABELS,
        "limits": {"exchanges": MAX_EXCHANGES_PER_CHECK, "body_cap": _body_cap(data)},
    }
