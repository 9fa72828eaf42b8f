"""`conformance judge --har`: captured traffic judged by the rules one exchange can prove.

A HAR is recorded from a run of our own against the reference broker (tests/har.py turns the run's
exchanges into a capture, credentials put back), faults planted: the capture of a faulty broker
fails the same message-level rules the active run fails, a clean capture is compliant, a broken
file is exit 2, and what real captures hold (base64, still-compressed or truncated bodies, missing
request bodies, other hosts, any order, tens of MB) is read without crashing and in bounded memory.
"""

from __future__ import annotations

import base64
import gzip
import json
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from conformance.passive.command import judge_har
from conformance.passive.entries import match_api, to_entry
from conformance.passive.judge import NOT_PASSIVE, PASSIVE_RULES, Tally, judge_entry
from conformance.reference.server import ReferenceServer
from tests import leakscan
from tests.har import entry, har_from_run, recorded, write_har
from tests.runs import profile_for, run

FAULTS = ["upper-null", "own-error-format", "unrounded-rates", "no-auth-member", "junk-rate-headers"]
CREDENTIALS = {"authorization": "Bearer diamond-token", "apikey": "diamond-member-key"}


def judge(har: Path, out: Path, profile: Path | None = None) -> tuple[subprocess.CompletedProcess[str], Any]:
    cmd = [sys.executable, "-m", "conformance", "judge", "--har", str(har), "--out", str(out)]
    if profile is not None:
        cmd += ["--profile", str(profile)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=out.parent)
    results_file = out / "results.json"
    return proc, json.loads(results_file.read_text(encoding="utf-8")) if results_file.exists() else None


def failing(results: dict[str, Any]) -> set[str]:
    return {r["id"] for r in results["rules"] if r["status"] in ("fail", "warn")}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict[str, Any]]]:
    made = {}
    for name, faults in (("faulty", FAULTS), ("clean", [])):
        folder = tmp_path_factory.mktemp(name)
        with ReferenceServer(broker="diamond", faults=faults) as server:
            result = run(profile_for("diamond", server.base_url, folder), folder / "out")
        assert result.results is not None, result.stderr
        made[name] = (folder, result.results)
    return made


@pytest.mark.slow
def test_faulty_capture_fails_the_rules_the_active_run_fails(runs, tmp_path):
    folder, active = runs["faulty"]
    har = har_from_run(folder / "out", tmp_path / "faulty.har", CREDENTIALS, shuffle=3, base64_every=3,
                       other_hosts=5)
    proc, results = judge(har, tmp_path / "judged", folder / "diamond.yaml")
    assert proc.returncode == 1, proc.stderr
    expected = failing(active) & PASSIVE_RULES
    assert expected >= {"NULL-002", "ERR-002", "NUM-003", "AUTH-005", "TRN-005", "TRN-001"}
    assert failing(results) == expected
    assert results["summary"]["compliant"] is False
    passive = results["passive"]
    assert passive["ignored_by_reason"]["another host or path"] >= 5  # the foreign hosts' entries
    assert passive["judged"] == passive["entries"] - passive["ignored"] > 200
    for rule in results["rules"]:
        if rule["id"] not in PASSIVE_RULES:
            assert rule["status"] == "not_applicable" and rule["checks"][0]["message"] == NOT_PASSIVE
    assert set(passive["not_judged_rules"]) == {r["id"] for r in results["rules"]} - PASSIVE_RULES
    assert "NOT COMPLIANT" in proc.stdout


@pytest.mark.slow
def test_without_a_profile_every_api_entry_is_judged_the_same(runs, tmp_path):
    folder, active = runs["faulty"]
    har = har_from_run(folder / "out", tmp_path / "faulty.har", CREDENTIALS, shuffle=4)
    proc, results = judge(har, tmp_path / "judged")
    assert proc.returncode == 1, proc.stderr
    assert failing(results) == failing(active) & PASSIVE_RULES
    assert results["broker"]["short_name"] == "diamond"


