"""Test helper: a HAR capture from a run's recorded exchanges (out/exchanges/*.jsonl), as a browser
or mitmproxy would have written it, with the profile's real credentials put back into the request
headers the record had redacted (a capture carries them), and options for the HAR variants real
captures hold (base64 bodies, other hosts, shuffled order, missing request bodies)."""

from __future__ import annotations

import base64
import json
import random
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

REDACTED = "[redacted]"


def recorded(out: Path) -> list[dict[str, Any]]:
    exchanges: list[dict[str, Any]] = []
    for file in sorted((out / "exchanges").glob("*.jsonl")):
        exchanges += [json.loads(line) for line in file.read_text(encoding="utf-8").split("\n") if line]
    return exchanges


def _headers(headers: dict[str, str], credentials: dict[str, str]) -> list[dict[str, str]]:
    return [{"name": name, "value": credentials.get(name.lower(), value) if value == REDACTED else value}
            for name, value in headers.items()]


# the record cuts a long body (Exchange.to_evidence): "\n… (N more characters)" ends it
_CUT = re.compile(r"\n… \((\d+) more characters\)\Z")


def entry(exchange: dict[str, Any], credentials: dict[str, str], *, base64_body: bool = False,
          drop_request_body: bool = False) -> dict[str, Any]:
    request, response = exchange["request"], exchange["response"]
    body = response["body"]
    size = len(body.encode("utf-8"))
    cut = _CUT.search(body)
    if cut:  # a body the record cut is captured as a capture tool cuts it: the text short of its size
        body = body[:cut.start()]
        size = len(body.encode("utf-8")) + int(cut.group(1))
    content: dict[str, Any] = {"size": size, "mimeType": response["headers"].get("content-type", "")}
    if base64_body:
        content.update(text=base64.b64encode(body.encode("utf-8")).decode(), encoding="base64")
    else:
        content["text"] = body
    har_request: dict[str, Any] = {"method": request["method"], "url": request["url"], "httpVersion": "HTTP/1.1",
                                   "headers": _headers(request["headers"], credentials), "cookies": [],
                                   "queryString": [], "headersSize": -1, "bodySize": len(request["body"])}
    if request["body"] and not drop_request_body:
        har_request["postData"] = {"mimeType": "application/json", "text": request["body"]}
    return {
        "startedDateTime": exchange.get("asked_at") or "2026-12-02T08:00:00+00:00",
        "time": exchange.get("elapsed_ms", 0),
        "request": har_request,
        "response": {"status": response["status"] or 0, "statusText": "", "httpVersion": "HTTP/1.1",
                     "headers": [{"name": k, "value": v} for k, v in response["headers"].items()],
                     "cookies": [], "content": content, "redirectURL": "", "headersSize": -1,
                     "bodySize": content["size"]},
        "cache": {}, "timings": {"send": 0, "wait": 0, "receive": 0},
    }


def write_har(path: Path, entries: Iterable[dict[str, Any]]) -> Path:
    har = {"log": {"version": "1.2", "creator": {"name": "koscom-conformance tests", "version": "1"},
                   "pages": [], "entries": list(entries)}}
    path.write_text(json.dumps(har, ensure_ascii=False), encoding="utf-8")
    return path


def har_from_run(out: Path, path: Path, credentials: dict[str, str], *, shuffle: int | None = None,
                 base64_every: int = 0, other_hosts: int = 0) -> Path:
    """The run's exchanges as a HAR (every `base64_every`-th body base64; `other_hosts` foreign entries)."""
    entries = [entry(e, credentials, base64_body=bool(base64_every) and i % base64_every == 0)
               for i, e in enumerate(recorded(out))]
    for i in range(other_hosts):
        foreign = dict(entries[i % len(entries)])
        foreign["request"] = {**foreign["request"],
                              "url": f"https://cdn.example.net/v1/diamond/account/balance/search?n={i}"}
        foreign["response"] = {**foreign["response"], "content": {"size": 4, "text": "junk", "mimeType": "text/html"}}
        entries.append(foreign)
    if shuffle is not None:
        random.Random(shuffle).shuffle(entries)
    return write_har(path, entries)
