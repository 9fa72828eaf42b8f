"""results.json has one owner (conformance/results_doc.py): its schema refuses what a run never
writes, its reader refuses what cannot be read, and every consumer reads through it."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from conformance.results_doc import ResultsError, load_results, read_record, schema_errors, summary_of, verdicts

REPO = Path(__file__).resolve().parent.parent
GOOD = {
    "tool": {"name": "koscom-conformance", "version": "1"}, "broker": {}, "started_at": "2026-12-02T08:00:00+00:00",
    "finished_at": "2026-12-02T08:00:01+00:00", "duration_s": 1.0,
    "summary": {"rules": 1, "pass": 0, "fail": 1, "warn": 0, "skip": 0, "not_applicable": 0, "must_failed": 1,
                "compliant": False},
    "rules": [{"id": "NUM-001", "title": "t", "area": "numbers", "severity": "MUST", "spec_ref": "C8",
               "status": "fail", "checks": [{"nodeid": "n", "api": "balance", "status": "fail", "message": "m",
                                             "path": "a", "evidence": [],
                                             "findings": [{"rule": "NUM-001", "message": "m", "path": "a",
                                                           "api": "balance", "expected": "1.0E9",
                                                           "actual": "1000000000", "exchanges": ["e1"],
                                                           "kind": "value"}]}]}],
}


def test_the_schema_takes_a_record_and_names_what_is_wrong():
    assert schema_errors(GOOD) == []
    bad = copy.deepcopy(GOOD)
    bad["rules"][0]["checks"][0]["status"] = "ok"
    del bad["rules"][0]["checks"][0]["findings"][0]["expected"]
    errors = schema_errors(bad)
    assert any(e.startswith("rules/0/checks/0/status") for e in errors)
    assert any("expected" in e for e in errors)


def test_typed_accessors(tmp_path: Path):
    path = tmp_path / "results.json"
    path.write_text(json.dumps(GOOD), encoding="utf-8")
    results = load_results(path)
    summary = summary_of(results)
    assert (summary.failed, summary.must_failed, summary.compliant, summary.unchecked) == (1, 1, False, 0)
    assert verdicts(results) == {"NUM-001": ("numbers", "MUST", "fail")}


def test_the_typed_record_reads_a_runs_record_field_by_field():
    record = read_record(GOOD)
    (rule,) = record.rules
    (check,) = rule.checks
    assert (rule.id, rule.area, rule.severity, rule.spec_ref) == ("NUM-001", "numbers", "MUST", "C8")
    assert rule.status == "fail"
    assert (check.nodeid, check.api, check.status, check.path) == ("n", "balance", "fail", "a") and not check.evidence
    assert [(f.expected, f.actual, f.kind) for f in check.findings] == [("1.0E9", "1000000000", "value")]
    assert record.summary.must_failed == 1 and record.summary_block == GOOD["summary"]
    assert list(record.checks()) == [(rule, check)]
    assert (record.query_window, record.waivers, record.rerun, record.replay) == (None, None, None, None)


def test_the_typed_record_reads_a_loose_record_without_guards_in_the_writers():
    """An older or sketched record: missing strings read as "", blocks as None, stray entries are dropped."""
    loose = {"rules": [{"id": "ECH-001", "checks": [{"status": "waived", "waiver": {"reason": "r"}}, "stray"]}],
             "waivers": {"expired": [{"rule": "ECH-001"}, 3]}, "summary": {"waived": None}}
    record = read_record(loose)
    (rule,) = record.rules
    (check,) = rule.checks
    assert (rule.title, rule.status, check.nodeid, check.message) == ("", "", "", "")
    assert check.waiver == {"reason": "r"}
    assert record.waivers is not None and record.waivers.expired == ({"rule": "ECH-001"},)
    assert (record.summary.waived, record.summary_block) == (0, {"waived": None})
    assert (record.broker, record.started_at) == ({}, "")
    assert verdicts(loose) == {"ECH-001": ("", "", "skip")}


def test_writers_read_rules_and_checks_only_through_the_typed_record():
    """The readers of saved records (the writers, the run and the fleet audit) never reach into a
    record's rules, checks, summary or waivers by key: results_doc.read_record does."""
    readers = [*sorted((REPO / "conformance" / "report").glob("*.py")), *sorted(REPO.glob("conformance/audit*.py")),
               REPO / "conformance" / "runner.py"]
    reach = re.compile(r"""(\.get\(|\[)["'](rules|checks|summary|waivers|findings)["']""")
    offenders = [f"{module.relative_to(REPO)}:{n}" for module in readers
                 for n, line in enumerate(module.read_text(encoding="utf-8").splitlines(), 1) if reach.search(line)]
    assert offenders == []


@pytest.mark.parametrize("text, says", [("[]", "not a JSON object"), ('{"rules": 3}', "'rules'"), ("{", "not a JSON")])
def test_the_reader_refuses_in_one_line(tmp_path: Path, text: str, says: str):
    path = tmp_path / "results.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ResultsError, match=re.escape(says)):
        load_results(path)


def test_no_consumer_parses_results_json_itself():
    """Every module that reads a results record goes through results_doc.load_results."""
    offenders = []
    for module in (REPO / "conformance").rglob("*.py"):
        text = module.read_text(encoding="utf-8")
        if module.name != "results_doc.py" and re.search(r"json\.loads?\([^)]*results", text):
            offenders.append(str(module.relative_to(REPO)))
    assert offenders == []
