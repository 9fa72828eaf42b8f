"""Failure messages in Korean through message templates, not translated prose.

A check's message is English text (results.json). The most common kinds of finding are recognised
here by pattern, each pattern paired with a catalog template (msgid with %(name)s placeholders) that
reproduces the English message exactly; the Korean template of the catalog fills the same values.
A message that matches no pattern, or whose template would not reproduce it, stays English only.
When findings become typed (rule, api, path, expected, actual), the patterns give way to the fields
and the templates stay.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from conformance.report import i18n

__all__ = ["KINDS", "bilingual", "korean"]


@dataclass(frozen=True)
class Kind:
    name: str
    pattern: re.Pattern[str]
    template: str  # the catalog msgid; `template % groups` must give back the English line


def _kind(name: str, pattern: str, template: str) -> Kind:
    return Kind(name, re.compile(pattern, re.DOTALL), template)


_NO_VALUE = 'a field without value must be absent, null, "null" or ""'
KINDS: tuple[Kind, ...] = (
    _kind("missing field", r"^required (?P<what>.+?) is missing$", "required %(what)s is missing"),
    _kind("wrong type", r"^expected (?P<article>an?) (?P<expected>string|number|object|array), got (?P<got>.+)$",
          "expected %(article)s %(expected)s, got %(got)s"),
    _kind("illegal no-value form", r'^(?P<value>.+) is not a legal no-value form; a field without value must be '
          r'absent, null, "null" or ""$', "%(value)s is not a legal no-value form; " + _NO_VALUE),
    _kind("echo mismatch", r"^(?P<path>[^\s:]+): sent (?P<sent>.+), got back (?P<got>.+)$",
          "%(path)s: sent %(sent)s, got back %(got)s"),
    _kind("wrong error code", r"^(?P<what>.+) was refused with HTTP (?P<status>\d+), code (?P<code>\S+); "
          r"the documented code is (?P<documented>.+)$",
          "%(what)s was refused with HTTP %(status)s, code %(code)s; the documented code is %(documented)s"),
    _kind("undocumented error code", r"^error code (?P<code>\S+) is not documented$",
          "error code %(code)s is not documented"),
    _kind("error code with wrong status", r"^error code (?P<code>\S+) sent with HTTP (?P<status>\d+)$",
          "error code %(code)s sent with HTTP %(status)s"),
    _kind("unexpected success", r"^(?P<what>.+) was answered with HTTP (?P<status>\d+) and (?P<items>\d+) items$",
          "%(what)s was answered with HTTP %(status)s and %(items)s items"),
    _kind("unexpected success", r"^(?P<what>.+) was answered with HTTP (?P<status>\d+)$",
          "%(what)s was answered with HTTP %(status)s"),
    _kind("expected success", r"^expected a success answer, got HTTP (?P<status>\d+): (?P<body>.+)$",
          "expected a success answer, got HTTP %(status)s: %(body)s"),
    # the evidence notes of the report itself (conformance.report.pretty)
    _kind("body cut by the recorder", r"^… body cut here by the recorder \((?P<num>\d+) more characters in the "
          r"original\)$", "… body cut here by the recorder (%(num)s more characters in the original)"),
    _kind("body cut", r"^… \((?P<num>\d+) more characters in the original\)$",
          "… (%(num)s more characters in the original)"),
    _kind("path not in body, parent shown", r"^(?P<path>\S+) is not in this body; its nearest parent (?P<parent>\S+) "
          r"is highlighted$", "%(path)s is not in this body; its nearest parent %(parent)s is highlighted"),
    _kind("path not in body", r"^(?P<path>\S+) is not in this body$", "%(path)s is not in this body"),
    # the C27 notes of results.json query_window (conformance.plugin.query_window_note)
    _kind("query window, excused", r"^(?P<num>\d+) check\(s\) of (?P<apis>.+?) met an error answer between 08:30 "
          r"and 16:00 Seoul time, when these APIs need not answer \(C27\): not applicable\. A run before 08:30 "
          r"or from 16:00 Seoul time judges them\.$",
          "%(num)s check(s) of %(apis)s met an error answer between 08:30 and 16:00 Seoul time, when these "
          "APIs need not answer (C27): not applicable. A run before 08:30 or from 16:00 Seoul time judges them."),
    _kind("query window, answered", r"^The run fell between 08:30 and 16:00 Seoul time; the time-windowed APIs "
          r"answered all the same\.$",
          "The run fell between 08:30 and 16:00 Seoul time; the time-windowed APIs answered all the same."),
)

# words inside values that have a contract term of their own
_TYPE_KO = {"string": "문자열", "number": "숫자", "object": "객체", "array": "배열"}


def _line_ko(line: str) -> str | None:
    for kind in KINDS:
        found = kind.pattern.match(line)
        if not found:
            continue
        values = found.groupdict()
        if kind.template % values != line:  # the template must say exactly what the check said
            continue
        ko_values = {**values, **({"expected": _TYPE_KO[values["expected"]]} if "expected" in values else {})}
        translated = i18n.text(kind.template, "ko")
        return translated % ko_values if translated != kind.template else None
    return None


def korean(message: str) -> str | None:
    """The Korean message, line by line, when every line is of a known kind; else None."""
    lines = message.split("\n")
    out = [_line_ko(line) for line in lines]
    return "\n".join(x for x in out if x is not None) if out and all(x is not None for x in out) else None


def bilingual(message: str) -> Markup:
    """Both languages as spans when the message is of a known kind, else the English text."""
    ko = korean(message) if message else None
    if ko is None:
        return Markup(escape(message))
    return i18n.pair(message, ko)
