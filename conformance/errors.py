"""The contract's error codes (CONTRACT.md section 3) and how to read an error answer."""

from __future__ import annotations

from typing import Any

from conformance.evidence import Exchange

# Common errors reuse the HTTP status as the code; gateway errors may carry only a message.
COMMON = {400, 401, 403, 404, 405, 406, 408, 415, 429, 500, 503, 505}
PLATFORM = {2001: 401, 2002: 401, 2003: 401, 2100: 403, 3001: 500, 3002: 400, 3003: 400, 3004: 500,
            3005: 500, 3006: 500, 3007: 500, 3008: 500, 3009: 500, 3010: 500, 3011: 500, 3012: 500,
            3013: 500, 3999: 500, 3600: 503}
BROKER = {4000, 4001, 4002, 4003, 4004, 4005, 4006, 5004, 5005, 5006, 5007,
          6001, 6002, 6003, 6004, 6005, 6006, 6007, 6008, 7000}
DOCUMENTED = COMMON | set(PLATFORM) | BROKER


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


def status_fits(code: int, status: int) -> bool:
    """I77: broker business errors come with 400 or 500; the others with their listed status."""
    if code in COMMON:
        return status == code
    if code in PLATFORM:
        return status == PLATFORM[code] or (status in (400, 500) and PLATFORM[code] in (400, 500))
    return status in (400, 500)
