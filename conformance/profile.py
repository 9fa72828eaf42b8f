"""Broker profiles (YAML, DESIGN.md format): load, validate, expand ${ENV} secrets.

Every problem becomes a ProfileError whose one-line message names the file and the key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema_rs
import yaml

from conformance import profile_load, redact
from conformance.contract.catalogue import API_IDS, get_api

GROUPS = ("CASH", "EQTY", "FUND", "ETC", "derivatives")
# the qrAssetType groups of the b2b APIs, from the catalogue
B2B_ASSET_TYPES = tuple(dict.fromkeys(g for a in API_IDS if get_api(a).family == "b2b" for g in get_api(a).groups))
_DATE = {"type": "string", "pattern": r"^[0-9]{8}$"}
_HISTORY = {"type": "object", "additionalProperties": False, "required": ["from", "to"],
            "properties": {"from": _DATE, "to": _DATE}}
_STR = {"type": "string"}
# a URL path segment and a folder name in audits: no dots, no slashes, short
_SHORT_NAME = {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9_-]*$", "maxLength": 32}
_SECRET = {"type": "string", "x-secret": True}  # may be written as ${ENV} (profile_load.expand_env)
# Optional test subjects of the onboarding path (C21, C26): a portal member with no virtual account,
# an account issued but linked to no service, one linked to another srvId only, one whose consent for
# this service expired. Each is a person (ci, korName for the member APIs) and, but for the first, an account,
# with the bearer token of its own user where the run's token is not that user's (optional; secret).
ONBOARDING_STATES = ("member_without_account", "unlinked_account", "other_service_account",
                     "expired_consent_account")
_SUBJECT = {"type": "object", "additionalProperties": False, "required": ["vtAccNo", "ci"],
            "properties": {"vtAccNo": _STR, "ci": _SECRET, "korName": _STR, "bearer_token": _SECRET}}
_ONBOARDING = {"type": "object", "additionalProperties": False, "properties": {
    "member_without_account": {"type": "object", "additionalProperties": False, "required": ["ci"],
                               "properties": {"ci": _SECRET, "korName": _STR}},
    **{state: _SUBJECT for state in ONBOARDING_STATES[1:]}}}

QUOTA_BURST, QUOTA_BURST_MAX = 20, 100  # questions of the opt-in quota burst: default, bound
REPORT_LANGS = ("en", "ko")  # = conformance.report.i18n.LANGS (a profile may not import the writers)
PROFILE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["broker", "base_url", "apis"],
    "properties": {
        "broker": {"type": "object", "additionalProperties": False, "required": ["name", "short_name"],
                   "properties": {"name": _STR, "short_name": _SHORT_NAME, "code": _STR}},
        "base_url": {"type": "string", "pattern": r"^https?://[^\s/]+(/[^\s]*)?$"},
        "apis": {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"enum": list(API_IDS)}},
        "capabilities": {"type": "object", "additionalProperties": False, "properties": {
            "all_query": {"type": "boolean"},
            "rsp_types": {"type": "array", "items": {"enum": ["RAT", "QTY"]}},
            "separate_product_groups": {"type": "array", "items": {"enum": list(GROUPS)}},
            "interest_query_type": {"type": "boolean"},
            "b2b_asset_types": {"type": "array", "uniqueItems": True, "items": {"enum": list(B2B_ASSET_TYPES)}},
            "max_date_range_days": {"type": "integer", "minimum": 1},
        }},
        "partner": {"type": "object", "additionalProperties": False,
                    "properties": {"comId": _STR, "srvId": _STR}},
        "auth": {"type": "object", "additionalProperties": False, "properties": {
            "bearer_token": _SECRET,
            "basic": {"type": "object", "additionalProperties": False, "required": ["apikey", "secret"],
                      "properties": {"apikey": _SECRET, "secret": _SECRET}},
            "com_id": _SECRET,
            "apikey": _SECRET,
            # optional (C17): an access token that has expired, and a valid one of another portal
            # user who owns none of the accounts below; without them their checks are not applicable
            "expired_bearer_token": _SECRET,
            "other_user_bearer_token": _SECRET,
        }},
        "accounts": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["vtAccNo", "ci"],
            "properties": {"vtAccNo": _STR, "ci": _SECRET,
                           "product_groups": {"type": "array", "items": {"enum": list(GROUPS)}},
                           "history": _HISTORY, "large": {"type": "boolean"}}}},
        "b2b_accounts": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["accNo"],
            "properties": {"accNo": _STR, "history": _HISTORY}}},
        "member": {"type": "object", "additionalProperties": False, "required": ["ci"],
                   "properties": {"ci": _SECRET, "korName": _STR}},
        "onboarding": _ONBOARDING,
        "limits": {"type": "object", "additionalProperties": False, "properties": {
            "timeout_s": {"type": "number", "exclusiveMinimum": 0},
            "max_response_bytes": {"type": "integer", "minimum": 1024},
            "requests_per_second": {"type": ["number", "null"], "exclusiveMinimum": 0},
            # questions on the wire at once (1 = one after another); the rate limit still spaces sends
            "max_in_flight": {"type": "integer", "minimum": 1, "maximum": 64},
            # property-based negative cases per run (--fuzz), spread over the claimed APIs
            "fuzz_budget": {"type": "integer", "minimum": 0},
            # opt-in (C25): a short burst of distinct questions expecting 429 + Retry-After; only for
            # a test gateway whose quota such a burst exceeds (never on by default)
            "quota_test": {"type": "boolean"},
            "quota_burst": {"type": "integer", "minimum": 2, "maximum": QUOTA_BURST_MAX},
            # pages walked per page chain of a `large: true` account (the paging checks, issue 13)
            "large_pages": {"type": "integer", "minimum": 1, "maximum": 50},
        }},
        "waivers": {"type": "string", "minLength": 1},  # a waivers file, relative to the profile (conformance.waivers)
        "tls": {"type": "object", "additionalProperties": False, "properties": {
            "verify": {"type": "boolean"}, "ca_bundle": _SECRET, "client_cert": _SECRET,
            "client_key": _SECRET}},
        # the report's first language (issue 16); --lang overrides it
        "report": {"type": "object", "additionalProperties": False, "properties": {
            "lang": {"enum": list(REPORT_LANGS)}}},
    },
}

_VALIDATOR = jsonschema_rs.validator_for(PROFILE_SCHEMA)
_SECRET_PATHS = set(profile_load.secret_paths(PROFILE_SCHEMA))


class ProfileError(Exception):
    """A profile that cannot be used; the message is one line naming the file and the key."""


@dataclass(frozen=True)
class Account:
    vtAccNo: str
    ci: str
    product_groups: tuple[str, ...] = ()
    history: tuple[str, str] | None = None
    large: bool = False


@dataclass(frozen=True)
class Subject:
    """One onboarding test subject (profile `onboarding.<state>`); vtAccNo is "" for the member
    without an account."""

    ci: str
    vtAccNo: str = ""
    korName: str = ""
    bearer_token: str | None = field(default=None, repr=False)  # None: the run's token (auth.bearer_token)


@dataclass(frozen=True)
class B2BAccount:
    accNo: str
    history: tuple[str, str] | None = None


@dataclass
class Profile:
    path: str
    name: str
    short_name: str
    code: str
    base_url: str
    apis: tuple[str, ...]
    all_query: bool = False
    rsp_types: tuple[str, ...] = ("RAT",)
    separate_product_groups: tuple[str, ...] = ()
    interest_query_type: bool = False
    # the b2b qrAssetType groups offered (C10, C32); the others may be refused with 6001
    b2b_asset_types: tuple[str, ...] = B2B_ASSET_TYPES
    max_date_range_days: int | None = None
    partner: dict[str, str] = field(default_factory=lambda: {"comId": "F9999", "srvId": "999"})
    bearer_token: str | None = None
    basic_apikey: str | None = None
    basic_secret: str | None = None
    com_id: str | None = None
    apikey: str | None = None
    expired_bearer_token: str | None = None  # C17: an expired access token (optional)
    other_user_bearer_token: str | None = None  # C17: a token of a user owning none of `accounts`
    accounts: tuple[Account, ...] = ()
    b2b_accounts: tuple[B2BAccount, ...] = ()
    member_ci: str | None = None
    member_name: str = ""
    onboarding: dict[str, Subject] = field(default_factory=dict)  # state (ONBOARDING_STATES) -> subject
    timeout_s: float = 10.0
    max_response_bytes: int = 20_000_000
    requests_per_second: float | None = 10.0
    max_in_flight: int = 4
    fuzz_budget: int | None = None  # None: conformance.fuzz.FUZZ_BUDGET
    quota_test: bool = False  # C25 opt-in: the quota burst runs only when the profile asks for it
    quota_burst: int = QUOTA_BURST
    large_pages: int = 3  # pages walked per chain of a large account: its chains are never walked whole
    tls_verify: bool = True
    ca_bundle: str | None = None
    client_cert: str | None = None
    client_key: str | None = None
    waivers: str | None = None  # the waivers file's path, resolved against the profile's folder
    report_lang: str | None = None  # report: {lang: ...}; None: not set (English unless --lang)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    def claims(self, api: str) -> bool:
        return api in self.apis

    @property
    def regular_accounts(self) -> list[Account]:
        return [a for a in self.accounts if not a.large]

    def public_dict(self) -> dict[str, Any]:
        """The profile without its credentials: no auth block, no subject's token (reports, bundles)."""
        public = {key: value for key, value in self.raw.items() if key != "auth"}
        if isinstance(public.get("onboarding"), dict):
            public["onboarding"] = {state: {k: v for k, v in row.items() if k != "bearer_token"}
                                    for state, row in public["onboarding"].items() if isinstance(row, dict)}
        return public


