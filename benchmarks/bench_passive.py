"""Benchmark: `conformance judge --har` on a generated capture of ~30 MB, peak memory against file size.

    python benchmarks/bench_passive.py [--megabytes 30] [--keep DIR]

The capture is built from real answers of the reference broker diamond (each API's plain question,
and the benchmark account's 12,000-line balance), repeated with new request ids until the file has
the size asked for, in shuffled order, with a few foreign hosts' entries and base64 bodies mixed in.
It is judged in-process under tracemalloc (Python allocations; the C parser's buffers are small).
Prints entries, file size, peak traced memory and its ratio to the file size, and the wall time.

Measured on the shared 2-core development machine (the largest body: the 12,000-line balance, 2.6 MB):
    --megabytes 30: 30.4 MB, 120 entries: peak traced memory 30.4 MB (1.00 x the file), 27.9 s
    --megabytes 60: 60.7 MB, 240 entries: peak traced memory 33.3 MB (0.55 x the file), 55.4 s
    The peak follows the largest entry (about 13 x its body: the lenient and the contract parse of
    12,000 items), not the file: twice the file, the same peak.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from conformance.client import Client  # noqa: E402
from conformance.contract import API_IDS, get_api  # noqa: E402
from conformance.passive.command import judge_har  # noqa: E402
from conformance.profile import load_profile  # noqa: E402
from conformance.reference.server import ReferenceServer  # noqa: E402
from tests.har import entry, write_har  # noqa: E402
from tests.runs import profile_for  # noqa: E402

CREDENTIALS = {"authorization": "Bearer diamond-token", "apikey": "diamond-member-key"}


def sample_entries(folder: Path) -> tuple[list[dict[str, Any]], Path]:
    """One HAR entry per API's plain question (and the large account's balance), from the broker."""
    with ReferenceServer(broker="diamond") as server:
        profile_path = profile_for("diamond", server.base_url, folder)
        profile = load_profile(profile_path)
        client = Client(profile)
        for api in API_IDS:
            family = get_api(api).family
            kwargs: dict[str, Any] = {}
            if family == "account":
                kwargs["account"] = profile.regular_accounts[0]
            elif family == "b2b":
                kwargs["b2b"] = profile.b2b_accounts[0]
            client.call(api, purpose=f"{api} plain", **kwargs)
        large = [a for a in profile.accounts if a.large]
        if large:
            client.call("balance", purpose="balance large", account=large[0])
        client.close()
        return [entry(e.to_evidence(max_body_chars=50_000_000), CREDENTIALS) for e in client.exchanges], profile_path


def build_har(path: Path, samples: list[dict[str, Any]], megabytes: int) -> int:
    sizes = [len(json.dumps(s, ensure_ascii=False).encode()) for s in samples]
    entries: list[dict[str, Any]] = []
    total, n = 0, 0
    rng = random.Random(15)
    while total < megabytes * 1_000_000:
        index = n % len(samples)
        item = json.loads(json.dumps(samples[index]))
        body = item["request"].get("postData", {}).get("text", "")
        item["request"]["postData"] = {"mimeType": "application/json", "text": body.replace("KC", f"KD{n:06d}", 1)}
        if n % 7 == 0:
            item["request"]["url"] = item["request"]["url"].replace("127.0.0.1", "cdn.example.net")
        entries.append(item)
        total += sizes[index]
        n += 1
    rng.shuffle(entries)
    write_har(path, entries)
    return len(entries)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=30)
    parser.add_argument("--keep", default=None, help="keep the HAR in this folder")
    args = parser.parse_args(argv)
    folder = Path(args.keep or tempfile.mkdtemp(prefix="bench-passive-"))
    folder.mkdir(parents=True, exist_ok=True)
    samples, profile_path = sample_entries(folder)
    largest = max(len(s["response"]["content"]["text"].encode()) for s in samples)
    har = folder / "capture.har"
    count = build_har(har, samples, args.megabytes)
    del samples
    size = har.stat().st_size
    profile = load_profile(profile_path)
    tracemalloc.start()
    started = time.monotonic()
    results = judge_har(str(har), profile, str(profile_path))
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"entries: {count:,} ({results['passive']['judged']:,} judged, {results['passive']['ignored']:,} ignored)")
    print(f"file: {size / 1e6:.1f} MB; peak traced memory: {peak / 1e6:.1f} MB = {peak / size:.2f} x the file size")
    print(f"largest body: {largest / 1e6:.1f} MB; peak = {peak / largest:.1f} x the largest body "
          "(one entry and its parses at a time)")
    print(f"verdict: {'compliant' if results['summary']['compliant'] else 'NOT compliant'}; time {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
