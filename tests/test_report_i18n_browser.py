"""The language switch in a real browser (headless Chromium): a report rendered in English turns
Korean on a click — rule titles, statuses, headings, the search placeholder, the counter — offline,
and the choice survives a reload (localStorage); the fleet summary switches the same way.

Chromium is required in CI (the test fails there without it); locally it is skipped with a reason.
A screenshot of the Korean page is left in test-artifacts/ (the Noto CJK fonts draw the Hangul).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import browsers
import pytest
from browsers import ARTIFACTS, fixture_script

from conformance.report import i18n
from conformance.report.html import render_html

browser = browsers.browser  # the shared headless Chromium fixture
fixture = fixture_script("make_results")
HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_html(fixture.make_results(plant_secrets=False), tmp_path_factory.mktemp("i18n"), "en")


def _shown_text(driver: Any, selector: str) -> str:
    return driver.find_element("css selector", selector).text


def test_switching_to_korean_shows_korean_titles_and_statuses_and_survives_a_reload(browser: Any,
                                                                                     report: Path) -> None:
    browser.get(report.as_uri())
    browser.execute_script("window.localStorage.clear()")
    browser.refresh()
    assert browser.execute_script("return document.documentElement.getAttribute('data-lang')") == "en"
    title_cell = "#rule-NULL-002 td.title"
    assert _shown_text(browser, title_cell).startswith("A response expresses 'no value'")
    assert _shown_text(browser, "#verdict .verdict-word") == "Not compliant"

    browser.find_element("css selector", 'button[data-set-lang="ko"]').click()
    korean_title = i18n.rule_titles_ko()["NULL-002"]
    assert _shown_text(browser, title_cell) == korean_title
    assert _shown_text(browser, "#verdict .verdict-word") == "부적합"
    assert _shown_text(browser, "#rule-NULL-002 .badge") == "실패"
    assert _shown_text(browser, "#matrix h2") == "영역별 규칙"
    placeholder = browser.find_element("id", "f-search").get_attribute("placeholder")
    assert placeholder == "규칙 ID, 제목, API, 메시지, JSON 경로"
    assert HANGUL.search(_shown_text(browser, "#shown-count"))
    assert browser.title.endswith("적합성 보고서")
    statuses = {b.text for b in browser.find_elements("css selector", "tbody.rule .badge") if b.is_displayed()}
    assert "실패" in statuses and not statuses & {"fail", "pass", "warn"}
    # no English span stays visible anywhere
    leftovers = browser.execute_script(
        "return Array.from(document.querySelectorAll('span[lang=en]'))"
        ".filter(function (s) { return s.offsetParent !== null; }).length;")
    assert leftovers == 0
    # the official page of the cited convention, in the rule's detail
    origin = browser.find_element("css selector", "#detail-NULL-002 .origin")
    assert "API 호출 공통사항" in origin.text and "값 없음 표기 방법" in origin.text
    link = origin.find_element("css selector", "a").get_attribute("href")
    assert link.startswith("https://github.com/devkoscom/openapi/blob/")

    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "report-ko.png"))

    browser.refresh()
    assert browser.execute_script("return document.documentElement.getAttribute('data-lang')") == "ko"
    assert _shown_text(browser, title_cell) == korean_title

    browser.find_element("css selector", 'button[data-set-lang="en"]').click()
    assert _shown_text(browser, "#verdict .verdict-word") == "Not compliant"
    browser.refresh()
    assert _shown_text(browser, "#verdict .verdict-word") == "Not compliant"
    assert browser.find_element("id", "f-search").get_attribute("placeholder").startswith("rule id")


def test_the_search_and_counter_still_work_in_korean(browser: Any, report: Path) -> None:
    browser.get(report.as_uri())
    browser.find_element("css selector", 'button[data-set-lang="ko"]').click()
    search = browser.find_element("id", "f-search")
    search.clear()
    search.send_keys("값 없음")  # a Korean rule title word
    shown = browser.execute_script(
        "return Array.from(document.querySelectorAll('tbody.rule'))"
        ".filter(function (t) { return t.offsetParent !== null; }).map(function (t) { return t.dataset.rule; });")
    assert "NULL-002" in shown
    assert _shown_text(browser, "#shown-count").startswith("규칙 ")
    search.clear()
    browser.execute_script("window.localStorage.clear()")


def test_the_fleet_summary_switches_too(browser: Any, tmp_path: Path) -> None:
    from conformance.report.summary import build_summary, write_summary
    from tests.test_audit_summary import META, _entry

    doc = build_summary([_entry("alpha", {"NULL-002": "fail"}), _entry("beta", {})], META)
    doc["exit_code"] = 1
    _, page = write_summary(doc, tmp_path, "ko")
    browser.get(page.as_uri())
    browser.execute_script("window.localStorage.clear()")
    browser.refresh()
    assert browser.execute_script("return document.documentElement.getAttribute('data-lang')") == "ko"
    assert "적합" in _shown_text(browser, "#verdict .word")
    assert i18n.rule_titles_ko()["NULL-002"] in _shown_text(browser, "#b-alpha")
    browser.find_element("css selector", 'button[data-set-lang="en"]').click()
    assert "compliant" in _shown_text(browser, "#verdict .word")
    assert not HANGUL.search(_shown_text(browser, "#matrix-section h2"))
    browser.refresh()
    assert browser.execute_script("return document.documentElement.getAttribute('data-lang')") == "en"
    browser.execute_script("window.localStorage.clear()")
