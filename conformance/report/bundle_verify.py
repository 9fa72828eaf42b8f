"""Verifying an evidence bundle an auditor received: bounded, path-safe, and signature-aware.

A bundle may come from anyone, so reading it must cost little whatever it holds:
- members are streamed through SHA-256 in chunks, never read whole; each member's inflated size is
  capped, so is the archive's total and its compression ratio (a zip bomb is refused as soon as it
  inflates past a cap, holding at most one chunk in memory);
- a member name must be a plain relative path (no `..`, no leading `/`, no backslash, no drive, no
  control character) and no member may be a symlink, so unpacking the bundle cannot write outside
  the folder it is unpacked into (zip-slip);
- the manifest's signature (`MANIFEST.sig`, conformance.signing) is checked when present; with a
  trusted public key an unsigned or foreign-signed bundle fails.
"""

from __future__ import annotations

import hashlib
import re
import stat
import zipfile
import zlib
from pathlib import Path
from typing import IO

from conformance import signing

MAX_MEMBERS = 20_000
MAX_MEMBER_BYTES = 512 * 1024 * 1024
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
MAX_MANIFEST_BYTES = 4 * 1024 * 1024
MAX_RATIO = 200  # inflated / compressed, checked once a member passes RATIO_FLOOR
RATIO_FLOOR = 8 * 1024 * 1024
CHUNK = 1 << 16
_UNSAFE = re.compile(r"(^/)|(^[A-Za-z]:)|\\|[\x00-\x1f\x7f]|(^|/)\.\.?(/|$)|//")


class BundleProblem(Exception):
    """What is wrong with a bundle, as one sentence."""


def unsafe_name(name: str) -> bool:
    return not name or bool(_UNSAFE.search(name)) or name.endswith("/")


def _digest(stream: IO[bytes], info: zipfile.ZipInfo, budget: list[int]) -> str:
    """SHA-256 of one member, streamed, within the member, total and ratio caps."""
    sha = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        budget[0] -= len(chunk)
        if size > MAX_MEMBER_BYTES:
            raise BundleProblem(f"{info.filename}: inflates past {MAX_MEMBER_BYTES // (1 << 20)} MB (refused)")
        if budget[0] < 0:
            raise BundleProblem(f"the members inflate past {MAX_TOTAL_BYTES // (1 << 30)} GB in total (refused)")
        if size > RATIO_FLOOR and size > MAX_RATIO * max(info.compress_size, 1):
            raise BundleProblem(f"{info.filename}: compression ratio above {MAX_RATIO}:1 (a zip bomb; refused)")
        sha.update(chunk)
    return sha.hexdigest()


def _read_small(archive: zipfile.ZipFile, name: str, cap: int) -> bytes:
    with archive.open(name) as stream:
        data = stream.read(cap + 1)
    if len(data) > cap:
        raise BundleProblem(f"{name} is larger than {cap // (1 << 20)} MB")
    return data


def check_members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise BundleProblem(f"more than {MAX_MEMBERS} members")
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise BundleProblem("a member name occurs twice in the archive")
    for info in infos:
        if unsafe_name(info.filename):
            raise BundleProblem(f"unsafe member name {info.filename!r} (it would unpack outside the folder)")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise BundleProblem(f"{info.filename} is a symlink")
    return infos


def verify(path: Path, manifest_name: str, comment_prefix: str, parse_manifest: object,
           trusted_key: Path | None = None) -> tuple[bool, str]:
    """(True, "intact, …") or (False, what is wrong)."""
    trusted = signing.load_public_key(trusted_key) if trusted_key is not None else None
    try:
        with zipfile.ZipFile(path) as archive:
            infos = check_members(archive)
            names = {i.filename for i in infos}
            if manifest_name not in names:
                return False, f"{manifest_name} is missing"
            manifest = _read_small(archive, manifest_name, MAX_MANIFEST_BYTES)
            recorded = archive.comment.decode("ascii", "replace")
            if not recorded.startswith(comment_prefix):
                return False, "the archive comment carries no manifest hash"
            if recorded.removeprefix(comment_prefix) != hashlib.sha256(manifest).hexdigest():
                return False, f"{manifest_name} does not match the manifest hash in the archive comment"
            entries = parse_manifest(manifest.decode("utf-8", "replace"))  # type: ignore[operator]
            if isinstance(entries, str):
                return False, entries
            extra = sorted(names - set(entries) - {manifest_name, signing.SIGNATURE})
            if extra:
                return False, f"member(s) not in the manifest: {', '.join(extra)}"
            missing = sorted(set(entries) - names)
            if missing:
                return False, f"member(s) missing: {', '.join(missing)}"
            budget = [MAX_TOTAL_BYTES]
            by_name = {i.filename: i for i in infos}
            for name, digest in entries.items():
                with archive.open(by_name[name]) as stream:
                    if _digest(stream, by_name[name], budget) != digest:
                        return False, f"{name}: SHA-256 differs from the manifest"
            if signing.SIGNATURE not in names:
                if trusted is not None:
                    return False, "unsigned: the bundle carries no signature to check against the key"
                return True, "intact, unsigned"
            ok, sentence = signing.check_signature(manifest, _read_small(archive, signing.SIGNATURE, 65536),
                                                   trusted)
            return ok, f"intact, {sentence}" if ok else sentence
    except BundleProblem as problem:
        return False, str(problem)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, KeyError, NotImplementedError,
            RuntimeError) as exc:
        return False, f"damaged archive: {' '.join(str(exc).split()) or type(exc).__name__}"
