"""Every hostile gateway mode ends in a bounded TransportResult: an error kind, or the raw bytes.

Content-level modes (HTML, invalid UTF-8, deep nesting, NaN literals, duplicate keys) are not
transport failures: the bytes come back as sent, for the checks to judge later.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from hostile_gateway import MODES, HostileGateway

from conformance.client.transport import Limits, TlsOptions, TransportResult, make_http_client, perform
from conformance.evidence import TRANSPORT_ERRORS

LIMITS = Limits(timeout_s=1.0, max_response_bytes=2_000_000, requests_per_second=None, max_retries=0)
# A guard, not a speed claim: any mode that is not cut off by the deadline would run for minutes.
BOUND_S = 2 * LIMITS.timeout_s + 1.0
CREDENTIALS = {"authorization": "Bearer sekrit-token-123", "apikey": "sekrit-apikey-456"}

# mode → (error_kind, status) the harness must report
EXPECTED: dict[str, tuple[str | None, int | None]] = {
    "ok": (None, 200),
    "html-error": (None, 500),
    "non-json": (None, 200),
    "truncated": ("protocol", 200),
    "huge-body": ("too_large", 200),
    "huge-declared": ("too_large", 200),
    "gzip-bomb": ("too_large", 200),
    "bad-gzip": ("decompression", 200),
    "slow-drip": ("timeout", 200),
    "slow-headers": ("timeout", None),
    "stall": ("timeout", 200),
    "stall-before-headers": ("timeout", None),
    "reset": ("reset", None),
    "redirect": ("redirect", 307),
    "invalid-utf8": (None, 200),
    "deep-nesting": (None, 200),
    "nan-literals": (None, 200),
    "duplicate-keys": (None, 200),
    "huge-headers": ("headers_too_large", None),
    "big-headers": ("headers_too_large", 200),
    "bad-status-line": ("protocol", None),
    "rate-limited": (None, 429),
    "rate-limited-long": (None, 429),
    "busy-then-ok": (None, 503),  # max_retries=0 here: the 503 itself comes back
}


@pytest.fixture(scope="module")
def gateway() -> Iterator[HostileGateway]:
    with HostileGateway() as gw:
        yield gw


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with make_http_client(TlsOptions(), LIMITS) as c:
        yield c


def _call(client: httpx.Client, url: str) -> tuple[TransportResult, float]:
    started = time.monotonic()
    result = perform(client, "POST", url + "/v1/diamond/account/balance", CREDENTIALS, b'{"x":1}', LIMITS)
    return result, time.monotonic() - started


def test_every_mode_has_an_expectation() -> None:
    """The table above and the gateway's mode catalogue stay in step."""
    assert set(EXPECTED) == set(MODES)


@pytest.mark.parametrize("mode", sorted(EXPECTED))
def test_perform_survives_mode(mode: str, gateway: HostileGateway, client: httpx.Client) -> None:
    """perform never raises, ends in bounded time, and classifies the misbehaviour."""
    result, took = _call(client, gateway.url_for(mode))
    kind, status = EXPECTED[mode]
    assert (result.error_kind, result.status) == (kind, status), result.error
    assert took < BOUND_S
    assert len(result.body) <= LIMITS.max_response_bytes
    if kind is None:
        assert result.error is None
    else:
        assert kind in TRANSPORT_ERRORS
        assert result.error and len(result.error) > 20  # a sentence, not a class name
        assert "sekrit" not in result.error


def test_refused_port(gateway: HostileGateway, client: httpx.Client) -> None:
    result, took = _call(client, gateway.refused_url)
    assert result.error_kind == "refused"
    assert "refused" in (result.error or "")
    assert took < BOUND_S


def test_content_modes_return_the_raw_bytes(gateway: HostileGateway, client: httpx.Client) -> None:
    """Bytes the checks must judge arrive untouched: no decoding, no repair."""
    utf8, _ = _call(client, gateway.url_for("invalid-utf8"))
    assert b"\xff\xfe\xc3\x28" in utf8.body
    nested, _ = _call(client, gateway.url_for("deep-nesting"))
    assert nested.body == b"[" * 100_000 + b"]" * 100_000
    nan, _ = _call(client, gateway.url_for("nan-literals"))
    assert b"NaN" in nan.body and b"-Infinity" in nan.body
    dup, _ = _call(client, gateway.url_for("duplicate-keys"))
    assert dup.body.count(b'"rspCode"') == 2
    html, _ = _call(client, gateway.url_for("html-error"))
    assert html.headers["content-type"] == "text/html" and html.body.startswith(b"<html>")


def test_partial_bodies_are_kept_as_evidence(gateway: HostileGateway, client: httpx.Client) -> None:
    truncated, _ = _call(client, gateway.url_for("truncated"))
    assert truncated.body.startswith(b'{"rspCode":"00000"')
    assert "1000" in (truncated.error or "")  # the announced length is quoted
    huge, _ = _call(client, gateway.url_for("huge-body"))
    assert len(huge.body) == LIMITS.max_response_bytes
    assert huge.body.startswith(b'{"rspCode":"00000","dataBody"')


def test_timeout_sentences_say_which_phase(gateway: HostileGateway, client: httpx.Client) -> None:
    before, _ = _call(client, gateway.url_for("stall-before-headers"))
    assert "no response headers arrived" in (before.error or "")
    during, _ = _call(client, gateway.url_for("stall"))
    assert "body was still arriving" in (during.error or "")


def test_redirect_is_not_followed_and_credentials_stay_home(gateway: HostileGateway,
                                                            client: httpx.Client) -> None:
    result, _ = _call(client, gateway.url_for("redirect"))
    assert result.error_kind == "redirect"
    assert gateway.redirect_url in (result.error or "")  # the origin it pointed to is named
    assert gateway.redirect_hits == []


def test_redirect_target_does_record_what_reaches_it(gateway: HostileGateway, client: httpx.Client) -> None:
    """Control for the test above: the target's log is not empty just because it is deaf."""
    target = HostileGateway()
    with target:
        result, _ = _call(client, target.redirect_url)
        assert result.status == 200
        assert target.redirect_hits
        assert target.redirect_hits[0]["authorization"] == CREDENTIALS["authorization"]


def test_client_keeps_working_after_hostile_exchanges(gateway: HostileGateway, client: httpx.Client) -> None:
    """A reset, flooded or garbled connection is dropped, never reused for the next request."""
    for mode in ("reset", "huge-body", "gzip-bomb", "bad-status-line", "truncated"):
        _call(client, gateway.url_for(mode))
        after, _ = _call(client, gateway.url_for("ok"))
        assert (after.status, after.error_kind) == (200, None), f"after {mode}: {after.error}"


def test_start_mode_applies_without_a_path_prefix() -> None:
    with HostileGateway(mode="non-json") as gw, make_http_client(TlsOptions(), LIMITS) as c:
        result, _ = _call(c, gw.url)
        assert result.headers["content-type"] == "text/plain"
        assert gw.requests == [("non-json", "POST", "/v1/diamond/account/balance")]


def test_unknown_mode_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="unknown mode"):
        HostileGateway(mode="polite")
