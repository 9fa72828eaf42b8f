"""history.html from a canned history (tests/fixtures/make_history.py): the points drawn per broker,
their order and links, the fleet trend, recurring rules, longest non-compliant, capability drift,
waivers, the --since / --broker filters and `conformance history --html`."""

from __future__ import annotations

import importlib.util
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conformance.cli import main
from conformance.report import history, history_page
from conformance.report.history import parse_since
from conformance.report.history_data import audit_folders, load_view

FIXTURE = Path(__file__).parent / "fixtures" / "make_history.py"
_spec = importlib.util.spec_from_file_location("history_fixture", FIXTURE)
canned = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(canned)  # type: ignore[union-attr]

NOW = datetime(2024, 7, 1, tzinfo=UTC)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    canned.make_history(tmp_path)
    return tmp_path


def _page(root: Path, **filters: str) -> str:
    conn = history.open_history(root / "history.sqlite")
    try:
        out, _ = history_page.write_page(conn, root / "history.html", now=NOW, report_roots=[root], **filters)
    finally:
        conn.close()
    return out.read_text(encoding="utf-8")


def _lane(page: str, short: str) -> str:
    match = re.search(rf'<tr class="broker" id="b-{short}".*?</tr>', page, re.S)
    assert match, f"no timeline row for {short}"
    return match.group(0)


def _points(lane: str) -> list[tuple[str, int, str]]:
    """(marker, x, tooltip) of every outcome point of a lane, in document order."""
    return [(m, int(x), t) for m, x, t in re.findall(r'<use href="#(m-\w+)" x="(\d+)"><title>([^<]*)</title>', lane)]


def test_every_broker_run_is_one_point_with_the_shape_of_its_outcome(root: Path) -> None:
    page = _page(root)
    alpha, beta, gamma = (_points(_lane(page, s)) for s in ("alpha", "beta", "gamma"))
    assert [m for m, _, _ in alpha] == ["m-ok", "m-ok", "m-bad", "m-ok", "m-bad", "m-ok"]
    assert [m for m, _, _ in beta] == ["m-bad", "m-unr", "m-bad", "m-prof", "m-bad", "m-bad"]
    assert [m for m, _, _ in gamma] == ["m-ok"] * 3
    assert page.count('<tr class="broker"') == 3
    assert "connection refused" in beta[1][2] and "1 MUST failed" in alpha[2][2]
    assert "1 SHOULD warned" in alpha[1][2]


def test_points_run_oldest_left_to_newest_right_on_one_axis(root: Path) -> None:
    page = _page(root)
    alpha, gamma = _points(_lane(page, "alpha")), _points(_lane(page, "gamma"))
    xs = [x for _, x, _ in alpha]
    assert xs == sorted(xs) and len(set(xs)) == 6
    assert [t[:10] for _, _, t in alpha] == [d[:10] for d in canned.DAYS]
    # gamma joined at the fourth audit: its points sit in the last three columns of the same axis
    assert [x for _, x, _ in gamma] == xs[3:]
    assert page.index('id="b-alpha"') < page.index('id="b-beta"') < page.index('id="b-gamma"')


def test_points_link_to_the_audit_report_only_while_it_is_on_disk(root: Path) -> None:
    page = _page(root)
    alpha_links = re.findall(r'<a href="([^"]+)"><use', _lane(page, "alpha"))
    beta_links = re.findall(r'<a href="([^"]+)"><use', _lane(page, "beta"))
    assert alpha_links == ["audit-5/alpha/report.html", "audit-6/alpha/report.html"]
    assert beta_links == ["audit-6/beta/report.html"]
    assert re.findall(r'<a href="([^"]+)"><use', _lane(page, "gamma")) == []
    for link in alpha_links + beta_links:
        assert (root / link).is_file()  # relative to the page's folder


