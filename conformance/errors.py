"""How to read an error answer (the documented codes themselves: conformance.contract.errors)."""

from __future__ import annotations

import json
from typing import Any

from conformance.evidence import Exchange


def error_code(exchange: Exchange) -> int | None:
    """The error code of an answer: the body's `code` (int or numeric string), or
    `resp.respCode` when it is not "200". None for a success or a body without a code."""
    doc = exchange.json()
    if not isinstance(doc, dict):
        return None
    candidates = [doc.get("code")]
    resp = doc.get("resp", doc.get("Resp"))
    if isinstance(resp, dict):
        candidates.append(resp.get("respCode"))
    for value in candidates:
        if isinstance(value, bool):
            continue
        if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
            code = int(value)
        elif isinstance(value, str) and value.strip().isdigit():
            code = int(value.strip())
        else:
            continue
        if code != 200:
            return code
    return None


def is_error_body(doc: Any) -> bool:
    """The documented error format (C24) or the gateway's message body (I79)."""
    if not isinstance(doc, dict):
        return False
    if "code" in doc and "message" in doc:
        return True
    resp = doc.get("resp", doc.get("Resp"))
    if isinstance(resp, dict) and str(resp.get("respCode", "200")).strip() not in ("200", ""):
        return True  # the broker's own message shape carrying its error code (C24 format is SHOULD)
    return isinstance(doc.get("message"), str) or isinstance(doc.get("error"), str)


def code_type_problem(doc: Any) -> str | None:
    """What is wrong with the JSON type of an error body's `code`, or None. CONTRACT.md 3.1 types it
    Integer (I76: unlike `resp.respCode`, a String); a numeric string still names its code, so
    error_code() reads it, but a consumer that switches on the number misses it (C24: SHOULD)."""
    if not isinstance(doc, dict) or "code" not in doc:
        return None
    value = doc["code"]
    if isinstance(value, int) and not isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        return None  # 4001.0 is the JSON number 4001: JSON has no separate integer type
    if isinstance(value, str):
        hint = f"; send the JSON number {value.strip()}" if value.strip().isdigit() else ""
        return f'the error body\'s code is the string "{value}", but CONTRACT.md 3.1 types code Integer{hint}'
    return f"the error body's code is {json.dumps(value)}, but CONTRACT.md 3.1 types code Integer"
