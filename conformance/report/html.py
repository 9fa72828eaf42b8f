"""results.json → report.html: one self-contained file (inline CSS and JS, no URL to fetch) that
opens from file://, filters and searches without a server, and prints with every detail expanded.

`conformance report --from results.json --out DIR` re-renders it from a saved run.
"""

from __future__ import annotations

import html
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from conformance import outputs
from conformance.outcomes import EXIT_OK, EXIT_USAGE
from conformance.paths import reports_dir
from conformance.redact import scrub
from conformance.report import i18n
from conformance.report.results import ResultsError, load_results
from conformance.report.templating import environment
from conformance.report.view import context

TEMPLATE = "report.html.j2"
ASSETS = ("report.css", "report.js")


def _text_node(value: object) -> Markup:
    """Escape for element content only: quotes stay quotes, which keeps JSON bodies a third smaller."""
    return Markup(html.escape("" if value is None else str(value), quote=False))


def _environment() -> jinja2.Environment:
    env = environment(keep_trailing_newline=True)
    env.filters["text"] = _text_node
    return env


def _asset(name: str) -> Markup:
    text = (reports_dir() / "templates" / name).read_text(encoding="utf-8")
    if "</" in text:  # inlined assets must not close their own <style>/<script> element
        raise ValueError(f"reports/templates/{name} contains '</', which would end the inline element")
    return Markup(text)


def render_html_text(results: dict[str, Any], lang: str = i18n.DEFAULT_LANG) -> str:
    """The report as a string (secrets scrubbed); both languages inside, `lang` shown first."""
    env = _environment()
    page = env.get_template(TEMPLATE).render(
        **context(results),
        lang=i18n.check_lang(lang),
        css=_asset(ASSETS[0]),
        js=_asset(ASSETS[1]),
        generated_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
    )
    return scrub(page)


def render_html(results: dict[str, Any], out_dir: Path, lang: str = i18n.DEFAULT_LANG) -> Path:
    """Write `out_dir/report.html` and return its path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return outputs.write_text(out, out / "report.html", render_html_text(results, lang))


def report_command(source: str, out: str, lang: str = i18n.DEFAULT_LANG) -> int:
    """`conformance report --from results.json --out DIR`: exit 0, or 2 with one line on stderr."""
    try:
        results = load_results(source)
    except ResultsError as exc:
        print(f"conformance: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        path = render_html(results, Path(out), lang)
    except OSError as exc:
        print(f"conformance: cannot write the report into {out}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    print(path)
    return EXIT_OK
