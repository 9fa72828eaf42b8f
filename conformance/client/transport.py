"""Bounded HTTP exchanges with a broker's gateway: a broken gateway never breaks the harness.

`perform` sends one request and always returns a `TransportResult`; whatever the gateway does
(refuses, resets, stalls, drips, floods, bombs, redirects, speaks garbage) becomes an `error`
sentence and an `error_kind` from `conformance.evidence.TRANSPORT_ERRORS`, never an exception.

How the bounds hold:
- Total deadline: httpx's timeouts are per operation, so a gateway dripping one byte at a time
  never trips them. A small httpcore network backend bounds every connect, read and write by the
  time left until the exchange's deadline (kept in a context variable set by `perform`).
- Size: the body is read raw and decompressed here with an output budget (`zlib` max_length),
  so neither a flood nor a gzip bomb can hold more than the cap in memory.
- Headers: h11 refuses a header block over httpcore's 100 KB buffer; blocks between
  `max_header_bytes` and that are refused here.
- Redirects are never followed, so credentials only ever reach the profile's gateway.

Politeness: `RateLimiter` spaces requests to one origin across threads and processes;
`CircuitBreaker` declares a gateway unreachable after consecutive transport failures.
"""

from __future__ import annotations

import contextlib
import email.utils
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from conformance.client.politeness import RateLimiter
from conformance.client.tls import TlsOptions, TransportConfigError, build_ssl_context

__all__ = [
    "CircuitBreaker", "Limits", "RateLimiter", "TlsOptions", "TransportConfigError", "TransportResult",
    "make_http_client", "origin_of", "perform",
]


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 10.0  # TOTAL deadline per exchange (connect + headers + whole body)
    max_response_bytes: int = 20_000_000  # cap on the (decompressed) body, enforced while streaming
    max_header_bytes: int = 65_536
    requests_per_second: float | None = 10.0  # politeness per gateway origin; None = unlimited
    max_retries: int = 2  # for 429/503 with Retry-After
    max_retry_after_s: float = 5.0  # never sleep longer than this per retry; longer → report, don't wait

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> Limits:
        """Limits from a profile's `limits:` mapping; unknown keys or bad values name the key."""
        values = dict(values or {})
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise TransportConfigError(f"unknown key(s) in limits: {', '.join(unknown)} "
                                       f"(known: {', '.join(known)})")
        parsed: dict[str, Any] = {}
        for name, value in values.items():
            if name == "requests_per_second" and value is None:
                parsed[name] = None
                continue
            integer = name in ("max_response_bytes", "max_header_bytes", "max_retries")
            bad_type = isinstance(value, bool) or not isinstance(value, int | float)
            if bad_type or (integer and value != int(value)):
                raise TransportConfigError(f"limits.{name} must be a {'whole ' if integer else ''}number, "
                                           f"not {value!r}")
            if value < 0 or (value == 0 and name in ("timeout_s", "max_response_bytes", "max_header_bytes")):
                raise TransportConfigError(f"limits.{name} must be positive, not {value!r}")
            parsed[name] = int(value) if integer else float(value)
        return cls(**parsed)


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


# --- the total deadline, enforced below httpx -------------------------------------------------

_DEADLINE: ContextVar[float | None] = ContextVar("conformance_exchange_deadline", default=None)