@pytest.mark.slow
def test_clean_capture_is_compliant_with_every_output(runs, tmp_path):
    folder, _ = runs["clean"]
    har = har_from_run(folder / "out", tmp_path / "clean.har", CREDENTIALS, shuffle=5, base64_every=2,
                       other_hosts=3)
    out = tmp_path / "judged"
    proc, results = judge(har, out, folder / "diamond.yaml")
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert results["summary"]["compliant"] is True and failing(results) == set()
    judged = [r for r in results["rules"] if r["status"] == "pass"]
    assert {r["id"] for r in judged} >= {"SCHEMA-001", "NULL-002", "ECHO-001", "TRN-001", "ERR-002", "AUTH-001"}
    checks = sum(len(r["checks"]) for r in results["rules"])
    page = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="passive-banner"' in page and "clean.har" in page
    assert (out / "junit.xml").read_text(encoding="utf-8").count("<testcase") == checks
    assert len(list((out / "allure-results").glob("*-result.json"))) == checks


@pytest.mark.slow
def test_credentials_in_the_capture_appear_in_no_output(runs, tmp_path):
    """No profile registers anything here: the capture's own credential headers are the secrets."""
    folder, _ = runs["faulty"]
    planted = {"bearer": "har-only-bearer-7f3a9c51", "member": "har-only-member-key-51d2",
               "appkey": "har-appkey-88e1b0ff", "cookie": "har-cookie-2c4d9e11", "basic": "har-basic-secret-93ab"}
    basic = base64.b64encode(f"har-user-0042:{planted['basic']}".encode()).decode()
    credentials = {"authorization": f"Bearer {planted['bearer']}", "apikey": planted["member"]}
    entries = []
    for exchange in recorded(folder / "out"):
        item = entry(exchange, credentials)
        if "/b2baccount/" in item["request"]["url"]:
            for header in item["request"]["headers"]:
                if header["name"].lower() == "authorization":
                    header["value"] = f"Basic {basic}"
        item["request"]["headers"] += [{"name": "appkey", "value": planted["appkey"]},
                                       {"name": "Cookie", "value": f"session={planted['cookie']}"}]
        item["response"]["headers"].append({"name": "X-Trace", "value": f"Bearer {planted['bearer']}"})
        entries.append(item)
    har = write_har(tmp_path / "secrets.har", entries)
    out = tmp_path / "judged"
    proc, results = judge(har, out)
    assert proc.returncode == 1, proc.stderr
    text = (out / "results.json").read_text(encoding="utf-8")
    assert '"evidence": [\n' in text and "[redacted]" in text  # exchanges are in the outputs, redacted
    scanned, hits = leakscan.scan(planted, [out])
    assert scanned > 10 and hits == []
    assert all(value not in proc.stdout + proc.stderr for value in planted.values())


def test_broken_captures_are_a_clear_usage_error(tmp_path):
    cases = {"not-json.har": ("this is not JSON", "the JSON is broken"),
             "no-entries.har": ('{"log": {"version": "1.2"}}', "there is no log.entries array"),
             "cut.har": ('{"log": {"entries": [{"request": {"url": "x"', "the JSON is broken"),
             "foreign.har": (json.dumps({"log": {"entries": [{"request": {"url": "https://example.net/x"},
                                                              "response": {"status": 200}}]}}),
                             "none of its 1 entries is a call of the 11 APIs")}
    for name, (content, said) in cases.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
        proc, results = judge(tmp_path / name, tmp_path / f"out-{name}")
        assert proc.returncode == 2, (name, proc.stderr)
        assert said in proc.stderr and "Traceback" not in proc.stderr, (name, proc.stderr)
    proc, _ = judge(tmp_path / "missing.har", tmp_path / "out-missing")
    assert proc.returncode == 2 and "cannot be read" in proc.stderr


# --- what real captures hold, entry by entry (no run needed) -----------------------------------

BALANCE_URL = "https://gw.example.com/v1/diamond/account/balance/search"
BODY = {"resp": {"respCode": "200", "respMsg": "ok"}}


def har_entry(body: bytes | None, *, encoding: str = "", base64_text: bool = False, size: int | None = None,
              status: int = 200, request_body: str | None = '{"x": 1}') -> dict[str, Any]:
    headers = [{"name": "Content-Type", "value": "application/json"}]
    if encoding:
        headers.append({"name": "Content-Encoding", "value": encoding})
    content: dict[str, Any] = {"mimeType": "application/json", "size": len(body or b"") if size is None else size}
    if body is not None:
        content.update({"text": base64.b64encode(body).decode(), "encoding": "base64"} if base64_text
                       else {"text": body.decode("utf-8")})
    request: dict[str, Any] = {"method": "POST", "url": BALANCE_URL, "headers": []}
    if request_body is not None:
        request["postData"] = {"mimeType": "application/json", "text": request_body}
    return {"startedDateTime": "2026-12-02T08:00:00Z", "request": request,
            "response": {"status": status, "headers": headers, "content": content}}


