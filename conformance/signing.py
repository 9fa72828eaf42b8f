"""Ed25519 signatures over an evidence bundle's manifest (the `cryptography` package).

A SHA-256 manifest only shows that a bundle is self-consistent: whoever flips a verdict can
recompute it. A signature by the auditor's key can only be recomputed by the key's holder, so
`conformance verify-bundle BUNDLE --public-key PUB` tells a forged bundle from a real one.

Keys are PEM files: the private key PKCS#8 (unencrypted, keep it out of the repository), the public
key SubjectPublicKeyInfo. `conformance keygen --private KEY --public PUB` makes a pair. A key is
named by its fingerprint, `SHA256:` + the unpadded base64 of the SHA-256 of the raw 32-byte public
key (the form ssh-keygen prints).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
from argparse import Namespace
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SIGNATURE = "MANIFEST.sig"  # the bundle member holding the signature (outside the manifest it signs)
ALGORITHM = "Ed25519"
MAX_KEY_BYTES = 16_384


class SigningError(Exception):
    """A key that cannot be used, or a signature member that cannot be read; one line."""


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(public: Ed25519PublicKey) -> str:
    return "SHA256:" + base64.b64encode(hashlib.sha256(_raw(public)).digest()).decode().rstrip("=")


def _read(path: str | Path, what: str) -> bytes:
    file = Path(path)
    try:
        if file.stat().st_size > MAX_KEY_BYTES:
            raise SigningError(f"{path}: too large for a {what}")
        return file.read_bytes()
    except OSError as exc:
        raise SigningError(f"{path}: cannot read the {what} ({exc.strerror or exc})") from None


def load_private_key(path: str | Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(_read(path, "private key"), password=None)
    except (ValueError, TypeError) as exc:
        raise SigningError(f"{path}: not an unencrypted PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError(f"{path}: not an Ed25519 key")
    return key


def load_public_key(path: str | Path) -> Ed25519PublicKey:
    data = _read(path, "public key")
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        try:  # a private key file also names its public key
            return load_private_key(path).public_key()
        except SigningError:
            raise SigningError(f"{path}: not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise SigningError(f"{path}: not an Ed25519 key")
    return key


def sign_manifest(manifest: bytes, key: Ed25519PrivateKey) -> bytes:
    """The signature member's bytes (JSON): algorithm, signer's public key and fingerprint, signature."""
    public = key.public_key()
    doc = {"algorithm": ALGORITHM, "fingerprint": fingerprint(public),
           "public_key": base64.b64encode(_raw(public)).decode(),
           "signature": base64.b64encode(key.sign(manifest)).decode()}
    return (json.dumps(doc, indent=1) + "\n").encode("ascii")


def check_signature(manifest: bytes, member: bytes, trusted: Ed25519PublicKey | None) -> tuple[bool, str]:
    """(ok, sentence): the signature member against the manifest, and against `trusted` if given."""
    try:
        doc: Any = json.loads(member.decode("ascii"))
        if not isinstance(doc, dict) or doc.get("algorithm") != ALGORITHM:
            return False, f"{SIGNATURE} is not an {ALGORITHM} signature"
        embedded = Ed25519PublicKey.from_public_bytes(base64.b64decode(doc["public_key"], validate=True))
        signature = base64.b64decode(doc["signature"], validate=True)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return False, f"{SIGNATURE} cannot be read"
    signer = fingerprint(embedded)
    if trusted is not None and _raw(trusted) != _raw(embedded):
        return False, f"signed by {signer}, not by the given key {fingerprint(trusted)}"
    try:
        embedded.verify(signature, manifest)
    except InvalidSignature:
        return False, f"the signature by {signer} does not match the manifest (the bundle was altered)"
    if trusted is None:
        return True, f"signed by {signer} (not checked against a key you trust: give --public-key)"
    return True, f"signed by {signer}"


def keygen_command(args: Namespace) -> int:
    """`conformance keygen --private KEY --public PUB`: a new Ed25519 pair; never overwrites."""
    private, public = Path(args.private), Path(args.public)
    for path in (private, public):
        if path.exists() or path.is_symlink():
            print(f"conformance: {path} exists; not overwritten", file=sys.stderr)
            return 2
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # readable by its owner only
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    print(f"{fingerprint(key.public_key())}\t{private}\t{public}")
    return 0
