"""Redaction in one place: credentials never leave the run; personal data is masked on output.

- Credential headers (Authorization, apikey, cookies) are replaced by "[redacted]" when an
  exchange is recorded, so no writer can leak them.
- Any further secret string registered with `register_secret` (profile secrets) is scrubbed from
  every text a writer emits.
- Account numbers and CIs inside JSON bodies are masked, keeping the last 4 characters so people
  can still tell accounts apart.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from typing import Any

SECRET_HEADERS = frozenset({
    "authorization", "proxy-authorization", "apikey", "x-api-key", "cookie", "set-cookie",
})
REDACTED = "[redacted]"
# JSON keys whose values identify a person or an account.
MASKED_KEYS = ("vtAccNo", "accNo", "qrAccNo", "virtualAccNo", "realAccNo", "ci", "certDn")
_KEY_RE = re.compile(r'("(?:' + "|".join(MASKED_KEYS) + r')"\s*:\s*")([^"\\]*(?:\\.[^"\\]*)*)(")')

# Credentials written as "name: value" or "name=value" in free text (curl lines, messages, bodies):
# a defence for text that did not come through redact_headers. The value ends at a quote, space,
# '&', ',', ';', '}' or an angle bracket (so it never eats HTML markup). An auth scheme word
# (Bearer, Basic, ...) before the value is kept.
_CREDENTIAL_RE = re.compile(
    r"(?i)(\b(?:proxy-)?authorization|\bapikey|\bx-api-key|\bclient_secret|\baccess_token|\brefresh_token"
    r"|\bsecret|\bpassword)(\"?\s*[:=]\s*\"?)((?:bearer|basic|digest|token)\s+)?([^\s\"'&,;}<>]+)"
)

_secrets: set[str] = set()
_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Remember a secret (token, apikey, password, Basic credential) to scrub from all output."""
    if value and len(value) >= 4:
        with _lock:
            _secrets.add(value)


_identifiers: set[str] = set()


def register_identifier(value: str | None) -> None:
    """Remember an account number or CI that must appear only masked in messages."""
    if value and len(value.strip()) > 4:
        with _lock:
            _identifiers.add(value.strip())


def mask_identifiers(text: str) -> str:
    """Mask every registered account number and CI inside a free text (check messages)."""
    with _lock:
        known = sorted(_identifiers, key=len, reverse=True)
    for value in known:
        if value in text:
            text = text.replace(value, mask_value(value))
    return text


def mask_value(value: str, keep: int = 4) -> str:
    """`1606354733676000099` → `***************0099`; short or no-value strings stay."""
    stripped = value.strip()
    if len(stripped) <= keep or stripped in ("", "null"):
        return value
    return "*" * (len(stripped) - keep) + stripped[-keep:]


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: (REDACTED if name.lower() in SECRET_HEADERS else scrub(value))
            for name, value in headers.items()}


def scrub(text: str) -> str:
    """Remove every registered secret, and any credential written as `name: value`, from a text."""
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return _CREDENTIAL_RE.sub(lambda m: m.group(1) + m.group(2) + (m.group(3) or "") + REDACTED, text)


def scrub_data(value: Any, keep: frozenset[str] = frozenset()) -> Any:
    """`scrub` every string (keys included) of a JSON-like value; returns a new value.

    Headers found under a "headers" key are passed through `redact_headers` as well, so a record
    that was written without redaction is still safe to publish. Values under a key in `keep` are
    left as they are (a writer that shows only part of them scrubs that part itself).
    """
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, Mapping):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            if key in keep:
                out[key] = item
            elif key == "headers" and isinstance(item, Mapping):
                out[key] = redact_headers({str(k): str(v) for k, v in item.items()})
            else:
                out[scrub(key) if isinstance(key, str) else key] = scrub_data(item, keep)
        return out
    if isinstance(value, list | tuple):
        return [scrub_data(item, keep) for item in value]
    return value


def mask_data(value: Any) -> Any:
    """Mask account numbers and CIs (MASKED_KEYS) wherever they are values of a JSON-like structure."""
    if isinstance(value, Mapping):
        return {key: (mask_value(item) if key in MASKED_KEYS and isinstance(item, str) else mask_data(item))
                for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_data(item) for item in value]
    return value


def mask_json_text(text: str) -> str:
    """Mask account numbers and CIs in a JSON text (also in truncated or broken JSON) and scrub secrets."""
    masked = _KEY_RE.sub(lambda m: m.group(1) + mask_value(m.group(2)) + m.group(3), text)
    return scrub(masked)
