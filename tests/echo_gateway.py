"""An echoing gateway: it sends back whatever credentials and identifiers it receives, in every
encoding a careless broker could use, so the leak test can prove that none of it reaches an output.

Each request is answered in the next mode of `MODES` (round robin), so one run meets all of them:

- body:        200 JSON that quotes the request headers and body, written the PHP way (`\\/`)
- headers:     200 whose response headers repeat Authorization / apikey / the request body
- error:       401 with an rspMsg that names the token, the account number and the CI
- escaped:     200 JSON whose echoed strings are `\\u`-escaped character by character
- base64:      200 JSON carrying base64 of the request headers and body
- urlencoded:  200 JSON carrying the headers and body URL-encoded
- bad-header:  a response header line without a colon that holds the token (a transport error
               whose text quotes the raw bytes)
- retry-after: 429 whose Retry-After is the token (the harness notes the value it did not honour)

Every JSON answer also carries identifiers the broker invents: a CI-like 88-character base64 value
under an unusual key and an account number under `settleAccNo`.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODES = ("body", "headers", "error", "escaped", "base64", "urlencoded", "bad-header", "retry-after")
INVENTED_CI = "A1b2" * 20 + "Q+/wXy=="  # 88 characters, the shape of a CI
INVENTED_ACCOUNT = "55512345678901"


def _u_escape(text: str) -> str:
    return "".join(f"\\u{ord(ch):04x}" for ch in text)


class EchoGateway:
    """`with EchoGateway() as gw: gw.url` — a loopback server; `gw.hits` counts answers per mode."""

    def __init__(self) -> None:
        self._cycle = itertools.cycle(MODES)
        self._lock = threading.Lock()
        self.hits: dict[str, int] = {}
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                return

            def _any(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                gateway._answer(self, body)

            do_GET = do_POST = do_PUT = do_DELETE = _any  # noqa: N815

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _next_mode(self) -> str:
        with self._lock:
            mode = next(self._cycle)
            self.hits[mode] = self.hits.get(mode, 0) + 1
            return mode

    def _answer(self, h: BaseHTTPRequestHandler, body: bytes) -> None:
        mode = self._next_mode()
        headers = {k: v for k, v in h.headers.items()}
        auth = headers.get("Authorization") or headers.get("authorization") or ""
        token = auth.split(" ", 1)[-1]
        apikey = headers.get("apikey", "")
        text = body.decode("utf-8", "replace")
        echo: dict[str, Any] = {"headers": headers, "body": text}
        extra: list[tuple[str, str]] = []
        status, payload = 200, b""
        if mode == "escaped":
            raw = json.dumps({"rspCode": "00000", "rspMsg": "OK", "settleAccNo": INVENTED_ACCOUNT,
                              "partyRef": INVENTED_CI, "dataBody": {}})
            echoed = ",".join(f'"{_u_escape(k)}":"{_u_escape(str(v))}"' for k, v in headers.items())
            payload = (raw[:-1] + f',"echo":{{{echoed}}},"echoBody":"{_u_escape(text)}"}}').encode()
        else:
            doc: dict[str, Any] = {"rspCode": "00000", "rspMsg": "OK", "settleAccNo": INVENTED_ACCOUNT,
                                   "partyRef": INVENTED_CI, "dataBody": {}}
            if mode == "body":
                doc["echo"] = echo
            elif mode == "headers":
                extra = [("X-Echo-Authorization", auth), ("X-Echo-Apikey", apikey),
                         ("X-Echo-Body", urllib.parse.quote(text, safe=""))]
            elif mode == "error":
                status = 401
                doc = {"rspCode": "40100", "rspMsg": f"invalid token {token} / apikey {apikey} for {text}"}
            elif mode == "base64":
                doc["trace"] = base64.b64encode(json.dumps(echo).encode()).decode()
                doc["auth64"] = base64.b64encode(auth.encode()).decode()
            elif mode == "urlencoded":
                doc["next"] = "/v1/next?" + urllib.parse.urlencode({"auth": auth, "apikey": apikey, "q": text})
            elif mode == "bad-header":
                h.wfile.write(f"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Bad {token} {apikey}\r\n\r\n{{}}"
                              .encode("utf-8", "replace"))
                h.close_connection = True
                return
            elif mode == "retry-after":
                status = 429
                extra = [("Retry-After", token or apikey or "later")]
                doc = {"rspCode": "42900", "rspMsg": f"slow down, {token}"}
            payload = json.dumps(doc, ensure_ascii=False).replace("/", "\\/").encode("utf-8")
        h.send_response(status)
        h.send_header("Content-Type", "application/json; charset=UTF-8")
        h.send_header("Content-Length", str(len(payload)))
        h.send_header("Connection", "close")
        for name, value in extra:
            h.send_header(name, value.encode("utf-8", "replace").decode("latin-1"))
        h.end_headers()
        h.wfile.write(payload)
        h.close_connection = True

    def __enter__(self) -> EchoGateway:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
