"""results.json → allure-results/*-result.json, for outputs made without pytest (`conformance judge
--har`): the same labels as a run's (allure_labels), one result per check, every file scrubbed."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

from conformance import outputs
from conformance.report.allure_labels import allure_labels
from conformance.results_doc import CheckRecord, read_record
from conformance.rules import get_rule

STATUS = {"pass": "passed", "warn": "passed", "fail": "failed", "skip": "skipped", "not_applicable": "skipped"}


def _result(rule_id: str, check: CheckRecord, broker: str, at_ms: int) -> dict[str, Any]:
    labels = allure_labels(get_rule(rule_id), check.api, broker)
    names = [("epic", labels["epic"]), ("feature", labels["feature"]), ("story", labels["story"]),
             ("severity", labels["severity"]), *(("tag", tag) for tag in labels["tags"])]
    nodeid = check.nodeid or rule_id
    return {
        "uuid": str(uuid.uuid4()), "historyId": hashlib.md5(nodeid.encode(), usedforsecurity=False).hexdigest(),
        "name": labels["title"], "fullName": nodeid, "status": STATUS.get(check.status, "unknown"),
        "statusDetails": {"message": check.message},
        "labels": [{"name": name, "value": value} for name, value in names],
        "links": [{"type": "link", **link} for link in labels["links"]],
        "parameters": [{"name": k, "value": v} for k, v in labels["parameters"].items()],
        "start": at_ms, "stop": at_ms,
    }


def write_allure_results(results: dict[str, Any], out_dir: Path) -> int:
    """Write one result file per check into out_dir/allure-results; returns how many."""
    folder = Path(out_dir) / "allure-results"
    record = read_record(results)
    broker = str(record.broker.get("short_name", ""))
    count = 0
    for rule, check in record.checks():
        item = _result(rule.id, check, broker, 0)
        outputs.write_text(Path(out_dir), folder / f"{item['uuid']}-result.json", json.dumps(item, ensure_ascii=False))
        count += 1
    return count
