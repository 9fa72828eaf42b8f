"""Generate schemas/openapi.yaml: one OpenAPI 3.1 document for the 11 APIs.

The message schemas are the compiled JSON Schemas of schemas/json/, embedded under
`components/schemas` (their `#/$defs/...` references rewritten to shared components), so that the
document is self-contained: openapi-spec-validator and schemathesis read it without resolving
files. Run `python -m conformance.contract.openapi` after `python -m conformance.contract.build`;
a test fails when the committed document differs from what this produces.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml

from conformance.contract.nullforms import SCHEMA_DEFS
from conformance.paths import schemas_dir

OPENAPI_VERSION = "3.1.0"
SANDBOX = "https://sandbox-apigw.koscom.co.kr"
PRODUCTION = "https://apigw.koscom.co.kr"
# C17 (and I81): GET authorize, POST token, both under /auth/oauth/v3.
AUTHORIZE_URL = f"{SANDBOX}/auth/oauth/v3/authorize"
TOKEN_URL = f"{SANDBOX}/auth/oauth/v3/token"
SECURITY = {"account": "accountOAuth", "b2b": "b2bBasic", "member": "memberApiKey"}
DEF_NAMES = {"noValue": "NoValue", "fakeNoValue": "FakeNoValue"}

# Documented error statuses (CONTRACT section 3.2) and their exact messages.
ERRORS: dict[str, tuple[str, str]] = {
    "400": ("BadRequest", "Bad Request: parameter, payload or Content-Type not as specified; 3002/3003"),
    "401": ("Unauthorized", "Unauthorized: authentication failed (bearer token, Basic credentials, apikey)"),
    "403": ("Forbidden", "Forbidden: no permission to use the API (also op-auth 2100)"),
    "404": ("NotFound", "Not Found: the API does not exist (gateway: 'no Route matched with those values')"),
    "405": ("MethodNotAllowed", "Method Not Allowed: every API is POST only"),
    "415": ("UnsupportedMediaType", "Unsupported Media Type: the body must be application/json"),
    "429": ("TooManyRequests", "Too Many Requests: daily quota exceeded (C25); gateway body "
                               "{\"message\": \"API rate limit exceeded\"}"),
    "500": ("InternalServerError", "Internal Server Error; also op-exco 3xxx and broker business errors "
                                   "4000-7000 (I77)"),
    "503": ("ServiceUnavailable", "Service Unavailable; also op-exco 3600 (broker service unavailable)"),
}


def component_name(api: str, kind: str) -> str:
    """`member-register`, `request` → `MemberRegisterRequest`."""
    return "".join(part.capitalize() for part in api.split("-")) + kind.capitalize()


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
                out[key] = "#/components/schemas/" + DEF_NAMES[value.removeprefix("#/$defs/")]
            else:
                out[key] = _rewrite_refs(value)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(value) for value in node]
    return node


def _embedded(schema: dict[str, Any]) -> dict[str, Any]:
    """A compiled message schema as an OpenAPI component: no $schema/$id (the document's dialect
    applies and references resolve against the document), shared $defs."""
    body = {k: v for k, v in schema.items() if k not in ("$schema", "$id", "$defs")}
    return _rewrite_refs(copy.deepcopy(body))


def _error_components() -> dict[str, Any]:
    platform_error = {
        "type": "object",
        "description": "Error format of the platform and the brokers (CONTRACT C24, section 3.1)",
        "required": ["category", "code", "message"],
        "properties": {
            "category": {"type": "string", "description": "op-apim, op-auth, op-exco or the broker's name",
                         "examples": ["op-exco"]},
            "code": {"type": "integer", "description": "a code of CONTRACT section 3.2 (any integer, I73)",
                     "examples": [3012]},
            "message": {"type": "string", "examples": ["Unknown account number"]},
            "description": {"type": "string", "description": "optional extra information"},
        },
    }
    gateway_error = {
        "type": "object",
        "description": "Body of the current gateway's own errors (I79), e.g. 401, 404, 429",
        "required": ["message"],
        "properties": {"message": {"type": "string", "examples": ["API rate limit exceeded"]}},
    }
    return {
        "PlatformError": platform_error,
        "GatewayError": gateway_error,
        "Error": {"anyOf": [{"$ref": "#/components/schemas/PlatformError"},
                            {"$ref": "#/components/schemas/GatewayError"}]},
    }


def _headers() -> dict[str, Any]:
    def optional_int(text: str) -> dict[str, Any]:
        return {"description": text, "required": False, "schema": {"type": "integer", "minimum": 0}}

    return {
        "RetryAfter": {"description": "seconds until calls are allowed again (TRN-005: SHOULD come with 429)",
                       "required": False, "schema": {"type": "integer", "minimum": 0}},
        "XRateLimitLimitDay": optional_int("current gateway: calls allowed per day (C25, I80)"),
        "XRateLimitRemainingDay": optional_int("current gateway: calls left today (C25, I80)"),
        "XRateLimit": optional_int("old gateway: maximum calls in the period (C25, I80)"),
        "XRateValue": optional_int("old gateway: calls made in the period (C25, I80)"),
        "XRatePeriod": {"description": "old gateway: the quota period (C25, I80)", "required": False,
                        "schema": {"type": "string", "enum": ["day", "month"]}},
    }


def _rate_headers() -> dict[str, Any]:
    return {name: {"$ref": f"#/components/headers/{ref}"} for name, ref in _RATE_HEADERS.items()}


_RATE_HEADERS = {
    "X-RateLimit-Limit-Day": "XRateLimitLimitDay",
    "X-RateLimit-Remaining-Day": "XRateLimitRemainingDay",
    "x-rate-limit": "XRateLimit",
    "x-rate-value": "XRateValue",
    "x-rate-period": "XRatePeriod",
}


def _error_responses() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for _status, (name, text) in ERRORS.items():
        response: dict[str, Any] = {
            "description": text,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        if name == "TooManyRequests":
            retry = {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}}
            response["headers"] = {**retry, **_rate_headers()}
        out[name] = response
    return out


def _security_schemes() -> dict[str, Any]:
    return {
        "accountOAuth": {
            "type": "oauth2",
            "description": "Account APIs: OAuth 2.0 authorization code grant; Authorization: Bearer (C17)",
            "flows": {"authorizationCode": {
                "authorizationUrl": AUTHORIZE_URL, "tokenUrl": TOKEN_URL, "refreshUrl": TOKEN_URL,
                "scopes": {"account": "account inquiry APIs (portfolio, balance, transaction, interest)"},
            }},
        },
        "b2bBasic": {"type": "http", "scheme": "basic",
                     "description": "b2b APIs: Basic base64(apikey:secret) in 'authorization', plus a comId "
                                    "header (C18)"},
        "memberApiKey": {"type": "apiKey", "in": "header", "name": "apikey",
                         "description": "Member APIs: the app's API key in header 'apikey' (C19, I65)"},
    }


def _parameters() -> dict[str, Any]:
    return {
        "shortName": {
            "name": "shortName", "in": "path", "required": True,
            "description": "the broker's short name (C1, C2); lower case canonical, any case accepted (I43)",
            "schema": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9]{0,39}$"},
            "examples": {"diamond": {"value": "diamond"}, "shinhan": {"value": "shinhan"}},
        },
        "comId": {
            "name": "comId", "in": "header", "required": True,
            "description": "b2b: institution code issued by the open platform (C16, C18, I61)",
            "schema": {"type": "string", "pattern": "^[A-Za-z0-9]{1,5}$"},
            "example": "00995",
        },
    }


def _operation(api: str, entry: dict[str, Any]) -> dict[str, Any]:
    family = entry["family"]
    parameters: list[dict[str, Any]] = []
    if "{shortName}" in entry["path"]:
        parameters.append({"$ref": "#/components/parameters/shortName"})
    if family == "b2b":
        parameters.append({"$ref": "#/components/parameters/comId"})
    scopes = ["account"] if family == "account" else []
    responses: dict[str, Any] = {
        "200": {
            "description": ("success: the bare body (I72)" if family == "member"
                            else "success: resp.respCode \"200\""),
            "headers": _rate_headers(),
            "content": {"application/json": {"schema": {
                "$ref": f"#/components/schemas/{component_name(api, 'response')}"}}},
        },
    }
    for status, (name, _text) in ERRORS.items():
        responses[status] = {"$ref": f"#/components/responses/{name}"}
    operation: dict[str, Any] = {
        "operationId": api,
        "summary": entry["title"],
        "description": (f"{entry['spec_ref']}. Content-Type: application/json (any case, charset optional; "
                        "I70, I83)."),
        "tags": [family],
        "x-api-id": api,
        "security": [{SECURITY[family]: scopes}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "$ref": f"#/components/schemas/{component_name(api, 'request')}"}}}},
        "responses": responses,
    }
    if parameters:
        operation["parameters"] = parameters
    return operation


def build_openapi(base: Path | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document for all APIs of schemas/catalogue.yaml, schemas embedded."""
    base = base or schemas_dir()
    catalogue = yaml.safe_load((base / "catalogue.yaml").read_text(encoding="utf-8"))

    schemas: dict[str, Any] = {DEF_NAMES[name]: copy.deepcopy(schema) for name, schema in SCHEMA_DEFS.items()}
    schemas.update(_error_components())
    paths: dict[str, Any] = {}
    for api, entry in catalogue["apis"].items():
        for kind in ("request", "response"):
            compiled = json.loads((base / "json" / f"{api}.{kind}.json").read_text(encoding="utf-8"))
            schemas[component_name(api, kind)] = _embedded(compiled)
        paths[entry["path"]] = {"post": _operation(api, entry)}
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "KOSCOM open platform: account-based broker APIs",
            "version": "1.0.0",
            "description": ("The 11 account, b2b and member APIs as the conformance suite reads them "
                            "(CONTRACT.md, schemas/DECISIONS.md). Generated by "
                            "`python -m conformance.contract.openapi` from schemas/catalogue.yaml and "
                            "schemas/json/; do not edit by hand."),
        },
        "servers": [{"url": SANDBOX, "description": "sandbox gateway"},
                    {"url": PRODUCTION, "description": "production gateway"}],
        "tags": [{"name": "account", "description": "account APIs (OAuth 2.0 bearer)"},
                 {"name": "b2b", "description": "discretionary-account APIs (HTTP Basic + comId)"},
                 {"name": "member", "description": "service-link member APIs (apikey)"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": _parameters(),
            "headers": _headers(),
            "responses": _error_responses(),
            "securitySchemes": _security_schemes(),
        },
    }


class _Dumper(yaml.SafeDumper):
    """Block style, but never YAML anchors/aliases: every reader sees plain, repeated data."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def render(document: dict[str, Any]) -> str:
    header = "# Generated by `python -m conformance.contract.openapi`; do not edit by hand.\n"
    return header + yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)


def main() -> None:
    target = schemas_dir() / "openapi.yaml"
    target.write_text(render(build_openapi()), encoding="utf-8")
    print(f"wrote schemas/{target.name}")


if __name__ == "__main__":
    main()