def test_links_are_relative_from_wherever_the_page_is_written(root: Path) -> None:
    conn = history.open_history(root / "history.sqlite")
    out, _ = history_page.write_page(conn, root / "audit-6" / "history.html", now=NOW, report_roots=[root])
    conn.close()
    links = re.findall(r'<a href="([^"]+)"><use', _lane(out.read_text(encoding="utf-8"), "alpha"))
    assert links == ["../audit-5/alpha/report.html", "alpha/report.html"]


def test_the_fleet_trend_counts_compliant_brokers_and_failures_per_area(root: Path) -> None:
    conn = history.open_history(root / "history.sqlite")
    view = load_view(conn, now=NOW)
    conn.close()
    assert view.compliant == [1, 1, 0, 2, 1, 2]
    assert view.audited == [2, 1, 2, 2, 3, 3]
    assert view.area_failures == {"null-values": [1, 0, 1, 0, 1, 1], "all-query": [0, 0, 1, 0, 1, 0]}
    page = _page(root)
    assert page.count('class="tp"') == 6  # one trend point per audit
    assert re.findall(r'<tr class="area" data-area="([^"]+)"', page) == ["null-values", "all-query"]


def test_a_rule_that_failed_was_fixed_and_failed_again_is_listed_with_dates(root: Path) -> None:
    page = _page(root)
    rows = re.findall(r'<tr class="recurring" data-broker="(\w+)" data-rule="([\w-]+)">(.*?)</tr>', page, re.S)
    assert [(b, r) for b, r, _ in rows] == [("alpha", "ALL-002")]  # beta's NULL-003 never passed
    course = re.sub(r"<[^>]+>", "", rows[0][2])
    assert re.findall(r"(failed|fixed) (2024-06-0\d)", course) == [
        ("failed", "2024-06-03"), ("fixed", "2024-06-04"), ("failed", "2024-06-05"), ("fixed", "2024-06-06")]
    assert 'href="audit-5/alpha/report.html">2024-06-05 02:30</a>' in rows[0][2]


def test_an_outage_between_two_failures_is_no_fix(root: Path) -> None:
    conn = history.open_history(root / "history.sqlite")
    view = load_view(conn, now=NOW)
    conn.close()
    assert {(r.short_name, r.rule_id) for r in view.recurring} == {("alpha", "ALL-002")}


def test_longest_non_compliant_counts_days_from_the_injected_now(root: Path) -> None:
    page = _page(root)
    rows = re.findall(r'<tr class="nc" data-broker="(\w+)" data-days="(\d+)">', page)
    assert rows == [("beta", "29")]  # never compliant: since its first audit, 2024-06-01 02:30
    assert "never; first audited 2024-06-01 02:30" in page


def test_days_since_the_last_compliant_audit_ignore_the_since_filter(root: Path) -> None:
    conn = history.open_history(root / "history.sqlite")
    history.finish_audit(conn, history.begin_audit(conn, started_at="2024-06-07T02:30:00+00:00", tool_version="t"),
                         finished_at="2024-06-07T02:30:00+00:00", exit_code=1,
                         runs=[canned._ok("alpha", {"ALL-002": "fail"}, {"all_query": True})])
    conn.close()
    page = _page(root, since="2024-06-07")
    assert re.findall(r'<tr class="nc" data-broker="(\w+)" data-days="(\d+)">', page) == [("alpha", "24")]


def test_capability_drift_is_listed_and_marked_on_the_broker_timeline(root: Path) -> None:
    page = _page(root)
    beta = _lane(page, "beta")
    marks = re.findall(r'<use href="#m-drift" x="(\d+)"[^>]*><title>([^<]*)</title>', beta)
    assert len(marks) == 1 and marks[0][1].startswith("2024-06-05 02:30")
    assert "all_query yes → no" in marks[0][1]
    fifth_x = _points(beta)[4][1]
    assert int(marks[0][0]) == fifth_x  # the same time axis as the points
    assert len(re.findall(r'<tr class="drift" data-broker="beta">', page)) == 1
    assert "#m-drift" not in _lane(page, "alpha")


