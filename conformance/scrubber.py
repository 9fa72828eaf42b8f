"""The one scrubber every output goes through: secrets removed and identifiers masked BY VALUE.

Keys are not enough: a broker echoes what it receives anywhere (an error message, a header, a
trace id), in any encoding. So each registered value is expanded once into the forms it can take
in an output — plain, `\\/`-escaped (PHP's JSON), `\\u`-escaped, URL-encoded, base64 (alone and at
the three alignments inside a longer base64 text), HTML-escaped, and each of these JSON-escaped
once more (a body quoted inside results.json) — and every form is replaced wherever it occurs.

Secrets become "[redacted]". A known identifier (account number, CI) in its plain form keeps its
last four characters (`**************0099`, so people can tell accounts apart); an encoded form
becomes "[masked]". Identifiers the broker invents are masked by shape where that is safe: any
88-character base64 value (the shape of a CI), and any value under a JSON key that names an
account number (`…AccNo`, `…AcctNo`, `…AccountNo`) or a CI (`ci`, `certDn`).
"""

from __future__ import annotations

import base64
import html
import json
import re
import threading
import urllib.parse

REDACTED = "[redacted]"
MASKED = "[masked]"
MIN_FORM = 6  # shorter encoded forms would match ordinary text by chance

# An 88-character base64 value (a CI is 64 bytes, base64-encoded), also with `\/` or `\\/` escapes.
_CI_SHAPE = re.compile(r"(?<![A-Za-z0-9+/\\])((?:[A-Za-z0-9+/]|\\{1,2}/){86,200}==)(?![A-Za-z0-9+/=])")
# A JSON member whose key names an account number or a CI, in plain or once-escaped JSON.
_ID_KEY = r"[A-Za-z_]*(?:[Aa]cc(?:t|ount)?_?[Nn]o|[Aa]cc[Nn]um)|ci|CI|certDn"
_ID_MEMBER = re.compile(r'((\\*)"(?:' + _ID_KEY + r')\2"\s*:\s*\2")((?:[^"\\]|\\[^"\\])*)(\2")')


def mask_value(value: str, keep: int = 4) -> str:
    """`1606354733676000099` → `***************0099`; short or no-value strings stay."""
    stripped = value.strip()
    if len(stripped) <= keep or stripped in ("", "null"):
        return value
    return "*" * (len(stripped) - keep) + stripped[-keep:]


def _base64_cores(raw: bytes) -> set[str]:
    """The part of base64(prefix + raw + suffix) that does not depend on prefix and suffix, for each
    of the three alignments: what a value looks like inside any longer base64 text."""
    cores = set()
    for pad in range(3):
        encoded = base64.b64encode(b"\0" * pad + raw).decode()
        core = encoded[(pad * 4 + 2) // 3:len(encoded) - 4]
        cores.add(core)
        cores.add(core.replace("+", "-").replace("/", "_"))
    return cores


def forms(value: str) -> set[str]:
    """Every form `value` can take in an output (see the module docstring)."""
    base = {value, value.replace("/", "\\/"), json.dumps(value)[1:-1],
            json.dumps(value, ensure_ascii=False)[1:-1],
            "".join(f"\\u{ord(c):04x}" for c in value), "".join(f"\\u{ord(c):04X}" for c in value),
            urllib.parse.quote(value, safe=""), urllib.parse.quote(value, safe="").lower(),
            urllib.parse.quote_plus(value), urllib.parse.quote(value)}
    raw = value.encode("utf-8")
    base |= {base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode(),
             base64.b64encode(raw).decode().rstrip("=")}
    base |= _base64_cores(raw)
    out = set(base)
    for form in base:
        out.add(html.escape(form, quote=True))
        out.add(html.escape(form, quote=False))
        out.add(json.dumps(form)[1:-1])  # quoted once more inside a JSON string
    return {f for f in out if len(f) >= MIN_FORM or f == value}


class Scrubber:
    """Registered values and their forms; `clean` applies them to a text. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._needles: dict[str, str] = {}
        self._ordered: list[tuple[str, str]] = []

    def add_secret(self, value: str | None) -> None:
        if not value or len(value) < 4:
            return
        self._add({form: REDACTED for form in forms(value)})

    def add_identifier(self, value: str | None) -> None:
        value = (value or "").strip()
        if len(value) <= 4:
            return
        table = {form: MASKED for form in forms(value)}
        table[value] = mask_value(value)
        escaped = value.replace("/", "\\/")
        table[escaped] = mask_value(value)
        self._add(table, secret=False)

    def _add(self, table: dict[str, str], secret: bool = True) -> None:
        with self._lock:
            for needle, replacement in table.items():
                if secret or self._needles.get(needle) != REDACTED:  # a secret's form wins
                    self._needles[needle] = replacement
            self._ordered = sorted(self._needles.items(), key=lambda kv: len(kv[0]), reverse=True)

    def known(self) -> bool:
        return bool(self._ordered)

    def clean(self, text: str) -> str:
        """`text` with every registered form replaced and identifier-shaped values masked."""
        for needle, replacement in self._ordered:
            if needle in text:
                text = text.replace(needle, replacement)
        if len(text) >= 88:
            text = _CI_SHAPE.sub(lambda m: _mask_escaped(m.group(1)), text)
        if '"' in text:
            text = _ID_MEMBER.sub(lambda m: m.group(1) + _mask_member(m.group(3)) + m.group(4), text)
        return text


def _mask_escaped(value: str) -> str:
    plain = value.replace("\\", "")
    return mask_value(plain) if len(plain) == 88 else value


def _mask_member(value: str) -> str:
    if value in ("", "null") or value.startswith(("*", "[")):
        return value
    return mask_value(value)


SCRUBBER = Scrubber()
