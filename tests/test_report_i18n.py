"""Korean reports (issue 16): the catalog is complete and keeps its placeholders, every rule and fault
has a Korean text, every cited convention points at its official page, the failure-message templates
say exactly what the checks said, the English rendering shows no Korean, and --lang / report.lang
choose the first language."""

from __future__ import annotations

import importlib.util
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2.ext
import pytest
import yaml
from babel.messages.pofile import read_po

from conformance.cli import main
from conformance.paths import reports_dir, schemas_dir
from conformance.profile import ProfileError, load_profile
from conformance.reference.faults import FAULTS, catalogue_lines, descriptions_ko
from conformance.report import i18n, messages_i18n
from conformance.report.clauses import load_clauses
from conformance.report.html import render_html_text
from conformance.report.sources import github_anchor, load_sources
from conformance.report.summary import build_summary, render_summary_html
from conformance.rules import load_rules

FIXTURE = Path(__file__).parent / "fixtures" / "make_results.py"
_spec = importlib.util.spec_from_file_location("report_fixture_i18n", FIXTURE)
fixture = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(fixture)  # type: ignore[union-attr]

HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
HANGUL_RUN = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]+")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")


def _template_msgids() -> list[str]:
    """Every literal _() / ngettext() of the report templates (singular ids), as Babel extracts them."""
    found: list[str] = []
    for name in ("report.html.j2", "summary.html.j2"):
        with (reports_dir() / "templates" / name).open("rb") as handle:
            for _line, _func, message, _comments in jinja2.ext.babel_extract(handle, jinja2.ext.GETTEXT_FUNCTIONS,
                                                                             [], {}):
                first = message[0] if isinstance(message, tuple) else message
                if first:
                    found.append(first)
    return found


def _all_msgids() -> set[str]:
    return set(_template_msgids()) | set(i18n.DYNAMIC_MSGIDS) | {k.template for k in messages_i18n.KINDS}


@pytest.fixture(scope="module")
def po() -> Any:
    with i18n.CATALOG_PATH.open("rb") as handle:
        return read_po(handle, locale="ko")


# --- the catalog ----------------------------------------------------------------------------------

def test_the_templates_translate_many_texts() -> None:
    assert len(set(_template_msgids())) > 100


def test_every_message_has_a_korean_translation_that_is_not_fuzzy(po: Any) -> None:
    by_id = {(m.id[0] if isinstance(m.id, tuple) else m.id): m for m in po if m.id}
    missing = sorted(_all_msgids() - set(by_id))
    assert not missing, f"not in messages.po: {missing[:5]}"
    for msgid in _all_msgids():
        message = by_id[msgid]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings) and not message.fuzzy, msgid
        assert all(HANGUL.search(s) or msgid in {"%(rule)s on %(api)s"} for s in strings), (msgid, strings)


def test_placeholders_are_preserved_and_babel_finds_no_format_error(po: Any) -> None:
    for message in po:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
        for string in strings:
            # Korean has no articles: an English "a"/"an" placeholder is the one value it may leave out
            assert set(PLACEHOLDER.findall(string)) == wanted - {"%(article)s"}, (ids[0], string)
        if wanted:
            assert message.python_format, f"{ids[0]!r} lacks the python-format flag that Babel checks"
    problems = [(m.id, [str(e) for e in errors]) for m, errors in po.check()]
    assert not problems, problems


def test_the_catalog_holds_no_stale_message(po: Any) -> None:
    stale = {(m.id[0] if isinstance(m.id, tuple) else m.id) for m in po if m.id} - _all_msgids()
    assert not stale, sorted(stale)[:5]


def test_the_contract_terms_are_used() -> None:
    korean = " ".join(s for strings in i18n.catalog().values() for s in strings)
    korean += " ".join(i18n.rule_titles_ko().values())
    for term in ("값 없음", "상품군", "가상계좌", "연계정보(CI)", "전체(ALL) 조회", "반환"):
        assert term in korean, term


# --- rule titles, faults, sources -----------------------------------------------------------------

