"""The one Jinja2 environment every report page is rendered with: templates from reports/templates,
every broker-supplied value autoescaped (text, never markup), undefined names an error."""

from __future__ import annotations

from typing import Any

import jinja2

from conformance.paths import reports_dir

__all__ = ["environment"]


def environment(**options: Any) -> jinja2.Environment:
    """The shared environment; `options` add to it (extensions, keep_trailing_newline, ...)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(reports_dir() / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        **options,
    )
