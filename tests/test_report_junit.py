"""junit.xml: one testcase per check, with totals equal to results.json."""

from __future__ import annotations

import importlib.util
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from conformance.report.junit import write_junit

FIXTURE = Path(__file__).parent / "fixtures" / "make_results.py"
_spec = importlib.util.spec_from_file_location("report_fixture", FIXTURE)
fixture = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(fixture)  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def results():
    return fixture.make_results(plant_secrets=False)


@pytest.fixture(scope="module")
def root(results, tmp_path_factory):
    path = tmp_path_factory.mktemp("junit") / "junit.xml"
    write_junit(results, path)
    return ET.parse(path).getroot()


def _checks(results):
    return [(rule, check) for rule in results["rules"] for check in rule["checks"]]


def test_totals_agree_with_results_json(results, root):
    statuses = Counter(check["status"] for _, check in _checks(results))
    summary = results["summary"]
    assert int(root.get("tests")) == summary["checks"] + summary["run_errors"]
    assert int(root.get("failures")) == statuses["fail"]
    assert int(root.get("skipped")) == statuses["skip"] + statuses["not_applicable"]
    assert int(root.get("errors")) == summary["run_errors"] == len(results["run_errors"])
    assert len(root.findall(".//testcase")) == int(root.get("tests"))
    for suite in root.findall("testsuite"):
        assert int(suite.get("tests")) == len(suite.findall("testcase"))
        assert int(suite.get("failures")) == len(suite.findall("testcase/failure"))
        assert int(suite.get("skipped")) == len(suite.findall("testcase/skipped"))


def test_one_testcase_per_check_named_rule_and_api_classed_by_area(results, root):
    expected = Counter((rule["area"], f"{rule['id']}[{check['api']}]") for rule, check in _checks(results))
    found = Counter((case.get("classname"), case.get("name")) for case in root.findall(".//testcase")
                    if case.get("classname") != "run-errors")
    assert found == expected


def test_a_failed_check_is_a_failure_with_its_message_path_and_curl(root):
    case = next(c for c in root.iter("testcase") if c.get("name") == "NULL-002[balance]")
    failure = case.find("failure")
    assert failure is not None
    assert '"NULL" is not a legal no-value form' in failure.get("message")
    assert "path: balanceList.balance.equityList[3].productName" in failure.text
    assert "curl -X POST" in failure.text


def test_a_warning_passes_with_a_system_out_note(root):
    case = next(c for c in root.iter("testcase") if c.get("name") == "SCHEMA-006[balance]")
    assert case.find("failure") is None and case.find("skipped") is None
    assert case.find("system-out").text.startswith("WARNING (SHOULD SCHEMA-006)")
    props = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert props["status"] == "warn" and props["severity"] == "SHOULD"


def test_skip_and_not_applicable_are_skipped_and_say_which(root):
    skipped = {c.get("name"): c.find("skipped").get("message") for c in root.iter("testcase")
               if c.find("skipped") is not None}
    assert skipped["ALL-004[balance]"].startswith("not applicable: ")
    assert skipped["AUTH-007[accountlist]"].startswith("skipped: ")


def test_run_errors_are_errors_in_their_own_suite(root):
    suite = next(s for s in root.findall("testsuite") if s.get("name") == "diamond.run-errors")
    assert suite.find("testcase/error").get("type") == "RunError"


def test_characters_xml_cannot_carry_are_replaced_not_written(tmp_path):
    results = {"broker": {"short_name": "b"}, "rules": [
        {"id": "X-1", "area": "schema", "severity": "MUST", "status": "fail",
         "checks": [{"api": "a", "status": "fail", "message": "bad \x00\x1b byte"}]}]}
    write_junit(results, tmp_path / "j.xml")
    case = ET.parse(tmp_path / "j.xml").getroot().find(".//failure")
    assert case.get("message") == "bad \ufffd\ufffd byte"
