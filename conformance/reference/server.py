"""Serving a reference broker over real HTTP: an in-process runner (`ReferenceServer`) and the
`conformance serve-reference` command.

uvicorn runs in a background thread on a socket bound here (port 0 = a free port, known before the
server starts); signals stay with the main thread, so the command exits 0 on SIGINT and SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from types import TracebackType

import uvicorn

from conformance import clock
from conformance.outcomes import EXIT_OK, EXIT_USAGE
from conformance.reference.app import create_app
from conformance.reference.brokers import BROKER_NAMES
from conformance.reference.faults import FAULTS, catalogue_lines


class ReferenceServer:
    """`with ReferenceServer(broker="diamond", faults=[...]) as srv: srv.base_url` — a live broker."""

    def __init__(self, broker: str = "diamond", faults: Iterable[str] = (), null_forms: str | None = None,
                 rate_limit: float | None = None, host: str = "127.0.0.1", port: int = 0,
                 start_timeout_s: float = 10.0, window: str = "open", prices: str = "fixed",
                 now: Callable[[], datetime] = clock.now) -> None:
        # fails early on bad names
        self.app = create_app(broker, faults, null_forms, rate_limit, window, prices, now)
        self.host, self.port = host, port
        self.start_timeout_s = start_timeout_s
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> ReferenceServer:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # IPPROTO_TCP explicitly: asyncio then sets TCP_NODELAY on accepted connections, without
        # which every response waits ~40 ms for a delayed ACK (Nagle).
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        self._socket = sock
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off", access_log=False,
                                timeout_graceful_shutdown=2)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        name=f"reference-broker:{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + self.start_timeout_s
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the reference broker did not start on {self.base_url}")
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

    def __enter__(self) -> ReferenceServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def serve_command(args: argparse.Namespace) -> int:
    """`conformance serve-reference`: print `READY http://HOST:PORT` once serving; run until a signal."""
    if args.list_faults:
        for line in catalogue_lines(getattr(args, "lang", "en")):
            print(line)
        return EXIT_OK
    if args.broker.lower() not in BROKER_NAMES:
        print(f"conformance: unknown broker {args.broker!r} (choose from {', '.join(BROKER_NAMES)})",
              file=sys.stderr)
        return EXIT_USAGE
    unknown = [name for name in args.fault if name not in FAULTS]
    if unknown:
        print(f"conformance: unknown fault {unknown[0]!r} (see --list-faults)", file=sys.stderr)
        return EXIT_USAGE
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server = ReferenceServer(args.broker.lower(), args.fault, args.null_forms, args.rate_limit,
                                 host=args.host, port=args.port, window=args.window, prices=args.prices)
        try:
            server.start()
        except OSError as exc:
            print(f"conformance: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
                  file=sys.stderr)
            return EXIT_USAGE
        print(f"READY {server.base_url}", flush=True)
        try:
            while not stop.wait(0.5):
                pass
        finally:
            server.stop()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return EXIT_OK
