"""One HAR entry → one `Exchange` of one of the 11 APIs, or the reason it is not judged.

Matching is by URL path against the catalogue's paths (`/v1/{shortName}/...`); with a profile only
the profile's gateway (its base_url, broker short name included) counts, other hosts are ignored.
What real captures hold is read as it comes:
- `content.encoding: base64` bodies are decoded; a body still gzip/deflate-encoded (some tools keep
  the wire bytes) is inflated within the size cap; a br-encoded one cannot be read here: noted;
- a body shorter than the captured `content.size` (tools truncate big bodies) is noted and not
  judged by the body rules; a missing request body leaves the echo rules unjudged for that entry;
- credential headers of the capture are redacted in the record and their values registered with
  the scrubber, so no output shows them anywhere (also echoed inside a body, or base64-encoded).
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from conformance.contract import API_IDS, get_api
from conformance.evidence import Exchange
from conformance.redact import redact_headers, register_secret

MAX_BODY_BYTES = 20_000_000  # as the live client's default limit: a larger captured body is cut, noted
# Header names whose values are credentials in captures (beyond the client's SECRET_HEADERS): registered
# with the scrubber so the value appears in no output.
_CREDENTIAL_NAME = re.compile(r"(?i)(auth|token|key|secret|cookie|session|password|credential)")
_PATHS = [(api, re.compile("(?:^|/)" + re.escape(get_api(api).path).replace(re.escape("{shortName}"),
                                                                             "(?P<broker>[^/]+)") + "/?$"))
          for api in API_IDS]


@dataclass
class Entry:
    """A matched entry: its exchange, and what about it could not be read (notes)."""

    exchange: Exchange
    body_judgeable: bool = True  # False: the response body is truncated or still encoded
    request_judgeable: bool = True  # False: no request body was captured
    notes: list[str] = field(default_factory=list)


def match_api(url: str, base_url: str | None, short_name: str | None) -> tuple[str, str] | None:
    """(api id, broker short name in the path) for an API URL, or None (another host or path)."""
    if base_url is not None:
        base = base_url.rstrip("/")
        if not (url == base or url.startswith(base + "/")):
            return None
        path = urlsplit(url[len(base):] or "/").path
    else:
        path = urlsplit(url).path
    for api, pattern in _PATHS:
        found = pattern.search(path)
        broker = (found.groupdict().get("broker") or "") if found else ""
        if found and (short_name is None or broker in ("", short_name)):  # member APIs: /v1/common/...
            return api, broker
    return None


def _headers(items: Any) -> dict[str, str]:
    """HAR header list → {lower-case name: value} (repeated headers joined with ", ")."""
    out: dict[str, str] = {}
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        name, value = str(item.get("name", "")).lower(), str(item.get("value", ""))
        if not name or name.startswith(":"):  # HTTP/2 pseudo-headers are not headers
            continue
        out[name] = f"{out[name]}, {value}" if name in out else value
    return out


def register_credentials(headers: dict[str, str]) -> None:
    """Every credential-looking header value of a capture, and its parts, becomes a scrubbed secret."""
    for name, value in headers.items():
        if not _CREDENTIAL_NAME.search(name) or not value.strip():
            continue
        register_secret(value.strip())
        scheme, _, rest = value.strip().partition(" ")
        if rest:
            register_secret(rest.strip())
            if scheme.lower() == "basic":
                try:
                    decoded = base64.b64decode(rest.strip(), validate=True).decode("utf-8")
                except (binascii.Error, UnicodeDecodeError):
                    continue
                register_secret(decoded)
                for part in decoded.split(":", 1):
                    register_secret(part)


def _text(content: Any, what: str, notes: list[str]) -> bytes | None:
    """The bytes of a HAR `content` / `postData` (None when absent)."""
    if not isinstance(content, dict) or content.get("text") is None:
        return None
    text = str(content["text"])
    if str(content.get("encoding", "")).lower() == "base64":
        try:
            return base64.b64decode(text, validate=False)
        except (binascii.Error, ValueError):
            notes.append(f"the captured {what} body is marked base64 but does not decode")
            return None
    return text.encode("utf-8", "surrogatepass")


def _inflate(raw: bytes, encoding: str, notes: list[str]) -> bytes | None:
    """A body the capture kept in its Content-Encoding, decoded within MAX_BODY_BYTES, or None."""
    name = encoding.strip().lower()
    if name in ("gzip", "x-gzip", "deflate"):
        for wbits in ((zlib.MAX_WBITS | 16,) if "gzip" in name else (zlib.MAX_WBITS, -zlib.MAX_WBITS)):
            try:
                inflater = zlib.decompressobj(wbits)
                out = inflater.decompress(raw, MAX_BODY_BYTES + 1)
            except zlib.error:
                continue
            if len(out) > MAX_BODY_BYTES or not inflater.eof:
                notes.append(f"the captured body is still {name}-encoded and does not inflate completely "
                             "(truncated or too large): body rules not judged for this entry")
                return None
            notes.append(f"the captured body was still {name}-encoded; it was inflated for judging")
            return out
    notes.append(f"the captured body is still {name}-encoded (the capture kept the wire bytes), which is not "
                 "decoded here: body rules not judged for this entry")
    return None


def _still_encoded(raw: bytes, encoding: str) -> bool:
    if not encoding or encoding.strip().lower() == "identity":
        return False
    if raw[:2] == b"\x1f\x8b":
        return True
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return True  # a decoded body of this API is a JSON text; wire bytes of a compressed one are not
    return False


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def to_entry(index: int, item: dict[str, Any], api: str) -> Entry:
    """The exchange of one matched HAR entry (index: its position in the file)."""
    request, response = _obj(item.get("request")), _obj(item.get("response"))
    notes: list[str] = []
    request_headers = _headers(request.get("headers"))
    response_headers = _headers(response.get("headers"))
    register_credentials(request_headers)
    register_credentials(response_headers)
    request_body = _text(request.get("postData"), "request", notes)
    status = response.get("status")
    exchange = Exchange(id=f"h{index + 1:06d}", api=api, purpose=f"captured entry {index + 1}",
                        method=str(request.get("method", "POST")).upper(), url=str(request.get("url", "")),
                        request_headers=redact_headers(request_headers), request_body=request_body or b"",
                        status=status if isinstance(status, int) and status > 0 else None,
                        asked_at=str(item.get("startedDateTime", "")))
    entry = Entry(exchange, request_judgeable=request_body is not None, notes=notes)
    if exchange.status is None:  # a failed request (status 0) or no response captured
        exchange.error = str(response.get("_error") or item.get("_error") or "no response was captured")
        exchange.error_kind = "reset"
        entry.body_judgeable = False
        notes.append("no HTTP answer was captured for this entry")
        return entry
    exchange.response_headers = response_headers
    content = _obj(response.get("content"))
    body = _text(content, "response", notes)
    if body is None:
        body = b""
        if content.get("size"):
            entry.body_judgeable = False
            notes.append("the capture holds no response body (only its size): body rules not judged")
    encoding = response_headers.get("content-encoding", "")
    if body and _still_encoded(body, encoding):
        inflated = _inflate(body, encoding, notes)
        entry.body_judgeable = inflated is not None
        body = inflated if inflated is not None else body
    size = content.get("size")
    if entry.body_judgeable and isinstance(size, int) and size > len(body):
        entry.body_judgeable = False
        notes.append(f"the captured body is truncated ({len(body):,} of {size:,} bytes): body rules not judged")
    if len(body) > MAX_BODY_BYTES:
        body, entry.body_judgeable = body[:MAX_BODY_BYTES], False
        notes.append(f"the captured body is larger than {MAX_BODY_BYTES:,} bytes: cut, body rules not judged")
    exchange.response_body = body
    exchange.notes = list(notes)
    return entry
