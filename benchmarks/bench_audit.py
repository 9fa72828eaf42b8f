"""Benchmark: a 12-broker fleet audited with 1 and then 2 workers (--workers); prints both wall
times and the speed-up.

    python benchmarks/bench_audit.py [--brokers 12] [--rps 10] [--area schema --area echo ...] [--keep DIR]

The fleet: three reference brokers (diamond, cyber, star) served from three local processes, each
listening on one loopback port per broker it plays, so every broker has a gateway origin of its
own as in real life (the client's politeness limit is per origin). A broker's profile is the
bundled one with its own short name (`diamond01`, ...), its port, and `requests_per_second` set to
--rps: 10 by default, the limit of a profile that says nothing, i.e. what a real gateway expects
of a client, so each run mostly waits on the gateway as it does in production. --rps 0 removes
the limit: on loopback each run is then CPU-bound (client and reference broker share this
machine's two cores), which measures the cores, not the overlap of waiting brokers.

Measured on the 2-core development machine, otherwise idle (areas schema, echo):
    --rps 10 (default): 1 worker 39.9 s, 2 workers 21.0 s, speed-up 1.90x
    --rps 0:            1 worker 13.6 s, 2 workers  7.4 s, speed-up 1.84x
Other load on the machine eats into the second worker's core first: with a test suite running
beside it, --rps 0 fell to 1.0x.

With --serve the script is one of those server processes (used by the benchmark itself).
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
BROKERS = ("diamond", "cyber", "star")
DEFAULT_AREAS = ("schema", "echo")


class Aliases:
    """ASGI wrapper: `/v1/<alias>/...` reaches the reference broker as `/v1/<broker>/...`, so one
    virtual broker can play several fleet members (the reference broker answers its own short name)."""

    def __init__(self, app: Any, aliases: set[str], real: str) -> None:
        self.app, self.aliases, self.real = app, aliases, real

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            parts = scope["path"].split("/", 3)
            if len(parts) > 2 and parts[1] == "v1" and parts[2] in self.aliases:
                path = "/".join(["", "v1", self.real, *parts[3:]])
                scope = {**scope, "path": path, "raw_path": path.encode("ascii")}
        await self.app(scope, receive, send)


def serve(broker: str, aliases: list[str]) -> None:
    """Serve `broker` on one free loopback port per alias; print `READY alias=url ...`."""
    import uvicorn

    from conformance.reference.app import create_app

    sockets = []
    for _ in aliases:
        # IPPROTO_TCP explicitly, as ReferenceServer does: asyncio then sets TCP_NODELAY on accepted
        # connections, without which every response waits ~40 ms for a delayed ACK.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sockets.append(sock)
    app = Aliases(create_app(broker, [], None, None), set(aliases), broker)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": sockets}, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise SystemExit(f"{broker}: the server did not start")
        time.sleep(0.01)
    urls = [
        f"{alias}=http://127.0.0.1:{sock.getsockname()[1]}"
        for alias, sock in zip(aliases, sockets, strict=True)
    ]
    print("READY " + " ".join(urls), flush=True)
    try:
        sys.stdin.read()  # until the benchmark closes our stdin
    finally:
        server.should_exit = True
        thread.join(10)


def start_servers(count: int) -> tuple[list[subprocess.Popen[str]], dict[str, tuple[str, str]]]:
    """Start the servers for `count` brokers; returns them and alias -> (broker, url)."""
    plan: dict[str, list[str]] = {b: [] for b in BROKERS}
    for i in range(count):
        broker = BROKERS[i % len(BROKERS)]
        plan[broker].append(f"{broker}{i + 1:02d}")
    procs, fleet = [], {}
    for broker, aliases in plan.items():
        if not aliases:
            continue
        proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", broker, "--aliases", ",".join(aliases)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        procs.append(proc)
        line = proc.stdout.readline() if proc.stdout else ""
        if not line.startswith("READY "):
            raise SystemExit(f"the {broker} server did not start")
        for item in line.split()[1:]:
            alias, url = item.split("=", 1)
            fleet[alias] = (broker, url)
    return procs, fleet


def write_profiles(folder: Path, fleet: dict[str, tuple[str, str]], rps: float) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for alias, (broker, url) in fleet.items():
        data = yaml.safe_load((REPO / "profiles" / f"{broker}.yaml").read_text(encoding="utf-8"))
        data["broker"]["short_name"] = alias
        data["broker"]["name"] = f"{data['broker']['name']} {alias[-2:]}"
        data["base_url"] = url
        data.setdefault("limits", {})["requests_per_second"] = rps or None
        (folder / f"{alias}.yaml").write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )


def audit(profiles: Path, out: Path, workers: int, areas: list[str]) -> tuple[float, dict[str, Any]]:
    cmd = [
        sys.executable,
        "-m",
        "conformance",
        "audit",
        "--profiles",
        str(profiles),
        "--out",
        str(out),
        "--history",
        str(out.with_suffix(".sqlite")),
        "--workers",
        str(workers),
    ]
    for area in areas:
        cmd += ["--area", area]
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    summary_file = out / "summary.json"
    if not summary_file.is_file():
        raise SystemExit(f"the audit with {workers} worker(s) failed: {proc.stderr.strip()}")
    return wall, json.loads(summary_file.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brokers", type=int, default=12)
    parser.add_argument(
        "--rps", type=float, default=10.0, help="each broker's requests_per_second (0 = none)"
    )
    parser.add_argument(
        "--area", action="append", default=[], help=f"rule areas (default: {' '.join(DEFAULT_AREAS)})"
    )
    parser.add_argument("--keep", default=None, help="keep the profiles and audit outputs in this folder")
    parser.add_argument("--serve", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--aliases", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.aliases.split(","))
        return 0
    areas = args.area or list(DEFAULT_AREAS)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-audit-"))
    procs, fleet = start_servers(args.brokers)
    try:
        write_profiles(work / "profiles", fleet, args.rps)
        print(
            f"fleet: {len(fleet)} brokers on {len(procs)} servers, areas {', '.join(areas)}, "
            f"requests_per_second {args.rps or 'unlimited'}",
            flush=True,
        )
        walls = {}
        for workers in (1, 2):
            wall, doc = audit(work / "profiles", work / f"audit-{workers}w", workers, areas)
            walls[workers] = wall
            runs = [b["duration_s"] for b in doc["brokers"] if b["duration_s"] is not None]
            print(
                f"{workers} worker{'s' if workers > 1 else ' '}: {wall:6.1f} s wall   "
                f"{doc['totals']['compliant']}/{doc['totals']['brokers']} compliant, "
                f"mean broker run {sum(runs) / max(len(runs), 1):.1f} s",
                flush=True,
            )
        print(f"speed-up 1 -> 2 workers: {walls[1] / walls[2]:.2f}x (target >= 1.8x)")
    finally:
        for proc in procs:
            if proc.stdin:
                proc.stdin.close()
            proc.wait(20)
            if proc.stdout:
                proc.stdout.close()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
