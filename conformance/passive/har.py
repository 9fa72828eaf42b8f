"""Reading a HAR capture entry by entry, in bounded memory.

A HAR (HTTP Archive 1.2) is one JSON document; captures of a busy gateway run to tens of MB. The
file is streamed with ijson (a C parser when available) and each element of `log.entries` is built
as a Python object on its own and handed over, so memory holds one entry at a time whatever the
file's size. A file that is not JSON, or has no `log.entries` array, is a `HarError` (exit 2).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import ijson

__all__ = ["HarError", "iter_entries"]

ENTRIES = "log.entries"
ITEM = ENTRIES + ".item"


class HarError(Exception):
    """The file is not a usable HAR (one sentence)."""


def _plain(value: Any) -> Any:
    """ijson gives numbers as Decimal: HAR numbers (sizes, times, status) as int/float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _entries(stream: IO[bytes], source: str) -> Iterator[Any]:
    inside = seen = False
    builder: Any = None
    depth = 0
    try:
        for prefix, event, value in ijson.parse(stream):
            if not inside:
                if prefix == ENTRIES and event == "start_array":
                    inside = seen = True
                continue
            if builder is None:
                if prefix == ENTRIES and event == "end_array":
                    inside = False  # a later duplicate `entries` key would be read too, as JSON parsers do
                    continue
                builder = ijson.ObjectBuilder()
            builder.event(event, _plain(value))
            depth += 1 if event in ("start_map", "start_array") else -1 if event in ("end_map", "end_array") else 0
            if depth == 0:  # one entry complete (or a scalar where an entry should be)
                yield builder.value
                builder = None
    except ijson.JSONError as exc:
        raise HarError(f"{source}: not a HAR file: the JSON is broken ({' '.join(str(exc).split())[:200]})") from None
    if not seen:
        raise HarError(f"{source}: not a HAR file: there is no log.entries array")


def iter_entries(path: str | Path) -> Iterator[dict[str, Any]]:
    """Every entry of the HAR at `path`, in file order (HarError for a broken file)."""
    source = str(path)
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed in the finally below, also when the caller stops early
    except OSError as exc:
        raise HarError(f"{source}: cannot be read ({exc.strerror or exc})") from None
    try:
        yield from _entries(stream, source)
    finally:
        stream.close()
