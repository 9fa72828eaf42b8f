"""The fleet summary and the audit's decisions, on records made here (no broker, no subprocess):
regressions / fixes / drift against history, exit codes per --fail-on, profile pre-validation,
and a summary.html that is self-contained and leaks nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from conformance import audit, redact
from conformance.profile import load_profile
from conformance.report import history, summary
from conformance.report.history import BrokerRun, Verdict
from conformance.rules import load_rules

META: dict[str, Any] = {
    "id": 7,
    "started_at": "2024-06-02T00:00:00+00:00",
    "finished_at": "2024-06-02T00:01:00+00:00",
    "duration_s": 60.0,
    "workers": 2,
    "areas": [],
    "fail_on": "must",
    "history": "h.sqlite",
    "tool": {"name": "koscom-conformance", "version": "test"},
}


def _results(statuses: dict[str, str]) -> dict[str, Any]:
    """Every catalogue rule: the given status, else pass (warn for nothing)."""
    rules = []
    for rule in load_rules().values():
        status = statuses.get(rule.id, "pass")
        rules.append(
            {
                "id": rule.id,
                "title": rule.title,
                "area": rule.area,
                "severity": rule.severity,
                "status": status,
                "checks": [{"status": status, "message": f"observed {rule.id}"}],
            }
        )
    must_failed = sum(r["status"] == "fail" and r["severity"] == "MUST" for r in rules)
    return {
        "rules": rules,
        "summary": {
            "compliant": must_failed == 0,
            "must_failed": must_failed,
            "pass": 1,
            "fail": must_failed,
            "warn": 0,
        },
    }


def _entry(
    short: str,
    statuses: dict[str, str],
    *,
    baseline: dict[str, str] | None = None,
    caps: dict[str, Any] | None = None,
    prev_caps: dict[str, Any] | None = None,
) -> summary.BrokerEntry:
    results = _results(statuses)
    run = BrokerRun(
        short_name=short,
        status="ok",
        name=short.title(),
        base_url="http://127.0.0.1:1",
        compliant=results["summary"]["compliant"],
        must_failed=results["summary"]["must_failed"],
        capabilities=caps or {"all_query": True},
    )
    previous = None
    if baseline is not None:
        previous = BrokerRun(
            short_name=short,
            status="ok",
            capabilities=prev_caps or run.capabilities,
            compliant=True,
            audit_id=6,
            started_at="2024-06-01T00:00:00+00:00",
        )
    base = {rid: Verdict(st, 6, "2024-06-01T00:00:00+00:00") for rid, st in (baseline or {}).items()}
    return summary.BrokerEntry(
        run=run,
        results=results,
        report=f"{short}/report.html",
        baseline=base,
        previous=previous,
        last_status="ok" if baseline is not None else None,
    )


def _down(short: str, status: str, reason: str, last_status: str | None = None) -> summary.BrokerEntry:
    return summary.BrokerEntry(
        run=BrokerRun(short_name=short, status=status, reason=reason), results=None, last_status=last_status
    )


def test_newly_failed_fixed_and_new_warnings_are_judged_against_the_baseline() -> None:
    entry = _entry(
        "diamond",
        {"NULL-003": "fail", "SCHEMA-006": "warn", "ECHO-002": "skip"},
        baseline={
            "NULL-003": "pass",
            "PAGE-001": "fail",
            "SCHEMA-006": "pass",
            "ECHO-002": "fail",
            "ECHO-003": "warn",
        },
    )
    (b,) = summary.build_summary([entry], META)["brokers"]
    assert [r["id"] for r in b["regressions"]] == ["NULL-003"]
    assert b["regressions"][0]["was"] == "pass" and b["regressions"][0]["now"] == "fail"
    assert {r["id"] for r in b["fixed"]} == {"PAGE-001", "ECHO-003"}  # a skipped rule is never "fixed"
    assert [r["id"] for r in b["new_warnings"]] == ["SCHEMA-006"]
    assert [r["id"] for r in b["must_failures"]] == ["NULL-003"]
    assert b["must_failures"][0]["message"] == "observed NULL-003"


def test_a_broker_without_history_shows_no_change_and_its_first_audit() -> None:
    (b,) = summary.build_summary([_entry("cyber", {"ALL-001": "fail"})], META)["brokers"]
    assert b["regressions"] == [] and b["fixed"] == [] and not b["drifted"]
    assert "first audit" in b["line"]


def test_a_broker_that_stopped_answering_all_shows_observed_and_declared_drift() -> None:
    entry = _entry(
        "star",
        {"ALL-001": "fail", "ALL-005": "warn"},
        baseline={"ALL-001": "pass", "ALL-005": "pass"},
        caps={"all_query": True, "apis": ["balance"]},
        prev_caps={"all_query": True, "apis": ["balance", "portfolio"]},
    )
    (b,) = summary.build_summary([entry], META)["brokers"]
    observed = {d["id"]: d for d in b["capability_drift"]["observed"]}
    assert set(observed) == {"ALL-001", "ALL-005"}
    assert observed["ALL-001"]["capability"] == "all_query" and observed["ALL-005"]["now"] == "warn"
    assert observed["ALL-005"]["message"] == "observed ALL-005"
    assert b["capability_drift"]["declared"] == [
        {"capability": "apis", "was": ["balance", "portfolio"], "now": ["balance"]}
    ]
    assert b["drifted"] and "capability drift" in b["line"]


@pytest.mark.parametrize(("fail_on", "expected"), [("must", 1), ("should", 1), ("regression", 0)])
def test_exit_code_for_a_known_failure_depends_on_fail_on(fail_on: str, expected: int) -> None:
    # diamond fails NULL-003 as it did last time: a finding, but not a regression
    doc = summary.build_summary(
        [_entry("diamond", {"NULL-003": "fail"}, baseline={"NULL-003": "fail"}), _entry("cyber", {})], META
    )
    assert audit.exit_code(doc, fail_on) == expected


def test_exit_code_should_fails_on_a_should_warning_only_with_fail_on_should() -> None:
    doc = summary.build_summary([_entry("diamond", {"SCHEMA-006": "warn"})], META)
    assert audit.exit_code(doc, "must") == 0
    assert audit.exit_code(doc, "should") == 1


def test_exit_code_regression_fails_on_a_newly_failed_rule_or_a_broker_newly_unauditable() -> None:
    regressed = summary.build_summary(
        [_entry("diamond", {"NULL-003": "fail"}, baseline={"NULL-003": "pass"})], META
    )
    assert audit.exit_code(regressed, "regression") == 1
    went_down = summary.build_summary(
        [_entry("diamond", {}), _down("cyber", "unreachable", "refused", "ok")], META
    )
    assert audit.exit_code(went_down, "regression") == 1
    still_down = summary.build_summary(
        [_entry("diamond", {}), _down("cyber", "unreachable", "refused", "unreachable")], META
    )
    assert audit.exit_code(still_down, "regression") == 0
    assert audit.exit_code(still_down, "must") == 1  # an unaudited broker is a finding by default


def test_exit_code_is_2_when_nothing_could_be_audited() -> None:
    doc = summary.build_summary(
        [_down("a", "unreachable", "refused"), _down("b.yaml", "bad-profile", "bad")], META
    )
    assert audit.exit_code(doc, "must") == 2
    assert doc["totals"]["unreachable"] == 1 and doc["totals"]["bad_profile"] == 1


def _profile(path: Path, short: str, base_url: str = "http://127.0.0.1:9", extra: str = "") -> Path:
    path.write_text(
        f"broker: {{name: {short.title()} Securities, short_name: {short}}}\n"
        f"base_url: {base_url}\napis: [member-consent]\n{extra}",
        encoding="utf-8",
    )
    return path


def test_prevalidate_reports_bad_profiles_by_their_short_name_or_file_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KC_TEST_UNSET_TOKEN", raising=False)
    good = _profile(tmp_path / "a-good.yaml", "good")
    twin = _profile(tmp_path / "b-twin.yml", "good")
    needs_env = _profile(
        tmp_path / "c-env.yaml", "envy", extra="auth:\n  bearer_token: ${KC_TEST_UNSET_TOKEN}\n"
    )
    broken = tmp_path / "d-broken.yaml"
    broken.write_text("broker: [unclosed\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a profile", encoding="utf-8")
    paths = audit.discover(tmp_path)
    assert paths == [good, twin, needs_env, broken]
    cands = {c.short_name: c for c in audit.prevalidate(paths)}
    assert set(cands) == {"good", "b-twin.yml", "envy", "d-broken.yaml"}
    assert cands["good"].profile is not None and cands["good"].path == good
    assert "already used by" in cands["b-twin.yml"].reason
    assert "KC_TEST_UNSET_TOKEN is not set" in cands["envy"].reason and cands["envy"].profile is None
    assert "not valid YAML" in cands["d-broken.yaml"].reason
    assert all("\n" not in c.reason for c in cands.values())


def _write(tmp_path: Path, entries: list[summary.BrokerEntry]) -> str:
    doc = summary.build_summary(entries, META)
    doc["exit_code"] = 1
    summary.write_summary(doc, tmp_path)
    return (tmp_path / "summary.html").read_text(encoding="utf-8")


def test_summary_html_is_one_self_contained_page_with_relative_links(tmp_path: Path) -> None:
    page = _write(
        tmp_path,
        [
            _entry("diamond", {"NULL-003": "fail"}, baseline={"NULL-003": "pass"}),
            _entry("cyber", {}),
            _down("star", "unreachable", "conformance: connection refused"),
        ],
    )
    assert "<style>" in page and "<script>" in page
    assert not re.search(r"<(script|img|iframe|link)[^>]+\bsrc=", page)
    assert not re.search(r"<link(?![^>]*href=\"data:)", page)  # only the data: favicon
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert hrefs and all(not re.match(r"[a-z]+://", h) for h in hrefs if not h.startswith("data:"))
    assert 'href="diamond/report.html#rule-NULL-003"' in page  # MUST failure drills into the report
    assert 'href="cyber/report.html"' in page
    for short in ("diamond", "cyber", "star"):
        assert f'id="b-{short}"' in page
    assert "NOT COMPLIANT" in page and "UNREACHABLE" in page and "connection refused" in page
    assert "1 of 3 brokers compliant" in page
    assert "newly failed" in page


def test_summary_escapes_broker_text_and_scrubs_registered_secrets(tmp_path: Path) -> None:
    secret = "tok-SUMMARY-secret-9876"
    redact.register_secret(secret)
    page = _write(
        tmp_path,
        [
            _entry("diamond", {}),
            _down("evil.yaml", "bad-profile", f"<script>alert(1)</script> token {secret}"),
        ],
    )
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert secret not in page
    assert secret not in (tmp_path / "summary.json").read_text(encoding="utf-8")


def test_summary_json_carries_the_matrix_and_totals(tmp_path: Path) -> None:
    doc = summary.build_summary([_entry("diamond", {"NULL-003": "fail", "SCHEMA-006": "warn"})], META)
    (b,) = doc["brokers"]
    assert b["areas"]["null-values"]["fail"] == 1 and b["areas"]["schema"]["warn"] == 1
    assert sum(sum(c.values()) for c in b["areas"].values()) == len(load_rules())
    assert doc["totals"] == {
        "brokers": 1,
        "audited": 1,
        "compliant": 0,
        "non_compliant": 1,
        "unreachable": 0,
        "bad_profile": 0,
        "error": 0,
        "regressions": 0,
        "fixed": 0,
        "drifted": 0,
        "waived": 0,
        "waivers_expiring": 0,
    }
    assert doc["format"] == summary.SUMMARY_FORMAT


def test_history_runs_feed_the_summary_end_to_end(tmp_path: Path) -> None:
    """What one audit stores is what the next one compares with."""
    conn = history.open_history(tmp_path / "h.sqlite")
    first = _entry("diamond", {"ALL-001": "pass"})
    first.run.verdicts = {
        r["id"]: (r["area"], r["severity"], r["status"]) for r in (first.results or {})["rules"]
    }
    a1 = history.begin_audit(conn, started_at="2024-06-01T00:00:00+00:00", tool_version="t")
    history.finish_audit(conn, a1, finished_at="2024-06-01T00:01:00+00:00", exit_code=0, runs=[first.run])
    a2 = history.begin_audit(conn, started_at="2024-06-02T00:00:00+00:00", tool_version="t")
    second = _entry("diamond", {"ALL-001": "fail"})
    second.baseline = history.baseline_verdicts(conn, "diamond", before_audit=a2)
    second.previous = history.previous_run(conn, "diamond", before_audit=a2)
    (b,) = summary.build_summary([second], META)["brokers"]
    assert [r["id"] for r in b["regressions"]] == ["ALL-001"]
    assert b["previous"]["audit_id"] == a1
    assert [d["id"] for d in b["capability_drift"]["observed"]] == ["ALL-001"]
    conn.close()


def test_an_unreachable_brokers_leftover_results_are_no_verdict() -> None:
    """The runner writes results for a gateway it could not reach; they list no failures, no
    regressions and no fixes in the summary (only the reason, and the report link for diagnosis)."""
    entry = _entry(
        "ghost", {"ALL-001": "fail", "NULL-003": "fail"}, baseline={"ALL-001": "pass", "PAGE-001": "fail"}
    )
    entry.run.status, entry.run.reason = "unreachable", "the gateway could not be reached at all"
    (b,) = summary.build_summary([entry], META)["brokers"]
    assert b["must_failures"] == [] and b["should_warnings"] == []
    assert b["regressions"] == [] and b["fixed"] == [] and b["capability_drift"]["observed"] == []
    assert b["areas"] == {} and b["summary"] is None
    assert b["report"] == "ghost/report.html" and b["line"] == "the gateway could not be reached at all"


def test_an_unreachable_reason_carries_how_the_gateway_failed(tmp_path: Path) -> None:
    """The run's one-line reason names the transport error; the summary keeps it as it is."""
    cand = audit.Candidate(path=tmp_path / "ghost.yaml", short_name="ghost", name="Ghost")
    cand.profile = load_profile(_profile(tmp_path / "ghost.yaml", "ghost"))
    (tmp_path / "ghost").mkdir()
    (tmp_path / "ghost" / "results.json").write_text(json.dumps(_results({"SCHEMA-001": "fail"})),
                                                     encoding="utf-8")
    reason = ("the gateway could not be reached at all: connection refused by http://127.0.0.1:9 "
              "(nothing is listening there)")
    outcome = {"exit_code": 2, "reason": reason, "duration_s": 1.0}
    run, _ = audit.to_run(cand, outcome, tmp_path)
    assert run.status == "unreachable" and run.compliant is None and run.verdicts == {}
    assert run.reason == reason
