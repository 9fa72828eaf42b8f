"""Allure labels: epic = broker, feature = area, story = rule id, severity mapped, clause links, api."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from conformance.report.allure_labels import allure_labels
from conformance.rules import get_rule


def test_labels_describe_broker_area_rule_severity_clauses_and_api():
    labels = allure_labels(get_rule("NULL-003"), "balance", "diamond")
    assert labels["epic"] == "diamond"
    assert labels["feature"] == "null-values"
    assert labels["story"] == "NULL-003"
    assert labels["severity"] == "critical"
    urls = [link["url"] for link in labels["links"]]
    assert urls == ["report.html#I12", "report.html#C12", "report.html#C13"]
    assert labels["links"][0]["name"].startswith("I12 ")
    assert labels["parameters"] == {"api": "balance"}


def test_severity_mapping_should_is_normal_info_is_minor():
    assert allure_labels(get_rule("SCHEMA-006"), "balance", "b")["severity"] == "normal"
    assert allure_labels(get_rule("ALL-005"), "balance", "b")["severity"] == "minor"


def test_labels_and_evidence_reach_allure_results_in_a_real_pytest_run(tmp_path):
    """Runs pytest with allure-pytest on a small test that applies the labels and attaches evidence."""
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")
    (tmp_path / "test_labelled.py").write_text(textwrap.dedent("""
        from conformance.evidence import Exchange
        from conformance.report.allure_labels import apply_allure_labels, attach_evidence
        from conformance.rules import get_rule

        def test_check():
            apply_allure_labels(get_rule("ECHO-001"), "transaction", "diamond")
            exchange = Exchange(id="ex-1", api="transaction", purpose="echo", method="POST",
                                url="http://127.0.0.1:1/v1/diamond/account/transaction/search",
                                request_headers={"Authorization": "Bearer SECRET-TOKEN-XYZ"},
                                request_body=b'{"accInfo": {"vtAccNo": "160635473367600099"}}',
                                status=200, response_body=b'{"resp": {"respCode": "200"}}')
            attach_evidence([exchange, exchange.to_evidence()])
    """))
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "--alluredir", str(tmp_path / "allure"),
                          "-c", str(tmp_path / "pytest.ini"), "--rootdir", str(tmp_path), str(tmp_path)],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    [result] = [json.loads(p.read_text()) for p in (tmp_path / "allure").glob("*-result.json")]
    labels = {(label["name"], label["value"]) for label in result["labels"]}
    expected = {("epic", "diamond"), ("feature", "echo"), ("story", "ECHO-001"), ("severity", "critical")}
    assert expected <= labels
    assert {link["url"] for link in result["links"]} == {"report.html#C5", "report.html#I15"}
    assert {"name": "api", "value": "'transaction'"} in [{k: p[k] for k in ("name", "value")}
                                                          for p in result["parameters"]]
    attachments = result["attachments"]
    assert len(attachments) == 2 and all(a["type"] == "application/json" for a in attachments)
    for attachment in attachments:
        body = (tmp_path / "allure" / attachment["source"]).read_text()
        assert "SECRET-TOKEN-XYZ" not in body and "160635473367600099" not in body
        assert json.loads(body)["id"] == "ex-1"
