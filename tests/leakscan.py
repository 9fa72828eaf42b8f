"""Grep every output byte for planted secrets and identifiers, in every encoding a writer or a broker
could have used. Written independently of `conformance.scrubber`, so the test does not grade the
scrubber with its own answers.

    python tests/leakscan.py PLANTED.json DIR [DIR ...]   # prints hits, exits 1 if any

Zip files are opened and every member is scanned; SQLite files are dumped (`iterdump`) and the dump
is scanned, since a page of a database may hold a value split across pages.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import sys
import urllib.parse
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path


def forms(value: str) -> set[bytes]:
    """The value as bytes: plain, `\\/`-escaped, JSON- and fully `\\u`-escaped, URL-encoded, base64
    (alone and at each of the three alignments inside a longer base64 text), and HTML-escaped."""
    out = {value, value.replace("/", "\\/"), json.dumps(value)[1:-1],
           "".join(f"\\u{ord(c):04x}" for c in value), "".join(f"\\u{ord(c):04X}" for c in value),
           urllib.parse.quote(value, safe=""), urllib.parse.quote_plus(value),
           urllib.parse.quote(value, safe="").lower(),
           value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")}
    raw = value.encode()
    for pad in range(3):
        encoded = base64.b64encode(b"\0" * pad + raw).decode()
        start = (pad * 4 + 2) // 3  # characters that still depend on the padding bytes
        end = len(encoded) - 4  # the last group depends on what follows
        core = encoded[start:end]
        if len(core) >= 8:
            out.add(core)
            out.add(core.replace("+", "-").replace("/", "_"))
    out.add(base64.b64encode(raw).decode())
    return {f.encode() for f in out if len(f) >= 6}


def blobs(paths: Iterable[Path]) -> Iterator[tuple[str, bytes]]:
    for root in paths:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            data = path.read_bytes()
            if data[:4] == b"PK\x03\x04":
                with zipfile.ZipFile(path) as archive:
                    for name in archive.namelist():
                        yield f"{path}:{name}", archive.read(name)
            elif data[:16] == b"SQLite format 3\x00":
                conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
                try:
                    yield f"{path}:dump", "\n".join(conn.iterdump()).encode()
                finally:
                    conn.close()
                yield str(path), data
            else:
                yield str(path), data


def scan(planted: dict[str, str], paths: Iterable[Path],
         extra: Iterable[tuple[str, bytes]] = ()) -> tuple[int, list[tuple[str, str, int]]]:
    """(blobs scanned, [(where, planted name, count)]) over files, zip members, dumps and `extra`."""
    table = {name: forms(value) for name, value in planted.items()}
    scanned, hits = 0, []
    for where, data in [*blobs(paths), *extra]:
        if ":contract/" in where:  # the contract's own sample values, byte for byte
            continue
        scanned += 1
        for name, needles in table.items():
            count = sum(data.count(n) for n in needles)
            if count:
                hits.append((where, name, count))
    return scanned, hits


def main(argv: list[str]) -> int:
    planted = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    scanned, hits = scan(planted, [Path(p) for p in argv[1:]])
    for where, name, count in hits:
        print(f"{count}\t{name}\t{where}")
    print(f"{scanned} files scanned, {sum(c for _, _, c in hits)} hits")
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
