"""Typed findings: a violation carries all its findings (rule, API, path, expected, actual,
exchanges), deduplicated; the message is rendered from them; results.json keeps them, cleaned."""

from __future__ import annotations

import json

import pytest

from conformance import checking as ck
from conformance.contract import validate
from conformance.evidence import Exchange
from conformance.findings import MAX_LINES, Finding, dedupe, render
from conformance.results_doc import schema_errors
from conformance.rules import ContractViolation

pytest_plugins = ["pytester"]


def test_repeats_are_one_finding_with_every_exchange():
    a = Finding(rule="NUM-001", message="nine zeros", path="a.b", api="balance", exchanges=("e1",))
    b = Finding(rule="NUM-001", message="nine zeros", path="a.b", api="balance", exchanges=("e2", "e1"))
    c = Finding(rule="NUM-001", message="nine zeros", path="a.c", api="balance", exchanges=("e2",))
    merged = dedupe([a, b, c])
    assert [f.path for f in merged] == ["a.b", "a.c"]
    assert merged[0].exchanges == ("e1", "e2")


def test_message_is_rendered_from_the_findings():
    found = [Finding(rule="SCHEMA-003", message=f"bad {i}", path=f"x[{i}]") for i in range(MAX_LINES + 3)]
    text = render(found)
    assert text.splitlines()[0] == "x[0]: bad 0"
    assert text.splitlines()[-1] == "… and 3 more"
    exc = ContractViolation("SCHEMA-003", findings=found + found[:2])
    assert len(exc.findings) == MAX_LINES + 3  # all kept, each once
    assert exc.message == text and exc.path == ""


def test_a_prose_violation_is_its_one_finding():
    exc = ContractViolation("PAGE-003", "the chain does not end", path="r.page", api="balance", exchanges=["e7"])
    assert str(exc) == "PAGE-003 r.page: the chain does not end"
    (only,) = exc.findings
    assert (only.rule, only.path, only.api, only.exchanges) == ("PAGE-003", "r.page", "balance", ("e7",))


def test_contract_violations_say_expected_and_actual():
    body = b'{"resp": {"respCode": "200"}, "balanceResponseBody": {"queryType": {"count": "1,000"}}}'
    found = validate("balance", "response", body)
    wrong = next(v for v in found if v.rule_id == "NUM-002")
    assert "number" in wrong.expected and wrong.actual == 'the string "1,000"'
    missing = next(v for v in found if v.rule_id == "SCHEMA-002")
    assert missing.actual == "absent" and missing.expected.startswith("required")


def test_report_raises_every_violation_as_a_finding():
    body = b'{"resp": {"respCode": "200"}, "balanceResponseBody": {"queryType": {"count": "1,000"}}}'
    exchange = Exchange(id="x1", api="balance", purpose="t", method="POST", url="http://gw/x",
                        request_headers={}, request_body=b"", status=200, response_headers={}, response_body=body)
    violations = validate("balance", "response", body)
    mine = [v for v in violations if v.rule_id == "SCHEMA-002"]
    with pytest.raises(ContractViolation) as caught:
        ck.report("SCHEMA-002", violations, exchange, "balance")
    exc = caught.value
    assert [f.path for f in exc.findings] == [v.path for v in mine]
    assert exc.message == "\n".join(f"{v.path}: {v.message}" for v in mine)  # the text of before
    assert exc.exchanges == ["x1"] and all(f.exchanges == ("x1",) for f in exc.findings)


SUITE = '''
import pytest
from conformance.findings import Finding
from conformance.redact import register_secret
from conformance.rules import ContractViolation

register_secret("sekrit-token-123")  # as a profile's token is registered when it loads


@pytest.mark.rule("SCHEMA-003")
def test_two_findings():
    raise ContractViolation("SCHEMA-003", api="balance", findings=[
        Finding(rule="SCHEMA-003", message="too long", path="a.x", expected="8 characters",
                actual='the string "Bearer sekrit-token-123"'),
        Finding(rule="SCHEMA-003", message="wrong type", path="a.y", expected="number", actual="an object"),
    ])
'''


def test_results_json_keeps_the_findings_cleaned(pytester: pytest.Pytester, monkeypatch):
    pytester.makepyfile(test_suite=SUITE)
    out = pytester.path / "out"
    pytester.runpytest_subprocess("-p", "conformance.plugin", "--out", str(out), "-p", "no:cacheprovider",
                                  "-p", "no:allure_pytest")
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    (check,) = next(r for r in results["rules"] if r["id"] == "SCHEMA-003")["checks"]
    assert [f["path"] for f in check["findings"]] == ["a.x", "a.y"]
    assert check["findings"][1] == {"rule": "SCHEMA-003", "message": "wrong type", "path": "a.y", "api": "balance",
                                    "expected": "number", "actual": "an object", "exchanges": [], "kind": "logic"}
    assert check["message"] == "a.x: too long\na.y: wrong type"
    assert "sekrit-token-123" not in json.dumps(check)  # a bearer token never reaches a file
    assert schema_errors(results) == []  # a failing run's record, findings and all, is what the schema says
