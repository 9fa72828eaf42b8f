"""Governed waivers: a waived MUST failure leaves a broker compliant through the waiver's last day
(Seoul date) and not a day longer; expired and unused waivers are reported; a malformed file is
exit 2 naming the entry and the key; every output (results.json, HTML, JUnit, Allure, the fleet
summary, the history) shows what was waived."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from runs import REPO, RunResult, profile_for, run

from conformance import audit
from conformance.profile import load_profile
from conformance.reference.server import ReferenceServer
from conformance.report import history, history_cli, history_data, summary
from conformance.waivers import Waiver, WaiverError, apply_waivers, load_waivers, seoul_date

FAULT = "plain-big-numbers"  # NUM-001 (MUST) fails on balance only
LAST_VALID = "2026-12-31T23:59:00+09:00"  # still 14:59 UTC on the 31st: the last Seoul day of the waiver
FIRST_EXPIRED = "2027-01-01T00:00:00+09:00"  # the UTC date is still the 31st; the Seoul date is not

WAIVERS = [
    {"rule": "NUM-001", "broker": "diamond", "api": "balance", "check": "test_numbers.py::*",
     "reason": "serialiser fix scheduled in release 4.2", "clause": "C8",
     "approved_by": "KOSCOM onboarding (Kim)", "expires": "2026-12-31"},
    {"rule": "NUM-001", "broker": "cyber", "reason": "another broker's", "approved_by": "X",
     "expires": "2027-06-30"},
    {"rule": "ECHO-001", "broker": "*", "reason": "nothing fails here", "approved_by": "X",
     "expires": "2027-06-30"},
    {"rule": "AUTH-001", "broker": "diamond", "reason": "long fixed", "approved_by": "X",
     "expires": "2026-11-30"},
]


def _write(path: Path, data: Any) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, RunResult]:
    """The faulty broker judged on the waiver's last valid day (waivers named in the profile,
    relative to it) and on the first expired day (--waivers)."""
    folder = tmp_path_factory.mktemp("waivers")
    (folder / "profiles").mkdir()
    # beside the profile, not in the run's working folder: the profile's path is relative to the profile
    waivers = _write(folder / "profiles" / "waivers.yaml", WAIVERS)
    with ReferenceServer("diamond", faults=[FAULT]) as server:
        plain = profile_for("diamond", server.base_url, folder)
        data = yaml.safe_load(plain.read_text(encoding="utf-8"))
        with_waivers = _write(folder / "profiles" / "diamond-waived.yaml", {**data, "waivers": "waivers.yaml"})
        return {"valid": run(with_waivers, folder / "valid", now=LAST_VALID),
                "expired": run(plain, folder / "expired", extra=("--waivers", str(waivers)), now=FIRST_EXPIRED)}


def test_a_waived_must_failure_leaves_the_broker_compliant_through_the_last_day(runs):
    result = runs["valid"]
    assert result.exit_code == 0, result.stderr[-800:]
    assert result.results is not None
    summary_ = result.results["summary"]
    assert summary_["compliant"] and summary_["must_failed"] == 0
    assert summary_["waived"] == 1 and summary_["waived_checks"] >= 1
    rule = result.rule("NUM-001")
    assert rule["status"] == "waived" and rule["waiver"]["approved_by"] == "KOSCOM onboarding (Kim)"
    waived = [c for c in rule["checks"] if c["status"] == "waived"]
    assert waived and all(c["api"] == "balance" and c["waived_status"] == "fail" for c in waived)
    assert waived[0]["waiver"] | {} == {**waived[0]["waiver"], "reason": "serialiser fix scheduled in release 4.2",
                                        "clause": "C8", "expires": "2026-12-31", "expires_in_days": 0}
    assert all(c["status"] == "pass" for c in rule["checks"] if c["api"] != "balance")


def test_the_first_day_after_expiry_the_failure_counts_again(runs):
    result = runs["expired"]
    assert result.exit_code == 1, result.stderr[-800:]
    assert result.status("NUM-001") == "fail" and not result.results["summary"]["compliant"]
    block = result.results["waivers"]
    assert block["today"] == "2027-01-01" and block["applied"] == []
    expired = {w["rule"]: w for w in block["expired"]}
    assert expired["NUM-001"]["would_match"] >= 1 and expired["NUM-001"]["expires_in_days"] == -1


def test_expired_unused_and_expiring_waivers_are_reported(runs):
    block = runs["valid"].results["waivers"]
    assert [(w["rule"], w["checks"]) for w in block["applied"]] == [("NUM-001", block["applied"][0]["checks"])]
    assert [(w["rule"], w["broker"]) for w in block["unused"]] == [("NUM-001", "cyber"), ("ECHO-001", "*")]
    assert [(w["rule"], w["would_match"]) for w in block["expired"]] == [("AUTH-001", 0)]
    assert [w["rule"] for w in block["expiring_soon"]] == ["NUM-001"]  # its last day


def test_report_junit_and_allure_show_the_waived_check(runs):
    out = Path(runs["valid"].results["options"]["profile"]).parent.parent / "valid"
    page = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="waived"' in page and "serialiser fix scheduled in release 4.2" in page
    assert "KOSCOM onboarding (Kim)" in page and "2026-12-31" in page
    assert 'class="waivers-unused"' in page and 'class="waivers-expired"' in page
    root = ET.parse(out / "junit.xml").getroot()
    skipped = [s.get("message") or "" for s in root.iter("skipped") if (s.get("message") or "").startswith("waived")]
    assert skipped and "serialiser fix scheduled" in skipped[0] and "approved by KOSCOM onboarding" in skipped[0]
    assert root.find(".//failure") is None
    labelled = []
    for file in (out / "allure-results").glob("*-result.json"):
        data = json.loads(file.read_text(encoding="utf-8"))
        tags = {label["value"] for label in data.get("labels", []) if label["name"] == "tag"}
        if "waived" in tags:
            labelled.append(data)
    assert labelled and all("NUM-001" in d["name"] and "[balance]" in d["name"] for d in labelled)


def test_a_malformed_waivers_file_is_exit_2_naming_the_entry_and_key(tmp_path):
    bad = _write(tmp_path / "bad.yaml", [WAIVERS[0], {**WAIVERS[2], "expires": "soon"}])
    proc = subprocess.run([sys.executable, "-m", "conformance", "run", "--profile",
                           str(REPO / "profiles" / "diamond.yaml"), "--out", str(tmp_path / "out"), "--quiet",
                           "--waivers", str(bad)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == (
        f"conformance: {bad}: entry [1]: expires: 'soon' is not a date (YYYY-MM-DD)")
    assert not (tmp_path / "out" / "results.json").exists()  # refused before any question


@pytest.mark.parametrize(("entry", "message"), [
    ({**WAIVERS[0], "rule": "NUM-999"}, "entry [0]: rule: unknown rule id 'NUM-999'"),
    ({k: v for k, v in WAIVERS[0].items() if k != "approved_by"}, "entry [0]: approved_by: missing"),
    ({**WAIVERS[0], "owner": "me"}, "entry [0]: unknown key 'owner'"),
    ({**WAIVERS[0], "api": "balances"}, "entry [0]: api: unknown API id 'balances'"),
    ({**WAIVERS[0], "reason": ""}, "entry [0]: reason: must be a non-empty string"),
    ("NUM-001", "entry [0]: must be a mapping"),
])
def test_each_malformed_entry_names_its_key(tmp_path, entry, message):
    path = _write(tmp_path / "w.yaml", [entry])
    with pytest.raises(WaiverError, match=r"^" + str(path).replace("\\", "\\\\") + ": ") as caught:
        load_waivers(path)
    assert message in str(caught.value)


def test_unquoted_yaml_dates_are_read_and_a_mapping_is_not_a_list(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text("- rule: NUM-001\n  broker: '*'\n  reason: r\n  approved_by: a\n  expires: 2026-12-31\n",
                    encoding="utf-8")
    (waiver,) = load_waivers(path)
    assert waiver.expires == date(2026, 12, 31) and waiver.clause  # clause defaults to the rule's spec_ref
    path.write_text("rule: NUM-001\n", encoding="utf-8")
    with pytest.raises(WaiverError, match="a YAML list"):
        load_waivers(path)
    path.write_text("- rule: NUM-001\n  broker: '*'\n  reason: r\n  approved_by: a\n"
                    "  expires: 2026-12-31T10:00:00\n", encoding="utf-8")
    with pytest.raises(WaiverError, match=r"entry \[0\]: expires: .* is not a date"):
        load_waivers(path)


def test_today_is_the_seoul_date_of_the_pinned_clock(monkeypatch):
    monkeypatch.setenv("CONFORMANCE_NOW", "2026-12-31T15:00:00+00:00")  # 00:00 on 1 January in Seoul
    assert seoul_date() == date(2027, 1, 1)
    monkeypatch.setenv("CONFORMANCE_NOW", LAST_VALID)
    assert seoul_date() == date(2026, 12, 31)


def _waiver(**kw: Any) -> Waiver:
    base = {"index": 0, "file": "w.yaml", "rule": "NULL-003", "broker": "diamond", "reason": "r",
            "approved_by": "a", "expires": date(2026, 12, 31)}
    return Waiver(**{**base, **kw})


def _results() -> dict[str, Any]:
    def check(api: str, status: str) -> dict[str, Any]:
        return {"nodeid": f"test_null.py::t[{api}]", "api": api, "status": status, "message": "m"}
    return {"broker": {"short_name": "diamond"}, "run_errors": [],
            "summary": {"must_failed": 2, "compliant": False},
            "rules": [{"id": "NULL-003", "severity": "MUST", "status": "fail",
                       "checks": [check("balance", "fail"), check("portfolio", "fail"), check("interest", "pass")]},
                      {"id": "SCHEMA-006", "severity": "SHOULD", "status": "warn",
                       "checks": [check("balance", "warn")]},
                      {"id": "ECHO-001", "severity": "MUST", "status": "fail", "checks": [check("balance", "fail")]}]}


def test_a_rule_stays_failed_while_one_of_its_failures_is_not_waived():
    results = apply_waivers(_results(), [_waiver(api="balance"), _waiver(rule="SCHEMA-006")], date(2026, 12, 31))
    rules = {r["id"]: r for r in results["rules"]}
    assert rules["NULL-003"]["status"] == "fail"  # portfolio still fails
    assert [c["status"] for c in rules["NULL-003"]["checks"]] == ["waived", "fail", "pass"]
    assert rules["SCHEMA-006"]["status"] == "waived"  # a SHOULD warning can be waived too
    assert results["summary"] | {} == {**results["summary"], "must_failed": 2, "compliant": False, "waived": 1,
                                       "waived_checks": 2, "fail": 2, "warn": 0}


def test_a_wildcard_broker_and_a_node_pattern_waive_only_what_they_match():
    results = apply_waivers(_results(), [_waiver(broker="*", check="*::t[portfolio]"), _waiver(rule="ECHO-001",
                            broker="cyber"), _waiver(check="*[p?rtfolio")], date(2026, 1, 1))
    rules = {r["id"]: r for r in results["rules"]}
    assert [c["status"] for c in rules["NULL-003"]["checks"]] == ["fail", "waived", "pass"]
    assert rules["ECHO-001"]["status"] == "fail"
    # brackets are literal ("[p?rtfolio" matches no node id), "?" is one character
    assert [(w["broker"], w["check"]) for w in results["waivers"]["unused"]] == [("cyber", ""),
                                                                                  ("diamond", "*[p?rtfolio")]


def test_the_fleet_summary_shows_waived_counts_and_waivers_expiring_soon(runs):
    results = runs["valid"].results
    run_ = history.BrokerRun(short_name="diamond", status="ok", compliant=True, must_failed=0)
    meta = {"id": 1, "started_at": "2026-12-31T14:59:00+00:00", "finished_at": "2026-12-31T15:00:00+00:00",
            "duration_s": 60.0, "workers": 1, "areas": [], "fail_on": "must", "history": "h.sqlite",
            "tool": {"name": "koscom-conformance", "version": "test"}}
    doc = summary.build_summary([summary.BrokerEntry(run=run_, results=results)], meta)
    (broker,) = doc["brokers"]
    assert broker["waived"] == 1 and [w["rule"] for w in broker["waivers_expiring"]] == ["NUM-001"]
    assert doc["totals"]["waived"] == 1 and doc["totals"]["waivers_expiring"] == 1
    assert "1 waived" in broker["line"] and "expire within 14 days" in broker["line"]
    assert 'class="waivers-expiring"' in summary.render_summary_html({**doc, "exit_code": 0})


def test_history_migrates_compatibly_and_keeps_each_runs_waivers(runs, tmp_path):
    path = tmp_path / "h.sqlite"
    old = sqlite3.connect(path, isolation_level=None)  # a file written by the tool before waivers
    for step in history.MIGRATIONS[:2]:
        step(old)
    old.execute("PRAGMA user_version = 2")
    old.execute("INSERT INTO audits (uid, started_at, tool_version, schema_version) VALUES ('u', '2026-12-01', 'x', 2)")
    old.execute("INSERT INTO broker_runs (audit_id, short_name, status) VALUES (1, 'diamond', 'ok')")
    old.close()
    conn = history.open_history(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == history.SCHEMA_VERSION == 3
    (before,) = history.broker_runs(conn, "diamond")
    assert before.waived is None  # not known for runs written before waivers
    profile = load_profile(REPO / "profiles" / "diamond.yaml")
    out = Path(runs["valid"].results["options"]["profile"]).parent.parent
    cand = audit.Candidate(path=REPO / "profiles" / "diamond.yaml", short_name="valid", name="Diamond",
                           profile=profile, reason="")
    run_, _ = audit.to_run(cand, {"exit_code": 0, "duration_s": 1.0}, out)
    assert run_.waived == 1 and {w["state"] for w in run_.waivers} == {"applied", "unused", "expired"}
    audit_id = history.begin_audit(conn, started_at="2026-12-31T10:00:00", tool_version="t")
    history.finish_audit(conn, audit_id, finished_at="2026-12-31T10:01:00", exit_code=0, runs=[run_])
    (stored,) = history.broker_runs(conn, "valid")
    assert stored.waived == 1
    assert any("waived 1" in line for line in history_cli.format_runs([stored]))
    from datetime import UTC, datetime

    soon = history_data.waivers(conn, now=datetime(2026, 12, 31, tzinfo=UTC))
    assert soon is not None
    assert [(w["rule_id"], w["days_left"]) for w in soon] == [("AUTH-001", -31), ("NUM-001", 0)]
    view = history_data.load_view(conn, now=datetime(2026, 12, 31, tzinfo=UTC))
    assert {b.short_name: b.latest.waived for b in view.brokers}["valid"] == 1
    from conformance.report import history_page

    page, _ = history_page.write_page(conn, tmp_path / "history.html", now=datetime(2026, 12, 31, tzinfo=UTC))
    html = page.read_text(encoding="utf-8")
    assert '<span class="waived">1 waived</span>' in html and 'class="waiver" data-broker="valid"' in html
    conn.close()


@pytest.mark.slow
def test_an_audit_with_waivers_records_them_in_summary_and_history(tmp_path):
    """`conformance audit --waivers FILE`: the fleet's waivers reach every broker's run."""
    waivers = _write(tmp_path / "fleet-waivers.yaml", WAIVERS)
    (tmp_path / "profiles").mkdir()
    with ReferenceServer("diamond", faults=[FAULT]) as server:
        profile_for("diamond", server.base_url, tmp_path / "profiles")
        proc = subprocess.run([sys.executable, "-m", "conformance", "audit", "--profiles", str(tmp_path / "profiles"),
                               "--out", str(tmp_path / "audit"), "--area", "numbers", "--waivers", str(waivers)],
                              capture_output=True, text=True, timeout=300, cwd=tmp_path,
                              env={**os.environ, "CONFORMANCE_NOW": LAST_VALID})
    assert proc.returncode == 0, proc.stdout[-800:] + proc.stderr[-800:]
    doc = json.loads((tmp_path / "audit" / "summary.json").read_text(encoding="utf-8"))
    (broker,) = doc["brokers"]
    assert broker["compliant"] and broker["waived"] == 1 and doc["totals"]["waivers_expiring"] == 1
    conn = history.open_history(tmp_path / "history.sqlite")
    (stored,) = history.broker_runs(conn, "diamond")
    conn.close()
    assert stored.waived == 1 and stored.compliant