def _location(path: Any) -> str:
    parts = [str(p) if not isinstance(p, int) else f"[{p}]" for p in path]
    return ".".join(parts).replace(".[", "[") or "(top level)"


def _history(row: dict[str, Any]) -> tuple[str, str] | None:
    hist = row.get("history")
    return (hist["from"], hist["to"]) if hist else None


def _validate(source: str, data: dict[str, Any]) -> None:
    # jsonschema-rs: the pure-Python jsonschema costs seconds of import time (format checkers)
    try:
        found = list(_VALIDATOR.iter_errors(data))
    except (ValueError, TypeError, RecursionError) as exc:  # a value JSON Schema cannot read
        raise ProfileError(f"{source}: not a usable profile ({exc})") from None
    errors = sorted(found, key=lambda e: (len(e.instance_path), list(map(str, e.instance_path))))
    if errors:
        err = errors[0]
        where = _location(err.instance_path)
        kind = type(err.kind).__name__
        detail: Any = err.kind  # the subclass named by `kind` carries the details
        if kind == "AdditionalProperties":
            extra = sorted(detail.unexpected)
            raise ProfileError(f"{source}: {where}: unknown key {extra[0]!r}")
        if kind == "Required":
            key = f"{where}.{detail.property}" if where != "(top level)" else detail.property
            raise ProfileError(f"{source}: {key}: missing")
        if kind == "Enum" and list(err.instance_path) == ["report", "lang"]:
            raise ProfileError(f"{source}: report.lang: unknown language {err.instance!r}; "
                               f"use one of {', '.join(REPORT_LANGS)}")
        if kind == "Enum" and list(err.instance_path)[:1] == ["apis"]:
            raise ProfileError(f"{source}: {where}: unknown API id {err.instance!r}; valid ids: {', '.join(API_IDS)}")
        raise ProfileError(f"{source}: {where}: {err.message}")


