"""The query block of each API's request, read from its field table (schemas/fields/<api>.yaml).

The block is the catalogue's `query.request` row; its fields are that row's children in table
order (the order of the page samples), without the ones the contract marks unused. What the plain
question sends in each comes from the row: `ask` (a value), `fill` (a value of the profile), the
catalogue's `date_range` (the window), else "" (C3: a field without value).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import yaml

from conformance.contract.catalogue import get_api
from conformance.paths import schemas_dir

__all__ = ["FILLS", "QueryField", "query_block", "query_fields"]

FILLS = ("account", "from", "to")  # account: the b2b account's number; from / to: the date window


@dataclass(frozen=True)
class QueryField:
    name: str
    ask: Any = ""  # the value sent when nothing overrides it (fill is None)
    fill: str | None = None  # one of FILLS: filled from the profile or the window


@functools.cache
def _request_table(api_id: str) -> dict[str, dict[str, Any]]:
    data = yaml.safe_load((schemas_dir() / "fields" / f"{api_id}.yaml").read_text(encoding="utf-8"))
    return dict(data["request"])


def query_block(api_id: str) -> str | None:
    """The name of the request's query block (`queryType`, `queryParams`, `queryParameter`): its
    canonical row in the field table; the table's aliases (queryPrams, I*) are never sent."""
    path = get_api(api_id).query_request
    if path is None:
        return None
    if path not in _request_table(api_id):
        raise KeyError(f"{api_id}: the catalogue's query block {path} has no row in its field table")
    return path.rsplit(".", 1)[-1]


@functools.cache
def query_fields(api_id: str) -> tuple[QueryField, ...]:
    """The fields of the request's query block, in table order, with what the plain question sends."""
    spec = get_api(api_id)
    if spec.query_request is None:
        return ()
    window = {spec.date_range["from"]: "from", spec.date_range["to"]: "to"} if spec.date_range else {}
    prefix = spec.query_request + "."
    out = []
    for path, row in _request_table(api_id).items():
        name = path[len(prefix):]
        if not path.startswith(prefix) or "." in name or "[" in name or row.get("marker") == "unused":
            continue
        fill = row.get("fill") or window.get(name)
        if fill is not None and fill not in FILLS:
            raise ValueError(f"{api_id}.{name}: unknown fill {fill!r} (known: {', '.join(FILLS)})")
        out.append(QueryField(name, row.get("ask", ""), fill))
    return tuple(out)
