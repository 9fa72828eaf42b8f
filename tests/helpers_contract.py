"""Shared helpers for the contract tests: samples, message surgery driven by the field index,
serialization that keeps the contract's number notation, and violation summaries."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from conformance.contract import FieldInfo, Violation, get_api

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "tests" / "fixtures" / "samples"
_NUM = "\x00NUM:"
_NUM_RE = re.compile(r'"\\u0000NUM:([^"\\]+)\\u0000"')


def load_sample(api: str, kind: str) -> dict[str, Any]:
    """The page sample of CONTRACT.md section 2, parsed."""
    return json.loads((SAMPLES / f"{api}.{kind}.json").read_bytes())


def literal(text: str) -> str:
    """A placeholder that `dumps` writes as the raw JSON number literal `text`."""
    return f"{_NUM}{text}\x00"


def _java_style(value: float) -> str:
    """How the samples write big numbers (Double.toString): exponent from 10^7 on (C8, I10)."""
    if value != 0 and (abs(value) >= 1e7 or abs(value) < 1e-3):
        mantissa, exp = f"{value:.15E}".split("E")
        mantissa = mantissa.rstrip("0")
        return f"{mantissa}0E{int(exp)}" if mantissa.endswith(".") else f"{mantissa}E{int(exp)}"
    return repr(value)


def _prepare(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _prepare(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_prepare(value) for value in node]
    if isinstance(node, float):
        return literal(_java_style(node))
    if isinstance(node, int) and not isinstance(node, bool) and abs(node) >= 10**9:
        return literal(_java_style(float(node)))
    return node


def dumps(doc: Any) -> bytes:
    """JSON bytes in which every number keeps the contract's notation (no plain 9-zero literals)
    and `literal(...)` placeholders become raw number literals."""
    text = json.dumps(_prepare(doc), ensure_ascii=False)
    return _NUM_RE.sub(lambda m: m.group(1), text).encode("utf-8")


def parts_of(normalized: str, index: int = 0) -> list[Any]:
    """"a.b[].c" → ["a", "b", 0, "c"] (list items addressed at `index`)."""
    parts: list[Any] = []
    for segment in normalized.split("."):
        if segment.endswith("[]"):
            parts.extend([segment[:-2], index])
        else:
            parts.append(segment)
    return parts


def display(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def children(api: str, kind: str, parent: str) -> list[FieldInfo]:
    """Direct children of a field path in the field index (canonical names only)."""
    fields = get_api(api).fields[kind]
    out = []
    for path, info in fields.items():
        if info.alias_of:
            continue
        if parent:
            if not path.startswith(parent + "."):
                continue
            rest = path[len(parent) + 1:]
        else:
            rest = path
        if "." not in rest:
            out.append(info)
    return out


def valid_value(api: str, kind: str, info: FieldInfo) -> Any:
    """A value that satisfies every MUST constraint of the field (required children filled in)."""
    if info.type == "string":
        if info.enum:
            return info.enum[0]
        if info.format in ("date", "date-loose"):
            return "20240102"
        if info.length and "fixed" in info.length:
            return "0" * info.length["fixed"]
        return "X1"
    if info.type == "number":
        return 7
    if info.type == "array":
        item_children = children(api, kind, info.path + "[]")
        if not item_children:
            return ["X1"]  # an array of strings (interest group[].isinCode)
        return [_filled(api, kind, info.path + "[]")]
    if info.type == "object":
        return _filled(api, kind, info.path)
    return "X1"


def _filled(api: str, kind: str, path: str) -> dict[str, Any]:
    return {child.path.rsplit(".", 1)[-1].removesuffix("[]"): valid_value(api, kind, child)
            for child in children(api, kind, path) if child.marker == "required"}


def ensure_parent(api: str, kind: str, doc: dict[str, Any], normalized: str) -> list[Any]:
    """Make every container above `normalized` exist (creating minimal valid ones where the
    message lacks them or holds a no-value) and return the field's parts (list items at [0])."""
    fields = get_api(api).fields[kind]
    parts = parts_of(normalized)
    node: Any = doc
    walked = ""
    segments = normalized.split(".")
    for depth, segment in enumerate(segments[:-1]):
        name = segment.removesuffix("[]")
        walked = f"{walked}.{name}" if walked else name
        info = fields[walked]
        walked += "[]" if segment.endswith("[]") else ""
        current = node.get(name)
        if segment.endswith("[]"):
            if not isinstance(current, list) or not current:
                node[name] = valid_value(api, kind, info)
                if not node[name] or not isinstance(node[name][0], dict):
                    node[name] = [{}]
            node = node[name][0]
        else:
            if not isinstance(current, dict):
                node[name] = valid_value(api, kind, info)
            node = node[name]
        assert isinstance(node, dict), f"cannot descend into {walked} at depth {depth}"
    return parts


def with_value(api: str, kind: str, base: dict[str, Any], normalized: str, value: Any,
               *, absent: bool = False) -> tuple[dict[str, Any], str]:
    """A copy of `base` with `value` at the field (or the field removed): (message, display path)."""
    doc = copy.deepcopy(base)
    parts = ensure_parent(api, kind, doc, normalized)
    parent: Any = doc
    for part in parts[:-1]:
        parent = parent[part]
    if absent:
        parent.pop(parts[-1], None)
    else:
        parent[parts[-1]] = value
    return doc, display(parts)


def schema_node(api: str, kind: str, normalized: str) -> dict[str, Any]:
    """The strict schema node of a field (following properties / items)."""
    node = get_api(api).schemas[kind]
    for segment in normalized.split("."):
        node = node["properties"][segment.removesuffix("[]")]
        if segment.endswith("[]"):
            node = node["items"]
    return node


def must(violations: Iterable[Violation]) -> set[tuple[str, str]]:
    return {(v.path, v.rule_id) for v in violations if v.severity == "MUST"}


def findings(violations: Iterable[Violation]) -> set[tuple[str, str]]:
    return {(v.path, v.rule_id) for v in violations}


def canonical_fields(api: str, kind: str) -> list[FieldInfo]:
    """Every field of the index under its canonical name, parents before children."""
    return [info for path, info in sorted(get_api(api).fields[kind].items()) if not info.alias_of]
