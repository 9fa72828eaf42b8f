"""Transport judges of one exchange: JSON declared as JSON (TRN-001), UTF-8 (TRN-002), HTTPS off
loopback (TRN-003), rate-limit headers (TRN-005), no redirects (TRN-006)."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from conformance import checking as ck
from conformance.evidence import Exchange

RATE_HEADERS = ("x-rate-limit", "x-rate-value", "x-ratelimit-remaining-day", "x-ratelimit-limit-day")
JSON_TYPE = re.compile(r"^\s*application/json\s*(;.*)?$", re.I)


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def json_declared(exchange: Exchange, api: str) -> bool:
    """TRN-001 on one answer; False when there was no answer to judge."""
    if exchange.error:
        return False
    declared = exchange.content_type
    if not _utf8(exchange.response_body):
        return True  # a JSON text in another encoding: TRN-002 judges it
    is_json = exchange.json() is not None and exchange.response_body.strip()[:1] in (b"{", b"[")
    if is_json and not JSON_TYPE.match(declared):
        ck.violate("TRN-001", f"a JSON body declared as {declared or 'nothing'!r}", exchanges=[exchange], api=api)
    if JSON_TYPE.match(declared) and exchange.response_body and exchange.json() is None:
        ck.violate("TRN-001", "declared application/json, but the body is not JSON", exchanges=[exchange], api=api)
    return True


def utf8_body(exchange: Exchange, api: str) -> bool:
    """TRN-002 on one answer; False when there was no answer to judge."""
    if exchange.error:
        return False
    try:
        exchange.response_body.decode("utf-8")
    except UnicodeDecodeError as exc:
        ck.violate("TRN-002", f"the body is not UTF-8 (byte {exc.start}); declared {exchange.content_type!r}",
                   exchanges=[exchange], api=api)
    charset = re.search(r"charset=([\w-]+)", exchange.content_type, re.I)
    if charset and charset.group(1).lower().replace("_", "-") not in ("utf-8", "utf8"):
        ck.violate("TRN-002", f"declared charset {charset.group(1)}", exchanges=[exchange], api=api)
    return True


def https_off_loopback(base_url: str, exchanges: list[Exchange] | None = None) -> None:
    """TRN-003 for a gateway address."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if parts.scheme != "https" and not loopback:
        ck.violate("TRN-003", f"the gateway {base_url} is not on loopback and uses {parts.scheme}",
                   exchanges=exchanges or [])


def rate_headers(exchange: Exchange) -> None:
    """TRN-005 on one answered exchange."""
    headers = {k.lower(): v for k, v in exchange.response_headers.items()}
    for name in RATE_HEADERS:
        if name in headers and not headers[name].strip().isdigit():
            ck.violate("TRN-005", f"{name}: {headers[name]!r} is not a number", exchanges=[exchange])
    if exchange.status == 429 and "retry-after" not in headers:
        ck.violate("TRN-005", "HTTP 429 without Retry-After", exchanges=[exchange])


def not_redirected(exchange: Exchange, api: str) -> bool:
    """TRN-006 on one exchange; True when it had an HTTP answer (judged)."""
    if exchange.error_kind == "redirect" or (exchange.status is not None and 300 <= exchange.status < 400):
        ck.violate("TRN-006", exchange.error or f"HTTP {exchange.status} redirect", exchanges=[exchange], api=api)
    return exchange.status is not None
