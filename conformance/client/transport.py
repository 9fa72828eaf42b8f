"""Bounded HTTP exchanges with a broker's gateway: a broken gateway never breaks the harness.

`perform` sends one request and always returns a `TransportResult`; whatever the gateway does
(refuses, resets, stalls, drips, floods, bombs, redirects, speaks garbage) becomes an `error`
sentence and an `error_kind` from `conformance.evidence.TRANSPORT_ERRORS`, never an exception.

How the bounds hold (each in a module of its own job):
- Total deadline (`deadline.py`): httpcore sockets bounded by the time left until the exchange's
  deadline, which `perform` sets.
- Size and headers (`reading.py`): the body is read raw and decompressed with an output budget;
  header blocks over `max_header_bytes` are refused. The bounds themselves: `limits.py`.
- Redirects are never followed, so credentials only ever reach the profile's gateway.
- Here: one exchange, its errors in a broker engineer's words, retries, the circuit breaker.

Politeness: `RateLimiter` spaces requests to one origin across threads and processes;
`CircuitBreaker` declares a gateway unreachable after consecutive transport failures.
"""

from __future__ import annotations

import email.utils
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import httpcore
import httpx

from conformance.client.deadline import DEADLINE, DeadlineTransport
from conformance.client.limits import Limits
from conformance.client.politeness import RateLimiter
from conformance.client.reading import Stop, check_head, origin_of, read_body, show_bytes, show_secs
from conformance.client.tls import TlsOptions, TransportConfigError, build_ssl_context

__all__ = [
    "CircuitBreaker", "Limits", "RateLimiter", "TlsOptions", "TransportConfigError", "TransportResult",
    "make_http_client", "origin_of", "perform", "retry_after_seconds",
]


@dataclass
class TransportResult:
    status: int | None
    headers: dict[str, str]  # lower-case names
    body: bytes  # raw (decompressed) body, possibly partial when an error occurred
    elapsed_ms: float
    error: str | None = None  # a broker engineer's sentence
    error_kind: str | None = None  # one of conformance.evidence.TRANSPORT_ERRORS
    retries: int = 0
    notes: list[str] = field(default_factory=list)  # e.g. a Retry-After the harness chose not to wait for


def make_http_client(tls: TlsOptions, limits: Limits) -> httpx.Client:
    """The one httpx client for a gateway: TLS per `tls`, deadlines per `limits`, never redirected.

    Proxies and certificate settings from the environment are ignored (trust_env=False), so a
    stray HTTP_PROXY cannot route a broker's credentials through a third party.
    """
    return httpx.Client(
        transport=DeadlineTransport(build_ssl_context(tls)),
        timeout=httpx.Timeout(limits.timeout_s),
        follow_redirects=False,
        trust_env=False,
        # The body is decoded here, under the size cap, so only what this module can inflate is asked for.
        headers={"accept-encoding": "gzip, deflate"},
    )


