"""Error judges of one answer: a success is HTTP 200 with respCode "200" (ERR-001), an error is a
JSON error body (ERR-002) with a documented code and status (ERR-003), never sent with 2xx (ERR-005)."""

from __future__ import annotations

from conformance import checking as ck
from conformance.contract import get_api
from conformance.contract.errors import error_codes, status_fits
from conformance.errors import code_type_problem, error_code, is_error_body
from conformance.evidence import Exchange


def success_answer(exchange: Exchange, api: str) -> None:
    """ERR-001 on the answer to a question that must succeed: HTTP 200, a JSON object, and (account,
    b2b) resp.respCode "200"."""
    got = ck.answer(exchange, api, "ERR-001")
    if get_api(api).family != "member" and ck.success_code(got.doc) != "200":
        ck.violate("ERR-001", "the success answer carries no resp.respCode \"200\"", exchanges=[exchange], api=api)


def http200_code(exchange: Exchange, api: str) -> None:
    """ERR-001: HTTP 200 is never sent with a resp.respCode other than "200"."""
    code = ck.success_code(exchange.json()) if exchange.status == 200 else None
    if code not in (None, "200"):
        ck.violate("ERR-001", f"HTTP 200 sent with resp.respCode {code!r}", exchanges=[exchange], api=api)


def error_body(exchange: Exchange, api: str) -> None:
    """ERR-002 on an answer with an HTTP error status."""
    if exchange.status is not None and exchange.status < 400:
        return  # ERR-005 judges errors disguised as successes
    if not is_error_body(exchange.json()):
        body = exchange.response_body[:160].decode("utf-8", "replace")
        ck.violate("ERR-002", f"HTTP {exchange.status} error answer is not a JSON error body "
                   f"({{code, message}} or {{message}}): {body!r}", exchanges=[exchange], api=api)


def documented_code(exchange: Exchange, api: str) -> None:
    """ERR-003 on an answer with an HTTP error status."""
    if exchange.status is None or exchange.status < 400:
        return
    code = error_code(exchange)
    doc = exchange.json()
    if code is None:
        if isinstance(doc, dict) and "code" not in doc and ("message" in doc or "error" in doc):
            return  # a gateway message body (I79) has no code
        ck.violate("ERR-003", f"HTTP {exchange.status} error answer carries no error code",
                   exchanges=[exchange], api=api)
    if code not in error_codes():
        ck.violate("ERR-003", f"error code {code} is not documented", exchanges=[exchange], api=api)
    if not status_fits(code, exchange.status):
        ck.violate("ERR-003", f"error code {code} sent with HTTP {exchange.status}", exchanges=[exchange], api=api)
    if problem := code_type_problem(doc):  # C24, I76: code is an Integer
        ck.violate("ERR-003", problem, exchanges=[exchange], api=api)


def error_with_2xx(exchange: Exchange, api: str, wrong: str = "") -> None:
    """ERR-005: an answer carrying an error code (or one to a request that must fail: `wrong`) is
    never HTTP 2xx."""
    if exchange.status is not None and 200 <= exchange.status < 300:
        code = error_code(exchange)
        if code is not None or wrong == "no credentials":
            what = f"a request with {wrong}" if wrong else "a request"
            ck.violate("ERR-005", f"{what} answered with HTTP {exchange.status}"
                       + (f" and error code {code}" if code is not None else ""), exchanges=[exchange], api=api)
