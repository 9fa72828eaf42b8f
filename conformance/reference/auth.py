"""Gateway checks per API family (C16-C19): bearer token (issued, not expired: C17), Basic
credentials + comId, API key; and the request media type (I83: case-insensitive, parameters optional)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

from conformance.reference.context import Call
from conformance.reference.errors import ApiError, api_error, common_error, gateway_error

SchemeCheck = Callable[[str, str], bool]
TokenCheck = Callable[[Call, str], bool]


def media_type_is_json(value: str) -> bool:
    return value.split(";", 1)[0].strip().lower() == "application/json"


def scheme_matches(sent: str, wanted: str) -> bool:
    """RFC 7235: the auth scheme word is case-insensitive (I82)."""
    return sent.lower() == wanted.lower()


def _unauthorized(scheme: str, why: str) -> ApiError:
    return common_error(401, kind="auth", headers={"WWW-Authenticate": f'{scheme} realm="koscom"'},
                        description=why)


def refuse_token(call: Call, why: str) -> ApiError:
    """A token the broker will not honour (expired, another user's), in the broker's documented form
    (C17: 401/403 or a named code; the brokers choose differently, so the suite must accept each)."""
    style = call.broker.token_refusal
    if style == "gateway":
        return gateway_error(401, "Invalid authentication credentials", kind="auth")
    if style == "forbidden":
        return api_error(2100, call.broker.category, why, kind="auth")
    return _unauthorized("Bearer", why)


def check_account(call: Call, scheme_ok: SchemeCheck, expired: TokenCheck | None = None) -> None:
    """The bearer token is one the broker issued and not expired; whose it is goes into
    `call.notes["token_user"]` for the account check (None: a sandbox token, any test user)."""
    credentials = call.broker.credentials
    scheme, _, token = call.headers.get("authorization", "").strip().partition(" ")
    token = token.strip()
    if not scheme:
        raise _unauthorized("Bearer", "no access token")
    if not scheme_ok(scheme, "Bearer") or not credentials.issued(token):
        raise _unauthorized("Bearer", "invalid access token")
    if (expired or token_expired)(call, token):
        raise refuse_token(call, "the access token has expired")
    call.notes["token_user"] = credentials.token_user(token)


def token_expired(call: Call, token: str) -> bool:
    return token in call.broker.credentials.expired_tokens


def check_b2b(call: Call, scheme_ok: SchemeCheck) -> None:
    scheme, _, encoded = call.headers.get("authorization", "").strip().partition(" ")
    if not scheme:
        raise _unauthorized("Basic", "no Basic credentials")
    try:
        apikey, sep, secret = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _unauthorized("Basic", "malformed Basic credentials") from None
    if not scheme_ok(scheme, "Basic") or not sep or (apikey, secret) not in call.broker.credentials.basic:
        raise _unauthorized("Basic", "invalid Basic credentials")
    com_id = call.headers.get("comid")
    if com_id is None:
        raise _unauthorized("Basic", "no comId header")
    if com_id.strip() not in call.broker.credentials.com_ids:
        raise common_error(403, kind="auth", description="comId not allowed for this API")


def check_member(call: Call, scheme_ok: SchemeCheck) -> None:
    key = call.headers.get("apikey")
    if key is None or not key.strip():
        raise gateway_error(401, "No API key found in request", kind="auth")
    if key.strip() not in call.broker.credentials.member_keys:
        raise gateway_error(401, "Invalid authentication credentials", kind="auth")


CHECKS: dict[str, Callable[[Call, SchemeCheck], None]] = {
    "account": check_account, "b2b": check_b2b, "member": check_member,
}
