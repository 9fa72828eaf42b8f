"""Error bodies of CONTRACT section 3: `{"category", "code", "message", "description"}` for errors made
behind the gateway, and the gateway's own `{"message": ...}` bodies (I79).

Handlers raise `ApiError`; the app turns it into a reply. `kind` tells faults what went wrong
(a crash fault answers malformed requests differently from business errors).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ErrorKind = Literal["business", "malformed", "missing", "type", "auth", "route", "method", "media", "rate"]

# code -> (HTTP status, message, category kind); category "broker" = the broker's own name.
_CODES: dict[int, tuple[int, str, str]] = {
    3003: (400, "필수 항목 누락", "op-exco"),
    3011: (400, "Json parsing error", "op-exco"),
    3012: (500, "Unknown account number", "op-exco"),
    3999: (500, "Unknown error", "op-exco"),
    4001: (500, "Account Not Found", "broker"),
    4003: (500, "Mismatch between CI and AccountNo", "broker"),
    4004: (500, "CI Not Found", "broker"),
    6001: (500, "Invalid Asset Type", "broker"),
    6002: (500, "Invalid Rsp Type", "broker"),
    6003: (500, "Invalid Page Value", "broker"),
    6006: (500, "Date Range Exceeded", "broker"),
    6008: (500, "Invalid Side Type", "broker"),
    7000: (500, "Bad Request", "broker"),
}
_COMMON: dict[int, tuple[str, str]] = {
    401: ("Unauthorized", "op-auth"),
    403: ("Forbidden", "op-apim"),
    405: ("Method Not Allowed", "op-apim"),
    415: ("Unsupported Media Type", "op-apim"),
}


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
    status, message, cat = _CODES[code]
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
    message, category = _COMMON[status]
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
