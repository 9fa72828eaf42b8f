"""An error body's `code` is an Integer (CONTRACT.md 3.1, I76): a string code is a SHOULD finding
(ERR-003, C24), never a reason to lose the code itself."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conformance.errors import code_type_problem, error_code, is_error_body
from conformance.evidence import Exchange
from conformance.rules import get_rule


@pytest.mark.parametrize("body", [
    {"category": "op-exco", "code": 4001, "message": "x"}, {"code": 4001.0, "message": "x"},
    {"message": "gateway says no"}, {"resp": {"respCode": "4001", "respMsg": "x"}}, [], None])
def test_an_integer_code_or_no_code_is_no_finding(body: Any) -> None:
    assert code_type_problem(body) is None


@pytest.mark.parametrize(("body", "words"), [
    ({"code": "4001", "message": "x"}, ['the string "4001"', "send the JSON number 4001"]),
    ({"code": " 4001", "message": "x"}, ["send the JSON number 4001"]),
    ({"code": "E4001", "message": "x"}, ['the string "E4001"', "Integer"]),
    ({"code": True, "message": "x"}, ["true", "Integer"]),
    ({"code": None, "message": "x"}, ["null", "Integer"]),
    ({"code": 4001.5, "message": "x"}, ["4001.5", "Integer"])])
def test_a_code_of_another_type_is_named_with_the_fix(body: Any, words: list[str]) -> None:
    problem = code_type_problem(body)
    assert problem is not None and all(word in problem for word in words), problem
    assert is_error_body(body)  # still an error body: ERR-002 (MUST) is not at stake


def test_the_finding_is_filed_under_a_should_rule() -> None:
    assert get_rule("ERR-003").severity == "SHOULD"
    # the errors suite's ERR-003 judge (conformance/checking/exchange/errors.py, shared with passive judging)
    root = __import__("pathlib").Path(__file__).parent.parent
    source = (root / "conformance" / "checking" / "exchange" / "errors.py").read_text()
    assert 'ck.violate("ERR-003", problem' in source


def _exchange(status: int, body: object) -> Exchange:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Exchange(id="x0001", api="portfolio", purpose="canned", method="POST", url="http://t/",
                    request_headers={}, request_body=b"{}", status=status, response_body=raw)


@pytest.mark.parametrize(("status", "body", "code"), [
    (500, {"category": "Cyber", "code": 6001, "message": "Invalid Asset Type"}, 6001),
    (500, {"category": "Cyber", "code": "6001", "message": "Invalid Asset Type"}, 6001),
    (200, {"resp": {"respCode": "6001", "respMsg": "Invalid Asset Type"}}, 6001),
    (200, {"Resp": {"respCode": "200"}}, None),  # a success carries no error code
    (502, b"<html>bad gateway</html>", None),
    (500, {"code": True}, None),
])
def test_error_code_read_from_body_or_resp(status: int, body: object, code: int | None) -> None:
    assert error_code(_exchange(status, body)) == code
