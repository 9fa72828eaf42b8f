"""Parse raw JSON bytes strictly, judging number literals as written.

json.loads hides how a number was written (C8: nine or more zeros must use exponent notation),
silently keeps the last of duplicate keys and hands back strings no UTF-8 encoder can write. This
parser keeps all of it visible, with the JSON path where it happened, and still returns the
document so that the rest of the message can be judged:
- plain literals whose value, written at its shortest, has nine or more consecutive zeros that
  exponent notation removes (`1000000000`, `0.0000000001`; not `100.000000000`, whose value is 100);
- duplicate keys (the last value is kept, as most consumers do);
- lone UTF-16 surrogate escapes ("\\ud800"), which json.loads accepts but no UTF-8 encoder (nor
  the schema validator) can take: `clean_surrogates` replaces them by U+FFFD, keeping their paths;
- NaN/Infinity, invalid UTF-8 and excessive nesting are errors: there is no document to judge.
The common case costs json.loads plus a bytes search; the hooks and the walk that finds the paths
run only when the search says they may be needed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

NINE_ZEROS = b"000000000"
NINE_ZEROS_TEXT = "000000000"
REPLACEMENT = "\ufffd"
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class NonStandardLiteral(ValueError):
    pass


class _Marked:
    """Mixin of the values the hooks mark for the walk: the literal as written."""

    literal: str


class _PlainInt(int, _Marked):
    """An integer literal written plainly with nine or more avoidable zeros."""


class _PlainFloat(float, _Marked):
    pass


class _DupDict(dict[str, Any]):
    """An object in which some key appeared more than once."""

    dups: list[str]


@dataclass
class Parsed:
    doc: Any = None
    error: str | None = None  # the body is not (standard, unambiguous) JSON
    error_kind: str | None = None  # utf8 | json | nonstandard | nesting
    plain_big_numbers: list[tuple[str, str]] = field(default_factory=list)  # (display path, literal)
    duplicates: list[list[Any]] = field(default_factory=list)  # path parts of each repeated key
    surrogates: list[list[Any]] = field(default_factory=list)  # paths of strings (or keys) cleaned


def _constant(name: str) -> Any:
    raise NonStandardLiteral(f"{name} is not a JSON value")


def _digits(text: str) -> tuple[str, str, int]:
    """(sign, significant digits, exponent) of a literal, trailing zeros folded into the exponent:
    exact (Decimal), never through a float."""
    sign, digit_tuple, exp = Decimal(text).as_tuple()
    assert isinstance(exp, int)  # a JSON number is finite
    digits = "".join(map(str, digit_tuple)).lstrip("0")
    if not digits:
        return "", "0", 0
    stripped = digits.rstrip("0")
    return ("-" if sign else ""), stripped, exp + len(digits) - len(stripped)


def shortest_plain(text: str) -> str:
    """The value of a number literal written plainly at its shortest (100.000000000 → 100)."""
    sign, digits, exp = _digits(text)
    if digits == "0":
        return "0"
    if exp >= 0:
        return sign + digits + "0" * exp
    point = len(digits) + exp
    if point > 0:
        return f"{sign}{digits[:point]}.{digits[point:]}"
    return f"{sign}0.{'0' * -point}{digits}"


def exponent_form(text: str) -> str:
    """The literal in exponent notation, exactly (369827563509000000000 → 3.69827563509E20)."""
    sign, digits, exp = _digits(text)
    if digits == "0":
        return "0.0E0"
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{exp + len(digits) - 1}"


def needs_exponent(text: str) -> bool:
    """True when writing the value needs nine consecutive zeros that exponent notation removes
    (1000000000 → 1.0E9, 0.0000000001 → 1.0E-10). Zeros that only the writing adds (100.000000000
    is 100) are not needed; zeros between significant digits (1.0000000001, 10000000001) stay in
    any notation: neither is a C8 matter."""
    try:
        plain = shortest_plain(text)
    except (InvalidOperation, ValueError):
        return False
    return NINE_ZEROS_TEXT in plain and NINE_ZEROS_TEXT not in plain.lstrip("-").replace(".", "").strip("0")


def _mark(cls: type, value: Any, text: str) -> Any:
    marked = cls(value)
    marked.literal = text
    return marked


class _Hooks:
    """json.loads hooks that mark what the walk must find, counting what they marked."""

    def __init__(self) -> None:
        self.count = 0

    def int_(self, text: str) -> int:
        value = int(text)
        if NINE_ZEROS_TEXT in text and needs_exponent(text):
            self.count += 1
            return _mark(_PlainInt, value, text)  # type: ignore[no-any-return]
        return value

    def float_(self, text: str) -> float:
        value = float(text)
        if NINE_ZEROS_TEXT in text and "e" not in text and "E" not in text and needs_exponent(text):
            self.count += 1
            return _mark(_PlainFloat, value, text)  # type: ignore[no-any-return]
        return value

    def pairs(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(pairs)
        if len(out) == len(pairs):
            return out
        marked = _DupDict(out)
        seen: set[str] = set()
        marked.dups = []
        for key, _ in pairs:
            if key in seen and key not in marked.dups:
                marked.dups.append(key)
            seen.add(key)
        self.count += 1
        return marked


def display_path(parts: list[Any]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(root)"


def _clean(text: str) -> str:
    return _LONE_SURROGATE.sub(REPLACEMENT, text)


def _collect(node: Any, parts: list[Any], parsed: Parsed, strings: bool) -> Any:
    """Find the marked values, record their paths and turn them back into plain values
    (`strings`: also look for lone surrogates in strings and keys)."""
    if isinstance(node, dict):
        if isinstance(node, _DupDict):
            parsed.duplicates.extend([*parts, key] for key in node.dups)
            node = dict(node)
        for key in list(node):
            value = node[key]
            if strings and _LONE_SURROGATE.search(key):
                parsed.surrogates.append([*parts, _clean(key)])
                del node[key]
                key = _clean(key)
                node[key] = value
            if isinstance(value, (dict, list, _Marked)) or (strings and isinstance(value, str)):
                node[key] = _collect(value, [*parts, key], parsed, strings)
        return node
    if isinstance(node, list):
        for index, value in enumerate(node):
            if isinstance(value, (dict, list, _Marked)) or (strings and isinstance(value, str)):
                node[index] = _collect(value, [*parts, index], parsed, strings)
        return node
    if isinstance(node, str):
        if _LONE_SURROGATE.search(node):
            parsed.surrogates.append(parts)
            return _clean(node)
        return node
    if isinstance(node, _PlainInt):
        parsed.plain_big_numbers.append((display_path(parts), node.literal))
        return int(node)
    if isinstance(node, _PlainFloat):
        parsed.plain_big_numbers.append((display_path(parts), node.literal))
        return float(node)
    return node


_NUMBER_BYTES = frozenset(b"0123456789.-+eE")
_SPACE = frozenset(b" \t\r\n")
_JSON_NUMBER = re.compile(rb"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")


def _may_hold_plain_big_number(raw: bytes) -> bool:
    """Cheap look at each run of nine zeros: could it be a plain number literal C8 forbids?

    Only when some run sits in a plain number token between JSON delimiters does the exact (and
    slower) path run; zeros inside strings such as "KR7000000000" are ruled out here. A string
    that merely looks like `: 1000000000,` sends the message down the exact path, never wrong.
    """
    size = len(raw)
    pos = raw.find(NINE_ZEROS)
    while pos != -1:
        start, end = pos, pos + len(NINE_ZEROS)
        while start > 0 and raw[start - 1] in _NUMBER_BYTES:
            start -= 1
        while end < size and raw[end] in _NUMBER_BYTES:
            end += 1
        before, after = start - 1, end
        while before >= 0 and raw[before] in _SPACE:
            before -= 1
        while after < size and raw[after] in _SPACE:
            after += 1
        if ((before < 0 or raw[before] in b":[,") and (after >= size or raw[after] in b",]}")
                and _JSON_NUMBER.fullmatch(raw, start, end) and needs_exponent(raw[start:end].decode("ascii"))):
            return True
        pos = raw.find(NINE_ZEROS, end)
    return False


def parse(raw: bytes) -> Parsed:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Parsed(error=f"the body is not valid UTF-8 (byte {exc.start})", error_kind="utf8")
    if text.startswith("\ufeff"):
        text = text[1:]
    hooks = _Hooks()
    try:
        if NINE_ZEROS in raw and _may_hold_plain_big_number(raw):
            doc = json.loads(text, object_pairs_hook=hooks.pairs, parse_constant=_constant,
                             parse_int=hooks.int_, parse_float=hooks.float_)
        else:
            doc = json.loads(text, object_pairs_hook=hooks.pairs, parse_constant=_constant)
    except NonStandardLiteral as exc:
        return Parsed(error=str(exc), error_kind="nonstandard")
    except RecursionError:
        return _too_deep()
    except ValueError as exc:
        snippet = text[:60].replace("\n", " ")
        reason = exc.args[0] if exc.args else exc
        return Parsed(error=f"the body is not JSON ({reason}); it starts with {snippet!r}",
                      error_kind="json")
    parsed = Parsed(doc=doc)
    if hooks.count:
        try:
            parsed.doc = _collect(doc, [], parsed, strings=False)
        except RecursionError:  # json.loads nests deeper than a Python walk: no message is that deep
            return _too_deep()
    return parsed


def _too_deep() -> Parsed:
    return Parsed(error="the body nests arrays/objects too deeply to be a contract message",
                  error_kind="nesting")


def clean_surrogates(parsed: Parsed) -> bool:
    """Replace lone surrogates in the document's strings and keys by U+FFFD, recording their paths;
    False when there were none. Called only when a consumer (the schema validator) refused the
    document, so the common case pays nothing."""
    before = len(parsed.surrogates)
    try:
        parsed.doc = _collect(parsed.doc, [], parsed, strings=True)
    except RecursionError:
        return False
    return len(parsed.surrogates) > before
