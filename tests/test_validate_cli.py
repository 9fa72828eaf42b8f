"""`conformance validate` and `conformance rules` as a user runs them: a separate process, exit
codes 0/1/2, one `PATH<TAB>RULE-ID<TAB>message` line per finding, from any working directory."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers_contract import REPO, SAMPLES

from conformance.contract import API_IDS
from conformance.rules import load_rules

LINE = re.compile(r"^[^\t]+\t[A-Z]+-\d{3}\t.+$")


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    return subprocess.run([sys.executable, "-m", "conformance", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def test_a_conforming_message_exits_0_and_prints_nothing() -> None:
    result = run("validate", "--api", "settlelist", "--response", str(SAMPLES / "settlelist.response.json"))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_should_findings_print_but_exit_0_unless_strict(tmp_path: Path) -> None:
    sample = str(SAMPLES / "orderdetail.response.json")
    result = run("validate", "--api", "orderdetail", "--response", sample)
    assert result.returncode == 0
    assert result.stdout.splitlines() == ["orderDetailList.orderDetail[0].orderTime\tSCHEMA-006\t"
                                          "(SHOULD) 16 characters; the recommended maximum is 12"]
    assert run("validate", "--api", "orderdetail", "--response", sample, "--strict").returncode == 1


def test_a_must_violation_exits_1_with_path_rule_and_message(tmp_path: Path) -> None:
    doc = json.loads((SAMPLES / "balance.response.json").read_bytes())
    doc["balanceList"]["balance"]["summary"]["cashBalance"] = "NULL"
    del doc["resp"]["respCode"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = run("validate", "--api", "balance", "--response", str(bad))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert all(LINE.match(line) for line in lines), lines
    parsed = {tuple(line.split("\t")[:2]) for line in lines}
    assert ("balanceList.balance.summary.cashBalance", "NULL-002") in parsed
    assert ("resp.respCode", "SCHEMA-002") in parsed
    assert result.stderr == ""


def test_a_request_is_judged_as_a_request(tmp_path: Path) -> None:
    doc = json.loads((SAMPLES / "orderdetail.request.json").read_bytes())
    del doc["orderDetailListRequestBody"]["queryParameter"]["qrAccNo"]
    bad = tmp_path / "req.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    result = run("validate", "--api", "orderdetail", "--request", str(bad))
    assert result.returncode == 1
    assert result.stdout.startswith("orderDetailListRequestBody.queryParameter.qrAccNo\tSCHEMA-002\t")


def test_not_json_is_a_violation_not_a_crash(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(b"<html>502 Bad Gateway</html>")
    result = run("validate", "--api", "balance", "--response", str(page))
    assert result.returncode == 1
    assert result.stdout.startswith("(root)\tSCHEMA-001\t") and "Traceback" not in result.stderr


def test_works_from_another_working_directory_with_a_relative_path(tmp_path: Path) -> None:
    (tmp_path / "msg.json").write_bytes((SAMPLES / "tradebook.response.json").read_bytes())
    result = run("validate", "--api", "tradebook", "--response", "msg.json", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")


def test_an_unknown_api_exits_2_with_one_line_listing_the_valid_ids() -> None:
    result = run("validate", "--api", "balances", "--response", str(SAMPLES / "balance.response.json"))
    assert result.returncode == 2 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert "balances" in line and all(api in line for api in API_IDS)


def test_a_missing_file_exits_2_with_one_line() -> None:
    result = run("validate", "--api", "balance", "--response", "no/such/file.json")
    assert result.returncode == 2 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert "no/such/file.json" in line


def test_usage_errors_exit_2() -> None:
    assert run("validate", "--api", "balance", str(SAMPLES / "balance.response.json")).returncode == 2
    assert run("validate", "--api", "balance", "--request", "--response", "x.json").returncode == 2


def test_rules_prints_the_catalogue_one_rule_a_line() -> None:
    result = run("rules")
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    rules = load_rules()
    assert len(lines) == len(rules)
    for line, rule in zip(lines, rules.values(), strict=True):
        assert line.split("\t") == [rule.id, rule.severity, rule.area, rule.spec_ref, rule.title]


@pytest.mark.parametrize("api", API_IDS)
def test_every_api_id_is_accepted(api: str) -> None:
    result = run("validate", "--api", api, "--request", str(SAMPLES / f"{api}.request.json"))
    assert result.returncode == 0, result.stdout + result.stderr