def _bounded(timeout: float | None, expired: type[Exception]) -> float | None:
    """The per-operation timeout, shortened to what is left of the exchange's deadline."""
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise expired("the exchange's total deadline passed")
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(host, port, _bounded(timeout, httpcore.ConnectTimeout),
                                         local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.connect_unix_socket(path, bounded, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


# httpcore's exceptions as httpx's, most specific first, so the client behaves like any httpx client.
_EXCEPTIONS: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout), (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout), (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException), (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError), (httpcore.WriteError, httpx.WriteError),
    (httpcore.ProxyError, httpx.ProxyError), (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.NetworkError, httpx.NetworkError), (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError), (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextlib.contextmanager
def _httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        for source, target in _EXCEPTIONS:
            if isinstance(exc, source):
                raise target(str(exc)) from exc
        raise


class _ResponseStream(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        with _httpx_errors():
            yield from self._stream

    def close(self) -> None:
        with _httpx_errors():
            close = getattr(self._stream, "close", None)
            if close is not None:
                close()


class _DeadlineTransport(httpx.BaseTransport):
    """httpx's HTTP/1.1 transport over a connection pool whose sockets honour the exchange deadline."""

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context, max_connections=16, max_keepalive_connections=8, keepalive_expiry=5.0,
            http1=True, http2=False, retries=0, network_backend=_DeadlineBackend(),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=request.url.raw_scheme, host=request.url.raw_host,
                             port=request.url.port, target=request.url.raw_path),
            headers=request.headers.raw, content=request.stream, extensions=request.extensions,
        )
        with _httpx_errors():
            response = self._pool.handle_request(core_request)
        assert isinstance(response.stream, Iterable)  # a sync pool always answers with a sync stream
        return httpx.Response(status_code=response.status, headers=response.headers,
                              stream=_ResponseStream(response.stream), extensions=response.extensions)

    def close(self) -> None:
        self._pool.close()


def make_http_client(tls: TlsOptions, limits: Limits) -> httpx.Client:
    """The one httpx client for a gateway: TLS per `tls`, deadlines per `limits`, never redirected.

    Proxies and certificate settings from the environment are ignored (trust_env=False), so a
    stray HTTP_PROXY cannot route a broker's credentials through a third party.
    """
    return httpx.Client(
        transport=_DeadlineTransport(build_ssl_context(tls)),
        timeout=httpx.Timeout(limits.timeout_s),
        follow_redirects=False,
        trust_env=False,
        # The body is decoded here, under the size cap, so only what this module can inflate is asked for.
        headers={"accept-encoding": "gzip, deflate"},
    )


# --- one exchange ------------------------------------------------------------------------------


class _Stop(Exception):
    """Reading stopped on purpose: the gateway broke a limit or sent something undecodable."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def _bytes(n: int) -> str:
    return f"{n:,} bytes"


def _secs(seconds: float) -> str:
    return f"{seconds:g} s"


def origin_of(url: str) -> str:
    """`https://gw.example:8443/v1/x` → `https://gw.example:8443` (default ports written out)."""
    parts = urlsplit(url)
    scheme = (parts.scheme or "http").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = 443 if scheme == "https" else 80
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}:{port}"


class _Inflater:
    """Decompresses one Content-Encoding layer, never producing more than the caller's budget + 1."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._fed = False
        wbits = zlib.MAX_WBITS | 16 if name in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self._obj = zlib.decompressobj(wbits)

    def decode(self, data: bytes, budget: int) -> bytes:
        if not data:
            return b""
        try:
            out = self._obj.decompress(data, budget + 1)
        except zlib.error as exc:
            # Some servers send raw deflate without the zlib wrapper; accept it as httpx does.
            if self.name == "deflate" and not self._fed:
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
                self._fed = True
                return self.decode(data, budget)
            raise _Stop("decompression", f"the body is declared {self.name}-encoded but does not decompress "
                                         f"({exc})") from exc
        self._fed = True
        return out

    def finish(self) -> None:
        if self._fed and not self._obj.eof:
            raise _Stop("decompression", f"the {self.name}-encoded body ended before its end marker "
                                         "(the compressed stream is truncated)")


class _Decoder:
    def __init__(self, content_encoding: str) -> None:
        names = [n.strip().lower() for n in content_encoding.split(",") if n.strip()]
        names = [n for n in names if n != "identity"]
        unknown = [n for n in names if n not in ("gzip", "x-gzip", "deflate")]
        if unknown:
            raise _Stop("decompression", f"the body is encoded as {content_encoding!r}, which the harness "
                                         "did not ask for (it accepts gzip and deflate)")
        self._layers = [_Inflater(n) for n in reversed(names)]  # the last encoding applied is undone first

    def decode(self, data: bytes, budget: int) -> bytes:
        for index, layer in enumerate(self._layers):
            data = layer.decode(data, budget)
            if len(data) > budget and index < len(self._layers) - 1:
                raise _Stop("too_large", "the compressed body inflated past the limit")
        return data

    def finish(self) -> None:
        for layer in self._layers:
            layer.finish()


def _check_head(response: httpx.Response, url: str, limits: Limits) -> None:
    """Refuse what can be judged from the status line and headers alone."""
    header_bytes = sum(len(name) + len(value) + 4 for name, value in response.headers.raw)
    if header_bytes > limits.max_header_bytes:
        raise _Stop("headers_too_large", f"the response headers take {_bytes(header_bytes)}, above the "
                                         f"limit of {_bytes(limits.max_header_bytes)}")
    if 300 <= response.status_code < 400:
        location = response.headers.get("location")
        where = f"to {origin_of(urljoin(url, location))}" if location else "without a Location"
        raise _Stop("redirect", f"the gateway answered {response.status_code} and redirected {where}; API "
                                "calls must be answered directly, and the harness never follows a redirect, "
                                "so the request and its credentials went nowhere else")
    length = response.headers.get("content-length", "")
    if length.strip().isdigit() and int(length) > limits.max_response_bytes:
        raise _Stop("too_large", f"the gateway announced a body of {_bytes(int(length))} (Content-Length), "
                                 f"above the limit of {_bytes(limits.max_response_bytes)}; it was not read")


def _read_body(response: httpx.Response, body: bytearray, limits: Limits, deadline: float) -> None:
    cap = limits.max_response_bytes
    if response.is_stream_consumed:  # an in-memory response (httpx.MockTransport): httpx already decoded it
        body += response.content[:cap + 1]
        if len(body) > cap:
            del body[cap:]
            raise _Stop("too_large", f"the response body passed the limit of {_bytes(cap)}")
        return
    decoder = _Decoder(response.headers.get("content-encoding", ""))
    received = 0
    for chunk in response.iter_raw():
        received += len(chunk)
        body += decoder.decode(chunk, cap - len(body))
        if len(body) > cap:
            del body[cap:]
            inflated = f" (after {_bytes(received)} on the wire)" if received < cap else ""
            raise _Stop("too_large", f"the response body passed the limit of {_bytes(cap)}{inflated}; "
                                     "reading stopped there")
        if received > cap:  # compressed input that decodes to nothing still may not flow forever
            raise _Stop("too_large", f"the response passed the limit of {_bytes(cap)} on the wire; "
                                     "reading stopped")
        if time.monotonic() > deadline:
            raise _Stop("timeout", f"no complete answer within {_secs(limits.timeout_s)} (the body was still "
                                   f"arriving: {_bytes(received)} received)")
    decoder.finish()


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
            return "timeout", f"could not connect to {origin} within {_secs(limits.timeout_s)}"
        if phase == "request":
            return "timeout", f"no answer within {_secs(limits.timeout_s)} (no response headers arrived)"
        return "timeout", (f"no complete answer within {_secs(limits.timeout_s)} (the body was still "
                           f"arriving: {_bytes(received)} received)")
    for cause in causes:
        if isinstance(cause, ConnectionRefusedError):
            return "refused", f"connection refused by {origin} (nothing is listening there)"
        if isinstance(cause, socket.gaierror):
            return "refused", f"the host name of {origin} could not be resolved ({cause.strerror})"
        if isinstance(cause, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
            where = "before answering" if phase == "request" else f"after {_bytes(received)} of the body"
            return "reset", f"{origin} reset the connection {where}"
    if isinstance(exc, httpx.RemoteProtocolError):
        if "Receive buffer too long" in text and phase == "request":
            return "headers_too_large", ("the response headers passed 100 KB (the HTTP parser's buffer) "
                                         "without ending")
        if phase == "request" and ("without sending a response" in text or "disconnected" in text):
            return "reset", f"{origin} closed the connection without answering"
        if "peer closed connection without sending complete message body" in text:
            detail = str(exc).partition("message body")[2].strip(" :") or f"({_bytes(received)} received)"
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
    token = _DEADLINE.set(deadline)
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
            _check_head(response, url, limits)
            _read_body(response, content, limits, deadline)
    except _Stop as stop:
        kind, message = stop.kind, stop.message
    except (httpx.HTTPError, OSError, zlib.error, httpcore.ProtocolError, ValueError) as exc:
        received = len(content)
        kind, message = _classify(exc, phase, url, limits, received)
    finally:
        _DEADLINE.reset(token)
    elapsed_ms = (time.monotonic() - started) * 1000.0
    return TransportResult(status=status, headers=response_headers, body=bytes(content),
                           elapsed_ms=elapsed_ms, error=message, error_kind=kind)


def _retry_after(result: TransportResult) -> float | None:
    """Seconds the gateway asked to wait (Retry-After: seconds or an HTTP date), or None."""
    value = result.headers.get("retry-after", "").strip()
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
        result.notes.append(f"the gateway asked to wait {_secs(round(wait, 1))} (Retry-After), longer than "
                            f"the {_secs(limits.max_retry_after_s)} the harness waits; not retried")
        return False
    result.notes.append(f"{result.status} with Retry-After {_secs(round(wait, 1))}: waited and retried")
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

