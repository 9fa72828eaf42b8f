"""A check's outcome as a check record (what results.json keeps of it): pass, fail or warn under
the rule its violation names, skip, not applicable, or a harness error, never a verdict for the
last. The plugin (conformance/plugin.py) calls these from its report hook; they read the session's
client (for evidence and the C27 and replay excuses) from the config's stash.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance.checking import NOTE, NotApplicable, replay_excuse, window_excuse
from conformance.redact import mask_identifiers, scrub
from conformance.rules import ContractViolation, Rule, get_rule

CLIENT_KEY = pytest.StashKey[Any]()  # the session's Client, set by the plugin's `client` fixture


def api_param(item: pytest.Item) -> str:
    callspec = getattr(item, "callspec", None)
    return str(callspec.params.get("api", "")) if callspec else ""


def check_record(item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport,
                  marked: Rule) -> dict[str, Any]:
    """One check record. A violation is filed under the rule it names, with that rule's severity,
    whichever check raised it; anything else a check raises is a harness error, never a verdict."""
    api = api_param(item)
    check: dict[str, Any] = {"nodeid": item.nodeid, "rule_id": marked.id, "api": api, "status": "pass",
                             "message": "", "path": "", "evidence": []}
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        raised = call.excinfo.value if call.excinfo else None
        if isinstance(raised, NotApplicable):  # a typed outcome, not a reading of the skip text
            check.update(status="not_applicable", message=raised.reason)
        else:
            check.update(status="skip", message=reason)
        return check
    if not report.failed:  # an INFO check that cannot fail says what it observed (checking.note)
        check["message"] = clean(" ".join(str(v) for k, v in item.user_properties if k == NOTE))
        return check
    exc = call.excinfo.value if call.excinfo else None
    if isinstance(exc, ContractViolation):
        try:
            named = get_rule(exc.rule_id)
        except KeyError as err:
            check.update(status="run_error", message=clean(f"harness error in check: {err}"))
            return check
        check.update(rule_id=named.id, status="fail" if named.severity == "MUST" else "warn",
                     message=clean(exc.message), path=exc.path, api=exc.api or api,
                     evidence=evidence_of(item, exc.exchanges), findings=findings_of(exc, api))
        if named.id != marked.id:
            check["filed_from"] = marked.id  # raised inside another rule's check
        return check
    where = "setup" if report.when == "setup" else "check"
    text = clean(f"harness error in {where}: {type(exc).__name__}: {exc}" if exc else "harness error")
    check.update(status="run_error", message=text)
    return check


def findings_of(exc: ContractViolation, api: str) -> list[dict[str, Any]]:
    """The violation's findings for results.json, their texts cleaned as the message is."""
    out = []
    for finding in exc.findings:
        row = finding.to_dict()
        row.update(api=row["api"] or exc.api or api, message=clean(row["message"]), path=clean(row["path"]),
                   expected=clean(row["expected"]), actual=clean(row["actual"]))
        out.append(row)
    return out


def replay_excuse_of(item: pytest.Item) -> str | None:
    client = item.config.stash.get(CLIENT_KEY, None)
    return replay_excuse(client.handed) if client is not None and client.replay is not None else None


def window_excuse_of(item: pytest.Item, call: pytest.CallInfo[None]) -> str | None:
    """The C27 excuse from the answers handed to the check, and from those its violation names (an
    answer a check got from the shared cache in another way still proves nothing in closed hours)."""
    client = item.config.stash.get(CLIENT_KEY, None)
    if client is None:
        return None
    exc = call.excinfo.value if call.excinfo else None
    named = set(exc.exchanges) if isinstance(exc, ContractViolation) else set()
    return window_excuse([*client.handed, *(e for e in client.exchanges if e.id in named)])


def clean(text: str) -> str:
    """Check messages quote broker answers: no secret and no unmasked identifier may pass."""
    return scrub(mask_identifiers(text))


def evidence_of(item: pytest.Item, ids: list[str]) -> list[dict[str, Any]]:
    client = item.config.stash.get(CLIENT_KEY, None)
    if client is None:
        return []
    by_id = {e.id: e for e in client.exchanges}
    return [by_id[i].to_evidence() for i in ids if i in by_id]
