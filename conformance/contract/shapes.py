"""Wrong message shapes whose content can still be located (DECISIONS.md, "Older message shapes").

A block in the wrong container or without its level hides everything inside it from a schema:
the schema stops at the container. The shapes below are those seen in saved messages of real
brokers and in KOSCOM's public sample client. For each one found, `relocations` says where the
content sits in the message and where the contract puts it, and the shape itself is reported
once; the validator then judges the content at its canonical place and reports every finding at
the content's real path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance.contract.catalogue import ApiSpec, get_api
from conformance.contract.nullforms import is_no_value


@dataclass(frozen=True)
class Relocation:
    real: tuple[Any, ...]  # path parts of the content in the message
    canonical: tuple[Any, ...]  # path parts where the contract puts it
    node: Any


@dataclass(frozen=True)
class ShapeFinding:
    parts: tuple[Any, ...]
    rule_id: str
    message: str


def _containers(spec: ApiSpec) -> list[tuple[str, str, tuple[str, ...]]]:
    """(parent, level, group names) of the object that holds an API's product groups: portfolio's
    `portfolioList.portfolio` and balance's `balanceList.balance` (the parent of its group lists)."""
    parents: dict[str, list[str]] = {}
    for lst in spec.lists:
        if lst.group is None or lst.path.count(".") < 2:
            continue
        container, _, name = lst.path.rpartition(".")
        parents.setdefault(container, []).append(name)
    out = []
    for container, names in parents.items():
        info = spec.fields["response"].get(container)
        if info is not None and info.type == "object":  # balancelist's array level is legal (I46)
            parent, _, level = container.rpartition(".")
            out.append((parent, level, tuple(names)))
    return out


def _groups_in_array(parent: str, level: str, value: list[Any]) -> tuple[list[Relocation], ShapeFinding]:
    container = (*parent.split("."), level)
    finding = ShapeFinding(container, "SCHEMA-003", (
        f"an array of {len(value)} items where one object holding the product groups belongs (an older "
        f"message shape); send {parent}.{level} as one object; each item is judged here as if it were "
        "that object"))
    return [Relocation((*container, index), container, item) for index, item in enumerate(value)], finding


def _missing_level(parent: str, level: str, node: dict[str, Any],
                   names: tuple[str, ...]) -> tuple[list[Relocation], ShapeFinding] | None:
    found = [name for name in names if name in node]
    if not found or not is_no_value(node.get(level, "")):
        return None
    container = tuple(parent.split("."))
    finding = ShapeFinding((*container, level), "SCHEMA-002", (
        f"the block is missing: the product groups ({', '.join(found)}) sit directly under {parent}; "
        f"the contract nests them in {parent}.{level}, where consumers look for them; they are judged "
        "here as if they were there"))
    return [Relocation(container, (*container, level), node)], finding


def _moved_blocks(spec: ApiSpec, kind: str, doc: dict[str, Any]) -> tuple[list[Relocation], list[ShapeFinding]]:
    """A root block written inside the message body (older shapes 2, 3 and 5): judged where it is."""
    body = spec.request_body if kind == "request" else spec.response_body
    inner = doc.get(body) if body else None
    if not isinstance(inner, dict):
        return [], []
    relocations: list[Relocation] = []
    findings: list[ShapeFinding] = []
    fields = spec.fields[kind]
    for name in ("accInfo", "resp"):
        root = fields.get(name)
        if root is None or name in doc or not isinstance(inner.get(name), dict):
            continue
        if f"{body}.{name}" in fields:  # documented there (transaction's inner accInfo, I28)
            continue
        relocations.append(Relocation((body, name), (name,), inner[name]))
        if root.marker == "required":
            findings.append(ShapeFinding((name,), "SCHEMA-002", (
                f"required block is missing at the root; a {name} inside {body} was found (an older "
                f"message shape) and is judged there; move it to the root")))
    return relocations, findings


def relocations(api: str, kind: str, doc: dict[str, Any]) -> tuple[list[Relocation], list[ShapeFinding]]:
    """The misplaced content of one message and the shape findings, each reported once."""
    spec = get_api(api)
    moved, findings = _moved_blocks(spec, kind, doc)
    if kind != "response":
        return moved, findings
    out = list(moved)
    for parent, level, names in _containers(spec):
        node: Any = doc
        for part in parent.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            continue
        value = node.get(level)
        hit = (_groups_in_array(parent, level, value) if isinstance(value, list) and value
               else _missing_level(parent, level, node, names))
        if hit:
            out.extend(hit[0])
            findings.append(hit[1])
    return out, findings


def canonical_parts(moved: list[Relocation], parts: list[Any]) -> list[Any]:
    """Where the contract puts the value found at `parts` (for looking up its field)."""
    for relocation in moved:
        size = len(relocation.real)
        if tuple(parts[:size]) == relocation.real:
            return [*relocation.canonical, *parts[size:]]
    return parts


def placed(relocation: Relocation) -> dict[str, Any]:
    """A minimal message holding only the relocated content at its canonical place."""
    doc: dict[str, Any] = {}
    node = doc
    for part in relocation.canonical[:-1]:
        node[part] = {}
        node = node[part]
    node[relocation.canonical[-1]] = relocation.node
    return doc
