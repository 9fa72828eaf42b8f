"""Compile the field tables (schemas/fields/<api>.yaml) into JSON Schemas (schemas/json/).

Run `python -m conformance.contract.build` after editing a field table (it also rewrites
schemas/openapi.yaml); a test fails when the committed schemas differ from what this produces.

How the contract's conventions become JSON Schema (2020-12):
- A response field that is not `required` may be absent or any of null, "null", "" (C4): it is
  admitted through its type list (`["number", "null", "string"]`) with `if string then noValue`,
  so errors stay at the deepest field. A required field is the typed schema alone, listed in its
  parent's `required` (C5: a value, at least "").
- Strings never take a look-alike no-value ("NULL", " ", "None"): `not: {$ref: fakeNoValue}`.
- A required field inside a list item is an item's identity key (DECISIONS.md D3): it must carry
  a value, so none of the four no-value forms (absent, null, "null", "") satisfies it.
- Request fields marked required must be present as strings, "" allowed (C3); every other
  request field may carry a no-value form (I12).
- `unused` fields are never validated (C6): their schema is `{}`.
- MUST constraints are JSON Schema keywords; SHOULD ones (recommended lengths, open
  vocabularies, loose formats) stay annotations (`x-length`, `x-enum-recommended`, ...) that
  conformance.contract turns into an advisory schema.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from conformance.contract.nullforms import SCHEMA_DEFS
from conformance.paths import schemas_dir

DRAFT = "https://json-schema.org/draft/2020-12/schema"
# YYYYMMDD; 00000000 and 99999999 are the "no date" sentinels brokers use for maturities
DATE_PATTERN = r"^(00000000|99999999|[0-9]{4}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01]))$"
NUMERIC_STRING = r"^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$"
DEFS = SCHEMA_DEFS
ECHO_RULES = {"vtAccNo": "ECHO-001", "qrAccNo": "ECHO-001", "reqIdConsumer": "ECHO-003", "ci": "ECHO-004"}


def _split(path: str) -> list[str]:
    return path.split(".")


class _Node:
    def __init__(self, name: str) -> None:
        self.name = name
        self.spec: dict[str, Any] = {}
        self.children: dict[str, _Node] = {}
        self.is_array = False
        self.path = ""


def _tree(fields: dict[str, dict[str, Any]]) -> _Node:
    root = _Node("")
    root.spec = {"type": "object"}
    for path, spec in fields.items():
        node = root
        walked: list[str] = []
        for seg in _split(path):
            name = seg[:-2] if seg.endswith("[]") else seg
            walked.append(seg)
            child = node.children.setdefault(name, _Node(name))
            if seg.endswith("[]"):
                child.is_array = True
            node = child
        node.spec = dict(spec)
        node.path = path
    return root


def _annotations(node: _Node, kind: str) -> dict[str, Any]:
    spec = node.spec
    notes: dict[str, Any] = {"x-path": node.path, "x-type": spec.get("type", "object"),
                             "x-marker": spec.get("marker", "none")}
    if spec.get("desc"):
        notes["description"] = spec["desc"]
    if "len" in spec:
        notes["x-length"] = {"recommended": spec["len"]}
    if "fixed" in spec:
        notes["x-length"] = {"fixed": spec["fixed"]}
    if spec.get("enum") and spec.get("enum_severity", "MUST") != "MUST":
        notes["x-enum-recommended"] = spec["enum"]
    if spec.get("pattern") and spec.get("pattern_severity", "MUST") != "MUST":
        notes["x-pattern-recommended"] = spec["pattern"]
    if spec.get("format"):
        notes["x-format"] = spec["format"]
    if spec.get("echo"):
        notes["x-echo"] = spec["echo"]
    if spec.get("market"):
        notes["x-market"] = spec["market"]
    return notes


def _no_value_if_string() -> dict[str, Any]:
    return {"if": {"type": "string"}, "then": {"$ref": "#/$defs/noValue"}}


def _when_valued(constraint: dict[str, Any]) -> dict[str, Any]:
    """Apply a string constraint only when the value is not a no-value form."""
    return {"if": {"type": "string", "not": {"enum": ["", "null"]}}, "then": constraint}


def _typed(node: _Node, kind: str, optional: bool) -> dict[str, Any]:
    """The schema of one field. Containers and numbers admit the no-value forms through their
    type list (not anyOf), so that errors are reported at the deepest field, where they are."""
    spec = node.spec
    typ = spec.get("type", "object")
    extra = ["null", "string"] if optional else []
    if typ == "object" or (node.children and typ != "array"):
        out = _object(node, kind)
        out["type"] = ["object", *(["array"] if spec.get("also_array") else []), *extra]
        if spec.get("also_array"):  # I46: accInfo is an object in the sample, an array in the table
            out["items"] = _object(node, kind)
        if optional:
            out.update(_no_value_if_string())
        return out
    if typ == "array":
        if node.children:
            items = _object(node, kind)
        else:
            leaf = _Node(node.name)
            leaf.spec = spec.get("items", {"type": "string"})
            items = _typed(leaf, kind, optional=False)
        out = {"type": ["array", *extra], "items": items}
        if optional:
            out.update(_no_value_if_string())
        return out
    if typ == "number":
        out = {"type": ["number", *extra] if optional else ["number"]}
        if kind == "response" and spec.get("echo"):
            # I11: an echoed number may come back as a numeric string (warned by ECHO-005)
            out["type"] = ["number", "null", "string"]
            out.update({"if": {"type": "string"},
                        "then": {"anyOf": [{"$ref": "#/$defs/noValue"}, {"pattern": NUMERIC_STRING}]}})
        elif optional:
            out.update(_no_value_if_string())
        return out
    out = {"type": ["string", "null"] if optional else "string", "not": {"$ref": "#/$defs/fakeNoValue"}}
    constraints: list[dict[str, Any]] = []
    if spec.get("enum") and spec.get("enum_severity", "MUST") == "MUST":
        constraints.append(_when_valued({"enum": spec["enum"]}))
    if spec.get("format") == "date":
        constraints.append(_when_valued({"pattern": DATE_PATTERN}))
    elif spec.get("pattern") and spec.get("pattern_severity", "MUST") == "MUST":
        constraints.append(_when_valued({"pattern": spec["pattern"]}))
    if "fixed" in spec:
        constraints.append(_when_valued({"minLength": spec["fixed"], "maxLength": spec["fixed"]}))
    if len(constraints) == 1:
        out.update(constraints[0])
    elif constraints:
        out["allOf"] = constraints
    if kind == "response" and not optional and "[]" in node.path:  # D3 identity key: a value
        out["allOf"] = [*out.get("allOf", []), {"not": {"enum": ["", "null"]}}]
    return out


def _wrapped(node: _Node, kind: str) -> dict[str, Any]:
    notes = _annotations(node, kind)
    marker = notes["x-marker"]
    if marker == "unused":
        return notes  # C6: never validated
    return {**notes, **_typed(node, kind, optional=marker != "required")}


def _object(node: _Node, kind: str) -> dict[str, Any]:
    props: dict[str, Any] = {}
    required: list[str] = []
    either: list[dict[str, Any]] = []
    for name, child in node.children.items():
        schema = _wrapped(child, kind)
        props[name] = schema
        aliases = child.spec.get("aliases", [])
        for alias in aliases:
            props[alias] = {**schema, "x-alias-of": name}
        if child.spec.get("marker") == "required":
            if aliases:
                either.append({"anyOf": [{"required": [n]} for n in [name, *aliases]]})
            else:
                required.append(name)
    out: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        out["required"] = required
    if either:
        out["allOf"] = either
    return out


def _attach_echoes(api: str, fields: dict[str, dict[str, Any]], catalogue: dict[str, Any]) -> None:
    """Mark response fields that repeat a request value (C5, C14, I15) with x-echo."""
    entry = catalogue["apis"][api]
    if entry["family"] == "member":
        return
    pairs = {"accInfo.vtAccNo": "accInfo.vtAccNo",
             "transactionHistoryResponseBody.accInfo.vtAccNo": "accInfo.vtAccNo",
             "commonHeader.reqIdConsumer": "commonHeader.reqIdConsumer"}
    if entry["family"] == "account":
        pairs["commonHeader.ci"] = "commonHeader.ci"
    query = entry.get("query") or {}
    if query.get("response"):
        prefix = query["response"] + "."
        for path in fields:
            if path.startswith(prefix) and "." not in path[len(prefix):]:
                pairs[path] = query["request"] + "." + path[len(prefix):]
    for path, source in pairs.items():
        if path in fields and fields[path].get("marker") != "unused":
            leaf = path.rsplit(".", 1)[-1]
            fields[path]["echo"] = {"from": source, "rule": ECHO_RULES.get(leaf, "ECHO-002")}


def build_schema(api: str, kind: str, table: dict[str, Any], catalogue: dict[str, Any]) -> dict[str, Any]:
    fields = {path: dict(spec) for path, spec in table[kind].items()}
    if kind == "response":
        _attach_echoes(api, fields, catalogue)
    entry = catalogue["apis"][api]
    root = _object(_tree(fields), kind)
    return {
        "$schema": DRAFT,
        "$id": f"https://koscom-conformance.invalid/schemas/json/{api}.{kind}.json",
        "title": f"{api} {kind} ({entry['title']})",
        "description": f"{entry['spec_ref']}; generated from schemas/fields/{api}.yaml",
        "x-api": api,
        "x-kind": kind,
        **root,
        "$defs": DEFS,
    }


def build_all(base: Path | None = None) -> dict[str, str]:
    """Return {relative file name: JSON text} for every API's request and response schema."""
    base = base or schemas_dir()
    catalogue = yaml.safe_load((base / "catalogue.yaml").read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for api in catalogue["apis"]:
        table = yaml.safe_load((base / "fields" / f"{api}.yaml").read_text(encoding="utf-8"))
        for kind in ("request", "response"):
            schema = build_schema(api, kind, table, catalogue)
            out[f"json/{api}.{kind}.json"] = json.dumps(schema, ensure_ascii=False, indent=1) + "\n"
    return out


def main() -> None:
    base = schemas_dir()
    (base / "json").mkdir(exist_ok=True)
    for name, text in build_all(base).items():
        (base / name).write_text(text, encoding="utf-8")
        print(f"wrote schemas/{name}")
    from conformance.contract import openapi  # embeds the schemas just written

    openapi.main()


if __name__ == "__main__":
    main()
