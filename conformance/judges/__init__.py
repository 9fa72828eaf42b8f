"""Pure judges: functions from messages (request and response documents) to all their findings.

No HTTP, no pytest, no profile: each is unit-tested on canned messages (tests/judges/). The
bindings in suites/ ask the questions and hand the answers here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Finding:
    """One thing wrong in a message: where, and what (the message names expected and actual)."""

    path: str
    message: str


def is_json_number(value: Any) -> bool:
    """A JSON number as parsed: int or float, never a bool (which Python counts as an int)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def iter_doc_strings(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from iter_doc_strings(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from iter_doc_strings(value, f"{path}[{index}]")
    else:
        yield path, node
