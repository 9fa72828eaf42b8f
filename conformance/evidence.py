"""The evidence record: one HTTP exchange, recorded once by the client, read by checks and writers.

Headers are stored already redacted (no credential ever enters the record). Bodies are stored raw,
as bytes, because checks judge number literals as written; writers mask personal data on output.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import Any

from conformance.bodies import BUDGET, ParseCache
from conformance.redact import mask_json_text, redact_headers, scrub_data

# How a failed transport is classified; writers and the circuit breaker read these names.
# `not_recorded` is no gateway's doing: a replayed run's question the recording does not hold
# (conformance.client.replay); the verdict layer reports such a check as not judged.
TRANSPORT_ERRORS = (
    "timeout", "refused", "reset", "too_large", "redirect", "tls", "headers_too_large",
    "protocol", "decompression", "not_recorded",
)


@dataclass
class Exchange:
    id: str
    api: str
    purpose: str
    method: str
    url: str
    request_headers: dict[str, str]
    request_body: bytes
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: bytes = b""
    elapsed_ms: float = 0.0
    error: str | None = None  # a broker engineer's sentence: "no answer within 10 s"
    error_kind: str | None = None  # one of TRANSPORT_ERRORS
    notes: list[str] = field(default_factory=list)  # e.g. a Retry-After that was honoured
    asked_at: str = ""  # ISO-8601 instant the question was sent (the run's clock, C27)
    _json_cache: Any = field(default=None, repr=False, compare=False)
    # the checks' verdict on this answer per API, computed once (conformance.checking.findings)
    findings_cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        # parse caches live under the run's body budget (conformance.bodies): released when old
        self.findings_cache = ParseCache(self)

    @property
    def body_size(self) -> int:
        return int(self.__dict__.get("_body_len", 0))

    def release_parse_caches(self) -> None:
        """Drop what was parsed from the body (recomputed if a check asks again)."""
        self.__dict__["_json_cache"] = None
        dict.clear(self.findings_cache)

    @property
    def content_type(self) -> str:
        return self.response_headers.get("content-type", "")

    def json(self) -> Any:
        """The response body parsed leniently (for checks that need values); None if not JSON."""
        if self._json_cache is None:
            try:
                self._json_cache = ("ok", json.loads(self.response_body.decode("utf-8")))
            except (ValueError, UnicodeDecodeError, RecursionError):
                self._json_cache = ("bad", None)
            BUDGET.parsed(self, self.body_size)
        return self._json_cache[1]

    def request_json(self) -> Any:
        try:
            return json.loads(self.request_body.decode("utf-8")) if self.request_body else None
        except (ValueError, UnicodeDecodeError):
            return None

    def curl(self) -> str:
        """A reproduction a broker's engineer can paste (credentials redacted, every word shell-quoted,
        so a quote in a URL or a body never becomes a command)."""
        words = ["curl", "-X", self.method, mask_json_text(self.url)]
        for name, value in redact_headers(self.request_headers).items():
            words += ["-H", f"{name}: {value}"]
        if self.request_body:
            words += ["--data", mask_json_text(self.request_body.decode("utf-8", "replace"))]
        return " ".join(shlex.quote(word) for word in words)

    def to_evidence(self, max_body_chars: int = 200_000) -> dict[str, Any]:
        """The JSON form written into results.json: masked, size-bounded."""

        def text(raw: bytes) -> str:
            decoded = raw.decode("utf-8", "replace")
            if len(decoded) > max_body_chars:
                decoded = decoded[:max_body_chars] + f"\n… ({len(decoded) - max_body_chars} more characters)"
            return mask_json_text(decoded)

        record = {
            "id": self.id,
            "api": self.api,
            "purpose": self.purpose,
            "request": {
                "method": self.method,
                "url": self.url,
                "headers": redact_headers(self.request_headers),
                "body": text(self.request_body),
            },
            "response": {
                "status": self.status,
                "headers": redact_headers(self.response_headers),
                "body": text(self.response_body),
                "error": self.error,
                "error_kind": self.error_kind,
            },
            "elapsed_ms": round(self.elapsed_ms, 1),
            "asked_at": self.asked_at,
            "notes": self.notes,
            "curl": self.curl(),
        }
        # the transport's sentences and notes quote raw broker bytes (a bad header line, Retry-After)
        return scrub_data(record)  # type: ignore[no-any-return]


def _get_body(self: Exchange) -> bytes:
    spilled = self.__dict__.get("_body_file")
    if spilled is not None:  # moved to disk by the body budget; read back, not kept
        return spilled.read_bytes()  # type: ignore[no-any-return]
    return self.__dict__.get("_body") or b""


def _set_body(self: Exchange, value: bytes) -> None:
    old = self.body_size
    if old:
        BUDGET.forget(self, old)
        BUDGET.unparsed(self, old)
    self.__dict__.update(_body=bytes(value), _body_file=None, _body_len=len(value), _json_cache=None)
    cache = self.__dict__.get("findings_cache")
    if cache:
        dict.clear(cache)
    BUDGET.admit(self, len(value))


# A property over the dataclass field: the constructor's `response_body=` goes through the setter,
# so every body, however it is set, is counted against the run's budget.
Exchange.response_body = property(_get_body, _set_body)  # type: ignore[assignment]
