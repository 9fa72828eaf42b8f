"""perform's decisions on canned answers (httpx.MockTransport): decoding, caps, retries, settings."""

from __future__ import annotations

import email.utils
import gzip
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from conformance.client.transport import (
    Limits,
    RateLimiter,
    TlsOptions,
    TransportConfigError,
    TransportResult,
    make_http_client,
    origin_of,
    perform,
)

LIMITS = Limits(timeout_s=5.0, max_response_bytes=1000, requests_per_second=None, max_retries=2,
                max_retry_after_s=1.0)
URL = "http://gw.test/v1/diamond/account/balance"


def _streamed(*parts: bytes, pause_s: float = 0.0) -> Iterator[bytes]:
    for part in parts:
        if pause_s:
            time.sleep(pause_s)
        yield part


def _perform(handler: Callable[[httpx.Request], httpx.Response], limits: Limits = LIMITS) -> TransportResult:
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        return perform(client, "POST", URL, {"authorization": "Bearer t"}, b"{}", limits)


def _answer(body: bytes, *, encoding: str | None = None, status: int = 200,
            headers: dict[str, str] | None = None) -> Callable[[httpx.Request], httpx.Response]:
    all_headers = {"content-type": "application/json", **(headers or {})}
    if encoding:
        all_headers["content-encoding"] = encoding

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers=all_headers, content=_streamed(body))
    return handler


# --- decoding under the cap ---------------------------------------------------------------------

@pytest.mark.parametrize("encoding, encode", [
    ("gzip", gzip.compress),
    ("x-gzip", gzip.compress),
    ("deflate", zlib.compress),
    ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, no zlib wrapper
    ("gzip, gzip", lambda data: gzip.compress(gzip.compress(data))),
    ("identity", lambda data: data),
])
def test_accepted_encodings_decode_to_the_original(encoding: str, encode: Callable[[bytes], bytes]) -> None:
    original = b'{"rspCode":"00000","rspMsg":"OK"}'
    result = _perform(_answer(encode(original), encoding=encoding))
    assert (result.error_kind, result.body) == (None, original)


def test_body_exactly_at_the_cap_is_accepted() -> None:
    result = _perform(_answer(gzip.compress(b"x" * 1000), encoding="gzip"))
    assert (result.error_kind, len(result.body)) == (None, 1000)


def test_one_byte_over_the_cap_is_too_large() -> None:
    result = _perform(_answer(gzip.compress(b"x" * 1001), encoding="gzip"))
    assert (result.error_kind, len(result.body)) == ("too_large", 1000)


def test_plain_body_over_the_cap_is_too_large() -> None:
    result = _perform(_answer(b"y" * 5000))
    assert result.error_kind == "too_large" and result.body == b"y" * 1000


def test_announced_length_over_the_cap_is_refused_unread() -> None:
    result = _perform(_answer(b"z" * 10, headers={"content-length": "999999999"}))
    assert result.error_kind == "too_large" and "999,999,999" in (result.error or "")


def test_truncated_gzip_is_a_decompression_error() -> None:
    result = _perform(_answer(gzip.compress(b"a" * 500)[:-12], encoding="gzip"))
    assert result.error_kind == "decompression" and "truncated" in (result.error or "")


def test_unrequested_encoding_is_a_decompression_error() -> None:
    result = _perform(_answer(b"\x1b\x00\x00", encoding="br"))
    assert result.error_kind == "decompression" and "'br'" in (result.error or "")


def test_in_memory_responses_are_read_and_capped() -> None:
    """A mock transport's bytes response arrives already read; it is used, and the cap still applies."""
    small = _perform(lambda request: httpx.Response(200, content=b"m" * 500))
    assert (small.error_kind, small.body) == (None, b"m" * 500)

    def unannounced(request: httpx.Request) -> httpx.Response:
        response = httpx.Response(200, content=b"m" * 2000)
        del response.headers["content-length"]
        return response
    big = _perform(unannounced)
    assert big.error_kind == "too_large" and len(big.body) == 1000


# --- the deadline between chunks ----------------------------------------------------------------

def test_deadline_is_checked_between_chunks() -> None:
    """Chunks that each come in time still add up to a missed deadline."""
    limits = Limits(timeout_s=0.3, max_response_bytes=1000, requests_per_second=None)

    def dripping(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=_streamed(*[b"d"] * 50, pause_s=0.05))
    result = _perform(dripping, limits)
    assert result.error_kind == "timeout"
    assert 0 < len(result.body) < 50


# --- head checks --------------------------------------------------------------------------------

def test_headers_over_the_limit_are_refused() -> None:
    padding = {f"x-pad-{i}": "p" * 1000 for i in range(70)}
    result = _perform(_answer(b"{}", headers=padding))
    assert result.error_kind == "headers_too_large" and result.status == 200


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirects_are_reported_with_the_target_origin(status: int) -> None:
    result = _perform(_answer(b"", status=status, headers={"location": "https://elsewhere.example/login"}))
    assert (result.status, result.error_kind) == (status, "redirect")
    assert "https://elsewhere.example:443" in (result.error or "")


def test_redirect_without_location_is_still_a_redirect() -> None:
    assert _perform(_answer(b"", status=302)).error_kind == "redirect"


def test_relative_location_is_resolved_against_the_gateway() -> None:
    result = _perform(_answer(b"", status=307, headers={"location": "/other"}))
    assert "http://gw.test:80" in (result.error or "")


# --- retries ------------------------------------------------------------------------------------

def _counting(responses: list[httpx.Response]) -> tuple[Callable[[httpx.Request], httpx.Response], list[int]]:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return responses[min(len(calls) - 1, len(responses) - 1)]
    return handler, calls


