"""Parse raw JSON bytes strictly, judging number literals as written.

json.loads hides how a number was written (C8: nine or more zeros must use exponent notation) and
silently keeps the last of duplicate keys. This parser keeps both visible:
- duplicate keys, NaN/Infinity, invalid UTF-8, excessive nesting are problems, never guesses;
- plain literals containing nine or more consecutive zeros are reported with their JSON path.
The common case (no such literal) costs one bytes search on top of json.loads.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

NINE_ZEROS = b"000000000"
_PLAIN_NINE_ZEROS = re.compile(r"0{9,}")


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


def _flag_int(text: str) -> int:
    value = int(text)
    if _PLAIN_NINE_ZEROS.search(text):
        flagged = _PlainInt(value)
        flagged.literal = text
        return flagged
    return value


def _flag_float(text: str) -> float:
    value = float(text)
    if "e" not in text and "E" not in text and _PLAIN_NINE_ZEROS.search(text):
        flagged = _PlainFloat(value)
        flagged.literal = text
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


def parse(raw: bytes) -> Parsed:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Parsed(error=f"the body is not valid UTF-8 (byte {exc.start})", error_kind="utf8")
    if text.startswith("\ufeff"):
        text = text[1:]
    scan = NINE_ZEROS in raw
    try:
        doc = json.loads(
            text,
            object_pairs_hook=_pairs,
            parse_constant=_constant,
            **({"parse_int": _flag_int, "parse_float": _flag_float} if scan else {}),
        )
    except DuplicateKey as exc:
        return Parsed(error=str(exc), error_kind="duplicate")
    except NonStandardLiteral as exc:
        return Parsed(error=str(exc), error_kind="nonstandard")
    except RecursionError:
        return Parsed(error="the body nests arrays/objects too deeply to be a contract message",
                      error_kind="nesting")
    except ValueError as exc:
        snippet = text[:60].replace("\n", " ")
        return Parsed(error=f"the body is not JSON ({exc.args[0] if exc.args else exc}); it starts with {snippet!r}",
                      error_kind="json")
    found: list[tuple[str, str]] = []
    if scan:
        doc = _collect(doc, [], found)
    return Parsed(doc=doc, plain_big_numbers=found)
