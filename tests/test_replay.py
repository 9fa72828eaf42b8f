"""`conformance run --replay EVIDENCE`: a run's own evidence gives back its verdicts, check by check,
with no network at all; a question the recording lacks is not judged, never a pass or a fail."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance.client import Client
from conformance.client.replay import NOT_RECORDED, load_recording
from conformance.profile import load_profile
from conformance.reference.server import ReferenceServer
from tests.runs import OPEN_HOURS, profile_for, run

REPO = Path(__file__).resolve().parent.parent
FAULTS = ["dashed-dates", "echo-from-backend", "content-type-lies"]


def replay(evidence: Path, out: Path, *extra: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    """`conformance run --replay` with every socket connect refused and logged (tests/fixtures/no_network.py)."""
    log = out.parent / f"{out.name}.network.log"
    env = {**os.environ, "NO_NETWORK_LOG": str(log), "CONFORMANCE_NOW": OPEN_HOURS,
           "PYTHONPATH": os.pathsep.join([str(REPO / "tests" / "fixtures"), os.environ.get("PYTHONPATH", "")])}
    cmd = [sys.executable, "-m", "conformance", "run", "--replay", str(evidence), "--out", str(out), "--quiet",
           *extra, "--", "-p", "no_network"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env, cwd=out.parent), log


def statuses(results: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {(rule["id"], check["nodeid"]): check["status"] for rule in results["rules"] for check in rule["checks"]}


@pytest.fixture(scope="module")
def faulty_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("recorded")
    with ReferenceServer(broker="diamond", faults=FAULTS) as server:
        result = run(profile_for("diamond", server.base_url, folder), folder / "out")
    assert result.exit_code == 1 and result.results is not None, result.stderr
    return folder / "out", result.results


@pytest.mark.slow
def test_replaying_a_faulty_run_gives_the_same_verdict_per_check_without_network(faulty_run, tmp_path):
    recorded_out, recorded = faulty_run
    proc, log = replay(recorded_out / "evidence.zip", tmp_path / "replayed")
    assert proc.returncode == 1, proc.stderr  # the broker is judged as before: not compliant
    assert not log.exists(), f"the replay opened connections: {log.read_text()}"
    results = json.loads((tmp_path / "replayed" / "results.json").read_text(encoding="utf-8"))
    before, after = statuses(recorded), statuses(results)
    assert len(before) > 400 and before.keys() == after.keys()
    assert {k: (v, after[k]) for k, v in before.items() if after[k] != v} == {}
    assert {r["id"]: r["status"] for r in results["rules"]} == {r["id"]: r["status"] for r in recorded["rules"]}
    assert {"SCHEMA-005", "ECHO-001", "TRN-001"} <= {r["id"] for r in results["rules"] if r["status"] == "fail"}
    assert results["questions"]["total"] == 0  # nothing was asked of any gateway
    block = results["replay"]
    manifest = (recorded_out / "evidence.zip")
    assert block["bundle"] == "evidence.zip" and block["not_judged"] == 0
    assert block["manifest_sha256"] == load_recording(manifest).manifest_sha256 and len(block["manifest_sha256"]) == 64
    assert block["recorded_at"] == recorded["started_at"]
    page = (tmp_path / "replayed" / "report.html").read_text(encoding="utf-8")
    assert 'id="replay-banner"' in page and block["manifest_sha256"] in page
    assert (tmp_path / "replayed" / "junit.xml").is_file() and (tmp_path / "replayed" / "evidence.zip").is_file()


@pytest.mark.slow
def test_replaying_the_exchanges_folder_works_too(faulty_run, tmp_path):
    recorded_out, recorded = faulty_run
    proc, log = replay(recorded_out / "exchanges", tmp_path / "replayed")
    assert proc.returncode == 1, proc.stderr
    assert not log.exists()
    results = json.loads((tmp_path / "replayed" / "results.json").read_text(encoding="utf-8"))
    assert statuses(results) == statuses(recorded)
    assert results["replay"]["bundle"] == "exchanges/" and results["replay"]["manifest_sha256"] == ""


@pytest.mark.slow
def test_questions_not_in_the_recording_are_not_judged(tmp_path):
    """A run of the schema area only, replayed with the whole suite: the other areas' own questions
    were never asked, so their checks are n/a (not judged) and never pass or fail on a missing answer."""
    with ReferenceServer(broker="diamond", faults=["content-type-lies"]) as server:
        recorded = run(profile_for("diamond", server.base_url, tmp_path), tmp_path / "schema-only", "schema")
    assert recorded.results is not None, recorded.stderr
    proc, log = replay(tmp_path / "schema-only" / "evidence.zip", tmp_path / "replayed")
    assert not log.exists()
    results = json.loads((tmp_path / "replayed" / "results.json").read_text(encoding="utf-8"))
    checks = [(rule, check) for rule in results["rules"] for check in rule["checks"]]
    unjudged = [(rule["id"], check) for rule, check in checks if check.get("not_recorded")]
    assert len(unjudged) > 50 and results["replay"]["not_judged"] == len(unjudged)
    assert all(check["status"] == "not_applicable" and "not asked in the recorded run" in check["message"]
               for _, check in unjudged)
    assert {rule for rule, _ in unjudged} >= {"AUTH-001", "PAGE-001", "ERR-006"}
    # the schema area's own questions were recorded: judged exactly as in the recorded run
    assert {k: v for k, v in statuses(results).items() if k[0].startswith("SCHEMA")} == \
        {k: v for k, v in statuses(recorded.results).items() if k[0].startswith("SCHEMA")}
    # TRN-001 judges the default questions, which the schema area asked: judged, and the fault found
    assert next(r for r in results["rules"] if r["id"] == "TRN-001")["status"] == "fail"


def test_unrecorded_question_is_a_not_recorded_answer_and_no_http_client_exists(faulty_run, monkeypatch):
    recorded_out, _ = faulty_run
    recording = load_recording(recorded_out / "evidence.zip")
    import conformance.client as client_module

    def no_send(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("perform() called during a replay")

    monkeypatch.setattr(client_module, "perform", no_send)
    profile_file = recorded_out.parent / "replay-profile.json"
    from conformance.replaying import prepare

    _, path, env = prepare(str(recorded_out / "evidence.zip"), None, recorded_out.parent)
    assert env == {} or env["CONFORMANCE_NOW"] == recording.recorded_at
    client = Client(load_profile(path), replay=recording)
    assert client._http is None and Path(path) == profile_file
    account = client.profile.regular_accounts[0]
    plain = client.call("balance", purpose="balance default query", account=account)
    assert plain.status == 200 and plain.error is None and plain.asked_at
    odd = client.call("balance", purpose="never asked", account=account, query={"count": 7777})
    assert odd.error_kind == NOT_RECORDED and odd.status is None and recording.misses == 1
    assert client.questions.total() == 0


def test_broken_evidence_is_a_usage_error(tmp_path):
    junk = tmp_path / "evidence.zip"
    junk.write_bytes(b"not a zip at all")
    proc, _ = replay(junk, tmp_path / "out")
    assert proc.returncode == 2
    assert "neither an evidence.zip nor an exchanges/ folder" in proc.stderr
    empty = tmp_path / "exchanges"
    empty.mkdir()
    proc, _ = replay(empty, tmp_path / "out2")
    assert proc.returncode == 2 and "no *.jsonl exchange files" in proc.stderr


def test_an_altered_bundle_is_not_replayed(faulty_run, tmp_path):
    import zipfile

    recorded_out, _ = faulty_run
    altered = tmp_path / "evidence.zip"
    with zipfile.ZipFile(recorded_out / "evidence.zip") as source, zipfile.ZipFile(altered, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "exchanges.json":
                data = data.replace(b'"status": 200', b'"status": 201', 1)
            target.writestr(info, data)
        target.comment = source.comment
    proc, log = replay(altered, tmp_path / "out")
    assert proc.returncode == 2 and "does not verify" in proc.stderr and "exchanges.json" in proc.stderr
    assert not (tmp_path / "out" / "results.json").exists()
