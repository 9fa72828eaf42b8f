"""history.html in a real browser (headless Chromium): it draws every point, opens at the newest
audit with the broker names still in view, a point opens that audit's report, it logs no console
error and fetches nothing. A screenshot is left in test-artifacts/ for a person to look at.

Chromium is required in CI (the test fails there without it); locally it is skipped with a reason.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import browsers
import pytest
from browsers import ARTIFACTS, fixture_script, open_page

from conformance.report import history
from conformance.report.history_page import write_page

browser = browsers.browser  # the shared headless Chromium fixture
canned = fixture_script("make_history")
NOW = datetime(2025, 6, 1, tzinfo=UTC)
LONG_AUDITS, LONG_BROKERS = 150, 5


def _write(root: Path) -> Path:
    conn = history.open_history(root / "history.sqlite")
    try:
        out, _ = write_page(conn, root / "history.html", now=NOW, report_roots=[root])
    finally:
        conn.close()
    return out


@pytest.fixture(scope="module")
def short_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("history-short")
    canned.make_history(root)
    return _write(root)


@pytest.fixture(scope="module")
def long_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("history-long")
    canned.make_fleet_history(root / "history.sqlite", root, audits=LONG_AUDITS, brokers=LONG_BROKERS)
    return _write(root)


def test_every_run_is_drawn_as_a_visible_point(browser: Any, short_page: Path) -> None:
    open_page(browser, short_page)
    counts = browser.execute_script(
        "var out = {}; document.querySelectorAll('tr.broker').forEach(function (row) {"
        "  out[row.dataset.broker] = Array.from(row.querySelectorAll('svg.lane use'))"
        "    .filter(function (u) { var r = u.getBoundingClientRect(); return r.width > 0 && r.height > 0; })"
        "    .filter(function (u) { return u.getAttribute('href') !== '#m-drift'; }).length; });"
        "return out;")
    assert counts == {"alpha": 6, "beta": 6, "gamma": 3}


def test_a_point_opens_that_audits_report(browser: Any, short_page: Path) -> None:
    open_page(browser, short_page)
    link = browser.find_element("css selector", 'tr#b-alpha a[href="audit-6/alpha/report.html"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'center', inline: 'center'})", link)
    link.click()
    assert browser.current_url.endswith("/audit-6/alpha/report.html")
    browser.back()


def test_no_console_errors_and_nothing_fetched(browser: Any, short_page: Path) -> None:
    open_page(browser, short_page)
    severe = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert severe == []
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0


def test_a_long_history_opens_at_the_newest_audit_with_the_names_in_view(browser: Any, long_page: Path) -> None:
    browser.set_window_size(1000, 900)  # narrower than the 150 audits' columns
    try:
        open_page(browser, long_page)
        seen = _scroll_state(browser)
    finally:
        browser.set_window_size(1366, 900)
    assert seen["points"] == LONG_AUDITS  # outages and bad profiles are points too
    assert seen["scrolls"] and seen["lastIn"] and seen["firstHidden"], seen
    assert abs(seen["labelLeft"]) < 2  # the sticky broker column stays at the left edge


def _scroll_state(browser: Any) -> dict[str, Any]:
    return browser.execute_script(  # type: ignore[no-any-return]
        "var box = document.querySelector('.scroller').getBoundingClientRect();"
        "var label = document.querySelector('tr.broker th.lbl').getBoundingClientRect();"
        "var pts = document.querySelector('tr.broker svg.lane g').querySelectorAll('use');"
        "var first = pts[0].getBoundingClientRect(), last = pts[pts.length - 1].getBoundingClientRect();"
        "var s = document.querySelector('.scroller');"
        "return {scrolls: s.scrollWidth > s.clientWidth, labelLeft: label.left - box.left,"
        " lastIn: last.right <= box.right && last.left >= label.right,"
        " firstHidden: first.right <= label.right, points: pts.length};")


def test_a_screenshot_is_written_as_an_artifact(browser: Any, long_page: Path) -> None:
    open_page(browser, long_page)
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "history.png"
    assert browser.save_screenshot(str(target))
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
