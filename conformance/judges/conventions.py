"""Conventions without an area of their own (issue 13): the broker pair of C2, the query-window note
of C27, the portfolio ratio fields of C29/C30, the method and media-type refusals of C1 and C16."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from conformance.contract import MISSING, error_code, get_api, get_path
from conformance.contract.window import in_closed_hours, seoul_time
from conformance.judges import Finding, is_json_number, iter_doc_strings

# C2: the broker table of the account pages and the sandbox's virtual brokers (section 4).
BROKER_CODES = {
    "shinhan": "00002", "daishin": "00004", "eugene": "00008", "hanyang": "00009", "meritz": "00010",
    "nhinvest": "00012", "kbinvest": "00017", "yuanta": "00024", "sk": "00025", "samsung": "00030",
    "dongbu": "00031", "hi": "00046", "miraeassetdaewoo": "00049", "kiwoom": "00050", "ebest": "00063",
    "koreaasset": "00064",
}
VIRTUAL_BROKERS = {"cyber": "00991", "diamond": "00992", "star": "00993"}
_INDEX = re.compile(r"\[\d+\]")
# C33: what LINK-010 notes; onboarding is contractual, so nothing of it is asked.
ONBOARDING_NOTE = ("not testable by the checker (C33): order and b2b APIs need a discretionary-investment licence; "
                   "account APIs a user institution, a security review and the broker's approval")


def broker_pair(short_name: str, code: str | None) -> list[Finding]:
    """The profile's short name/code pair when it is not one of C2's tables (TRN-007)."""
    name = short_name.lower()
    known = {**BROKER_CODES, **VIRTUAL_BROKERS}
    if name not in known:
        return [Finding("", f"the short name {short_name!r} is in neither the C2 table nor the virtual-broker table")]
    if code and code != known[name]:
        return [Finding("", f"{short_name!r} has the company code {known[name]} in C2, the profile says {code}")]
    return []


def is_virtual_broker(short_name: str) -> bool:
    return short_name.lower() in VIRTUAL_BROKERS


def window_note(at: datetime) -> str:
    """What ERR-009 notes about the instant of the run (C27)."""
    local = seoul_time(at).strftime("%H:%M")
    if in_closed_hours(at):
        return (f"the run fell at {local} Seoul time, inside 08:30-16:00: balancelist and settlelist may "
                "refuse (C27); such refusals are not applicable, see results.json query_window")
    return f"the run fell at {local} Seoul time, outside 08:30-16:00: balancelist and settlelist must answer"


def query_result_missing(result_path: str, pages: list[Any]) -> list[Finding]:
    """Each page of a queryType chain that carries no queryResult block (FLT-010, C28: a broker that
    honours the block SHOULD return the block; C4 keeps its absence from failing a MUST rule)."""
    out = []
    for number, doc in enumerate(pages, 1):
        value = get_path(doc, result_path)
        if not isinstance(value, dict):
            shown = "absent" if value is MISSING else f"{value!r}"
            out.append(Finding(result_path, f"page {number}: {result_path} is {shown}, expected the block"))
    return out


def _ratio_paths() -> frozenset[str]:
    """The portfolio fields that carry a ratio under rspType RAT, a quantity under QTY (C29)."""
    return frozenset(p for p, info in get_api("portfolio").fields["response"].items() if info.market == "RAT")


def _ratio_values(doc: Any) -> list[tuple[str, Any]]:
    paths = _ratio_paths()
    return [(path, value) for path, value in iter_doc_strings(doc) if _INDEX.sub("[]", path) in paths]


def ratio_non_numbers(doc: Any) -> list[Finding]:
    """Every portfolio qty/amt that carries a value which is not a JSON number (NUM-005, C29)."""
    return [Finding(path, f"{path} = {value!r}") for path, value in _ratio_values(doc)
            if not is_json_number(value) and value not in (None, "", "null")]


def ratio_precision(doc: Any) -> list[Finding]:
    """Every ratio qty/amt of a RAT answer written with more than two decimals (NUM-003, C30)."""
    return [Finding(path, f"{path} = {value}") for path, value in _ratio_values(doc)
            if isinstance(value, float) and round(value, 2) != value]


def rsp_type_refusal(rsp_type: str, documented: tuple[str, ...], answered: bool, status: int | None,
                     code: int | None) -> list[Finding]:
    """A rspType the broker does not offer is refused with 6002 (NUM-006; section 3.2 documents the
    code for portfolio). A documented type may also be answered: the broker offers more than claimed."""
    expected = error_code("invalid_rsp_type")
    if answered:
        if rsp_type in documented:
            return []
        return [Finding("", f"rspType {rsp_type!r} (none of {', '.join(documented)}) was answered with data; "
                            f"the documented answer is {expected} (Invalid Rsp Type)")]
    if code == expected:
        return []
    return [Finding("", f"rspType {rsp_type!r} was refused with HTTP {status}, code {code}; "
                        f"the documented code is {expected} (Invalid Rsp Type)")]


def method_refusal(api: str, method: str, status: int) -> list[Finding]:
    """Another HTTP method on an API path is refused with 405 (TRN-008, C1)."""
    if status == error_code("method_not_allowed"):
        return []
    return [Finding("", f"{method} on the {api} path was answered HTTP {status}, not 405 (C1)")]


def media_type_refusal(status: int) -> list[Finding]:
    """A JSON body labelled text/plain is refused with 415 or 400 (AUTH-009, C16)."""
    if status in (error_code("unsupported_media_type"), error_code("bad_request")):
        return []
    return [Finding("", f"a JSON body labelled text/plain was answered HTTP {status}, not 415 or 400 (C16)")]
