"""Reading a request body: block names in both spellings, no-value forms, required keys, types.

Tolerant where the contract is tolerant (C3, C4, C6, C22, C23, I12, I21, I27, I37, I56: both
spellings, every no-value form, unknown and unused fields ignored), strict where it must be
(ERR-006/ERR-008): malformed JSON → 3011, a missing identity key → 3003, a wrong-typed field → 7000.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from conformance.reference.errors import ApiError, api_error
from conformance.reference.values import MISSING, is_no_value


@dataclass(frozen=True)
class RequestSpec:
    family: str  # account | b2b | member
    body: tuple[str, ...]  # accepted names of the body block, canonical first
    query: tuple[str, ...]  # accepted names of the query block inside the body (empty: none)
    fields: tuple[str, ...]  # query fields, in echo order
    flat_ok: bool = False  # fields may sit directly under the body (I21, I56)


SPECS: dict[str, RequestSpec] = {
    "portfolio": RequestSpec("account", ("portfolioRequestBody",), ("queryType",),
                             ("assetType", "rspType", "count", "page"), flat_ok=True),
    "balance": RequestSpec("account", ("balanceRequestBody",), ("queryType",),
                           ("assetType", "rspType", "count", "page")),
    "transaction": RequestSpec("account", ("transactionHistoryRequestBody",), ("queryParams", "queryPrams"),
                               ("fromDate", "toDate", "isinCode", "side", "count", "page")),
    "interest": RequestSpec("account", ("interestSymbolListRequestBody", "InterestStmbolListRequestBody"),
                            ("queryType",), ("assetType", "rspType", "count", "page")),
    "orderdetail": RequestSpec("b2b", ("orderDetailListRequestBody",), ("queryParameter",),
                               ("qrAssetType", "qrSellBuyType", "qrAccNo", "qrOrderDate", "qrIsinCode",
                                "qrOrderNo", "count", "page")),
    "balancelist": RequestSpec("b2b", ("balanceListRequestBody",), ("queryParameter",),
                               ("qrAccNo", "qrAssetType", "count", "page")),
    "settlelist": RequestSpec("b2b", ("settleListRequestBody",), ("queryParameter",),
                              ("qrAssetType", "qrSellBuyType", "qrAccNo", "qrOrderDate", "qrIsinCode",
                               "count", "page")),
    "accountlist": RequestSpec("b2b", ("accountListRequestBody",), ("queryParameter",), ("count", "page"),
                               flat_ok=True),
    "tradebook": RequestSpec("b2b", ("tradeBookListRequestBody",), ("queryParameter",),
                             ("qrAccNo", "qrFromDate", "qrToDate", "count", "page")),
    "member-register": RequestSpec("member", ("body",), (), ("korName",)),
    "member-consent": RequestSpec("member", ("body",), (), ("korName",)),
}
NUMBER_FIELDS = frozenset({"count"})
DATE_FIELDS = frozenset({"fromDate", "toDate", "qrOrderDate", "qrFromDate", "qrToDate"})
# Identity/routing keys that must be present (I1); the value may still be a no-value form.
REQUIRED_QUERY = {"orderdetail": ("qrAccNo",), "balancelist": ("qrAccNo",), "settlelist": ("qrAccNo",),
                  "tradebook": ("qrAccNo",), "member-register": ("korName",), "member-consent": ("korName",)}


@dataclass
class Inbound:
    """A parsed request: its blocks and the query fields as sent (`MISSING` when absent)."""

    api: str
    raw: dict[str, Any]
    partner: dict[str, Any]
    header: dict[str, Any]
    acc: dict[str, Any]
    query: dict[str, Any]
    query_name: str

    def value(self, name: str) -> Any:
        """The query field's value, or None for every no-value form."""
        value = self.query.get(name, MISSING)
        return None if is_no_value(value) else value

    def text(self, name: str) -> str | None:
        value = self.value(name)
        return None if value is None else str(value).strip()

    def count(self) -> int | None:
        value = self.value("count")
        return None if value is None else int(value)

    @property
    def ci(self) -> str:
        value = self.header.get("ci")
        return value if isinstance(value, str) else ""

    @property
    def vt_acc_no(self) -> str:
        value = self.acc.get("vtAccNo")
        return value if isinstance(value, str) else ""


