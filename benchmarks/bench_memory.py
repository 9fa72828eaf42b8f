"""Benchmark: peak memory of one `conformance run` whose gateway answers every request with a 20 MB
JSON body (many small records, the costly shape to parse), against the run's body budget.

    python benchmarks/bench_memory.py [--megabytes 20] [--area schema ...] [--keep DIR]

Prints the number of exchanges, the bytes the gateway sent, the peak RSS of the largest process
of the run (the pytest process that holds the exchanges; getrusage RUSAGE_CHILDREN) and the wall time.

Measured on the shared 2-core development machine, `--area schema` (25 exchanges of 20 MB, 88 checks):
    before the body budget: peak RSS 4,286 MB, 124 s
    after (256 MB of bodies in memory, parse caches for 64 MB of bodies): peak RSS 2,328 MB, 338 s
    (parse caches for 160 MB of bodies: 2,662 MB, 391 s). The remaining peak is one body's parse:
    the lenient JSON and the contract parser's document of 20 MB of small records; the slower wall
    time is the re-parsing of released caches (and a loaded machine).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
_ITEM = b'{"isinCode":"KR7005930003","isinName":"SAMSUNG","qty":"10","bookAmt":"700000"},'


def big_body(megabytes: int) -> bytes:
    head, tail = b'{"rspCode":"00000","rspMsg":"OK","dataBody":{"items":[', b'{"qty":"1"}]}}'
    count = (megabytes * 1_000_000 - len(head) - len(tail)) // len(_ITEM)
    return head + _ITEM * count + tail


class _Gateway:
    def __init__(self, body: bytes) -> None:
        self.sent = 0
        self.requests = 0
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                return

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length") or 0)
                self.rfile.read(length)
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                gateway.sent += len(body)
                gateway.requests += 1

            do_GET = do_POST  # noqa: N815

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=20)
    parser.add_argument("--area", action="append", default=[])
    parser.add_argument("--keep", default=None, help="keep the run's output in this folder")
    args = parser.parse_args(argv)
    gateway = _Gateway(big_body(args.megabytes))
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-memory-"))
    work.mkdir(parents=True, exist_ok=True)
    data = yaml.safe_load((REPO / "profiles" / "diamond.yaml").read_text(encoding="utf-8"))
    data["base_url"] = gateway.url
    data["limits"] = {"timeout_s": 30, "max_response_bytes": args.megabytes * 1_000_000 + 1000,
                      "requests_per_second": None}
    profile = work / "bench.yaml"
    profile.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    cmd = [sys.executable, "-m", "conformance", "run", "--profile", str(profile), "--out", str(work / "out"),
           "--quiet"]
    for area in args.area:
        cmd += ["--area", area]
    started = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    results = work / "out" / "results.json"
    summary = json.loads(results.read_text(encoding="utf-8"))["summary"] if results.is_file() else {}
    print(f"{gateway.requests} exchanges of {args.megabytes} MB ({gateway.sent / 1e9:.1f} GB sent); "
          f"peak RSS {peak_mb:,.0f} MB; {wall:.1f} s; exit {proc.returncode}; "
          f"{summary.get('checks', '?')} checks")
    if proc.returncode not in (0, 1):
        print(proc.stderr[-2000:], file=sys.stderr)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
