"""A deliberately broken broker gateway: every way an HTTP server can misbehave, one mode each.

It answers ANY method on ANY path. The mode comes from a `/mode/<name>` prefix on the path when
there is one, otherwise from the mode the gateway was started with, so a broker profile can point
`base_url` at either `http://127.0.0.1:PORT` (start mode) or `http://127.0.0.1:PORT/mode/<name>`.

In tests:

    with HostileGateway(mode="stall") as gateway:
        gateway.url                    # http://127.0.0.1:PORT (start mode)
        gateway.url_for("slow-drip")   # http://127.0.0.1:PORT/mode/slow-drip
        gateway.refused_url            # a loopback port nothing listens on
        gateway.redirect_hits          # headers of every request that reached the redirect target
        gateway.requests               # (mode, method, path) of every request received

From a shell (prints `READY <url>` once it accepts connections; Ctrl-C or SIGTERM stops it):

    python tests/hostile_gateway.py --mode huge-body [--port 0]

One asyncio loop in one background thread serves all connections; each response closes its
connection. `MODES` lists every mode with the sentence that describes it.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import signal
import socket
import ssl
import struct
import sys
import threading
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

GB = 1 << 30
_JSON = "application/json; charset=UTF-8"
# A record as brokers send them; repeated to make the endless bodies look like real data.
_ITEM = b'{"isinCode":"KR7005930003","isinName":"SAMSUNG","qty":"10","bookAmt":"700000"},'


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes


@dataclass
class _Counters:
    per_mode: dict[str, int] = field(default_factory=dict)

    def bump(self, mode: str) -> int:
        self.per_mode[mode] = self.per_mode.get(mode, 0) + 1
        return self.per_mode[mode]


def _head(status: int, reason: str, headers: list[tuple[str, str]]) -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}"] + [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _send(writer: asyncio.StreamWriter, status: int, reason: str, content_type: str, body: bytes,
                extra: list[tuple[str, str]] | None = None) -> None:
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body))), ("Connection", "close")]
    writer.write(_head(status, reason, headers + (extra or [])) + body)
    await writer.drain()


async def _until_client_leaves(reader: asyncio.StreamReader, limit_s: float = 600.0) -> None:
    """Hold the connection open, sending nothing, until the client hangs up (or a long while passes)."""
    try:
        while await asyncio.wait_for(reader.read(65536), timeout=limit_s):
            pass
    except (TimeoutError, ConnectionError):
        pass


@functools.lru_cache(maxsize=1)
def gzip_bomb(megabytes: int = 256) -> bytes:
    """A valid gzip body of about 260 KB that inflates to `megabytes` MB of JSON-looking text.

    Built in a fraction of a second: after a full flush the compressor's state is reset, so the
    compressed form of each further identical 1 MB block is the same bytes, repeated here.
    """
    head, block, tail = b'{"rspCode":"00000","padding":"', b"0" * (1 << 20), b'"}'
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    first = compressor.compress(head + block) + compressor.flush(zlib.Z_FULL_FLUSH)
    unit = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    last = compressor.compress(tail) + compressor.flush()
    crc = zlib.crc32(head)
    for _ in range(megabytes):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + megabytes * len(block) + len(tail)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # gzip, deflate, no name, no time
    return header + first + unit * (megabytes - 1) + last + struct.pack("<II", crc, size & 0xFFFFFFFF)


# --- the modes: one coroutine each ------------------------------------------------------------

@dataclass
class Conn:
    """One connection being answered: the gateway, the parsed request and the two stream ends."""

    gw: HostileGateway
    req: Request
    reader: asyncio.StreamReader
    w: asyncio.StreamWriter


Handler = Callable[[Conn], Awaitable[None]]
MODES: dict[str, tuple[str, Handler]] = {}


def mode(name: str, sentence: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        MODES[name] = (sentence, handler)
        return handler
    return register


@mode("ok", "a well-formed 200 JSON answer (the control case)")
async def _ok(c: Conn) -> None:
    await _send(c.w, 200, "OK", _JSON, b'{"rspCode":"00000","rspMsg":"OK","dataBody":{}}')


@mode("html-error", "a 500 with an HTML error page, as a misconfigured proxy answers")
async def _html_error(c: Conn) -> None:
    page = b"<html><head><title>500 Internal Server Error</title></head><body><h1>Oops</h1></body></html>"
    await _send(c.w, 500, "Internal Server Error", "text/html", page)


@mode("non-json", "a 200 in text/plain")
async def _non_json(c: Conn) -> None:
    await _send(c.w, 200, "OK", "text/plain", b"OK - request accepted")


@mode("truncated", "Content-Length announces 1000 bytes, 40 arrive, then the connection closes")
async def _truncated(c: Conn) -> None:
    c.w.write(_head(200, "OK", [("Content-Type", _JSON), ("Content-Length", "1000")]))
    c.w.write(b'{"rspCode":"00000","dataBody":{"items":[')
    await c.w.drain()


async def _endless_json(w: asyncio.StreamWriter, headers: list[tuple[str, str]], chunked: bool) -> None:
    w.write(_head(200, "OK", [("Content-Type", _JSON)] + headers))
    payload = b'{"rspCode":"00000","dataBody":{"items":[' + _ITEM * (65536 // len(_ITEM))
    frame = f"{len(payload):x}\r\n".encode() + payload + b"\r\n" if chunked else payload
    sent = 0
    while sent < 4 * GB:  # stops when the client hangs up (drain raises) or after 4 GB
        w.write(frame)
        await w.drain()
        sent += len(payload)


@mode("huge-body", "a 200 JSON body streamed (chunked) without end, up to 4 GB")
async def _huge_body(c: Conn) -> None:
    await _endless_json(c.w, [("Transfer-Encoding", "chunked")], chunked=True)


@mode("huge-declared", "a 200 announcing Content-Length 4 GB and streaming it")
async def _huge_declared(c: Conn) -> None:
    await _endless_json(c.w, [("Content-Length", str(4 * GB))], chunked=False)


@mode("gzip-bomb", "a 260 KB gzip body that inflates to 256 MB")
async def _gzip_bomb(c: Conn) -> None:
    body = await asyncio.get_running_loop().run_in_executor(None, gzip_bomb)  # cached after the first
    await _send(c.w, 200, "OK", _JSON, body, [("Content-Encoding", "gzip")])


@mode("bad-gzip", "a body declared gzip that is not gzip")
async def _bad_gzip(c: Conn) -> None:
    await _send(c.w, 200, "OK", _JSON, b'{"rspCode":"00000"}', [("Content-Encoding", "gzip")])


@mode("slow-drip", "headers, then one body byte every 0.5 s")
async def _slow_drip(c: Conn) -> None:
    body = b'{"rspCode":"00000","dataBody":{"items":[' + _ITEM * 200 + b"]}}"
    c.w.write(_head(200, "OK", [("Content-Type", _JSON), ("Content-Length", str(len(body)))]))
    await c.w.drain()
    for index in range(len(body)):
        c.w.write(body[index:index + 1])
        await c.w.drain()
        await asyncio.sleep(0.5)


@mode("slow-headers", "the status line and headers one byte every 0.2 s")
async def _slow_headers(c: Conn) -> None:
    head = _head(200, "OK", [("Content-Type", _JSON), ("Content-Length", "2"), ("X-Padding", "p" * 400)])
    for index in range(len(head)):
        c.w.write(head[index:index + 1])
        await c.w.drain()
        await asyncio.sleep(0.2)
    c.w.write(b"{}")
    await c.w.drain()


@mode("stall", "headers, then nothing while the connection stays open")
async def _stall(c: Conn) -> None:
    c.w.write(_head(200, "OK", [("Content-Type", _JSON), ("Content-Length", "100")]))
    await c.w.drain()
    await _until_client_leaves(c.reader)


@mode("stall-before-headers", "reads the request, then sends nothing while the connection stays open")
async def _stall_before_headers(c: Conn) -> None:
    await _until_client_leaves(c.reader)


@mode("reset", "reads the request, then resets the connection (RST, SO_LINGER 0)")
async def _reset(c: Conn) -> None:
    sock = c.w.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.w.transport.abort()


@mode("redirect", "a 307 to another origin, whose listener records every header that reaches it")
async def _redirect(c: Conn) -> None:
    location = c.gw.redirect_url + c.req.path
    await _send(c.w, 307, "Temporary Redirect", "text/plain", b"moved", [("Location", location)])


@mode("invalid-utf8", "a 200 JSON body with bytes that are not UTF-8")
async def _invalid_utf8(c: Conn) -> None:
    await _send(c.w, 200, "OK", _JSON, b'{"rspCode":"00000","rspMsg":"\xff\xfe\xc3\x28 OK"}')


@mode("deep-nesting", "a 200 JSON body of 100,000 nested arrays")
async def _deep_nesting(c: Conn) -> None:
    await _send(c.w, 200, "OK", _JSON, b"[" * 100_000 + b"]" * 100_000)


@mode("nan-literals", "a 200 JSON-like body with NaN and Infinity literals")
async def _nan_literals(c: Conn) -> None:
    await _send(c.w, 200, "OK", _JSON, b'{"rspCode":"00000","amt":NaN,"qty":Infinity,"rate":-Infinity}')


@mode("duplicate-keys", "a 200 JSON body with the same key twice")
async def _duplicate_keys(c: Conn) -> None:
    await _send(c.w, 200, "OK", _JSON, b'{"rspCode":"00000","rspMsg":"OK","rspCode":"99999"}')


@mode("huge-headers", "a 200 with a single 1 MB header")
async def _huge_headers(c: Conn) -> None:
    await _send(c.w, 200, "OK", _JSON, b"{}", [("X-Padding", "h" * (1 << 20))])


@mode("big-headers", "a 200 with 80 KB of headers: under the HTTP parser's buffer, over the default limit")
async def _big_headers(c: Conn) -> None:
    await _send(c.w, 200, "OK", _JSON, b"{}", [(f"X-Padding-{i}", "h" * 1000) for i in range(80)])


@mode("bad-status-line", "an answer whose status line is not HTTP")
async def _bad_status_line(c: Conn) -> None:
    c.w.write(b"HTTP/1.1 two-hundred OK\r\nContent-Length: 2\r\n\r\n{}")
    await c.w.drain()


@mode("rate-limited", "always 429 with Retry-After: 1")
async def _rate_limited(c: Conn) -> None:
    await _send(c.w, 429, "Too Many Requests", _JSON, b'{"rspCode":"42900"}', [("Retry-After", "1")])


@mode("rate-limited-long", "always 429 with Retry-After: 3600")
async def _rate_limited_long(c: Conn) -> None:
    await _send(c.w, 429, "Too Many Requests", _JSON, b'{"rspCode":"42900"}', [("Retry-After", "3600")])


@mode("busy-then-ok", "503 with Retry-After: 0 for the first two requests, then the ok answer")
async def _busy_then_ok(c: Conn) -> None:
    if c.gw.counters.bump("busy-then-ok") <= 2:
        await _send(c.w, 503, "Service Unavailable", _JSON, b'{"rspCode":"50300"}', [("Retry-After", "0")])
    else:
        await _ok(c)


# --- the server ----------------------------------------------------------------------------------


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, _, rest = lines[0].partition(" ")
    path = rest.rpartition(" ")[0] or rest
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    body = await reader.readexactly(length) if length else b""
    return Request(method, path, headers, body)


def closed_port() -> int:
    """A loopback port that was free a moment ago, so connecting to it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class HostileGateway:
    """The broken gateway plus a second listener (the redirect target) in one background thread."""

    def __init__(self, mode: str = "ok", host: str = "127.0.0.1", port: int = 0,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; modes: {', '.join(MODES)}")
        self.mode = mode
        self.host = host
        self.port = port
        self.ssl_context = ssl_context
        self.redirect_hits: list[dict[str, str]] = []
        self.requests: list[tuple[str, str, str]] = []
        self.counters = _Counters()
        self.redirect_url = ""
        self.refused_url = f"http://127.0.0.1:{closed_port()}"
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stopped: asyncio.Future[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        scheme = "https" if self.ssl_context else "http"
        return f"{scheme}://{self.host}:{self.port}"

    def url_for(self, name: str) -> str:
        if name not in MODES:
            raise ValueError(f"unknown mode {name!r}")
        return f"{self.url}/mode/{name}"

    def mode_of(self, path: str) -> str:
        parts = path.split("?")[0].split("/")
        if len(parts) > 2 and parts[1] == "mode" and parts[2] in MODES:
            return parts[2]
        return self.mode

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            request = await _read_request(reader)
            if request is None:
                return
            name = self.mode_of(request.path)
            self.requests.append((name, request.method, request.path))
            await MODES[name][1](Conn(self, request, reader, writer))
        except (ConnectionError, OSError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # the client hung up or the gateway is stopping: nothing to tell anyone
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _handle_redirect_target(self, reader: asyncio.StreamReader,
                                      writer: asyncio.StreamWriter) -> None:
        try:
            request = await _read_request(reader)
            if request is not None:
                self.redirect_hits.append(request.headers)
                await _send(writer, 200, "OK", _JSON, b'{"rspCode":"00000","note":"you followed a redirect"}')
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _serve(self) -> None:
        self._stopped = asyncio.get_running_loop().create_future()
        server = await asyncio.start_server(self._handle, self.host, self.port, ssl=self.ssl_context)
        target = await asyncio.start_server(self._handle_redirect_target, self.host, 0)
        self.port = server.sockets[0].getsockname()[1]
        self.redirect_url = f"http://{self.host}:{target.sockets[0].getsockname()[1]}"
        warm = asyncio.get_running_loop().run_in_executor(None, gzip_bomb)  # ready before it is asked for
        self._ready.set()
        try:
            await self._stopped
        finally:
            await warm
            server.close()
            target.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await server.wait_closed()
            await target.wait_closed()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        except BaseException as exc:  # surfaced by start() so a test never hangs on a dead server
            self._error = exc
            self._ready.set()
        finally:
            loop.close()

    def start(self) -> HostileGateway:
        self._thread = threading.Thread(target=self._run, name="hostile-gateway", daemon=True)
        self._thread.start()
        if not self._ready.wait(10) or self._error is not None:
            raise RuntimeError(f"the hostile gateway did not start: {self._error!r}")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stopped is not None and self._thread is not None:
            stopped = self._stopped

            def finish() -> None:
                if not stopped.done():
                    stopped.set_result(None)

            self._loop.call_soon_threadsafe(finish)
            self._thread.join(10)

    def __enter__(self) -> HostileGateway:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mode", default="ok", choices=sorted(MODES))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--list", action="store_true", help="list the modes and exit")
    args = parser.parse_args(argv)
    if args.list:
        for name, (sentence, _) in MODES.items():
            print(f"{name:22} {sentence}")
        return 0
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with HostileGateway(args.mode, args.host, args.port) as gateway:
        print(f"READY {gateway.url}", flush=True)
        print(f"REDIRECT-TARGET {gateway.redirect_url}", flush=True)
        try:
            done.wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
