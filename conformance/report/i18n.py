"""Korean and English in one page: the Babel catalog (locale/ko/LC_MESSAGES/messages.po) behind
Jinja2's i18n extension.

Every page carries both languages, so a reader can switch on the page without a server: a
translatable text renders as `<span lang="en">…</span><span lang="ko">…</span>` and CSS shows the
one named by `<html data-lang>`; text that cannot hold markup (attributes, <option>, <title>) carries
both as `data-i18n-*` attributes that the inline script swaps. `--lang` picks the initial language.

The .po file is read at run time with babel.messages.pofile (no compile step): a plain `pip install .`
needs no build hook, and the catalog in the wheel is the one the tests check (schemas/DECISIONS.md).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

__all__ = ["DEFAULT_LANG", "LANGS", "both", "catalog", "check_lang", "install", "rule_titles_ko", "text"]

LANGS: tuple[str, ...] = ("en", "ko")
DEFAULT_LANG = "en"
CATALOG_PATH = Path(__file__).resolve().parent / "locale" / "ko" / "LC_MESSAGES" / "messages.po"
STORAGE_KEY = "conformance.lang"  # localStorage key shared by the report and the summary


# texts the templates translate through a variable (statuses, areas, verdict words) or put into
# attributes and <option>/<title> (i18n_attr, i18n_content, i18n_text): the catalog test extracts the
# literal _() / ngettext() calls from the templates and adds these
DYNAMIC_MSGIDS: tuple[str, ...] = (
    "pass", "fail", "warn", "skip", "n/a", "waived",
    "schema", "null-values", "echo", "all-query", "product-groups", "paging",
    "query-filters", "numbers", "errors", "auth", "service-link", "transport",
    "UNREACHABLE", "BAD PROFILE", "ERROR",
    "all", "all areas", "rule id, title, API, message, JSON path", "%(shown)s of %(total)s rules shown",
    "%(broker)s: conformance report", "Fleet audit %(started)s: %(compliant)s/%(brokers)s compliant",
    "broker name or short name", "%(shown)s of %(total)s brokers shown",
    "%(area)s: %(p)s pass, %(f)s fail, %(w)s warn, %(s)s skip, %(na)s n/a",
    "not asked again in this rerun",
    # the onboarding states (results.json `onboarding` labels) and the waiver lists' headings
    "portal member without a virtual account", "account issued, not linked to this service",
    "account linked to another service (srvId) only", "consent for this service expired",
    "Expire within 14 days", "Expired (waive nothing)", "Unused (matched no failure or warning)",
)


class LangError(ValueError):
    """A language that is neither en nor ko."""


def check_lang(value: object, where: str = "--lang") -> str:
    """`value` if it is a known language, else an error naming where it came from."""
    if value in LANGS:
        return str(value)
    raise LangError(f"{where}: unknown language {value!r}; use one of {', '.join(LANGS)}")


@functools.lru_cache(maxsize=1)
def _po() -> Any:
    from babel.messages.pofile import read_po

    with CATALOG_PATH.open("rb") as handle:
        return read_po(handle, locale="ko")


@functools.lru_cache(maxsize=1)
def catalog() -> dict[str, tuple[str, ...]]:
    """msgid (singular) → Korean strings (one per plural form); fuzzy or empty entries are left out,
    so an untranslated text shows in English rather than blank."""
    table: dict[str, tuple[str, ...]] = {}
    for message in _po():
        if not message.id or message.fuzzy:
            continue
        ident = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(strings):
            table[ident] = tuple(strings)
    return table


@functools.lru_cache(maxsize=1)
def rule_titles_ko() -> dict[str, str]:
    """Rule id → Korean title (schemas/rules_ko.yaml)."""
    import yaml

    from conformance.paths import schemas_dir

    data = yaml.safe_load((schemas_dir() / "rules_ko.yaml").read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in (data.get("titles") or {}).items()}


def text(msgid: str, lang: str, plural: str | None = None, n: int = 1) -> str:
    """One language, plain text (for terminals and attributes)."""
    if lang == "ko":
        found = catalog().get(msgid)
        if found:
            return found[0]
    return plural if plural is not None and n != 1 else msgid


def both(msgid: str, plural: str | None = None, n: int = 1) -> Markup:
    """Both languages as two spans; '%' placeholders survive for the caller to fill."""
    return Markup('<span lang="en">{}</span><span lang="ko">{}</span>').format(
        _percent_safe(text(msgid, "en", plural, n)), _percent_safe(text(msgid, "ko", plural, n)))


def _percent_safe(value: str) -> Markup:
    # escape() never touches '%', so placeholders like %(num)s stay fillable by Jinja's newstyle gettext
    return Markup(escape(value))


def _gettext(msgid: str) -> Markup:
    return both(msgid)


def _ngettext(singular: str, plural: str, n: int) -> Markup:
    return both(singular, plural, n)


def attr(name: str, msgid: str, lang: str, **values: Any) -> Markup:
    """`name="…"` in the initial language plus both languages for the switch script."""
    en, ko = (text(msgid, x) % values for x in LANGS)
    first = ko if lang == "ko" else en
    return Markup('{}="{}" data-i18n-attr="{}" data-i18n-{}-en="{}" data-i18n-{}-ko="{}"').format(
        name, first, name, name, en, name, ko)


def content(msgid: str, lang: str, **values: Any) -> Markup:
    """Attributes for an element whose text cannot hold spans (<option>, <title>): the script sets
    its text from data-i18n-en / data-i18n-ko."""
    en, ko = (text(msgid, x) % values for x in LANGS)
    return Markup('data-i18n-en="{}" data-i18n-ko="{}"').format(en, ko)


def pair(en: str, ko: str) -> Markup:
    """Data that is already in both languages (rule titles): two spans."""
    return Markup('<span lang="en">{}</span><span lang="ko">{}</span>').format(en, ko or en)


_CSS = ('html[data-lang="en"] span[lang="ko"], html[data-lang="ko"] span[lang="en"] { display: none; }\n'
        '.lang-switch { display: inline-flex; gap: 0.2rem; float: right; margin-top: 0.2rem; }\n'
        '.lang-switch button { font: inherit; font-size: 0.8rem; padding: 0.05rem 0.5rem; cursor: pointer; }\n'
        '.lang-switch button[aria-pressed="true"] { font-weight: 700; }\n'
        '.origin { font-size: 0.85em; margin: 0.15rem 0 0.45rem; }\n'
        '.origin .reading { display: block; color: #5f6b7a; }\n'
        '.origin q { quotes: "\\300c" "\\300d"; }\n'
        '@media print { .lang-switch { display: none; } }\n')

# the switch: shows one language, swaps attribute and <option>/<title> texts, remembers the choice
_JS = """(function () {
  "use strict";
  var root = document.documentElement, KEY = "@KEY@";
  function each(sel, fn) { Array.prototype.forEach.call(document.querySelectorAll(sel), fn); }
  function apply(lang) {
    root.setAttribute("data-lang", lang);
    root.setAttribute("lang", lang);
    each("[data-i18n-en]", function (el) { el.textContent = el.getAttribute("data-i18n-" + lang); });
    each("[data-i18n-attr]", function (el) {
      var name = el.getAttribute("data-i18n-attr");
      el.setAttribute(name, el.getAttribute("data-i18n-" + name + "-" + lang));
    });
    each("[data-set-lang]", function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-set-lang") === lang ? "true" : "false");
    });
    document.dispatchEvent(new CustomEvent("conformance-lang", {detail: lang}));
  }
  var saved = null;
  try { saved = window.localStorage.getItem(KEY); } catch (e) { saved = null; }
  apply(saved === "en" || saved === "ko" ? saved : (root.getAttribute("data-lang") || "en"));
  each("[data-set-lang]", function (b) {
    b.addEventListener("click", function () {
      var lang = b.getAttribute("data-set-lang");
      try { window.localStorage.setItem(KEY, lang); } catch (e) { /* file:// without storage */ }
      apply(lang);
    });
  });
}());
""".replace("@KEY@", STORAGE_KEY)

_SWITCH = Markup('<div class="lang-switch" role="group" aria-label="Language / 언어">'
                 '<button type="button" data-set-lang="en" lang="en">English</button>'
                 '<button type="button" data-set-lang="ko" lang="ko">한국어</button></div>')


def install(env: Any) -> None:
    """Give a Jinja2 environment (with jinja2.ext.i18n loaded) the bilingual gettext and helpers."""
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)
    env.globals.update(i18n_attr=attr, i18n_content=content, i18n_pair=pair, i18n_text=text,
                       i18n_css=Markup(_CSS), i18n_js=Markup(_JS), lang_switch=_SWITCH)
