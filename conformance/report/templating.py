"""The one Jinja2 environment every report page is rendered with: templates from reports/templates,
every broker-supplied value autoescaped (text, never markup), undefined names an error, and every
fixed text bilingual through jinja2.ext.i18n and the Korean catalog (report/i18n.py)."""

from __future__ import annotations

from typing import Any

import jinja2

from conformance.paths import reports_dir
from conformance.report import i18n
from conformance.report.messages_i18n import bilingual
from conformance.report.sources import api_link, source_note

__all__ = ["environment"]


def environment(**options: Any) -> jinja2.Environment:
    """The shared environment; `options` add to it (extensions, keep_trailing_newline, ...)."""
    extensions = ["jinja2.ext.i18n", *options.pop("extensions", [])]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(reports_dir() / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=extensions,
        **options,
    )
    i18n.install(env)
    env.globals.update(lang=i18n.DEFAULT_LANG, message=bilingual, source_note=source_note, api_link=api_link,
                       titles_ko=i18n.rule_titles_ko())
    return env
