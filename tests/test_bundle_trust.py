"""An evidence bundle an auditor can trust: signed manifests (a forged bundle fails with the key),
bounded reading (a zip bomb is refused within 200 MB), path-safe member names (zip-slip refused)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from conformance.cli import main
from conformance.report.bundle import COMMENT_PREFIX, MANIFEST, manifest_hash, verify_bundle, write_bundle
from conformance.signing import SIGNATURE, fingerprint, load_public_key

RESULTS = {"broker": {"short_name": "diamond"}, "summary": {"compliant": False, "must_failed": 1},
           "rules": [{"id": "ALL-001", "status": "fail", "checks": []}]}


def _keys(tmp_path: Path, name: str) -> tuple[Path, Path]:
    private, public = tmp_path / f"{name}.pem", tmp_path / f"{name}.pub"
    assert main(["keygen", "--private", str(private), "--public", str(public)]) == 0
    return private, public


def _bundle(folder: Path, key: Path | None) -> Path:
    folder.mkdir(exist_ok=True)
    return write_bundle(folder, RESULTS, [], {"broker": {"short_name": "diamond"}},
                        {"rules.yaml": b"rules: []\n"}, sign_key=key)


def _rewrite(bundle: Path, target: Path, change: dict[str, bytes], keep_signature: bool = True) -> Path:
    """A forger's bundle: members changed, the manifest and its hash recomputed, the old signature kept."""
    with zipfile.ZipFile(bundle) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    signature = members.pop(SIGNATURE, None)
    members.pop(MANIFEST)
    members.update(change)
    manifest = "".join(f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in members.items()).encode()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in [*members.items(), (MANIFEST, manifest)]:
            archive.writestr(name, data)
        if keep_signature and signature is not None:
            archive.writestr(SIGNATURE, signature)
        archive.comment = (COMMENT_PREFIX + hashlib.sha256(manifest).hexdigest()).encode()
    return target


def test_a_signed_bundle_verifies_with_its_key_and_names_the_signer(tmp_path, capsys):
    private, public = _keys(tmp_path, "auditor")
    bundle = _bundle(tmp_path / "out", private)
    fp = fingerprint(load_public_key(public))
    assert fp.startswith("SHA256:") and fp in capsys.readouterr().out
    assert main(["verify-bundle", str(bundle), "--public-key", str(public)]) == 0
    assert capsys.readouterr().out == f"intact, signed by {fp}\n"
    assert verify_bundle(bundle)[1].startswith(f"intact, signed by {fp} (not checked")


def test_an_unsigned_bundle_says_unsigned_and_fails_when_a_key_is_required(tmp_path):
    _, public = _keys(tmp_path, "auditor")
    bundle = _bundle(tmp_path / "out", None)
    assert verify_bundle(bundle) == (True, "intact, unsigned")
    ok, why = verify_bundle(bundle, public)
    assert not ok and why.startswith("unsigned")


def test_a_forged_bundle_with_a_recomputed_manifest_fails_with_the_key(tmp_path):
    private, public = _keys(tmp_path, "auditor")
    bundle = _bundle(tmp_path / "out", private)
    flipped = json.dumps({**RESULTS, "summary": {"compliant": True, "must_failed": 0}}).encode()
    forged = _rewrite(bundle, tmp_path / "forged.zip", {"results.json": flipped})
    ok, why = verify_bundle(forged, public)
    assert not ok and "does not match the manifest" in why
    ok, why = verify_bundle(forged)  # even without the key, the kept signature no longer fits
    assert not ok


def test_a_bundle_re_signed_by_another_key_fails_with_the_auditors_key(tmp_path):
    _, public = _keys(tmp_path, "auditor")
    forger, _ = _keys(tmp_path, "forger")
    forged = _bundle(tmp_path / "forged", forger)
    ok, why = verify_bundle(forged, public)
    assert not ok and "not by the given key" in why


def test_manifest_hash_is_the_comment(tmp_path):
    bundle = _bundle(tmp_path / "out", None)
    with zipfile.ZipFile(bundle) as archive:
        assert manifest_hash(bundle) == hashlib.sha256(archive.read(MANIFEST)).hexdigest()


@pytest.mark.parametrize("name", ["../evil.sh", "/etc/cron.d/x", "a/../../b", "C:/x", "dir\\..\\x"])
def test_zip_slip_member_names_are_refused(tmp_path, name):
    forged = _rewrite(_bundle(tmp_path / "out", None), tmp_path / "slip.zip", {name: b"x"})
    ok, why = verify_bundle(forged)
    assert not ok and "unsafe member name" in why


def _bomb(path: Path, gigabytes: int = 2) -> None:
    """A ~2 MB bundle whose results.json inflates to `gigabytes` GB, built in seconds: after a full
    flush the deflate output of each further identical 1 MB block is the same bytes."""
    block = b"0" * (1 << 20)
    comp = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    first = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    unit = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    last = comp.flush()

    class Canned:
        calls = 0

        def compress(self, data: bytes) -> bytes:
            Canned.calls += 1
            return first if Canned.calls == 1 else unit

        def flush(self) -> bytes:
            return last

    manifest = f"{'0' * 64}  results.json\n".encode()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("results.json", "w", force_zip64=True) as member:
            member._compressor = Canned()  # type: ignore[attr-defined]
            for _ in range(gigabytes * 1024):
                member.write(block)
        archive.writestr(MANIFEST, manifest)
        archive.comment = (COMMENT_PREFIX + hashlib.sha256(manifest).hexdigest()).encode()


def test_a_zip_bomb_is_refused_within_200_mb(tmp_path):
    bomb = tmp_path / "bomb.zip"
    _bomb(bomb)
    assert bomb.stat().st_size < 4_000_000
    code = ("import resource, sys; from pathlib import Path; from conformance.report.bundle import verify_bundle; "
            "print(verify_bundle(Path(sys.argv[1]))); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    proc = subprocess.run([sys.executable, "-c", code, str(bomb)], capture_output=True, text=True, timeout=120,
                          check=True)
    verdict, rss_kb = proc.stdout.strip().splitlines()
    assert "zip bomb" in verdict and "False" in verdict
    assert int(rss_kb) < 200 * 1024, f"{int(rss_kb) // 1024} MB"
    print(f"zip bomb (2 GB inflated, {bomb.stat().st_size:,} bytes): refused at {int(rss_kb) // 1024} MB RSS")


def test_keygen_never_overwrites_and_the_private_key_is_private(tmp_path):
    private, public = _keys(tmp_path, "k")
    assert oct(private.stat().st_mode & 0o777) == "0o600"
    assert main(["keygen", "--private", str(private), "--public", str(tmp_path / "other.pub")]) == 2


def test_run_with_a_bad_sign_key_is_a_usage_error(tmp_path, capsys):
    bad = tmp_path / "bad.pem"
    bad.write_text("not a key", encoding="utf-8")
    assert main(["run", "--sign-key", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "not an unencrypted PEM private key" in capsys.readouterr().err