def load_profile(path: str | Path, *, base_url: str | None = None) -> Profile:
    """Read, validate and expand a profile; `base_url` overrides the file's (embedded brokers)."""
    source = str(path)
    try:
        if Path(path).stat().st_size > profile_load.MAX_PROFILE_BYTES:
            raise ProfileError(f"{source}: larger than {profile_load.MAX_PROFILE_BYTES // 1024} KB; "
                               "a profile is a short file")
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProfileError(f"{source}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{source}: cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    try:
        data = profile_load.load_text(text)
    except profile_load.ProfileInputError as exc:
        raise ProfileError(f"{source}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise ProfileError(f"{source}: {where}not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    if not isinstance(data, dict):
        raise ProfileError(f"{source}: a profile is a YAML mapping (broker:, base_url:, apis:, ...)")
    try:
        profile_load.refuse_env_outside(data, _SECRET_PATHS)
        _validate(source, data)
        data = profile_load.expand_env(data, _SECRET_PATHS)
    except profile_load.ProfileInputError as exc:
        raise ProfileError(f"{source}: {exc}") from None
    if "@" in urlsplit(base_url or data["base_url"]).netloc:
        raise ProfileError(f"{source}: base_url: credentials in the URL (user:pass@) are not allowed; "
                           "put them under auth:")
    return _build(source, data, base_url)


def _build(source: str, data: dict[str, Any], base_url: str | None) -> Profile:
    caps = data.get("capabilities", {})
    auth = data.get("auth", {})
    limits = data.get("limits", {})
    tls = data.get("tls", {})
    member = data.get("member") or {}
    basic = auth.get("basic") or {}
    profile = Profile(
        path=source, name=data["broker"]["name"], short_name=data["broker"]["short_name"],
        code=str(data["broker"].get("code", "")), base_url=(base_url or data["base_url"]).rstrip("/"),
        apis=tuple(data["apis"]), all_query=bool(caps.get("all_query", False)),
        rsp_types=tuple(caps.get("rsp_types", ["RAT"])),
        separate_product_groups=tuple(caps.get("separate_product_groups", [])),
        interest_query_type=bool(caps.get("interest_query_type", False)),
        b2b_asset_types=tuple(caps.get("b2b_asset_types", B2B_ASSET_TYPES)),
        max_date_range_days=caps.get("max_date_range_days"),
        partner={"comId": "F9999", "srvId": "999", **{k: str(v) for k, v in data.get("partner", {}).items()}},
        bearer_token=auth.get("bearer_token"), basic_apikey=basic.get("apikey"), basic_secret=basic.get("secret"),
        com_id=auth.get("com_id"), apikey=auth.get("apikey"),
        expired_bearer_token=auth.get("expired_bearer_token"),
        other_user_bearer_token=auth.get("other_user_bearer_token"),
        accounts=tuple(Account(vtAccNo=a["vtAccNo"], ci=a["ci"], product_groups=tuple(a.get("product_groups", [])),
                               history=_history(a), large=bool(a.get("large", False)))
                       for a in data.get("accounts", [])),
        b2b_accounts=tuple(B2BAccount(accNo=b["accNo"], history=_history(b)) for b in data.get("b2b_accounts", [])),
        member_ci=member.get("ci"), member_name=member.get("korName", ""),
        onboarding={state: Subject(ci=row["ci"], vtAccNo=row.get("vtAccNo", ""), korName=row.get("korName", ""),
                                   bearer_token=row.get("bearer_token"))
                    for state, row in (data.get("onboarding") or {}).items()},
        timeout_s=float(limits.get("timeout_s", 10.0)),
        max_response_bytes=int(limits.get("max_response_bytes", 20_000_000)),
        requests_per_second=limits.get("requests_per_second", 10.0),
        max_in_flight=int(limits.get("max_in_flight", 4)),
        fuzz_budget=limits.get("fuzz_budget"),
        quota_test=bool(limits.get("quota_test", False)),
        quota_burst=int(limits.get("quota_burst", QUOTA_BURST)),
        large_pages=int(limits.get("large_pages", 3)),
        tls_verify=bool(tls.get("verify", True)), ca_bundle=tls.get("ca_bundle"),
        client_cert=tls.get("client_cert"), client_key=tls.get("client_key"),
        waivers=str(Path(source).parent / data["waivers"]) if data.get("waivers") else None,
        report_lang=(data.get("report") or {}).get("lang"),
        raw=data,
    )
    families = {"account": ("portfolio", "balance", "transaction", "interest"),
                "b2b": ("orderdetail", "balancelist", "settlelist", "accountlist", "tradebook")}
    if any(api in profile.apis for api in families["account"]) and not profile.accounts:
        raise ProfileError(f"{source}: accounts: missing (the profile claims account APIs)")
    if any(api in profile.apis for api in families["b2b"]) and not profile.b2b_accounts:
        raise ProfileError(f"{source}: b2b_accounts: missing (the profile claims b2b APIs)")
    for secret in (profile.bearer_token, profile.basic_apikey, profile.basic_secret, profile.apikey,
                   profile.expired_bearer_token, profile.other_user_bearer_token):
        redact.register_secret(secret)
    for account in profile.accounts:
        redact.register_identifier(account.vtAccNo)
        redact.register_identifier(account.ci)
    for b2b in profile.b2b_accounts:
        redact.register_identifier(b2b.accNo)
    redact.register_identifier(profile.member_ci)
    for subject in profile.onboarding.values():
        redact.register_identifier(subject.ci)
        redact.register_identifier(subject.vtAccNo or None)
        redact.register_secret(subject.bearer_token)
    if profile.basic_apikey and profile.basic_secret:
        import base64

        redact.register_secret(f"{profile.basic_apikey}:{profile.basic_secret}")
        redact.register_secret(base64.b64encode(f"{profile.basic_apikey}:{profile.basic_secret}".encode()).decode())
    return profile