def parse(api: str, raw: bytes, category: str) -> Inbound:
    """Parse and validate a request body (raises ApiError 3011 / 3003 / 7000)."""
    spec = SPECS[api]
    try:
        doc = json.loads(raw.decode("utf-8"), parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise api_error(3011, category, f"not a JSON document: {exc}", kind="malformed") from None
    if not isinstance(doc, dict):
        raise api_error(3011, category, "the body must be a JSON object", kind="malformed")
    try:  # "\ud800" escapes parse, but no UTF-8 text can carry them (they would break the echo)
        json.dumps(doc, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, RecursionError):
        raise api_error(3011, category, "a string holds an unpaired surrogate escape",
                        kind="malformed") from None
    partner = _block(doc, ("partner",), category, "partner", required=True)
    header = _block(doc, ("commonHeader",), category, "commonHeader", required=spec.family != "b2b")
    acc = _block(doc, ("accInfo",), category, "accInfo", required=spec.family == "account")
    body = _block(doc, spec.body, category, spec.body[0], required=True)
    query, query_name = body, spec.body[0]
    if spec.query:
        found = next((n for n in spec.query if n in body and not is_no_value(body[n])), None)
        if found is not None:
            query = _block(body, (found,), category, f"{spec.body[0]}.{found}", required=True)
        elif not spec.flat_ok:
            query = {}
        query_name = found or spec.query[0]
    for key in ("comId", "srvId"):
        _require(partner, key, category, f"partner.{key}")
    if spec.family in ("account", "member"):
        _require(header, "ci", category, "commonHeader.ci")
    if spec.family == "account":
        _require(acc, "vtAccNo", category, "accInfo.vtAccNo")
    for key in REQUIRED_QUERY.get(api, ()):
        _require(query, key, category, f"{query_name}.{key}")
    _check_types(partner, ("comId", "srvId"), category, "partner")
    _check_types(header, ("reqIdConsumer", "ci"), category, "commonHeader")
    _check_types(acc, ("vtAccNo",), category, "accInfo")
    _check_types(query, spec.fields, category, query_name)
    fields = {k: query[k] for k in spec.fields if k in query}
    return Inbound(api, doc, partner, header, acc, fields, query_name)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _block(doc: dict[str, Any], names: tuple[str, ...], category: str, label: str,
           *, required: bool) -> dict[str, Any]:
    for name in names:
        value = doc.get(name, MISSING)
        if is_no_value(value):
            continue
        if not isinstance(value, dict):
            raise api_error(7000, category, f"{label} must be an object", kind="type")
        return value
    if required:
        raise api_error(3003, category, f"{label} is missing", kind="missing")
    return {}


def _require(block: dict[str, Any], key: str, category: str, label: str) -> None:
    if key not in block:
        raise api_error(3003, category, f"{label} is missing", kind="missing")


def _check_types(block: dict[str, Any], names: tuple[str, ...], category: str, label: str) -> None:
    for name in names:
        value = block.get(name, MISSING)
        if is_no_value(value):
            continue
        problem = _type_problem(name, value)
        if problem:
            raise api_error(7000, category, f"{label}.{name} {problem}", kind="type")


def _type_problem(name: str, value: Any) -> str | None:
    if name in NUMBER_FIELDS:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "must be a number"
        if not math.isfinite(value) or value < 0 or value != int(value):
            return "must be a whole number, 0 or more"
        return None
    if not isinstance(value, str):
        return "must be a string"
    if name in DATE_FIELDS and not is_date(value.strip()):
        return "must be a date YYYYMMDD"
    return None


def is_date(text: str) -> bool:
    if len(text) != 8 or not text.isdigit():
        return False
    try:
        date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return False
    return True


__all__ = ["SPECS", "ApiError", "Inbound", "RequestSpec", "is_date", "parse"]