def test_every_rule_has_a_korean_title_and_no_title_is_for_an_unknown_rule() -> None:
    rules = load_rules()
    titles = i18n.rule_titles_ko()
    assert set(rules) - set(titles) == set(), sorted(set(rules) - set(titles))
    assert set(titles) - set(rules) == set(), sorted(set(titles) - set(rules))
    assert all(HANGUL.search(title) for title in titles.values())


def test_every_fault_has_a_korean_description_and_list_faults_prints_it(capsys: pytest.CaptureFixture[str]) -> None:
    korean = descriptions_ko()
    assert set(korean) == set(FAULTS)
    lines = catalogue_lines("ko")
    assert len(lines) == len(FAULTS) and all(HANGUL.search(line.split("\t")[2]) for line in lines)
    assert not any(HANGUL.search(line) for line in catalogue_lines("en"))
    assert main(["serve-reference", "--list-faults", "--lang", "ko"]) == 0
    out = capsys.readouterr().out
    assert "upper-null\tNULL-002" in out and "값 없음" in out


def test_every_convention_cites_an_official_page_section_and_term() -> None:
    sources = load_sources()
    conventions = [c for c in load_clauses() if c.startswith("C")]
    assert set(sources) == set(conventions)
    for source in sources.values():
        assert source.cites and HANGUL.search(source.reading_ko) and not HANGUL.search(source.reading_en)
        for cite in source.cites:
            assert cite.url.startswith("https://github.com/devkoscom/openapi/blob/")
            assert re.search(r"/blob/[0-9a-f]{40}/[\w/.-]+\.md#\S+$", cite.url), cite.url
            assert cite.term and cite.heading


def test_github_heading_anchors() -> None:
    assert github_anchor("API 호출  공통사항") == "api-호출--공통사항"
    assert github_anchor("금융투자회사 단축명 & API 제공여부") == "금융투자회사-단축명--api-제공여부"
    assert github_anchor("OAuth 2.0") == "oauth-20"
    c4 = load_sources()["C4"].cites[0]
    assert c4.url.endswith("api/account.md#api-%ED%98%B8%EC%B6%9C--%EA%B3%B5%ED%86%B5%EC%82%AC%ED%95%AD")
    assert "값 없음 표기 방법" in c4.term


# --- failure messages -----------------------------------------------------------------------------

KNOWN = {
    "required field resp.respMsg is missing": "필수 field resp.respMsg 없음",
    'expected a number, got the string "12"': "숫자 타입이어야 하나",
    'the string "NULL" is not a legal no-value form; a field without value must be absent, null, "null" or ""':
        "허용된 값 없음 표기가 아닙니다",
    'accInfo.vtAccNo: sent "001", got back "002"': "반환 항목",
    "the invented page key 'x' was refused with HTTP 400, code 7000; the documented code is 6003 (Invalid Page Value)":
        "문서에 정한 코드는 6003 (Invalid Page Value)입니다",
    "a request without a bearer token was answered with HTTP 200 and 3 items": "항목 3건",
    "error code 9999 is not documented": "문서에 없는 코드",
    "… body cut here by the recorder (4096 more characters in the original)": "원본에 4096자 더 있음",
    "resp.respMsg is not in this body; its nearest parent resp is highlighted": "가장 가까운 상위 resp",
}


@pytest.mark.parametrize("message", sorted(KNOWN))
def test_common_failure_kinds_come_out_in_korean_with_their_values(message: str) -> None:
    korean = messages_i18n.korean(message)
    assert korean is not None and KNOWN[message] in korean
    shown = str(messages_i18n.bilingual(message))
    assert '<span lang="en">' in shown and '<span lang="ko">' in shown


def test_an_unknown_message_stays_english_and_multi_line_messages_translate_per_line() -> None:
    assert messages_i18n.korean("something nobody planned for") is None
    assert str(messages_i18n.bilingual("a <b> c")) == "a &lt;b&gt; c"
    two = 'a.b: sent "1", got back "2"\nc.d: sent 1, got back "1"'
    korean = messages_i18n.korean(two)
    assert korean is not None and korean.count("\n") == 1