def test_429_without_retry_after_is_not_retried() -> None:
    handler, calls = _counting([httpx.Response(429)])
    result = _perform(handler)
    assert (result.status, result.retries, len(calls)) == (429, 0, 1)


def test_503_with_retry_after_is_retried_until_it_succeeds() -> None:
    handler, calls = _counting([httpx.Response(503, headers={"retry-after": "0"}), httpx.Response(200)])
    result = _perform(handler)
    assert (result.status, result.retries, len(calls)) == (200, 1, 2)


def test_retries_stop_at_max_retries() -> None:
    handler, calls = _counting([httpx.Response(429, headers={"retry-after": "0"})])
    result = _perform(handler)
    assert (result.status, result.retries, len(calls)) == (429, 2, 3)
    assert any("not retried again" in note for note in result.notes)


def test_long_retry_after_is_reported_not_waited_for() -> None:
    handler, calls = _counting([httpx.Response(429, headers={"retry-after": "120"})])
    result = _perform(handler)
    assert (result.status, result.retries, len(calls)) == (429, 0, 1)
    assert "120 s" in result.notes[0]


def test_retry_after_as_an_http_date() -> None:
    past = email.utils.format_datetime(email.utils.localtime().replace(year=2020), usegmt=False)
    handler, calls = _counting([httpx.Response(503, headers={"retry-after": past}), httpx.Response(200)])
    assert (_perform(handler).status, len(calls)) == (200, 2)


def test_unreadable_retry_after_is_noted_and_not_retried() -> None:
    handler, calls = _counting([httpx.Response(429, headers={"retry-after": "soon"})])
    result = _perform(handler)
    assert len(calls) == 1 and "soon" in result.notes[0]


# --- never raises -------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["ftp://gw.test/x", "http://gw.invalid./x", "http://127.0.0.1:0/x"])
def test_unusable_urls_come_back_as_errors(url: str) -> None:
    with make_http_client(TlsOptions(), LIMITS) as client:
        result = perform(client, "POST", url, {}, b"{}", LIMITS)
    assert result.error_kind is not None and result.error


def test_a_malformed_url_is_the_harness_mistake_and_raises() -> None:
    with make_http_client(TlsOptions(), LIMITS) as client, pytest.raises(httpx.InvalidURL):
        perform(client, "POST", "http://[::1:9/x", {}, b"{}", LIMITS)


# --- settings -----------------------------------------------------------------------------------

def test_limits_from_a_profile_mapping() -> None:
    profile_limits = {"timeout_s": 3, "max_response_bytes": 1_000_000, "requests_per_second": None}
    limits = Limits.from_mapping(profile_limits)
    assert limits == Limits(timeout_s=3.0, max_response_bytes=1_000_000, requests_per_second=None)


@pytest.mark.parametrize("values, key", [
    ({"timeout": 3}, "timeout"),
    ({"timeout_s": "soon"}, "timeout_s"),
    ({"timeout_s": 0}, "timeout_s"),
    ({"max_response_bytes": 1.5}, "max_response_bytes"),
    ({"max_retries": -1}, "max_retries"),
    ({"requests_per_second": True}, "requests_per_second"),
])
def test_bad_limits_name_the_key(values: dict[str, object], key: str) -> None:
    with pytest.raises(TransportConfigError, match=key):
        Limits.from_mapping(values)


@pytest.mark.parametrize("url, origin", [
    ("https://GW.example/v1/x", "https://gw.example:443"),
    ("http://127.0.0.1:8700/mode/stall", "http://127.0.0.1:8700"),
    ("http://[::1]:80/x", "http://[::1]:80"),
    ("http://127.0.0.1:0/x", "http://127.0.0.1:0"),
])
def test_origin_of(url: str, origin: str) -> None:
    assert origin_of(url) == origin


def test_client_never_follows_redirects_and_ignores_proxy_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.invalid:3128")
    with make_http_client(TlsOptions(), LIMITS) as client:
        assert client.follow_redirects is False
        assert client.trust_env is False


# --- retries with a shared limiter --------------------------------------------------------------

def test_retries_are_suspended_after_a_streak_of_rate_limited_exchanges(tmp_path: Path) -> None:
    """An always-429 gateway is asked 3 times per exchange at first, then once: no retry storm."""
    handler, calls = _counting([httpx.Response(429, headers={"retry-after": "0"})])
    limiter = RateLimiter("http://gw.test:80", None, state_dir=tmp_path)
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        per_exchange = []
        for _ in range(5):
            before = len(calls)
            result = perform(client, "POST", URL, {}, b"{}", LIMITS, limiter)
            per_exchange.append(len(calls) - before)
    assert per_exchange == [3, 3, 3, 1, 1]
    assert "suspended" in result.notes[-1]


def test_retries_resume_once_the_gateway_answers_normally(tmp_path: Path) -> None:
    limiter = RateLimiter("http://gw.test:80", None, state_dir=tmp_path)
    for _ in range(RateLimiter.RATE_LIMITED_STREAK):
        limiter.record_outcome(still_rate_limited=True)
    assert not limiter.retries_allowed
    limiter.record_outcome(still_rate_limited=False)
    assert limiter.retries_allowed


def test_retry_after_defers_every_sender_to_the_origin(tmp_path: Path) -> None:
    """A wait the gateway asked of one sender holds for another limiter of the same origin."""
    told = RateLimiter("http://gw.test:80", 100.0, state_dir=tmp_path)
    other = RateLimiter("http://gw.test:80", 100.0, state_dir=tmp_path)
    started = time.time()
    told.defer(0.5)
    other.acquire()
    assert time.time() - started >= 0.45