# --- one exchange ------------------------------------------------------------------------------


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _classify(exc: BaseException, phase: str, url: str, limits: Limits, received: int) -> tuple[str, str]:
    """(error_kind, sentence) for an exception raised while talking to the gateway."""
    origin = origin_of(url)
    causes = list(_chain(exc))
    for cause in causes:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return "tls", (f"the TLS certificate of {origin} was rejected: {cause.verify_message} "
                           "(a private CA can be trusted with the profile's CA bundle)")
    for cause in causes:
        if isinstance(cause, ssl.SSLError):
            reason = str(cause.reason or cause)
            if "CERTIFICATE_REQUIRED" in reason:
                return "tls", (f"{origin} requires a client certificate (mTLS) and did not accept this one "
                               f"({reason})")
            return "tls", f"the TLS session with {origin} failed: {reason}"
    text = " ".join(str(c) for c in causes)
    if isinstance(exc, httpx.TimeoutException):
        if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
            return "timeout", f"could not connect to {origin} within {show_secs(limits.timeout_s)}"
        if phase == "request":
            return "timeout", f"no answer within {show_secs(limits.timeout_s)} (no response headers arrived)"
        return "timeout", (f"no complete answer within {show_secs(limits.timeout_s)} (the body was still "
                           f"arriving: {show_bytes(received)} received)")
    for cause in causes:
        if isinstance(cause, ConnectionRefusedError):
            return "refused", f"connection refused by {origin} (nothing is listening there)"
        if isinstance(cause, socket.gaierror):
            return "refused", f"the host name of {origin} could not be resolved ({cause.strerror})"
        if isinstance(cause, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
            where = "before answering" if phase == "request" else f"after {show_bytes(received)} of the body"
            return "reset", f"{origin} reset the connection {where}"
    if isinstance(exc, httpx.RemoteProtocolError):
        if "Receive buffer too long" in text and phase == "request":
            return "headers_too_large", ("the response headers passed 100 KB (the HTTP parser's buffer) "
                                         "without ending")
        if phase == "request" and ("without sending a response" in text or "disconnected" in text):
            return "reset", f"{origin} closed the connection without answering"
        if "peer closed connection without sending complete message body" in text:
            detail = str(exc).partition("message body")[2].strip(" :") or f"({show_bytes(received)} received)"
            return "protocol", f"the connection closed before the announced body was complete {detail}"
        return "protocol", f"the gateway's answer is not valid HTTP/1.1: {exc}"
    if isinstance(exc, httpx.ConnectError):
        return "refused", f"could not connect to {origin}: {exc}"
    if isinstance(exc, httpx.NetworkError | OSError):
        return "reset", f"the connection to {origin} failed: {exc}"
    return "protocol", f"the exchange with {origin} failed: {type(exc).__name__}: {exc}"


def _exchange(client: httpx.Client, method: str, url: str, headers: Mapping[str, str], body: bytes,
              limits: Limits) -> TransportResult:
    started = time.monotonic()
    deadline = started + limits.timeout_s
    token = DEADLINE.set(deadline)
    status: int | None = None
    response_headers: dict[str, str] = {}
    content = bytearray()
    phase = "request"
    kind: str | None = None
    message: str | None = None
    received = 0
    try:
        with client.stream(method, url, headers=dict(headers), content=body) as response:
            phase = "body"
            status = response.status_code
            response_headers = {name.lower(): value for name, value in response.headers.items()}
            check_head(response, url, limits)
            read_body(response, content, limits, deadline)
    except Stop as stop:
        kind, message = stop.kind, stop.message
    except (httpx.HTTPError, OSError, zlib.error, httpcore.ProtocolError, ValueError) as exc:
        received = len(content)
        kind, message = _classify(exc, phase, url, limits, received)
    finally:
        DEADLINE.reset(token)
    elapsed_ms = (time.monotonic() - started) * 1000.0
    return TransportResult(status=status, headers=response_headers, body=bytes(content),
                           elapsed_ms=elapsed_ms, error=message, error_kind=kind)


def _retry_after(result: TransportResult) -> float | None:
    return retry_after_seconds(result.headers.get("retry-after", ""))


def retry_after_seconds(value: str) -> float | None:
    """Seconds a Retry-After value asks to wait (seconds or an HTTP date), or None if it says neither."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def perform(client: httpx.Client, method: str, url: str, headers: Mapping[str, str], body: bytes,
            limits: Limits, limiter: RateLimiter | None = None) -> TransportResult:
    """Send one request within `limits`; never raises for anything the gateway does.

    Only a harness-side mistake raises: a URL httpx cannot parse (`httpx.InvalidURL`), so that a
    bad profile or test shows up as a run error rather than as the broker's failure.

    A 429 or 503 carrying Retry-After is retried up to `limits.max_retries` times when the wait
    is at most `limits.max_retry_after_s`; otherwise the answer is returned as it is, with a note.
    """
    retries = 0
    notes: list[str] = []
    while True:
        if limiter is not None:
            limiter.acquire()
        result = _exchange(client, method, url, headers, body, limits)
        result.retries = retries
        result.notes = notes
        rate_limited = result.error_kind is None and result.status in (429, 503)
        if not rate_limited or not _retry(result, retries, limits, limiter):
            if limiter is not None:
                limiter.record_outcome(rate_limited)
            return result
        retries += 1


def _retry(result: TransportResult, retries: int, limits: Limits, limiter: RateLimiter | None) -> bool:
    """Whether to ask again after a 429/503; waits (or defers the origin) first. Notes say why not."""
    wait = _retry_after(result)
    if wait is None:
        if "retry-after" in result.headers:
            result.notes.append(f"Retry-After {result.headers['retry-after']!r} is neither seconds nor an "
                                "HTTP date; not retried")
        return False
    if limiter is not None and not limiter.retries_allowed:
        result.notes.append("the gateway kept answering 429/503 to earlier requests; retries are "
                            "suspended until it answers normally")
        return False
    if retries >= limits.max_retries:
        result.notes.append(f"still {result.status} after {retries} retr{'y' if retries == 1 else 'ies'}; "
                            "not retried again")
        return False
    if wait > limits.max_retry_after_s:
        result.notes.append(f"the gateway asked to wait {show_secs(round(wait, 1))} (Retry-After), longer than "
                            f"the {show_secs(limits.max_retry_after_s)} the harness waits; not retried")
        return False
    result.notes.append(f"{result.status} with Retry-After {show_secs(round(wait, 1))}: waited and retried")
    if limiter is None:
        time.sleep(wait)
    else:  # every sender to this origin waits, not only this one; the retry's acquire() sleeps
        limiter.defer(wait)
    return True


# --- the circuit breaker (the rate limiter lives in politeness.py) --------------------------------


_KIND_WORDS = {
    "timeout": "no answer in time", "refused": "connection refused", "reset": "connection reset",
    "too_large": "answer too large", "redirect": "redirected", "tls": "TLS failure",
    "headers_too_large": "headers too large", "protocol": "not valid HTTP",
    "decompression": "undecodable body",
}


class CircuitBreaker:
    """After `threshold` consecutive transport failures the gateway counts as unreachable.

    Any complete HTTP answer (whatever its status) closes the count again. Once open, the
    breaker stays open for the run: the client should stop sending and record `blocked_result()`.
    """

    def __init__(self, threshold: int = 5) -> None:
        self.threshold = max(1, threshold)
        self.failures = 0
        self.reason = ""
        self.last_kind: str | None = None
        self._open = False
        self._lock = threading.Lock()

    def record(self, result: TransportResult) -> None:
        with self._lock:
            if result.error_kind is None:
                if not self._open:
                    self.failures = 0
                return
            self.failures += 1
            self.last_kind = result.error_kind
            if not self._open and self.failures >= self.threshold:
                self._open = True
                words = _KIND_WORDS.get(result.error_kind, result.error_kind)
                self.reason = f"gateway unreachable: {self.failures} consecutive failures ({words})"

    @property
    def open(self) -> bool:
        return self._open

    def blocked_result(self) -> TransportResult:
        """The result to record for a request not sent because the breaker is open."""
        return TransportResult(status=None, headers={}, body=b"", elapsed_ms=0.0,
                               error=f"not sent: {self.reason}", error_kind=self.last_kind or "refused")