def test_since_keeps_only_later_audits(root: Path) -> None:
    page = _page(root, since=parse_since("2024-06-04") or "")
    assert len(_points(_lane(page, "alpha"))) == 3
    assert len(_points(_lane(page, "gamma"))) == 3
    assert page.count('class="tp"') == 3
    assert 'data-rule="ALL-002"' not in page  # a single failure in view cannot recur


def test_broker_keeps_only_that_broker(root: Path) -> None:
    page = _page(root, broker="beta")
    assert page.count('<tr class="broker"') == 1 and 'id="b-beta"' in page
    assert len(_points(_lane(page, "beta"))) == 6
    assert "Alpha Securities" not in page


def test_without_waiver_data_the_section_says_so(root: Path) -> None:
    page = _page(root)
    assert 'id="no-waiver-data"' in page


def test_waivers_in_the_history_expiring_soon_are_listed_soonest_first(root: Path) -> None:
    raw = sqlite3.connect(root / "history.sqlite")
    latest = "(SELECT MAX(id) FROM broker_runs WHERE short_name = ?)"  # history v3: the run's waivers
    raw.executemany(f"INSERT INTO waivers (broker_run_id, short_name, rule_id, expires, state, reason)"
                    f" VALUES ({latest}, ?, ?, ?, ?, ?)", [
        ("beta", "beta", "NULL-003", "2024-07-10", "applied", "vendor fix due"),
        ("beta", "beta", "ALL-002", "2025-01-01", "unused", "far away"),
        ("alpha", "alpha", "ALL-002", "2024-06-25", "expired", "lapsed"),
    ])
    oldest = "(SELECT MIN(id) FROM broker_runs WHERE short_name = 'beta')"  # superseded by later audits
    raw.execute(f"INSERT INTO waivers (broker_run_id, short_name, rule_id, expires, state, reason)"
                f" VALUES ({oldest}, 'beta', 'AUTH-001', '2024-07-02', 'applied', 'an old run')")
    raw.commit()
    raw.close()
    page = _page(root)
    rows = re.findall(r'<tr class="waiver" data-broker="(\w+)"><td>\w+</td><td><code>([\w-]+)</code>', page)
    assert rows == [("alpha", "ALL-002"), ("beta", "NULL-003")]
    assert "expired" in page and "vendor fix due" in page and "far away" not in page
    assert "an old run" not in page  # only each broker's latest run's waivers


def test_the_page_is_self_contained_under_a_strict_csp(root: Path) -> None:
    page = _page(root)
    assert "default-src 'none'" in page
    assert not re.search(r"""(src|href)=["'](https?:)?//""", page)
    assert "<script" not in page and "<link rel=\"stylesheet\"" not in page
    assert page.count("<svg") >= 3 + 2 + 2  # defs + axis + trend + areas + lanes


def test_an_empty_history_renders_a_page_that_says_so(tmp_path: Path) -> None:
    conn = history.open_history(tmp_path / "h.sqlite")
    out, view = history_page.write_page(conn, tmp_path / "history.html", now=NOW)
    conn.close()
    assert view.audits == [] and 'id="no-audits"' in out.read_text(encoding="utf-8")


