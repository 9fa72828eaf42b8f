"""report.html: one self-contained page with the verdict, the matrix, every rule and its evidence."""

from __future__ import annotations

import importlib.util
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conformance.cli import main
from conformance.report.html import render_html, render_html_text, report_command
from conformance.report.results import STATUS_ORDER

FIXTURE = Path(__file__).parent / "fixtures" / "make_results.py"
_spec = importlib.util.spec_from_file_location("report_fixture", FIXTURE)
fixture = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(fixture)  # type: ignore[union-attr]


class _Page(HTMLParser):
    """Collects what a self-containment and structure check needs."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []
        self.rule_ids: list[str] = []
        self.rule_statuses: list[str] = []
        self.ids: set[str] = set()
        self.styles = ""
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name in ("src", "href", "action", "srcset", "poster", "data", "formaction"):
            if name in values:
                self.urls.append((tag, name, values[name] or ""))
        if "id" in values:
            self.ids.add(values["id"] or "")
        if tag == "tbody" and "data-rule" in values:
            self.rule_ids.append(values["data-rule"] or "")
            self.rule_statuses.append(values["data-status"] or "")
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles += data


@pytest.fixture(scope="module")
def results():
    return fixture.make_results(plant_secrets=False)


@pytest.fixture(scope="module")
def page(results, tmp_path_factory):
    path = render_html(results, tmp_path_factory.mktemp("report"))
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def parsed(page):
    parser = _Page()
    parser.feed(page)
    return parser


OFFICIAL_PAGES = "https://github.com/devkoscom/openapi/blob/"  # links a reader may follow, never fetched


def test_the_page_fetches_nothing_no_url_of_any_kind(page, parsed):
    for tag, attr, value in parsed.urls:
        followable = tag == "a" and attr == "href" and value.startswith(OFFICIAL_PAGES)  # issue 16: back to the source
        assert value.startswith("#") or value == "data:," or followable, (tag, attr, value)
    assert "url(" not in parsed.styles and "@import" not in parsed.styles
    assert not re.search(r"<(script|img|iframe|link|object|embed)[^>]*\bsrc=", page)
    assert "<link" not in page.replace('<link rel="icon" href="data:,">', "")
    assert "default-src 'none'" in page  # the CSP forbids loading anything even if markup slipped in


def test_every_rule_appears_once_failures_first(results, parsed):
    assert sorted(parsed.rule_ids) == sorted(rule["id"] for rule in results["rules"])
    order = [STATUS_ORDER[s] for s in parsed.rule_statuses]
    assert order == sorted(order)
    assert parsed.rule_statuses[0] == "fail"


def test_the_report_is_small_enough_for_a_browser(page):
    assert len(page.encode("utf-8")) < 2_000_000


def test_the_verdict_banner_says_not_compliant_with_the_must_failure_count(results, page):
    must_failed = results["summary"]["must_failed"]
    assert must_failed > 0
    assert "Not compliant" in page
    assert f"{must_failed} MUST rules failed." in page


def test_a_compliant_run_says_compliant(tmp_path, results):
    clean = json.loads(json.dumps(results))
    clean["rules"] = [r for r in clean["rules"] if r["status"] != "fail"]
    clean["summary"].update(must_failed=0, compliant=True, fail=0)
    html = render_html(clean, tmp_path).read_text(encoding="utf-8")
    assert 'class="verdict ok"' in html and "No MUST rule failed." in html


def test_broker_gateway_time_tool_and_options_are_shown(results, page):
    for text in ("Diamond Securities (다이아몬드증권)", "diamond", "00992", "http://127.0.0.1:8700",
                 "2026-11-26T10:00:00+00:00", "koscom-conformance 0.1.0", "--profile",
                 "profiles/diamond.yaml"):
        assert text in page, text


def test_an_insecure_run_shows_a_warning_and_a_secure_one_does_not(tmp_path, page):
    assert 'id="insecure-warning"' not in page
    results = fixture.make_results(insecure=True, plant_secrets=False)
    insecure = render_html(results, tmp_path).read_text("utf-8")
    assert 'id="insecure-warning"' in insecure and "NOT verified" in insecure


def test_the_matrix_counts_rules_per_area_and_status(results, page):
    null_fail = sum(1 for r in results["rules"] if r["area"] == "null-values" and r["status"] == "fail")
    assert null_fail == 1
    assert 'data-area="null-values" data-status="fail">1</a>' in page
    assert f'<td class="num">{len(results["rules"])}</td></tr></tfoot>' in page


def test_each_rule_shows_the_clause_text_of_its_spec_reference(page, parsed):
    assert "A response may express a missing value in four ways" in page  # C4, cited by NULL-002
    assert {"C4", "I15", "C24"} <= parsed.ids  # clause anchors the rule links and allure point to


def test_the_offending_field_is_highlighted_in_the_pretty_printed_response(page):
    marks = re.findall(r"<mark>(.*?)</mark>", page, re.S)
    assert any('"productName": "NULL"' in m for m in marks)
    assert any('"isinCode": " "' in m for m in marks)  # deep in a 900-item body
    assert any('"earningRate": -3.333' in m for m in marks)  # in a body the recorder cut
    assert "body cut here by the recorder" in page


def test_number_literals_are_shown_as_the_broker_wrote_them(page):
    assert '"substitute": 9.816358E7' in page


def test_a_non_json_body_is_shown_as_escaped_text(page):
    assert "&lt;h1&gt;502 Bad Gateway&lt;/h1&gt;" in page
    assert "<h1>502 Bad Gateway</h1>" not in page
    assert "not JSON: shown as text" in page


def test_a_timeout_shows_the_transport_error_and_no_response(page):
    assert "no answer within 10 s" in page and "no response" in page


def test_evidence_carries_elapsed_time_and_the_curl_reproduction(page):
    assert "183.4 ms" in page
    assert "curl -X POST http://127.0.0.1:8700/v1/diamond/account/balance/search" in page  # shlex-quoted words


def test_big_bodies_are_cut_and_the_cut_is_said(page):
    assert "lines not shown (full body in results.json)" in page


def test_print_css_expands_every_rule(page):
    print_css = page[page.index("@media print"):]
    assert "tr.detail { display: table-row !important; }" in print_css


def test_report_command_renders_a_saved_results_file(tmp_path, results, capsys):
    source = tmp_path / "results.json"
    source.write_text(json.dumps(results), encoding="utf-8")
    assert report_command(str(source), str(tmp_path / "out")) == 0
    assert (tmp_path / "out" / "report.html").is_file()
    assert main(["report", "--from", str(source), "--out", str(tmp_path / "cli")]) == 0
    assert (tmp_path / "cli" / "report.html").is_file()


@pytest.mark.parametrize("content, reason", [
    (None, "no such file"),
    (b"{not json", "not a JSON results file"),
    (b"[1, 2]", "the top level is not a JSON object"),
    (b'{"rules": {}}', "'rules' is missing or not a list"),
    (b'{"rules": [{"title": "x"}]}', "rules[0] has no string 'id'"),
    (b"\xff\xfe", "not a JSON results file"),
])
def test_report_command_exits_2_with_one_line_for_a_missing_or_invalid_file(tmp_path, capsys, content,
                                                                            reason):
    source = tmp_path / "results.json"
    if content is not None:
        source.write_bytes(content)
    assert report_command(str(source), str(tmp_path / "out")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and reason in err and str(source) in err
    assert not (tmp_path / "out" / "report.html").exists()


def test_a_minimal_results_record_renders(tmp_path):
    html = render_html({"rules": [{"id": "X-1", "status": "pass"}]}, tmp_path).read_text("utf-8")
    assert 'data-rule="X-1"' in html and "Compliant" in html


def test_a_run_where_everything_fails_with_big_evidence_stays_under_2_mb_and_says_what_it_left_out():
    results = fixture.make_results(plant_secrets=False)
    big = fixture._exchange("balance", "big", 200, fixture.balance_body(items=500)).to_evidence()
    for rule in results["rules"]:
        rule["status"] = "fail"
        rule["checks"] = [{"nodeid": f"n{i}", "api": "balance", "status": "fail", "message": "m",
                           "path": "balanceList.balance.equityList[3].productName", "evidence": [big] * 4}
                          for i in range(2)]
    page = render_html_text(results)
    assert len(page.encode("utf-8")) < 2_000_000
    assert "Evidence not shown to keep this page small" in page
    assert "more exchange" in page
