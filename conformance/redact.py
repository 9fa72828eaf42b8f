"""Redaction in one place: credentials never leave the run; personal data is masked on output.

- Credential headers (Authorization, apikey, cookies) are replaced by "[redacted]" when an
  exchange is recorded, so no writer can leak them.
- Every secret registered with `register_secret` (the profile's credentials) and every identifier
  registered with `register_identifier` (account numbers, CIs) is removed from every text a writer
  emits, in every encoding (`conformance.scrubber`: plain, `\\/`, `\\u`, URL, base64, HTML).
- Account numbers and CIs the broker invents are masked by shape (`conformance.scrubber`), keeping
  the last 4 characters so people can still tell accounts apart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from conformance.scrubber import REDACTED, SCRUBBER, mask_value

__all__ = ["MASKED_KEYS", "REDACTED", "SECRET_HEADERS", "mask_data", "mask_identifiers", "mask_json_text",
           "mask_value", "redact_headers", "register_identifier", "register_secret", "scrub", "scrub_data"]

SECRET_HEADERS = frozenset({
    "authorization", "proxy-authorization", "apikey", "x-api-key", "cookie", "set-cookie",
})
# JSON keys whose values identify a person or an account.
MASKED_KEYS = ("vtAccNo", "accNo", "qrAccNo", "virtualAccNo", "realAccNo", "ci", "certDn")
_MASKED_KEY = re.compile(r"(?i)^(?:.*acc(?:t|ount)?_?no|.*accnum|ci|certdn)$")

# Credentials written as "name: value" or "name=value" in free text (curl lines, messages, bodies):
# a defence for text that did not come through redact_headers. The value ends at a quote, space,
# '&', ',', ';', '}' or an angle bracket (so it never eats HTML markup). An auth scheme word
# (Bearer, Basic, ...) before the value is kept.
_CREDENTIAL_RE = re.compile(
    r"(?i)(\b(?:proxy-)?authorization|\bapikey|\bx-api-key|\bclient_secret|\baccess_token|\brefresh_token"
    r"|\bsecret|\bpassword)(\"?\s*[:=]\s*\"?)((?:bearer|basic|digest|token)\s+)?([^\s\"'&,;}<>]+)"
)


def register_secret(value: str | None) -> None:
    """Remember a secret (token, apikey, password, Basic credential) to scrub from all output."""
    SCRUBBER.add_secret(value)


def register_identifier(value: str | None) -> None:
    """Remember an account number or CI that may appear only masked in any output."""
    SCRUBBER.add_identifier(value)


def mask_identifiers(text: str) -> str:
    """Mask every registered account number and CI inside a free text (check messages)."""
    return SCRUBBER.clean(text)


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: (REDACTED if name.lower() in SECRET_HEADERS else scrub(value))
            for name, value in headers.items()}


def scrub(text: str) -> str:
    """Remove every registered secret (any encoding), any credential written as `name: value`, and
    mask every registered or identifier-shaped account number and CI."""
    text = SCRUBBER.clean(text)
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
            elif isinstance(key, str) and isinstance(item, str) and _MASKED_KEY.match(key):
                out[key] = _mask_member(scrub(item))
            else:
                out[scrub(key) if isinstance(key, str) else key] = scrub_data(item, keep)
        return out
    if isinstance(value, list | tuple):
        return [scrub_data(item, keep) for item in value]
    return value


def _mask_member(value: str) -> str:
    return value if value.startswith(("*", "[")) else mask_value(value)


def mask_data(value: Any) -> Any:
    """Mask account numbers and CIs (keys naming them) wherever they are values of a JSON-like structure."""
    if isinstance(value, Mapping):
        return {key: (_mask_member(item) if isinstance(key, str) and _MASKED_KEY.match(key) and isinstance(item, str)
                      else mask_data(item))
                for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_data(item) for item in value]
    return value


def mask_json_text(text: str) -> str:
    """Mask account numbers and CIs in a JSON text (also in truncated or broken JSON) and scrub secrets."""
    return scrub(text)
