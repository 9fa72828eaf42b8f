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

SECRET_HEADERS = frozenset({
    "authorization", "proxy-authorization", "apikey", "x-api-key", "cookie", "set-cookie",
})
REDACTED = "[redacted]"
# JSON keys whose values identify a person or an account.
MASKED_KEYS = ("vtAccNo", "accNo", "qrAccNo", "virtualAccNo", "realAccNo", "ci", "certDn")
_KEY_RE = re.compile(r'("(?:' + "|".join(MASKED_KEYS) + r')"\s*:\s*")([^"\\]*(?:\\.[^"\\]*)*)(")')

_secrets: set[str] = set()
_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Remember a secret (token, apikey, password, Basic credential) to scrub from all output."""
    if value and len(value) >= 4:
        with _lock:
            _secrets.add(value)


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
    """Remove every registered secret from a text."""
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def mask_json_text(text: str) -> str:
    """Mask account numbers and CIs in a JSON text (also in truncated or broken JSON) and scrub secrets."""
    masked = _KEY_RE.sub(lambda m: m.group(1) + mask_value(m.group(2)) + m.group(3), text)
    return scrub(masked)
