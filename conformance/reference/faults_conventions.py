"""Faults for the conventions that had no rule before issue 13: device information (C22), partner
codes (C23), the interest queryType of non-claimers (C28), claimed rspTypes (C29) and the currency
suffix (C31). Each is a mistake a real gateway makes when it validates more than the contract asks."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from conformance.reference.behaviour import Behaviour
from conformance.reference.context import Call
from conformance.reference.errors import api_error
from conformance.reference.faultkit import fault
from conformance.reference.values import rewrite

# The device formats of C22 for a PC: 12 digits, 12 hexadecimal characters.
_PC_IP = re.compile(r"\d{12}")
_PC_MAC = re.compile(r"[0-9A-Fa-f]{12}")
# The partner codes the shipped profiles use (C23): a strict gateway knows only its registered ones.
_REGISTERED = {"F9999", "F0995"}


@fault("devinfo-format-checked", "NULL-006",
       "Account APIs refuse (7000) a devInfo that is not the PC format: \"\", a phone number, a UUID.")
def devinfo_format_checked(b: Behaviour) -> None:
    def inspect(call: Call) -> None:
        if call.family != "account":
            return
        dev = call.query.raw.get("devInfo")
        dev = dev if isinstance(dev, dict) else {}
        if not (_PC_IP.fullmatch(str(dev.get("ipAddr", ""))) and _PC_MAC.fullmatch(str(dev.get("macAddr", "")))):
            raise api_error(7000, call.broker.category, "devInfo must be a 12-digit ipAddr and a 12-character macAddr")

    b.inspectors.append(inspect)


@fault("partner-codes-checked", "AUTH-008",
       "The virtual broker's account APIs refuse (7000) partner codes other than the registered ones.")
def partner_codes_checked(b: Behaviour) -> None:
    def inspect(call: Call) -> None:
        if call.family == "account" and call.query.partner.get("comId") not in _REGISTERED:
            raise api_error(7000, call.broker.category, "unknown partner.comId")

    b.inspectors.append(inspect)


@fault("interest-querytype-refused", "FLT-009",
       "A broker without the interest queryType refuses (6001) an interest request whose block asks a "
       "positive count, instead of ignoring the block.")
def interest_querytype_refused(b: Behaviour) -> None:
    def inspect(call: Call) -> None:
        if call.api != "interest" or call.broker.interest_query_type:
            return
        count = call.query.value("count")
        if isinstance(count, (int, float)) and not isinstance(count, bool) and count > 0:
            raise api_error(6001, call.broker.category, "queryType is not supported")

    b.inspectors.append(inspect)


@fault("interest-last-page-bare", "FLT-010",
       "interest honours the queryType block but writes queryResult only while a next page follows: "
       "the last page, and a one-page answer, carry none.")
def interest_last_page_bare(b: Behaviour) -> None:
    def strip(tree: dict[str, Any], call: Call) -> dict[str, Any]:
        body = tree.get("interestSymbolListResponseBody")
        if call.api != "interest" or not call.broker.interest_query_type or not isinstance(body, dict) \
                or call.notes.get("next_key") is not None:
            return tree
        return {**tree, "interestSymbolListResponseBody": {k: v for k, v in body.items() if k != "queryResult"}}

    b.tree_transforms.append(strip)


@fault("qty-rsptype-refused", "NUM-005",
       "portfolio refuses rspType QTY with 6002 although the broker offers real quantities.")
def qty_rsptype_refused(b: Behaviour) -> None:
    def inspect(call: Call) -> None:
        if call.api == "portfolio" and call.query.value("rspType") == "QTY":
            raise api_error(6002, call.broker.category, "rspType QTY is not available")

    b.inspectors.append(inspect)


@fault("rsptype-refused-7000", "NUM-006",
       "portfolio refuses a rspType it does not offer, and an unknown one, with 7000 (Bad Request) "
       "instead of 6002 (Invalid Rsp Type).")
def rsptype_refused_7000(b: Behaviour) -> None:
    def inspect(call: Call) -> None:
        rsp_type = call.query.text("rspType") or "RAT"
        if call.api == "portfolio" and rsp_type not in call.broker.rsp_types:
            raise api_error(7000, call.broker.category, f"rspType {rsp_type!r} is not accepted")

    b.inspectors.append(inspect)


@fault("currency-suffix-wrong", "SCHEMA-009",
       "balancelist writes the balance basis of cashBalInfo[].crcyCode its own way: KRW_D0, KRW-D2.")
def currency_suffix_wrong(b: Behaviour) -> None:
    def suffix(path: tuple[str, ...], value: Any) -> Any:
        if path and path[-1] == "crcyCode" and "cashBalInfo" in path and isinstance(value, str) \
                and value[:3].isalpha():
            return value.replace("-D0", "_D0") if "-D0" in value else value[:3] + "-D2"
        return value

    b.tree_transforms.append(lambda tree, call: rewrite(tree, suffix) if call.api == "balancelist" else tree)


@fault("empty-partner-code-refused", "NULL-001",
       "Every API reads partner.srvId \"\" as missing and refuses it with 3003 (C3: \"\" satisfies it, I1).")
def empty_partner_code_refused(b: Behaviour) -> None:
    def inspect(call: Call) -> None:
        if call.query.partner.get("srvId") == "":
            raise api_error(3003, call.broker.category, "partner.srvId is missing")

    b.inspectors.append(inspect)


# --- faults on more of the APIs a rule applies to (issue 13, item 4) ----------------------------
_LIST_ROOTS = frozenset({"portfolioList", "balanceList", "transList", "orderDetailList", "settleList",
                         "accountList", "tradeBookList"})


@fault("plain-billions", "NUM-001",
       "Integer amounts are kept in 1/10^9 units and written plainly on every API (1234000000000): "
       "nine zeros without exponent notation beyond balance.")
def plain_billions(b: Behaviour) -> None:
    def scale(path: tuple[str, ...], value: Any) -> Any:
        if path and path[0] in _LIST_ROOTS and isinstance(value, int) and not isinstance(value, bool) \
                and value > 0:
            return value * 10**9
        return value

    b.number_style = "plain"
    b.tree_transforms.append(lambda tree, call: rewrite(tree, scale))


# Closed code lists the broker writes in its own words (C10, D13): accountlist and orderdetail.
_OWN_CODES = {"contractStatus": {"0": "N", "1": "Y", "2": "X"}, "modifyType": {"0": "N", "1": "Y"},
              "cancelType": {"0": "N", "1": "Y"}}


@fault("own-status-codes", "SCHEMA-004",
       "accountlist contractStatus and orderdetail modifyType/cancelType use the broker's Y/N flags.")
def own_status_codes(b: Behaviour) -> None:
    def recode(path: tuple[str, ...], value: Any) -> Any:
        codes = _OWN_CODES.get(path[-1]) if path else None
        return codes.get(value, value) if codes and isinstance(value, str) else value

    b.tree_transforms.append(lambda tree, call: rewrite(tree, recode))


@fault("member-result-uppercase", "SCHEMA-004 LINK-001 LINK-006",
       "member-register writes result in upper case (MEMBER, NONMEMBER), outside the closed list.")
def member_result_uppercase(b: Behaviour) -> None:
    def upper(tree: dict[str, Any], call: Call) -> dict[str, Any]:
        if call.api == "member-register" and isinstance(tree.get("result"), str):
            return {**tree, "result": tree["result"].upper()}
        return tree

    b.tree_transforms.append(upper)


@fault("wrong-method-404", "TRN-008",
       "The gateway answers other HTTP methods on an API path with 404 instead of 405.")
def wrong_method_404(b: Behaviour) -> None:
    b.reply_transforms.append(lambda reply, call: dataclasses.replace(reply, status=404)
                              if reply.status == 405 else reply)


@fault("content-type-unchecked", "AUTH-009",
       "The gateway serves a JSON body whatever its Content-Type says (text/plain included).")
def content_type_unchecked(b: Behaviour) -> None:
    b.media_type_ok = lambda value: True


@fault("unrounded-ratios", "NUM-003",
       "portfolio computes the RAT ratios in floating point and writes them unrounded (12.3456789).")
def unrounded_ratios(b: Behaviour) -> None:
    def unround(path: tuple[str, ...], value: Any) -> Any:
        if path and path[0] == "portfolioList" and path[-1] in ("qty", "amt") and isinstance(value, float):
            return round(value * 1.0000123, 7)
        return value

    def apply(tree: dict[str, Any], call: Call) -> dict[str, Any]:
        ratio = call.api == "portfolio" and call.query.text("rspType") in (None, "RAT")
        return rewrite(tree, unround) if ratio else tree

    b.tree_transforms.append(apply)


@fault("drops-derivatives", "GRP-004",
       "The derivatives of a comprehensive account (FUT, OPT, ELW) are silently left out of EQTY and ALL "
       "answers, though the broker does not declare them held separately (C10).")
def drops_derivatives(b: Behaviour) -> None:
    holdings = b.group_holdings
    b.group_holdings = lambda account, group: [h for h in holdings(account, group)
                                               if h.kind not in ("FUT", "OPT", "ELW")]
