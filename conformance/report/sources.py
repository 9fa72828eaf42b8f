"""Back to the source: where the official Korean pages state each convention (schemas/sources.yaml),
with a link to the section on github.com/devkoscom/openapi at the commit the contract digest read.

The report shows, beside a cited convention, the page, its section heading and the Korean key term,
plus our own Korean and English reading, so that a reviewer can point the broker at the source.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import yaml
from markupsafe import Markup

from conformance.paths import schemas_dir

__all__ = ["Citation", "Source", "api_link", "api_sections", "github_anchor", "load_sources", "source_note"]


@dataclass(frozen=True)
class Citation:
    page_title: str
    path: str
    heading: str  # as printed on the page (spacing included: the anchor depends on it)
    term: str
    url: str


@dataclass(frozen=True)
class Source:
    clause: str
    cites: tuple[Citation, ...]
    reading_en: str
    reading_ko: str


def github_anchor(heading: str) -> str:
    """GitHub's heading id: lower case, punctuation dropped (letters of every script, digits, '-' and
    '_' kept), each space a hyphen — so "API 호출  공통사항" becomes "api-호출--공통사항"."""
    kept = []
    for char in heading.strip().lower():
        category = unicodedata.category(char)
        if char in "-_" or category[0] in "LN" or category == "Mn":
            kept.append(char)
        elif char == " ":
            kept.append("-")
    return "".join(kept)


@functools.lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return dict(yaml.safe_load((schemas_dir() / "sources.yaml").read_text(encoding="utf-8")))


def _citation(cite: dict[str, Any]) -> Citation:
    data = _data()
    page = data["pages"][cite["page"]]
    heading = str(cite["heading"])
    url = (f"{str(data['repository']).rstrip('/')}/blob/{page['commit']}/{page['path']}"
           f"#{quote(github_anchor(heading), safe='-_')}")
    return Citation(page_title=str(page["title"]), path=str(page["path"]),
                    heading=" ".join(heading.split()), term=str(cite.get("term", "")), url=url)


@functools.lru_cache(maxsize=1)
def load_sources() -> dict[str, Source]:
    """Convention id → its citations and readings."""
    return {str(clause): Source(str(clause), tuple(_citation(c) for c in row["cites"]),
                                str(row["reading_en"]), str(row["reading_ko"]))
            for clause, row in _data()["sources"].items()}


@functools.lru_cache(maxsize=1)
def api_sections() -> dict[str, Citation]:
    """API id → the section of its official page."""
    return {str(api): _citation(cite) for api, cite in (_data().get("apis") or {}).items()}


def api_link(api: object) -> Markup:
    """A link from a check's API to its section on the official page; empty for an unknown API."""
    cite = api_sections().get(str(api))
    if cite is None:
        return Markup("")
    return Markup('<cite class="source api-source" lang="ko"><a href="{}" rel="noreferrer">{} › {}</a></cite>').format(
        cite.url, cite.page_title, cite.heading)


# lang="ko" on the Korean citation itself (not a span: the switch hides only span[lang]); it shows in
# both languages because it is the text a reviewer searches for on the official page
_NOTE = Markup('<cite class="source" lang="ko"><a href="{url}" rel="noreferrer">{page} › {heading}</a> '
               '<q class="term">{term}</q></cite>')


def source_note(clause: object) -> Markup:
    """The official page, section and key term of a cited convention, with both readings; empty for
    clauses that have no entry (the inconsistencies I#, which are this project's own findings)."""
    ident = getattr(clause, "id", clause)
    source = load_sources().get(str(ident))
    if source is None:
        return Markup("")
    cites = Markup(" · ").join(_NOTE.format(url=c.url, page=c.page_title, heading=c.heading, term=c.term)
                               for c in source.cites)
    return Markup('<div class="origin"><span class="origin-label"><span lang="en">Official page:</span>'
                  '<span lang="ko">공식 문서:</span></span> {} <span class="reading"><span lang="en">{}</span>'
                  '<span lang="ko">{}</span></span></div>').format(cites, source.reading_en, source.reading_ko)

