"""Area `transport`: content type, encoding, limits, redirects, HTTPS, rate headers (C1, C24, C25)."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

import pytest

from conformance import checking as ck
from conformance.contract import API_IDS

APIS = list(API_IDS)
RATE_HEADERS = ("x-rate-limit", "x-rate-value", "x-ratelimit-remaining-day", "x-ratelimit-limit-day")
JSON_TYPE = re.compile(r"^\s*application/json\s*(;.*)?$", re.I)


def _judged(client, api):
    ck.claimed(client.profile, api)
    return ck.representative_exchanges(client, api)


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@pytest.mark.rule("TRN-001")
@pytest.mark.parametrize("api", APIS)
def test_json_declared_as_json(api, client):
    judged = 0
    for exchange in _judged(client, api):
        if exchange.error:
            continue
        judged += 1
        declared = exchange.content_type
        if not _utf8(exchange.response_body):
            continue  # a JSON text in another encoding: TRN-002 judges it
        is_json = exchange.json() is not None and exchange.response_body.strip()[:1] in (b"{", b"[")
        if is_json and not JSON_TYPE.match(declared):
            ck.violate("TRN-001", f"a JSON body declared as {declared or 'nothing'!r}", exchanges=[exchange], api=api)
        if JSON_TYPE.match(declared) and exchange.response_body and exchange.json() is None:
            ck.violate("TRN-001", "declared application/json, but the body is not JSON", exchanges=[exchange], api=api)
    if not judged:
        ck.nothing_judged("TRN-001", client, api)


@pytest.mark.rule("TRN-002")
@pytest.mark.parametrize("api", APIS)
def test_bodies_are_utf8(api, client):
    judged = 0
    for exchange in _judged(client, api):
        if exchange.error:
            continue
        judged += 1
        try:
            exchange.response_body.decode("utf-8")
        except UnicodeDecodeError as exc:
            ck.violate("TRN-002", f"the body is not UTF-8 (byte {exc.start}); declared {exchange.content_type!r}",
                       exchanges=[exchange], api=api)
        charset = re.search(r"charset=([\w-]+)", exchange.content_type, re.I)
        if charset and charset.group(1).lower().replace("_", "-") not in ("utf-8", "utf8"):
            ck.violate("TRN-002", f"declared charset {charset.group(1)}", exchanges=[exchange], api=api)
    if not judged:
        ck.nothing_judged("TRN-002", client, api)


@pytest.mark.rule("TRN-003")
def test_https_outside_loopback(client):
    parts = urlsplit(client.profile.base_url)
    host = parts.hostname or ""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if parts.scheme != "https" and not loopback:
        ck.violate("TRN-003", f"the gateway {client.profile.base_url} is not on loopback and uses {parts.scheme}")


@pytest.mark.rule("TRN-004")
@pytest.mark.parametrize("api", APIS)
def test_exchanges_within_limits(api, client):
    for exchange in _judged(client, api):
        if exchange.error and exchange.error_kind != "redirect":
            ck.violate("TRN-004", f"{exchange.error}", exchanges=[exchange], api=api)


@pytest.mark.rule("TRN-005")
def test_rate_limit_headers(client):
    for api in APIS:
        if client.profile.claims(api):
            ck.default_exchange(client, api)
    answered = [e for e in client.exchanges if e.status is not None]
    if not answered:
        ck.violate("TRN-005", "no exchange was answered, so no rate-limit header could be judged",
                   exchanges=client.exchanges[:1])
    for exchange in answered:
        headers = {k.lower(): v for k, v in exchange.response_headers.items()}
        for name in RATE_HEADERS:
            if name in headers and not headers[name].strip().isdigit():
                ck.violate("TRN-005", f"{name}: {headers[name]!r} is not a number", exchanges=[exchange])
        if exchange.status == 429 and "retry-after" not in headers:
            ck.violate("TRN-005", "HTTP 429 without Retry-After", exchanges=[exchange])


@pytest.mark.rule("TRN-006")
@pytest.mark.parametrize("api", APIS)
def test_no_redirects(api, client):
    judged = 0
    for exchange in _judged(client, api):
        if exchange.error_kind == "redirect" or (exchange.status is not None and 300 <= exchange.status < 400):
            ck.violate("TRN-006", exchange.error or f"HTTP {exchange.status} redirect", exchanges=[exchange], api=api)
        judged += exchange.status is not None
    if not judged:
        ck.nothing_judged("TRN-006", client, api)
