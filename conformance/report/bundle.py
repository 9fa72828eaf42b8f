"""evidence.zip: the complete, tamper-evident record of one run, for an onboarding file or an audit.

Members:
  results.json        the verdicts (as written by the run)
  exchanges.json      every recorded exchange (Exchange.to_evidence() form)
  profile.json        the broker profile, credentials removed and account numbers / CIs masked
  contract/...        the contract files the run judged against (schemas/), byte for byte
  contract/VERSION.json  each contract file's SHA-256 and one hash over all of them
  MANIFEST.sha256     `sha256  name` for every member above (sha256sum format)
  MANIFEST.sig        optional: an Ed25519 signature of the manifest (`--sign-key`, conformance.signing)
The zip comment carries the manifest's own SHA-256; `verify_bundle` (report/bundle_verify.py, bounded
and path-safe) checks it, every member's hash, that no member was added or removed, and the
signature. The audit history records each bundle's manifest hash; a signature by the auditor's key
is what tells a bundle rebuilt from scratch from the real one.
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

from conformance import outputs, signing
from conformance.outcomes import EXIT_FAIL, EXIT_OK, EXIT_USAGE
from conformance.paths import schemas_dir
from conformance.redact import REDACTED, mask_data, scrub, scrub_data

MANIFEST = "MANIFEST.sha256"
COMMENT_PREFIX = "manifest-sha256="
CONTRACT_DIR = "contract/"
CONTRACT_SUFFIXES = (".yaml", ".yml", ".json")
_FIXED_TIME = (2000, 1, 1, 0, 0, 0)  # member timestamps: same inputs, same bytes


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=1, sort_keys=False) + "\n").encode("utf-8")


def safe_profile(profile: dict[str, Any]) -> dict[str, Any]:
    """The profile without credentials: every value under `auth` replaced (key names kept, so a reader
    sees which schemes were configured), registered secrets scrubbed, account numbers and CIs masked."""
    clean = {key: value for key, value in profile.items() if key != "auth"}
    auth = profile.get("auth")
    if isinstance(auth, dict):
        clean["auth"] = {str(key): REDACTED for key in auth}
    elif auth is not None:
        clean["auth"] = REDACTED
    return mask_data(scrub_data(clean))  # type: ignore[no-any-return]


def collect_contract_files(root: Path | None = None) -> dict[str, bytes]:
    """The contract as judged: every .yaml/.json file under schemas/, by relative path."""
    base = Path(root) if root is not None else schemas_dir()
    return {path.relative_to(base).as_posix(): path.read_bytes()
            for path in sorted(base.rglob("*")) if path.is_file() and path.suffix in CONTRACT_SUFFIXES}


def contract_version(contract_files: dict[str, bytes]) -> dict[str, Any]:
    """Each file's SHA-256 and one hash over the sorted `hash  name` lines."""
    files = {name: _sha256(data) for name, data in sorted(contract_files.items())}
    joined = "".join(f"{digest}  {name}\n" for name, digest in files.items()).encode("utf-8")
    return {"contract_sha256": _sha256(joined), "files": files}


def _members(results: dict[str, Any], exchanges: list[dict[str, Any]], profile: dict[str, Any],
             contract_files: dict[str, bytes]) -> dict[str, bytes]:
    members = {
        "results.json": _json_bytes(scrub_data(results)),
        "exchanges.json": _json_bytes(scrub_data(exchanges)),
        "profile.json": _json_bytes(safe_profile(profile)),
    }
    for name, data in sorted(contract_files.items()):
        members[CONTRACT_DIR + name.lstrip("/")] = data
    members[CONTRACT_DIR + "VERSION.json"] = _json_bytes(contract_version(contract_files))
    return members


def write_bundle(out_dir: Path, results: dict[str, Any], exchanges: list[dict[str, Any]],
                 profile: dict[str, Any], contract_files: dict[str, bytes], sign_key: str | Path | None = None) -> Path:
    """Write `out_dir/evidence.zip` (signed with the Ed25519 key at `sign_key`, if given); returns its
    path. Deterministic for the same inputs and key (Ed25519 signatures are deterministic)."""
    key = signing.load_private_key(sign_key) if sign_key else None
    members = _members(results, exchanges, profile, contract_files)
    manifest = "".join(f"{_sha256(data)}  {name}\n" for name, data in members.items()).encode("utf-8")
    items = [*members.items(), (MANIFEST, manifest)]
    if key is not None:
        items.append((signing.SIGNATURE, signing.sign_manifest(manifest, key)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in items:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
        archive.comment = (COMMENT_PREFIX + _sha256(manifest)).encode("ascii")
    # written whole and replaced atomically: a reader never sees half a bundle, nor a symlink followed
    return outputs.write_bytes(Path(out_dir), Path(out_dir) / "evidence.zip", buffer.getvalue())


def manifest_hash(path: Path) -> str:
    """The manifest's SHA-256 recorded in the bundle (for the audit history)."""
    with zipfile.ZipFile(path) as archive:
        return archive.comment.decode("ascii", "replace").removeprefix(COMMENT_PREFIX)


def _parse_manifest(text: str) -> dict[str, str] | str:
    entries: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest) or not name:
            return f"{MANIFEST} line {number} is malformed"
        if name in entries:
            return f"{MANIFEST} lists {name} twice"
        entries[name] = digest
    return entries


def verify_bundle(path: Path, public_key: str | Path | None = None) -> tuple[bool, str]:
    """(True, "intact, …") or (False, what is wrong); with `public_key`, the bundle must be signed by it."""
    from conformance.report.bundle_verify import verify

    return verify(Path(path), MANIFEST, COMMENT_PREFIX, _parse_manifest,
                  Path(public_key) if public_key else None)


def verify_command(path: str, public_key: str | None = None) -> int:
    """`conformance verify-bundle FILE [--public-key PUB]`: prints "intact, …" (0) or what is wrong (1);
    no file or an unusable key: 2."""
    bundle = Path(path)
    if not bundle.is_file():
        print(f"conformance: {path}: no such file", file=sys.stderr)
        return EXIT_USAGE
    try:
        ok, message = verify_bundle(bundle, public_key)
    except signing.SigningError as exc:
        print(f"conformance: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(scrub(message) if ok else f"{path}: {scrub(message)}")
    return EXIT_OK if ok else EXIT_FAIL