def test_the_history_command_writes_the_page(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = root / "pages" / "h.html"
    code = main(["history", "--history", str(root / "history.sqlite"), "--html", str(out),
                 "--reports", str(root), "--since", "2024-06-05", "--broker", "alpha"])
    assert code == 0
    assert capsys.readouterr().out.strip().endswith("2 audits\t1 brokers")
    links = re.findall(r'<a href="([^"]+)"><use', out.read_text(encoding="utf-8"))
    assert links == ["../audit-5/alpha/report.html", "../audit-6/alpha/report.html"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [(["--since", "June"], "is not a date"), (["--broker", "nobody"], "no runs of broker 'nobody'")],
)
def test_the_history_command_refuses_bad_filters_with_one_line(
    root: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    code = main(["history", "--history", str(root / "history.sqlite"), "--html", str(root / "h.html"), *extra])
    err = capsys.readouterr().err
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_the_text_listing_honours_since(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "--history", str(root / "history.sqlite"), "--since", "2024-06-05"]) == 0
    assert [line.split("\t")[1][:10] for line in capsys.readouterr().out.splitlines()] == ["2024-06-05", "2024-06-06"]


def test_audit_folders_are_found_by_their_summary(root: Path) -> None:
    found = audit_folders([root])
    assert found == {canned.DAYS[4]: [root / "audit-5"], canned.DAYS[5]: [root / "audit-6"]}


def test_the_commands_in_the_scheduling_doc_work_as_written(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shlex

    doc = (Path(__file__).resolve().parents[1] / "docs" / "scheduling.md").read_text(encoding="utf-8")
    section = doc.split("## The history page")[1].split("```bash\n")[1].split("```")[0]
    commands = [shlex.split(line)[1:] for line in section.splitlines() if line.startswith("conformance history")]
    assert len(commands) == 2
    (root / "audits").mkdir()
    (root / "history.sqlite").rename(root / "audits" / "history.sqlite")
    monkeypatch.chdir(root)
    for args in commands:
        args = ["beta" if a == "cyber" else ("2024-06-01" if a == "2025-01-01" else a) for a in args]
        assert main(args) == 0, args
    assert (root / "audits" / "history.html").is_file() and (root / "cyber.html").is_file()


def test_shards_that_started_in_the_same_second_each_link_their_own_brokers(root: Path) -> None:
    import json
    import shutil

    shard = root / "audit-6-shard-b"
    (shard / "beta").mkdir(parents=True)
    shutil.copy(root / "audit-6" / "summary.json", shard / "summary.json")
    shutil.move(root / "audit-6" / "beta" / "report.html", shard / "beta" / "report.html")
    assert json.loads((shard / "summary.json").read_text(encoding="utf-8"))["audit"]["started_at"] == canned.DAYS[5]
    page = _page(root)
    assert re.findall(r'<a href="([^"]+)"><use', _lane(page, "alpha"))[-1] == "audit-6/alpha/report.html"
    assert re.findall(r'<a href="([^"]+)"><use', _lane(page, "beta")) == ["audit-6-shard-b/beta/report.html"]


def test_texts_from_the_history_are_escaped_and_scrubbed(root: Path) -> None:
    conn = history.open_history(root / "history.sqlite")
    when = "2024-06-07T02:30:00+00:00"
    hostile = history.BrokerRun("evil", "unreachable", name='<script>alert(1)</script>"><b>',
                                reason="refused; Authorization: Bearer s3cr3t-t0ken-value")
    history.finish_audit(conn, history.begin_audit(conn, started_at=when, tool_version="t"),
                         finished_at=when, exit_code=2, runs=[hostile])
    conn.close()
    page = _page(root)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "s3cr3t-t0ken-value" not in page and "refused; Authorization: Bearer" in page


def test_a_long_course_shows_its_first_failure_and_its_latest_turns(tmp_path: Path) -> None:
    conn = history.open_history(tmp_path / "history.sqlite")
    for day in range(12):  # ALL-002 fails on even days, passes on odd ones: 11 turns
        when = f"2024-06-{day + 1:02d}T02:30:00+00:00"
        run = canned._ok("alpha", {"ALL-002": "fail"} if day % 2 == 0 else {}, {"all_query": True})
        history.finish_audit(conn, history.begin_audit(conn, started_at=when, tool_version="t"),
                             finished_at=when, exit_code=1, runs=[run])
    out, view = history_page.write_page(conn, tmp_path / "history.html", now=NOW, report_roots=[tmp_path])
    conn.close()
    assert len(view.recurring) == 1 and view.recurring[0].relapses == 5 and len(view.recurring[0].events) == 12
    row = re.search(r'<tr class="recurring".*?</tr>', out.read_text(encoding="utf-8"), re.S)
    assert row is not None
    course = re.sub(r"<[^>]+>", "", row.group(0))
    dates = re.findall(r"(?:failed|fixed) 2024-06-(\d\d)", course)
    assert dates == ["01", "06", "07", "08", "09", "10", "11", "12"] and "→ … →" in course
