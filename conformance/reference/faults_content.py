"""Faults in what a response says: names, types, dates, null forms, numbers, echoes."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from conformance.reference.behaviour import Behaviour
from conformance.reference.context import Call, Reply
from conformance.reference.faultkit import DATE_KEYS, ECHO_BLOCKS, LIST_BLOCKS, add_no_value_literal, dashed_date, fault
from conformance.reference.values import NV_STR, NoValue, rewrite


def _in_lists(path: tuple[str, ...]) -> bool:
    return bool(path) and path[0] in LIST_BLOCKS


@fault("missing-resp", "SCHEMA-002 ERR-001", "Success responses omit the resp block.")
def missing_resp(b: Behaviour) -> None:
    b.tree_transforms.append(lambda tree, call: {k: v for k, v in tree.items() if k != "resp"})


@fault("amounts-as-strings", "NUM-002 ERR-003 NUM-005",
       "A serialiser writes numbers as strings: amounts, quantities and rates (\"6976542.0\") and the "
       "code of error bodies (\"code\": \"4001\").")
def amounts_as_strings(b: Behaviour) -> None:
    def to_text(path: tuple[str, ...], value: Any) -> Any:
        if _in_lists(path) and isinstance(value, (int, float)) and not isinstance(value, bool):
            return repr(float(value)) if isinstance(value, float) else str(value)
        return value

    def quoted_code(reply: Reply, call: Call) -> Reply:
        try:
            body = json.loads(reply.body) if reply.error else None
        except ValueError:
            return reply
        if not isinstance(body, dict) or not isinstance(body.get("code"), int):
            return reply
        body["code"] = str(body["code"])
        return dataclasses.replace(reply, body=json.dumps(body, ensure_ascii=False).encode())

    b.tree_transforms.append(lambda tree, call: rewrite(tree, to_text))
    b.reply_transforms.append(quoted_code)


@fault("numeric-resp-code", "SCHEMA-003",
       "resp.respCode is written as the JSON number 200, like the code of an error body (I76).")
def numeric_resp_code(b: Behaviour) -> None:
    def as_number(tree: Any, call: Call) -> Any:
        resp = tree.get("resp") if isinstance(tree, dict) else None
        if isinstance(resp, dict) and isinstance(resp.get("respCode"), str) and resp["respCode"].isdigit():
            return {**tree, "resp": {**resp, "respCode": int(resp["respCode"])}}
        return tree

    b.tree_transforms.append(as_number)


@fault("unknown-asset-kind", "SCHEMA-004 GRP-003",
       "Product kinds use the broker's own words: equityList assetType STOCK, etcList assetType BONDS.")
def unknown_asset_kind(b: Behaviour) -> None:
    words = {("equityList", "KSP"): "STOCK", ("equityList", "KDQ"): "STOCK", ("etcList", "BOND"): "BONDS"}

    def rename(path: tuple[str, ...], value: Any) -> Any:
        if path[-1:] == ("assetType",) and len(path) >= 2:
            return words.get((path[-2], value), value)
        return value

    b.tree_transforms.append(lambda tree, call: rewrite(tree, rename))


@fault("dashed-dates", "SCHEMA-005 SCHEMA-008",
       "Dates are written 2016-01-26 (transDate, firstDateBuy, settDate, modifyDate, ...).")
def dashed_dates(b: Behaviour) -> None:
    b.tree_transforms.append(lambda tree, call: rewrite(
        tree, lambda path, v: dashed_date(v) if path[-1:] and path[-1] in DATE_KEYS else v))


_TABLE_NAMES = {
    ("transactionHistoryResponseBody", "queryParams"): "queryPrams",
    ("portfolioResponseBody", "queryResult"): "queryRequest",
    ("etcList", "valAtCur"): "valueAtCur",
    ("cashBalInfo", "totLoanAmt"): "totlLoanAmt",
}


@fault("table-spellings", "SCHEMA-007 ECHO-005 PAGE-004 NUM-002",
       "Names come from the page tables (queryPrams, commHeader, etcList valueAtCur, totlLoanAmt, "
       "queryRequest) and a sloppy serializer writes echoed count and queryResult counts as strings.")
def table_spellings(b: Behaviour) -> None:
    def respell(path: tuple[str, ...], value: Any) -> Any:
        if isinstance(value, dict):
            parent = path[-1] if path else ""
            value = {_TABLE_NAMES.get((parent, k), k): v for k, v in value.items()}
        if len(path) >= 2 and isinstance(value, (int, float)) and (
                (path[-1] == "count" and path[-2] in ECHO_BLOCKS)
                or (path[-1] in ("count", "totalCnt") and path[-2] == "queryResult")):
            return str(value)
        return value

    def transform(tree: dict[str, Any], call: Call) -> dict[str, Any]:
        tree = rewrite(tree, respell)
        if call.api == "interest":
            tree = {("commHeader" if k == "commonHeader" else k): v for k, v in tree.items()}
        return tree

    b.tree_transforms.append(transform)


_WIDTHS = {"assetType": 8, "tradeType": 8, "fundName": 30, "assetName": 30, "productName": 50,
           "isinName": 50, "accName": 30, "groupName": 30}


@fault("fixed-width-padding", "SCHEMA-006 SCHEMA-004 NULL-002",
       "A mainframe gateway pads strings to field width (\"KSP     \", names past the recommended "
       "length) and writes no value as spaces.")
def fixed_width_padding(b: Behaviour) -> None:
    def pad(path: tuple[str, ...], value: Any) -> Any:
        if isinstance(value, str) and path and path[-1] in _WIDTHS:
            return value.ljust(_WIDTHS[path[-1]])
        return value

    b.tree_transforms.append(lambda tree, call: rewrite(tree, pad))
    add_no_value_literal(b, lambda nv, key: '"    "')


@fault("upper-null", "NULL-002", "No value is written \"NULL\" (strings) or \"None\" (other fields).")
def upper_null(b: Behaviour) -> None:
    add_no_value_literal(b, lambda nv, key: '"NULL"' if nv.kind == "string" else '"None"')


@fault("empty-array-for-object", "NULL-005", "Absent object blocks are sent as [] (cash [], queryResult []).")
def empty_array_for_object(b: Behaviour) -> None:
    add_no_value_literal(b, lambda nv, key: "[]" if nv.kind == "object" else None)


@fault("echo-from-backend", "ECHO-001 ECHO-002 ECHO-003 ECHO-004",
       "The echo comes from the broker's internal query: real account numbers, the page size it chose, "
       "the next key, its own request id and the CI from its database with a prefix.")
def echo_from_backend(b: Behaviour) -> None:
    resolve_account, resolve_b2b = b.resolve_account, b.resolve_b2b

    def account(call: Call) -> Any:
        found = resolve_account(call)
        call.notes["real_acc_no"] = found.spec.real_acc_no or found.vt_acc_no[::-1]
        call.notes["db_ci"] = found.ci
        return found

    def b2b(call: Call, acc_no: str) -> Any:
        found = resolve_b2b(call, acc_no)
        call.notes["real_acc_no"] = found.ledger_no
        return found

    def transform(tree: dict[str, Any], call: Call) -> dict[str, Any]:
        notes = call.notes

        def backend(path: tuple[str, ...], value: Any) -> Any:
            if path in (("accInfo", "vtAccNo"),) or path[-2:] == ("queryParameter", "qrAccNo"):
                return notes.get("real_acc_no", value)
            if len(path) >= 2 and path[-2] in ECHO_BLOCKS:
                if path[-1] == "count" and "page_size" in notes:
                    return notes["page_size"]
                if path[-1] == "page" and "page_size" in notes:
                    return notes.get("next_key") or NV_STR
            if path == ("commonHeader", "reqIdConsumer") and isinstance(value, (str, NoValue)):
                return "BK" + call.broker.code + "0000001"
            if path == ("commonHeader", "ci") and "db_ci" in notes:
                return "KR01" + notes["db_ci"]
            return value

        return rewrite(tree, backend)

    b.resolve_account, b.resolve_b2b = account, b2b
    b.tree_transforms.append(transform)


@fault("plain-big-numbers", "NUM-001",
       "Numbers of 1e9 and more are written plainly (3698275635090, 10000000000.0).")
def plain_big_numbers(b: Behaviour) -> None:
    b.number_style = "plain"


@fault("unrounded-rates", "NUM-003 NUM-001",
       "Naive float formatting: earningRate with 6 decimals, big amounts written plainly.")
def unrounded_rates(b: Behaviour) -> None:
    b.number_style = "plain"
    b.rounding = {**b.rounding, "earningRate": 6}


@fault("consent-bad-dates", "LINK-004 SCHEMA-005", "Consent expiry dates are written 2019-08-13.")
def consent_bad_dates(b: Behaviour) -> None:
    keys = ("commonTermsExpireDate", "serviceTermsExpireDate")
    b.tree_transforms.append(
        lambda tree, call: {k: (dashed_date(v) if k in keys else v) for k, v in tree.items()})