def test_base64_and_still_gzipped_bodies_are_read():
    raw = json.dumps(BODY).encode()
    plain = to_entry(0, har_entry(raw, base64_text=True), "balance")
    assert plain.exchange.response_body == raw and plain.body_judgeable and not plain.notes
    zipped = to_entry(1, har_entry(gzip.compress(raw), encoding="gzip", base64_text=True, size=len(raw)), "balance")
    assert zipped.exchange.response_body == raw and zipped.body_judgeable
    assert any("inflated" in note for note in zipped.notes)


def test_undecodable_truncated_and_missing_bodies_are_noted_not_judged():
    raw = json.dumps(BODY).encode()
    brotli = to_entry(0, har_entry(b"\x8b\x07\x80\xff\xfe\x00" * 5, encoding="br", base64_text=True), "balance")
    assert not brotli.body_judgeable and any("br-encoded" in note for note in brotli.notes)
    cut = to_entry(1, har_entry(raw[:10], size=len(raw)), "balance")
    assert not cut.body_judgeable and any("truncated" in note for note in cut.notes)
    no_request = to_entry(2, har_entry(raw, request_body=None), "balance")
    assert not no_request.request_judgeable and no_request.exchange.request_body == b""
    failed = to_entry(3, har_entry(None, status=0), "balance")
    assert failed.exchange.status is None and failed.exchange.error
    unreadable = Tally()
    for item in (brotli, cut, failed):
        judge_entry(item, unreadable)  # never raises
    body_rules = {rule for rule, _ in unreadable.checks if rule.startswith(("SCHEMA", "NULL", "NUM", "ECHO", "ERR"))}
    assert body_rules == set() and ("TRN-001", "balance") not in unreadable.checks
    assert ("TRN-006", "balance") in unreadable.checks  # what the status line shows is still judged
    without_request = Tally()
    judge_entry(no_request, without_request)
    assert ("SCHEMA-001", "balance") in without_request.checks
    assert not any(rule in ("ECHO-001", "ECHO-002", "ECHO-003", "ECHO-004") for rule, _ in without_request.checks)


def test_entries_are_matched_by_path_and_host():
    assert match_api(BALANCE_URL, None, None) == ("balance", "diamond")
    assert match_api("https://gw.example.com/v1/common/member/consent/search", None, None) == ("member-consent", "")
    assert match_api(BALANCE_URL, "https://gw.example.com", "diamond") == ("balance", "diamond")
    assert match_api(BALANCE_URL, "https://other.example.com", "diamond") is None
    assert match_api(BALANCE_URL, "https://gw.example.com", "cyber") is None
    assert match_api("https://gw.example.com/v1/diamond/account/unknown/search", None, None) is None
    assert match_api("https://gw.example.com/static/app.js", None, None) is None


@pytest.mark.slow
def test_memory_stays_bounded_whatever_the_file_size(runs, tmp_path):
    """Peak traced memory of judging a capture does not grow with the capture: twice the entries,
    about the same peak (one entry and its parse at a time)."""
    folder, _ = runs["clean"]
    samples = [entry(e, CREDENTIALS) for e in recorded(folder / "out") if e["response"]["status"] == 200][:40]
    peaks, sizes = [], []
    for copies in (16, 32):
        har = write_har(tmp_path / f"x{copies}.har", [s for _ in range(copies) for s in samples])
        tracemalloc.start()
        results = judge_har(str(har), None)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert results["passive"]["judged"] == copies * len(samples)
        peaks.append(peak)
        sizes.append(har.stat().st_size)
    assert sizes[1] > 1.9 * sizes[0]
    print(f"sizes {sizes}, peaks {peaks}")
    assert peaks[1] < 1.3 * peaks[0], (peaks, sizes)
    assert peaks[1] < 0.25 * sizes[1], (peaks, sizes)
