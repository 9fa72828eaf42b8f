"""Parse raw JSON bytes strictly, judging number literals as written.

json.loads hides how a number was written (C8: nine or more zeros must use exponent notation) and
silently keeps the last of duplicate keys. This parser keeps both visible:
- duplicate keys, NaN/Infinity, invalid UTF-8, excessive nesting are problems, never guesses;
- plain literals containing nine or more consecutive zeros that exponent notation would remove
  (trailing zeros of the integer part, leading zeros of a fraction) are reported with their path.
The common case (no such literal) costs a bytes search and a look at each run of nine zeros on
top of json.loads.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

NINE_ZEROS = b"000000000"
NINE_ZEROS_TEXT = "000000000"


class DuplicateKey(ValueError):
    pass


class NonStandardLiteral(ValueError):
    pass


class _PlainInt(int):
    """An integer literal written plainly with nine or more consecutive zeros."""

    literal: str


class _PlainFloat(float):
    literal: str


@dataclass
class Parsed:
    doc: Any = None
    error: str | None = None  # the body is not (standard, unambiguous) JSON
    error_kind: str | None = None  # utf8 | json | duplicate | nonstandard | nesting
    plain_big_numbers: list[tuple[str, str]] = field(default_factory=list)  # (display path, literal)


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        dup = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise DuplicateKey(f'the key "{dup}" appears twice in one object')
    return out


def _constant(name: str) -> Any:
    raise NonStandardLiteral(f"{name} is not a JSON value")


def _avoidable(text: str) -> bool:
    """True when the zeros would vanish in exponent notation (1000000000 → 1.0E9). Zeros between
    significant digits (1.0000000001, 10000000001) stay in any notation: not a C8 matter."""
    return NINE_ZEROS_TEXT not in text.lstrip("-").replace(".", "").strip("0")


class _Flagger:
    """json.loads number hooks that mark plain 9-zero literals, counting how many they marked."""

    def __init__(self) -> None:
        self.count = 0

    def int_(self, text: str) -> int:
        value = int(text)
        if NINE_ZEROS_TEXT in text and _avoidable(text):
            flagged = _PlainInt(value)
            flagged.literal = text
            self.count += 1
            return flagged
        return value

    def float_(self, text: str) -> float:
        value = float(text)
        if NINE_ZEROS_TEXT in text and "e" not in text and "E" not in text and _avoidable(text):
            flagged = _PlainFloat(value)
            flagged.literal = text
            self.count += 1
            return flagged
        return value


def display_path(parts: list[Any]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(root)"


def _collect(node: Any, parts: list[Any], found: list[tuple[str, str]]) -> Any:
    """Find flagged literals, record their paths and turn them back into plain numbers."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, (dict, list, _PlainInt, _PlainFloat)):
                node[key] = _collect(value, [*parts, key], found)
        return node
    if isinstance(node, list):
        for index, value in enumerate(node):
            if isinstance(value, (dict, list, _PlainInt, _PlainFloat)):
                node[index] = _collect(value, [*parts, index], found)
        return node
    if isinstance(node, _PlainInt):
        found.append((display_path(parts), node.literal))
        return int(node)
    if isinstance(node, _PlainFloat):
        found.append((display_path(parts), node.literal))
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
                and _JSON_NUMBER.fullmatch(raw, start, end) and _avoidable(raw[start:end].decode("ascii"))):
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
    flagger = _Flagger() if NINE_ZEROS in raw and _may_hold_plain_big_number(raw) else None
    try:
        if flagger is None:
            doc = json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant)
        else:
            doc = json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant,
                             parse_int=flagger.int_, parse_float=flagger.float_)
    except DuplicateKey as exc:
        return Parsed(error=str(exc), error_kind="duplicate")
    except NonStandardLiteral as exc:
        return Parsed(error=str(exc), error_kind="nonstandard")
    except RecursionError:
        return Parsed(error="the body nests arrays/objects too deeply to be a contract message",
                      error_kind="nesting")
    except ValueError as exc:
        snippet = text[:60].replace("\n", " ")
        reason = exc.args[0] if exc.args else exc
        return Parsed(error=f"the body is not JSON ({reason}); it starts with {snippet!r}",
                      error_kind="json")
    found: list[tuple[str, str]] = []
    if flagger and flagger.count:
        doc = _collect(doc, [], found)
    return Parsed(doc=doc, plain_big_numbers=found)
