"""Judging captured exchanges by every rule one exchange (or its request/response pair) can prove.

The judges are the suites' own: the contract findings `checking.report` files (schema, no-value
forms, numbers, echoed numbers), `conformance.judges` (echo, rates) and
`conformance.checking.exchange` (transport, errors, auth). A judge raises `ContractViolation` as
inside a check; here it is caught and tallied per rule and API.
Rules that need their own questions (paging chains, filters, ALL against the groups, malformed
requests...) are "not judged passively": n/a with that reason, never a pass.

Memory stays bounded whatever the capture's size: an exchange is judged and dropped; a check keeps
its counts, its first messages and at most `MAX_EVIDENCE` exchanges as evidence.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from conformance import __version__, clock
from conformance import checking as ck
from conformance.checking.exchange import auth, errors, transport
from conformance.contract import get_api
from conformance.errors import error_code
from conformance.evidence import Exchange
from conformance.judges.echo import echo_mismatches
from conformance.judges.numbers import rate_precision
from conformance.passive.entries import Entry
from conformance.redact import mask_identifiers, scrub
from conformance.rules import ContractViolation, load_rules, rule_status

# judge_messages' rules: the contract validator's findings on a success answer
MESSAGE_RULES = ("SCHEMA-001", "SCHEMA-002", "SCHEMA-003", "SCHEMA-004", "SCHEMA-005", "SCHEMA-006", "SCHEMA-007",
                 "SCHEMA-008", "NULL-002", "NULL-005", "NUM-001", "NUM-002", "ECHO-005")
ECHO_RULES = ("ECHO-001", "ECHO-002", "ECHO-003", "ECHO-004")
RATE_APIS = ("portfolio", "balance", "balancelist")  # the NUM-003 check's APIs
# what a request of each family must carry, and the rule a broker answering without it breaks
AUTH_BY_FAMILY = {"account": ("AUTH-001", ("authorization",)), "b2b": ("AUTH-003", ("authorization", "comid")),
                  "member": ("AUTH-005", ("apikey",))}
PASSIVE_RULES = frozenset({*MESSAGE_RULES, *ECHO_RULES, "NUM-003", "TRN-001", "TRN-002", "TRN-003", "TRN-005",
                           "TRN-006", "ERR-001", "ERR-002", "ERR-003", "ERR-005", "AUTH-001", "AUTH-003",
                           "AUTH-005"})
NOT_PASSIVE = "not judged passively: this rule needs questions of its own (run `conformance run`)"
MAX_EVIDENCE = 3
MAX_MESSAGES = 5
EVIDENCE_BODY_CHARS = 20_000


@dataclass
class Check:
    rule_id: str
    api: str
    judged: int = 0
    violations: int = 0
    messages: list[str] = field(default_factory=list)
    path: str = ""
    evidence: list[dict[str, Any]] = field(default_factory=list)


class Tally:
    """Checks per (rule, API), filled entry by entry."""

    def __init__(self) -> None:
        self.checks: dict[tuple[str, str], Check] = {}
        # AUTH judged only where the capture shows the family's credentials elsewhere (see `finish`)
        self.credentials_seen: set[str] = set()
        self.pending_auth: dict[tuple[str, str], Check] = {}

    def check(self, rule_id: str, api: str, pending: bool = False) -> Check:
        table = self.pending_auth if pending else self.checks
        return table.setdefault((rule_id, api), Check(rule_id, api))

    def judge(self, rule_id: str, api: str, exchange: Exchange, run: Callable[[], Any], pending: bool = False) -> None:
        """Run one judge under `rule_id` (as the plugin sets the running check's rule)."""
        token = ck.CURRENT_RULE.set(rule_id)
        try:
            judged = run()
        except ContractViolation as found:
            check = self.check(found.rule_id, found.api or api, pending and found.rule_id == rule_id)
            check.judged += 1
            check.violations += 1
            if len(check.messages) < MAX_MESSAGES:
                check.messages.append(f"{exchange.purpose}: {found.message}")
            check.path = check.path or found.path
            if len(check.evidence) < MAX_EVIDENCE:
                check.evidence.append(exchange.to_evidence(EVIDENCE_BODY_CHARS))
            return
        finally:
            ck.CURRENT_RULE.reset(token)
        if judged is not False:
            self.check(rule_id, api, pending).judged += 1


def judge_entry(entry: Entry, tally: Tally) -> None:
    """Every passive rule that can judge this entry."""
    exchange, api = entry.exchange, entry.exchange.api
    spec = get_api(api)
    rule, needed = AUTH_BY_FAMILY[spec.family]
    sent = {name for name in needed if name in {k.lower() for k in exchange.request_headers}}
    if sent == set(needed):
        tally.credentials_seen.add(spec.family)
    if exchange.status is None:
        return  # nothing was answered: no rule can be judged from it (TRN-004 needs the profile's limits)
    if ck.closed_hours_error(exchange):
        return  # C27: an error answer of a windowed API between 08:30 and 16:00 Seoul time proves nothing
    parts = urlsplit(exchange.url)
    tally.judge("TRN-003", "", exchange, lambda: transport.https_off_loopback(f"{parts.scheme}://{parts.netloc}",
                                                                            [exchange]))
    tally.judge("TRN-005", "", exchange, lambda: transport.rate_headers(exchange))
    tally.judge("TRN-006", api, exchange, lambda: transport.not_redirected(exchange, api))
    if sent != set(needed):
        what = f"a request without {' and '.join(sorted(set(needed) - sent))}"
        tally.judge(rule, api, exchange, lambda: auth.must_refuse(rule, exchange, api, what), pending=True)
    if not entry.body_judgeable:
        return
    tally.judge("TRN-001", api, exchange, lambda: transport.json_declared(exchange, api))
    tally.judge("TRN-002", api, exchange, lambda: transport.utf8_body(exchange, api))
    if exchange.status == 200:
        _judge_success(entry, tally)
    if exchange.status >= 400:
        tally.judge("ERR-002", api, exchange, lambda: errors.error_body(exchange, api))
        tally.judge("ERR-003", api, exchange, lambda: errors.documented_code(exchange, api))
    if 200 <= exchange.status < 300 and sent != set(needed):  # as the errors suite's "no credentials"
        tally.judge("ERR-005", api, exchange, lambda: errors.error_with_2xx(exchange, api, "no credentials"),
                    pending=True)
    elif 200 <= exchange.status < 300:
        tally.judge("ERR-005", api, exchange, lambda: errors.error_with_2xx(exchange, api))


def _judge_success(entry: Entry, tally: Tally) -> None:
    exchange, api = entry.exchange, entry.exchange.api
    spec = get_api(api)
    tally.judge("ERR-001", api, exchange, lambda: errors.success_answer(exchange, api))
    if error_code(exchange) is not None:
        return  # an error disguised as HTTP 200 is an error answer (ERR-001, ERR-005), not a message to judge
    parsed, violations = ck.findings(exchange, api)
    for rule_id in MESSAGE_RULES:
        if parsed.error and rule_id != "SCHEMA-001":
            continue
        tally.judge(rule_id, api, exchange, functools.partial(ck.report, rule_id, violations, exchange, api))
    if not ck.is_success(exchange, spec):
        return
    if api in RATE_APIS:
        tally.judge("NUM-003", api, exchange, lambda: _rates(exchange, api))
    if not entry.request_judgeable:
        return
    for rule_id in ECHO_RULES:
        if any((f.echo or {}).get("rule") == rule_id for f in spec.echo_fields()):
            tally.judge(rule_id, api, exchange, functools.partial(_echo, rule_id, exchange, api))


def _rates(exchange: Exchange, api: str) -> None:
    bad = rate_precision(ck.answer(exchange, api, "NUM-003").doc)
    if bad:
        ck.violate("NUM-003", "; ".join(f.message for f in bad[:10]) + " (more than 2 decimals)",
                   exchanges=[exchange], path=bad[0].path, api=api)


def _echo(rule_id: str, exchange: Exchange, api: str) -> None:
    problems = echo_mismatches(rule_id, api, exchange.request_json() or {}, ck.answer(exchange, api, rule_id).doc)
    if problems:
        ck.violate(rule_id, "\n".join(f.message for f in problems), exchanges=[exchange], path=problems[0].path,
                   api=api)


def finish(tally: Tally) -> list[str]:
    """Settle the AUTH checks; returns notes. A request without credentials proves something only
    when the capture shows that family's credentials on other requests: exporters (Chrome's
    sanitized HAR) strip them from every entry, and then a missing header proves nothing."""
    notes = []
    for (rule_id, api), check in tally.pending_auth.items():
        family = get_api(api).family
        if family in tally.credentials_seen:
            settled = tally.check(rule_id, api)
            settled.judged += check.judged
            settled.violations += check.violations
            settled.messages = (settled.messages + check.messages)[:MAX_MESSAGES]
            settled.evidence = (settled.evidence + check.evidence)[:MAX_EVIDENCE]
            settled.path = settled.path or check.path
        else:
            notes.append(f"{rule_id} on {api}: no {family} request in the capture carries credentials (an "
                         "exporter may have removed them), so the requests without them were not judged")
    return notes


def _clean(text: str) -> str:
    return scrub(mask_identifiers(text))


def build_results(tally: Tally, passive: dict[str, Any], broker: dict[str, Any], started: datetime,
                  t0: float, options: dict[str, Any]) -> dict[str, Any]:
    """results.json of a passive judgement: the same shape as a run's, plus `passive`."""
    by_rule: dict[str, list[dict[str, Any]]] = {}
    for (rule_id, api), check in sorted(tally.checks.items()):
        if check.violations:
            severity = load_rules()[rule_id].severity
            status = "fail" if severity == "MUST" else "warn"
            extra = check.violations - len(check.messages)
            message = "\n".join(check.messages) + (f"\n… and {extra} more captured entries" if extra > 0 else "")
        else:
            status, message = "pass", f"{check.judged} captured entr{'y' if check.judged == 1 else 'ies'} judged"
        by_rule.setdefault(rule_id, []).append({
            "nodeid": f"passive::{rule_id}[{api or 'all'}]", "api": api, "status": status,
            "message": _clean(message), "path": check.path, "evidence": check.evidence})
    rules_out, counts, must_failed = [], {s: 0 for s in ("pass", "fail", "warn", "skip", "not_applicable")}, 0
    not_passive = []
    for rule in load_rules().values():
        checks = by_rule.get(rule.id, [])
        if not checks:
            reason = (NOT_PASSIVE if rule.id not in PASSIVE_RULES
                      else "no captured entry could judge this rule (no answer of the kind it judges)")
            if rule.id not in PASSIVE_RULES:
                not_passive.append(rule.id)
            checks = [{"nodeid": f"passive::{rule.id}", "api": "", "status": "not_applicable", "message": reason,
                       "path": "", "evidence": []}]
        status = rule_status(rule.severity, [c["status"] for c in checks])
        counts[status] += 1
        must_failed += status == "fail"
        rules_out.append({"id": rule.id, "title": rule.title, "area": rule.area, "severity": rule.severity,
                          "spec_ref": rule.spec_ref, "status": status, "checks": checks})
    finished = clock.now().astimezone(UTC)
    return {
        "tool": {"name": "koscom-conformance", "version": __version__},
        "broker": broker,
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": finished.isoformat(timespec="seconds"),
        "duration_s": round(time.monotonic() - t0, 2),
        "options": options,
        "summary": {"rules": len(rules_out), **counts, "must_failed": must_failed, "unchecked": 0,
                    "compliant": must_failed == 0, "checks": sum(len(r["checks"]) for r in rules_out),
                    "run_errors": 0},
        "rules": rules_out,
        "run_errors": [],
        "questions": {"total": 0, "by_area": {}},
        "passive": {**passive, "not_judged_rules": not_passive},
    }
