"""Faults that reach the APIs no other fault broke a rule on (issue 13, item 4): the member answers
(null forms, required keys, JSON types, lengths), the encoding and redirects of the b2b and member
APIs, the length of resp.respMsg, and an unknown b2b account answered with data."""

from __future__ import annotations

import dataclasses
from typing import Any

from conformance.reference import b2b_data
from conformance.reference.behaviour import Behaviour
from conformance.reference.context import Call, Reply
from conformance.reference.errors import ApiError
from conformance.reference.faultkit import fault

_DATES = ("commonTermsExpireDate", "serviceTermsExpireDate")


def _member(api: str, change: Any) -> Any:
    """A tree transform that applies `change(tree)` to the answers of one member API only."""
    return lambda tree, call: change(tree) if call.api == api else tree


def _items(tree: dict[str, Any], change: Any) -> dict[str, Any]:
    """member-consent with `change(item)` applied to every vtAccList entry."""
    entries = tree.get("vtAccList")
    if not isinstance(entries, list):
        return tree
    return {**tree, "vtAccList": [change(e) if isinstance(e, dict) else e for e in entries]}


@fault("member-python-none", "NULL-002 LINK-004",
       "The member service keeps no consent expiry or account alias and writes Python's str(None) for them: "
       "commonTermsExpireDate \"None\" on member-register, vtAccList[].vtAccAlias \"None\" on member-consent.")
def member_python_none(b: Behaviour) -> None:
    b.tree_transforms.append(_member("member-register", lambda t: {**t, "commonTermsExpireDate": "None"}))
    b.tree_transforms.append(_member("member-consent", lambda t: _items(t, lambda e: {**e, "vtAccAlias": "None"})))


@fault("member-own-keys", "SCHEMA-002 LINK-001 LINK-006",
       "The member service writes its internal key names: member-register memberResult instead of result, "
       "member-consent entries brokerCode instead of comId.")
def member_own_keys(b: Behaviour) -> None:
    def renamed(names: dict[str, str]) -> Any:
        return lambda node: {names.get(k, k): v for k, v in node.items()}

    b.tree_transforms.append(_member("member-register", renamed({"result": "memberResult"})))
    b.tree_transforms.append(_member("member-consent", lambda t: _items(t, renamed({"comId": "brokerCode"}))))


def _as_number(value: Any) -> Any:
    return int(value) if isinstance(value, str) and value.isdigit() else value


@fault("member-typed-values", "SCHEMA-003",
       "The member service stores dates and company codes as integers and writes them as JSON numbers: "
       "commonTermsExpireDate 20301105, serviceTermsExpireDate 20300813, vtAccList[].comId 992.")
def member_typed_values(b: Behaviour) -> None:
    def numbers(tree: dict[str, Any], call: Call) -> dict[str, Any]:
        if call.family != "member":
            return tree
        tree = {k: (_as_number(v) if k in _DATES else v) for k, v in tree.items()}
        return _items(tree, lambda e: {**e, "comId": _as_number(e.get("comId"))} if "comId" in e else e)

    b.tree_transforms.append(numbers)


@fault("member-timestamp-dates", "SCHEMA-005 SCHEMA-006 LINK-004",
       "The member service writes the consent expiry from a DATETIME column: commonTermsExpireDate and "
       "serviceTermsExpireDate as yyyyMMddHHmmss (20301105235959), past their length of 8.")
def member_timestamp_dates(b: Behaviour) -> None:
    def stamp(value: Any) -> Any:
        return value + "235959" if isinstance(value, str) and len(value) == 8 and value.isdigit() else value

    b.tree_transforms.append(lambda tree, call: {k: (stamp(v) if k in _DATES else v) for k, v in tree.items()}
                             if call.family == "member" else tree)


@fault("euc-kr-label", "TRN-002",
       "The gateway labels every JSON body charset=EUC-KR (a legacy container default) though it writes "
       "UTF-8: the plain-ASCII member and transaction answers too.")
def euc_kr_label(b: Behaviour) -> None:
    def relabel(reply: Reply, call: Call) -> Reply:
        if "json" not in reply.content_type.lower():
            return reply
        return dataclasses.replace(reply, content_type="application/json; charset=EUC-KR")

    b.reply_transforms.append(relabel)


@fault("traced-resp-msg", "SCHEMA-006",
       "The gateway appends its trace to resp.respMsg (\"OK [node=apgw-02 api=transaction trace=... "
       "elapsed=13ms]\"), past the recommended 50 characters.")
def traced_resp_msg(b: Behaviour) -> None:
    def traced(tree: dict[str, Any], call: Call) -> dict[str, Any]:
        resp = tree.get("resp")
        if not isinstance(resp, dict) or not isinstance(resp.get("respMsg"), str):
            return tree
        trace = f" [node=apgw-02 api={call.api} trace=7f3a9c21e4b05d86 elapsed=13ms]"
        return {**tree, "resp": {**resp, "respMsg": resp["respMsg"] + trace}}

    b.tree_transforms.append(traced)


@fault("redirects-moved-gateway", "TRN-006",
       "The b2b and member APIs moved to a new gateway host and the old address answers 308 there.")
def redirects_moved_gateway(b: Behaviour) -> None:
    def moved(reply: Reply, call: Call) -> Reply:
        if call.family not in ("b2b", "member"):
            return reply
        return Reply(308, b"", "text/plain; charset=utf-8", {"Location": f"https://apigw-new.invalid{call.path}"})

    b.reply_transforms.append(moved)


@fault("b2b-unknown-account-default", "ERR-004",
       "The b2b APIs answer an unknown qrAccNo with the data of the institution's first discretionary "
       "account (a lookup that falls back to the default account).")
def b2b_unknown_account_default(b: Behaviour) -> None:
    resolve_b2b = b.resolve_b2b

    def b2b(call: Call, acc_no: str) -> b2b_data.B2BAccount:
        try:
            return resolve_b2b(call, acc_no)
        except ApiError as err:
            if err.code != 4001:
                raise
            return b2b_data.b2b_accounts(call.broker.short_name)[0]

    b.resolve_b2b = b2b
