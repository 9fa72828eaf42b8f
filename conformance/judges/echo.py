"""Area `echo`: fields marked echo (`반환`) and the query blocks come back as sent (C5, C14, I15)."""

from __future__ import annotations

import json
from typing import Any

from conformance.contract import MISSING, get_api, get_path, is_no_value, same_or_both_empty
from conformance.judges import Finding
from conformance.redact import MASKED_KEYS, mask_value


def _digits(value: object) -> object:
    return value.replace("-", "").strip() if isinstance(value, str) else value  # I52


def _shown(path: str, value: object) -> str:
    """A value for a message; account numbers and CIs masked (they identify people)."""
    if isinstance(value, str) and path.rsplit(".", 1)[-1] in MASKED_KEYS:
        value = mask_value(value)
    return json.dumps(value, ensure_ascii=False)


def echo_mismatches(rule_id: str, api: str, request: Any, response: Any) -> list[Finding]:
    """Every echo field of `rule_id` whose returned value differs from the one sent."""
    out = []
    for field in get_api(api).echo_fields():
        echo = field.echo or {}
        if echo.get("rule") != rule_id:
            continue
        returned = get_path(response, field.path)
        if returned is MISSING or is_no_value(returned):
            continue  # C4, C5: an echo may carry no value; a value, when given, must be the request's
        sent = get_path(request, echo["from"])
        if sent is MISSING:
            sent = None
        if rule_id == "ECHO-001":
            ok = _digits(sent) == _digits(returned)
        elif field.path.endswith("qrOrderDate") and is_no_value(sent):
            ok = True  # C32: an empty order date means today and may be echoed as today's date
        else:
            ok = same_or_both_empty(sent, returned)
        if not ok:
            shown_sent, shown_returned = _shown(field.path, sent), _shown(field.path, returned)
            out.append(Finding(field.path, f"{field.path}: sent {shown_sent}, got back {shown_returned}"))
    return out
