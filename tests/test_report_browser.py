"""report.html in a real browser (headless Chromium): it renders every rule, its filters and search
work, it logs no console error, it fetches nothing, and printing shows every detail.

Chromium is required in CI (the test fails there without it); locally it is skipped with a reason.
A screenshot is left in test-artifacts/ for a person to look at.
"""

from __future__ import annotations

from typing import Any

import browsers
import pytest
from browsers import ARTIFACTS, fixture_script, open_page

from conformance.report.html import render_html

browser = browsers.browser  # the shared headless Chromium fixture
fixture = fixture_script("make_results")


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    return fixture.make_results(insecure=True, plant_secrets=False)


@pytest.fixture(scope="module")
def page(browser: Any, results: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    report = render_html(results, tmp_path_factory.mktemp("browser"))
    open_page(browser, report)
    return browser


def _visible_rules(driver: Any) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('tbody.rule'))"
        ".filter(function (t) { return t.offsetParent !== null; })"
        ".map(function (t) { return t.getAttribute('data-rule'); });")


def _reset(driver: Any) -> None:
    driver.find_element("id", "reset-filters").click()


def test_the_rule_table_renders_every_rule_id(page: Any, results: dict[str, Any]) -> None:
    shown = _visible_rules(page)
    assert sorted(shown) == sorted(rule["id"] for rule in results["rules"])
    buttons = {b.text for b in page.find_elements("css selector", "tbody.rule button.toggle")}
    assert buttons == {rule["id"] for rule in results["rules"]}
    total = len(results["rules"])
    assert page.find_element("id", "shown-count").text == f"{total} of {total} rules shown"


def test_the_status_filter_hides_unticked_statuses(page: Any, results: dict[str, Any]) -> None:
    _reset(page)
    page.find_element("css selector", "input[name=status][value=pass]").click()
    expected = {rule["id"] for rule in results["rules"] if rule["status"] != "pass"}
    assert set(_visible_rules(page)) == expected
    assert len(expected) < len(results["rules"])


def test_the_area_and_severity_filters_narrow_the_table(page: Any, results: dict[str, Any]) -> None:
    from selenium.webdriver.support.ui import Select

    _reset(page)
    Select(page.find_element("id", "f-area")).select_by_value("numbers")
    assert set(_visible_rules(page)) == {r["id"] for r in results["rules"] if r["area"] == "numbers"}
    Select(page.find_element("id", "f-severity")).select_by_value("SHOULD")
    assert set(_visible_rules(page)) == {r["id"] for r in results["rules"]
                                         if r["area"] == "numbers" and r["severity"] == "SHOULD"}


def test_the_search_box_finds_rules_by_id_and_by_message_text(page: Any) -> None:
    _reset(page)
    search = page.find_element("id", "f-search")
    search.send_keys("NULL-002")
    assert _visible_rules(page) == ["NULL-002"]
    search.clear()
    search.send_keys("queryPrams")  # a JSON path in a warning's message
    assert _visible_rules(page) == ["SCHEMA-007"]
    search.send_keys(" no-such-word")
    assert _visible_rules(page) == []
    assert page.find_element("id", "no-match").is_displayed()


def test_a_matrix_cell_filters_to_its_area_and_status(page: Any) -> None:
    _reset(page)
    page.find_element("css selector", 'a.mx[data-area="null-values"][data-status="fail"]').click()
    assert _visible_rules(page) == ["NULL-002"]


def test_clicking_a_rule_opens_and_closes_its_evidence(page: Any) -> None:
    _reset(page)
    detail = page.find_element("id", "detail-NULL-002")
    assert detail.is_displayed()  # failed rules start open
    page.find_element("css selector", "#rule-NULL-002 button.toggle").click()
    assert not detail.is_displayed()
    page.find_element("css selector", "#rule-NULL-002 button.toggle").click()
    assert detail.is_displayed()
    mark = detail.find_element("css selector", "pre.body mark")
    assert '"productName": "NULL"' in mark.text and mark.is_displayed()


def test_the_insecure_warning_is_visible(page: Any) -> None:
    assert page.find_element("id", "insecure-warning").is_displayed()


def test_printing_expands_every_rule(page: Any) -> None:
    _reset(page)
    page.find_element("id", "collapse-all").click()
    detail = page.find_element("id", "detail-AUTH-001")
    assert not detail.is_displayed()
    page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert detail.is_displayed()
        assert not page.find_element("id", "filters").is_displayed()
    finally:
        page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_no_console_errors_and_nothing_fetched(page: Any) -> None:
    severe = [entry for entry in page.get_log("browser") if entry["level"] == "SEVERE"]
    assert severe == []
    assert page.execute_script("return performance.getEntriesByType('resource').length") == 0


def test_a_screenshot_is_written_as_an_artifact(page: Any) -> None:
    _reset(page)
    page.execute_script("window.scrollTo(0, 0)")
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "report.png"
    assert page.save_screenshot(str(target))
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
