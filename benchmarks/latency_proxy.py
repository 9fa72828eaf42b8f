"""A loopback HTTP proxy that adds a fixed latency to every request: a test gateway's round trip.

    with LatencyProxy(upstream="http://127.0.0.1:8700", latency_s=0.15) as proxy:
        proxy.base_url      # point a profile's base_url here

Every request waits `latency_s` before it is forwarded (asyncio, so concurrent requests wait
together, as on a real network), then goes to `upstream` unchanged; the answer comes back with its
status, headers and raw bytes. `proxy.requests` counts what passed, `proxy.statuses` by status,
`proxy.arrivals` says when each request came in.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import Counter
from types import TracebackType
from typing import Any

import httpx
import uvicorn

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "host",
              "content-length", "proxy-connection"}


class LatencyProxy:
    def __init__(self, upstream: str, latency_s: float, host: str = "127.0.0.1") -> None:
        self.upstream = upstream.rstrip("/")
        self.latency_s = latency_s
        self.host = host
        self.port = 0
        self.requests = 0
        self.statuses: Counter[int] = Counter()
        self.arrivals: list[float] = []  # time.monotonic() of every request's arrival
        self._client: httpx.AsyncClient | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":  # the forwarding client lives and dies with the server's loop
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    self._client = httpx.AsyncClient(timeout=60, trust_env=False, follow_redirects=False)
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    if self._client is not None:
                        await self._client.aclose()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.arrivals.append(time.monotonic())
        await asyncio.sleep(self.latency_s)
        assert self._client is not None, "the proxy serves only once started"
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]
                   if k.decode("latin-1").lower() not in HOP_BY_HOP]
        target = scope["raw_path"].decode("latin-1") or scope["path"]
        if scope.get("query_string"):
            target += "?" + scope["query_string"].decode("latin-1")
        request = self._client.build_request(scope["method"], self.upstream + target, headers=headers,
                                             content=body)
        response = await self._client.send(request, stream=True)
        try:
            raw = b"".join([chunk async for chunk in response.aiter_raw()])
        finally:
            await response.aclose()
        self.requests += 1
        self.statuses[response.status_code] += 1
        out = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers.items()
               if k.lower() not in HOP_BY_HOP]
        out.append((b"content-length", str(len(raw)).encode()))
        await send({"type": "http.response.start", "status": response.status_code, "headers": out})
        await send({"type": "http.response.body", "body": raw})

    def start(self) -> LatencyProxy:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        self.port = sock.getsockname()[1]
        self._socket = sock
        config = uvicorn.Config(self, log_level="warning", lifespan="on", access_log=False,
                                timeout_graceful_shutdown=2)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        name=f"latency-proxy:{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the latency proxy did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None

    def __enter__(self) -> LatencyProxy:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