def test_the_kinds_are_anchored_to_what_the_checks_write() -> None:
    """The suites' own message texts: a change there must show here, not silently drop the Korean."""
    validator = (Path(__file__).parents[1] / "conformance" / "contract" / "validator.py").read_text(encoding="utf-8")
    assert "is not a legal no-value form; {_NO_VALUE_HINT}" in validator
    assert '_NO_VALUE_HINT = "a field without value must be absent, null, \\"null\\" or \\"\\""' in validator
    echo = (Path(__file__).parents[1] / "conformance" / "judges" / "echo.py").read_text(encoding="utf-8")
    assert 'f"{field.path}: sent {shown_sent}, got back {shown_returned}"' in echo


# --- the pages ------------------------------------------------------------------------------------

class _Visible(HTMLParser):
    """The text a reader sees in English: no <script>/<style>, no element marked lang="ko" (the
    switch's Korean spans, and the official pages' Korean headings cited by design)."""

    VOID = {"meta", "link", "input", "br", "img", "hr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []
        self.text: list[str] = []
        self.korean_attrs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if value and HANGUL.search(value) and name in ("placeholder", "title", "alt", "data-template"):
                self.korean_attrs.append(f"{tag} {name}={value}")
        if tag in self.VOID:
            return
        hidden = tag in ("script", "style") or values.get("lang") == "ko"
        self.stack.append(hidden or bool(self.stack and self.stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.text.append(data)


def _visible(page: str) -> _Visible:
    parser = _Visible()
    parser.feed(page)
    return parser


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    return fixture.make_results(plant_secrets=False)


def test_the_english_rendering_shows_no_korean(results: dict[str, Any]) -> None:
    page = render_html_text(results, "en")
    seen = _visible(page)
    # the broker's own data (names, bodies) may be Korean; every other visible word must be English
    data_words = set(HANGUL_RUN.findall(json.dumps(results, ensure_ascii=False)))
    shown_words = {w for t in seen.text for w in HANGUL_RUN.findall(t)}
    assert data_words and shown_words <= data_words, sorted(shown_words - data_words)[:5]
    assert not seen.korean_attrs, seen.korean_attrs[:5]  # placeholders, tooltips: English
    assert '<html lang="en" data-lang="en">' in page
    assert "Not compliant" in "".join(seen.text) and "Rules by area" in "".join(seen.text)


def test_the_korean_rendering_carries_korean_titles_statuses_and_sources(results: dict[str, Any]) -> None:
    page = render_html_text(results, "ko")
    assert '<html lang="ko" data-lang="ko">' in page
    for rule_id, title in i18n.rule_titles_ko().items():
        if f'data-rule="{rule_id}"' in page:
            assert f'<span lang="ko">{title}</span>'.replace('"', "&#34;") in page.replace('"', "&#34;") \
                or title in page, rule_id
    assert '<span lang="ko">부적합</span>' in page and '<span lang="ko">실패</span>' in page
    assert 'placeholder="규칙 ID, 제목, API, 메시지, JSON 경로"' in page
    assert "API 호출 공통사항" in page and "값 없음 표기 방법" in page  # C4's official section, NULL-002 cites it
    assert "https://github.com/devkoscom/openapi/blob/" in page
    assert "lang-switch" in page and "localStorage" in page


def test_the_query_window_note_is_translated() -> None:
    note = ("2 check(s) of balancelist, settlelist met an error answer between 08:30 and 16:00 Seoul time, "
            "when these APIs need not answer (C27): not applicable. A run before 08:30 or from 16:00 Seoul time "
            "judges them.")
    korean = messages_i18n.korean(note)
    assert korean is not None and "balancelist, settlelist" in korean and "2건" in korean


def test_the_fleet_summary_carries_both_languages() -> None:
    from tests.test_audit_summary import META, _entry

    doc = build_summary([_entry("alpha", {"NULL-002": "fail"}), _entry("beta", {})], META)
    doc["exit_code"] = 1
    english, korean = render_summary_html(doc, "en"), render_summary_html(doc, "ko")
    assert '<html lang="en" data-lang="en">' in english and '<html lang="ko" data-lang="ko">' in korean
    assert i18n.rule_titles_ko()["NULL-002"].replace('"', "&#34;") in korean
    assert '<span lang="ko">부적합</span>' in korean and "lang-switch" in korean
    seen = _visible(english)
    assert not [t for t in seen.text if HANGUL.search(t)] and not seen.korean_attrs


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        i18n.check_lang("fr")


# --- choosing the language ------------------------------------------------------------------------

def _profile(tmp_path: Path, report: str) -> Path:
    source = (Path(__file__).parents[1] / "profiles" / "diamond.yaml").read_text(encoding="utf-8")
    path = tmp_path / "p.yaml"
    path.write_text(source + report, encoding="utf-8")
    return path


def test_a_profile_may_ask_for_korean(tmp_path: Path) -> None:
    assert load_profile(_profile(tmp_path, "\nreport: {lang: ko}\n")).report_lang == "ko"
    assert load_profile(_profile(tmp_path, "")).report_lang is None


def test_a_bad_report_language_names_the_key_and_the_file(tmp_path: Path) -> None:
    path = _profile(tmp_path, "\nreport: {lang: jp}\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert str(path) in str(caught.value) and "report.lang" in str(caught.value) and "'jp'" in str(caught.value)


def test_report_command_lang_ko(tmp_path: Path, results: dict[str, Any]) -> None:
    source = tmp_path / "results.json"
    source.write_text(json.dumps(results), encoding="utf-8")
    assert main(["report", "--from", str(source), "--out", str(tmp_path / "out"), "--lang", "ko"]) == 0
    assert 'data-lang="ko"' in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def test_the_catalog_ships_inside_the_package() -> None:
    # read at run time from the package folder (no compile step), so a plain `pip install .` carries it
    assert i18n.CATALOG_PATH.is_relative_to(Path(i18n.__file__).resolve().parent)
    assert (schemas_dir() / "rules_ko.yaml").is_file() and (schemas_dir() / "sources.yaml").is_file()
    assert yaml.safe_load((schemas_dir() / "rules_ko.yaml").read_text(encoding="utf-8"))["version"] == 1


def test_every_api_links_to_its_section_of_the_official_page(results: dict[str, Any]) -> None:
    from conformance.contract import API_IDS
    from conformance.report.sources import api_sections

    sections = api_sections()
    assert set(sections) == set(API_IDS)
    assert sections["balance"].heading == "계좌잔고 조회 API"
    assert sections["balance"].url.endswith("api/account.md#" + quote("계좌잔고-조회-api"))
    assert "계좌 서비스 › 계좌잔고 조회 API" in render_html_text(results, "en")


@pytest.mark.skipif(not os.environ.get("OPENAPI_MIRROR"), reason="set OPENAPI_MIRROR to a git clone of "
                    "github.com/devkoscom/openapi to check every cited heading and term against the pages")
def test_every_cited_heading_and_term_is_on_the_official_page() -> None:
    """Maintainer check (needs the official repository): each heading is a heading of its page at the
    cited commit, and each key term occurs on it."""
    import subprocess

    data = yaml.safe_load((schemas_dir() / "sources.yaml").read_text(encoding="utf-8"))
    cites = [c for s in data["sources"].values() for c in s["cites"]] + list(data["apis"].values())
    for cite in cites:
        page = data["pages"][cite["page"]]
        where = f"{page['commit']}:{page['path']}"
        text = subprocess.run(["git", "-C", os.environ["OPENAPI_MIRROR"], "show", where],
                              capture_output=True, text=True, check=True).stdout
        headings = {re.sub(r"<a .*", "", re.sub(r"[*\\]", "", h)).strip()
                    for h in re.findall(r"^#{1,6} (.*)$", text, re.M)}
        assert cite["heading"].strip() in headings, cite
        flat = text.replace("\\", "")
        for term in filter(None, re.split(r" · | / ", cite.get("term", ""))):
            assert term.split(" (")[0].replace("(", "").replace(")", "") in flat.replace("(", "").replace(")", ""), term
