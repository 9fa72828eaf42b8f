"""Error bodies of CONTRACT section 3: `{"category", "code", "message", "description"}` for errors made
behind the gateway, and the gateway's own `{"message": ...}` bodies (I79).

Handlers raise `ApiError`; the app turns it into a reply. `kind` tells faults what went wrong
(a crash fault answers malformed requests differently from business errors).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from conformance.contract.errors import error_codes

ErrorKind = Literal["business", "malformed", "missing", "type", "auth", "route", "method", "media", "rate"]

# The broker answers a JSON parsing error with 400 (I77 allows 400 or 500 for it).
_STATUS_CHOICE = {3011: 400}


@dataclass(eq=False)
class ApiError(Exception):
    status: int
    body: dict[str, Any]
    kind: ErrorKind = "business"
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"HTTP {self.status} {self.body}"

    @property
    def code(self) -> int | None:
        code = self.body.get("code")
        return code if isinstance(code, int) else None


def api_error(code: int, category: str, detail: str | None = None, *,
              kind: ErrorKind = "business") -> ApiError:
    """A documented code; `category` is the broker's name for broker-server codes."""
    known = error_codes()[code]
    status, message, cat = _STATUS_CHOICE.get(code, known.status), known.message, known.category
    if detail and code in (6006, 7000):
        message = f"{message}, [{detail}]"  # the page asks for the detail in square brackets
    body: dict[str, Any] = {"category": category if cat == "broker" else cat, "code": code,
                            "message": message}
    if detail:
        body["description"] = detail
    return ApiError(status, body, kind)


def common_error(status: int, *, kind: ErrorKind, headers: dict[str, str] | None = None,
                 description: str | None = None) -> ApiError:
    """A common error (HTTP status reused as the code)."""
    known = error_codes()[status]
    message, category = known.message, known.category
    body: dict[str, Any] = {"category": category, "code": status, "message": message}
    if description:
        body["description"] = description
    return ApiError(status, body, kind, dict(headers or {}))


def gateway_error(status: int, message: str, *, kind: ErrorKind,
                  headers: dict[str, str] | None = None) -> ApiError:
    """The gateway's bare `{"message": ...}` body (404 route, 429 quota, member API key)."""
    return ApiError(status, {"message": message}, kind, dict(headers or {}))


def not_found() -> ApiError:
    return gateway_error(404, "no Route matched with those values", kind="route")
