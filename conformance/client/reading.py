"""Reading an answer within its bounds: the header block checked, the body read raw and
decompressed here with an output budget (`zlib` max_length), so neither a flood nor a gzip bomb can
hold more than the cap in memory. A broken bound stops reading with `Stop(kind, sentence)`.
"""

from __future__ import annotations

import time
import zlib
from urllib.parse import urljoin, urlsplit

import httpx

from conformance.client.limits import Limits


class Stop(Exception):
    """Reading stopped on purpose: the gateway broke a limit or sent something undecodable."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def show_bytes(n: int) -> str:
    return f"{n:,} bytes"


def show_secs(seconds: float) -> str:
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
            raise Stop("decompression", f"the body is declared {self.name}-encoded but does not decompress "
                                         f"({exc})") from exc
        self._fed = True
        return out

    def finish(self) -> None:
        if self._fed and not self._obj.eof:
            raise Stop("decompression", f"the {self.name}-encoded body ended before its end marker "
                                         "(the compressed stream is truncated)")


class _Decoder:
    def __init__(self, content_encoding: str) -> None:
        names = [n.strip().lower() for n in content_encoding.split(",") if n.strip()]
        names = [n for n in names if n != "identity"]
        unknown = [n for n in names if n not in ("gzip", "x-gzip", "deflate")]
        if unknown:
            raise Stop("decompression", f"the body is encoded as {content_encoding!r}, which the harness "
                                         "did not ask for (it accepts gzip and deflate)")
        self._layers = [_Inflater(n) for n in reversed(names)]  # the last encoding applied is undone first

    def decode(self, data: bytes, budget: int) -> bytes:
        for index, layer in enumerate(self._layers):
            data = layer.decode(data, budget)
            if len(data) > budget and index < len(self._layers) - 1:
                raise Stop("too_large", "the compressed body inflated past the limit")
        return data

    def finish(self) -> None:
        for layer in self._layers:
            layer.finish()


def check_head(response: httpx.Response, url: str, limits: Limits) -> None:
    """Refuse what can be judged from the status line and headers alone."""
    header_bytes = sum(len(name) + len(value) + 4 for name, value in response.headers.raw)
    if header_bytes > limits.max_header_bytes:
        raise Stop("headers_too_large", f"the response headers take {show_bytes(header_bytes)}, above the "
                                         f"limit of {show_bytes(limits.max_header_bytes)}")
    if 300 <= response.status_code < 400:
        location = response.headers.get("location")
        where = f"to {origin_of(urljoin(url, location))}" if location else "without a Location"
        raise Stop("redirect", f"the gateway answered {response.status_code} and redirected {where}; API "
                                "calls must be answered directly, and the harness never follows a redirect, "
                                "so the request and its credentials went nowhere else")
    length = response.headers.get("content-length", "")
    if length.strip().isdigit() and int(length) > limits.max_response_bytes:
        raise Stop("too_large", f"the gateway announced a body of {show_bytes(int(length))} (Content-Length), "
                                 f"above the limit of {show_bytes(limits.max_response_bytes)}; it was not read")


def read_body(response: httpx.Response, body: bytearray, limits: Limits, deadline: float) -> None:
    cap = limits.max_response_bytes
    if response.is_stream_consumed:  # an in-memory response (httpx.MockTransport): httpx already decoded it
        body += response.content[:cap + 1]
        if len(body) > cap:
            del body[cap:]
            raise Stop("too_large", f"the response body passed the limit of {show_bytes(cap)}")
        return
    decoder = _Decoder(response.headers.get("content-encoding", ""))
    received = 0
    for chunk in response.iter_raw():
        received += len(chunk)
        body += decoder.decode(chunk, cap - len(body))
        if len(body) > cap:
            del body[cap:]
            inflated = f" (after {show_bytes(received)} on the wire)" if received < cap else ""
            raise Stop("too_large", f"the response body passed the limit of {show_bytes(cap)}{inflated}; "
                                     "reading stopped there")
        if received > cap:  # compressed input that decodes to nothing still may not flow forever
            raise Stop("too_large", f"the response passed the limit of {show_bytes(cap)} on the wire; "
                                     "reading stopped")
        if time.monotonic() > deadline:
            raise Stop("timeout", f"no complete answer within {show_secs(limits.timeout_s)} (the body was still "
                                   f"arriving: {show_bytes(received)} received)")
    decoder.finish()
