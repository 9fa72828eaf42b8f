"""Judge one message (raw bytes) against the contract: violations with JSON path and rule id.

Three passes, cheapest first, each skipped when it cannot find anything:
1. strict parsing (literals.parse): not JSON, NaN, plain 9-zero numbers, and — with their paths,
   the rest of the message still judged — duplicate keys, lone surrogates, overflowing literals;
2. the strict schema (MUST): jsonschema-rs `is_valid`, errors explained only when invalid;
3. the advisory schema (SHOULD): recommended lengths, vocabularies, canonical names.
Content in a wrong container (conformance.contract.shapes) is judged once more at its canonical
place and reported at its real path. Every failure is explained from the field's annotations, in
a broker engineer's words, one line per defect.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from conformance.contract.catalogue import FieldInfo, get_api, validators
from conformance.contract.literals import (
    Parsed,
    clean_surrogates,
    display_path,
    exponent_form,
    needs_exponent,
    parse,
)
from conformance.contract.nullforms import FAKE_NULLS
from conformance.contract.shapes import Relocation, ShapeFinding, canonical_parts, placed, relocations
from conformance.findings import Finding
from conformance.rules import get_rule

_FAKE = frozenset(FAKE_NULLS)


@dataclass(frozen=True)
class Violation:
    path: str
    rule_id: str
    message: str
    # what the contract wants and what the message holds, as text (not part of a violation's identity)
    expected: str = field(default="", compare=False)
    actual: str = field(default="", compare=False)
    kind: str = field(default="value", compare=False)

    def finding(self, api: str, exchanges: Iterable[str] = ()) -> Finding:
        return Finding(rule=self.rule_id, message=self.message, path=self.path, api=api,
                       expected=self.expected, actual=self.actual, exchanges=tuple(exchanges), kind=self.kind)

    @property
    def severity(self) -> str:
        return get_rule(self.rule_id).severity

    def line(self) -> str:
        return f"{self.path}\t{self.rule_id}\t{self.message}"


def _normalize(parts: list[Any]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += "[]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _value_at(doc: Any, parts: list[Any]) -> Any:
    node = doc
    for part in parts:
        node = node[part]
    return node


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f'the string "{value}"' if len(value) < 60 else f'a {len(value)}-character string'
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, float) and not math.isfinite(value):
        return "a number literal too large for a 64-bit float"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, list):
        return "an empty array []" if not value else f"an array of {len(value)} items"
    return "an empty object {}" if not value else "an object"


def is_fake_no_value(value: Any) -> bool:
    return isinstance(value, str) and (value in _FAKE or (value != "" and not value.strip()))


def _as_number(text: str) -> str | None:
    """The JSON number a numeric string stands for, as C8 wants it written ("1,000" → 1000,
    "1000000000" → 1.0E9), or None when the string is not a number."""
    plain = text.strip().replace(",", "")
    try:
        if not math.isfinite(float(plain)):
            return None
    except ValueError:
        return None
    return exponent_form(plain) if needs_exponent(plain) else plain.lstrip("+")


def expected_of(info: FieldInfo | None) -> str:
    """What the field table wants at a field, in a few words (for a finding's `expected`)."""
    if info is None:
        return "no such field in the contract"
    parts = [info.type]
    if info.marker == "required":
        parts.insert(0, "required")
    if info.enum:
        parts.append("one of " + ", ".join(map(str, info.enum)))
    if info.format == "date":
        parts.append("YYYYMMDD")
    if info.length and "fixed" in info.length:
        parts.append(f"{info.length['fixed']} characters")
    return " ".join(parts)


_NO_VALUE_HINT = "a field without value must be absent, null, \"null\" or \"\""


def explain(info: FieldInfo | None, value: Any) -> tuple[str, str]:
    """(rule id, message) for a value the strict schema refused at a field."""
    if isinstance(value, float) and not math.isfinite(value):  # the schema validator sees null
        return "SCHEMA-003", ("the number literal is out of the 64-bit float range (largest about "
                              "1.8E308): no consumer can read it as a number")
    if info is None:
        return "SCHEMA-003", f"unexpected value: {_show(value)}"
    expected = info.type
    if info.marker == "required" and "[]" in info.path and value in (None, "", "null"):
        # D3: an item's identity key must carry a value; the four no-value forms are one verdict
        shown = "null" if value is None else f'"{value}"'
        return "SCHEMA-002", (f"required item key has no value ({shown}); without its "
                              f"{info.path.rsplit('.', 1)[-1]} an item cannot be assigned to its group, "
                              "paged or compared (DECISIONS.md D3)")
    if value is None and info.marker == "required":
        return "SCHEMA-002", f"required {expected} is null; {info.description or 'it'} must carry a value"
    if is_fake_no_value(value):
        return "NULL-002", f'{_show(value)} is not a legal no-value form; {_NO_VALUE_HINT}'
    if expected == "number":
        if isinstance(value, str):
            number = _as_number(value)
            if number is not None:
                return "NUM-002", f'a number written as a string ("{value}"); write the JSON number {number}'
            return "SCHEMA-003", f"expected a number, got {_show(value)}"
        return "SCHEMA-003", f"expected a number, got {_show(value)}"
    if expected in ("object", "array"):
        if isinstance(value, (list, dict)) and not value:
            return "NULL-005", f"{_show(value)} where an {expected} belongs; {_NO_VALUE_HINT}"
        return "SCHEMA-003", f"expected an {expected}, got {_show(value)}"
    # strings
    if not isinstance(value, str):
        return "SCHEMA-003", f"expected a string, got {_show(value)}"
    if info.enum and value not in info.enum:
        return "SCHEMA-004", f'"{value}" is not a documented value (one of {", ".join(map(str, info.enum))})'
    if info.format == "date":
        return "SCHEMA-005", f'"{value}" is not a YYYYMMDD date'
    if info.length and "fixed" in info.length:
        fixed = info.length["fixed"]
        return "SCHEMA-003", f'"{value}" has {len(value)} characters; the fixed length is {fixed}'
    return "SCHEMA-003", f"{_show(value)} does not match the contract"


def _advice(info: FieldInfo | None, value: Any, parts: list[Any]) -> tuple[str, str] | None:
    """(rule id, message) for a value the advisory schema flagged."""
    if info is None:
        return None
    if info.alias_of:
        name = parts[-1]
        return "SCHEMA-007", f'"{name}" is a non-canonical spelling; the canonical name is "{info.alias_of}"'
    if info.echo and info.type == "number" and isinstance(value, str):
        return "ECHO-005", f'the echoed number is written as the string "{value}"; echo the JSON number'
    if isinstance(value, str):
        limit = (info.length or {}).get("recommended")
        if limit is not None and len(value) > limit:
            return "SCHEMA-006", f"{len(value)} characters; the recommended maximum is {limit}"
        if info.enum_recommended and value not in info.enum_recommended:
            return "SCHEMA-008", (f'"{value}" is outside the documented vocabulary '
                                  f'({", ".join(map(str, info.enum_recommended))})')
        if info.pattern_recommended or info.format == "date-loose":
            what = "YYYYMMDD date" if info.format == "date-loose" else f"pattern {info.pattern_recommended}"
            # the currency suffix of C31 is a convention of its own, not an open vocabulary
            rule = "SCHEMA-009" if info.path.endswith(".crcyCode") and info.pattern_recommended else "SCHEMA-008"
            return rule, f'"{value}" does not follow the documented {what}'
    return None


def _either_names(schema: dict[str, Any], schema_path: list[Any]) -> list[str]:
    """The names of an `anyOf: [{required: [name]}, {required: [alias]}]` node (a required field
    that may use a table spelling), or [] when the failing anyOf is something else."""
    node: Any = schema
    for step in schema_path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return []
    if not isinstance(node, list):
        return []
    names = [branch["required"][0] for branch in node
             if isinstance(branch, dict) and list(branch) == ["required"] and len(branch["required"]) == 1]
    return names if len(names) == len(node) else []


def _schema_violations(api: str, kind: str, doc: Any, found: dict[tuple[str, str], Violation],
                       place: Any, skip: frozenset[str]) -> None:
    """Judge `doc` with both schemas into `found`; `place` maps a finding's path parts to the real
    ones (None: not this pass's business); findings at `skip` paths are already judged."""
    strict, advisory = validators(api, kind)
    spec = get_api(api)

    def lookup(parts: list[Any]) -> FieldInfo | None:
        return spec.field_at(kind, _normalize(parts))

    def add(parts: list[Any], rule_id: str, message: str, expected: str = "", actual: str = "",
            kind: str = "value") -> None:
        real = place(parts)
        if real is None:
            return
        path = display_path(real)
        if path not in skip:
            found.setdefault((path, rule_id), Violation(path, rule_id, message, expected, actual, kind))

    def missing(parts: list[Any], name: str, also: list[str]) -> None:
        info = lookup([*parts, name])
        what = "block" if info and info.type in ("object", "array") else "field"
        spelled = f" (also accepted as {', '.join(also)})" if also else ""
        add([*parts, name], "SCHEMA-002", f"required {what} is missing{spelled}",
            expected=f"required {what}", actual="absent", kind="missing")

    if not strict.is_valid(doc):
        for err in strict.iter_errors(doc):
            parts = list(err.instance_path)
            kind_name = type(err.kind).__name__
            if kind_name == "Required":
                missing(parts, err.kind.property, [])
                continue
            value = _value_at(doc, parts)
            if kind_name == "AnyOf" and isinstance(value, dict):
                names = _either_names(spec.schemas[kind], list(err.schema_path))
                if names:  # a required block that may use a table spelling (resp / Resp)
                    missing(parts, names[0], names[1:])
                    continue
            info = lookup(parts)
            add(parts, *explain(info, value), expected=expected_of(info), actual=_show(value))
    if not advisory.is_valid(doc):
        for err in advisory.iter_errors(doc):
            parts = list(err.instance_path)
            value = _value_at(doc, parts)
            advice = _advice(lookup(parts), value, parts)
            if advice:
                add(parts, *advice, actual=_show(value))


def _at_home(parts: list[Any]) -> list[Any]:
    return parts


def _moved_to(relocation: Relocation) -> Any:
    """Map paths of the relocated content back to where it is in the message."""
    size = len(relocation.canonical)

    def place(parts: list[Any]) -> list[Any] | None:
        if tuple(parts[:size]) != relocation.canonical:
            return None
        return [*relocation.real, *parts[size:]]

    return place


def _field_of(api: str, kind: str, parts: list[Any]) -> FieldInfo | None:
    """The field at real path parts (a string-array item is judged as its array field)."""
    spec = get_api(api)
    info = spec.field_at(kind, _normalize(parts))
    if info is None and parts and isinstance(parts[-1], int):
        info = spec.field_at(kind, _normalize(parts[:-1]))
    return info


def _surrogate_findings(api: str, kind: str, parsed: Parsed, moved: list[Relocation]) -> list[Violation]:
    """Lone surrogates, judged where the contract judges their field: a used field fails, an
    unused (C6) or unknown (I29) one is never judged."""
    out = []
    for parts in parsed.surrogates:
        info = _field_of(api, kind, canonical_parts(moved, parts))
        if info is not None and info.marker != "unused":
            out.append(Violation(display_path(parts), "SCHEMA-001", (
                "a lone UTF-16 surrogate escape (\\uD800-\\uDFFF without its pair) is not a character; "
                "the string cannot be encoded as UTF-8")))
    return out


def _judge(api: str, kind: str, parsed: Parsed) -> list[Violation]:
    """Shape findings, lone surrogates, then both schemas on the message and on every piece of
    content found in a wrong container."""
    moved, shape_findings = relocations(api, kind, parsed.doc)
    judged = _surrogate_findings(api, kind, parsed, moved) if parsed.surrogates else []
    found: dict[tuple[str, str], Violation] = {}
    for finding in [*judged, *(_shape_violation(f) for f in shape_findings)]:
        found.setdefault((finding.path, finding.rule_id), finding)
    skip = frozenset(v.path for v in judged)  # the replacement character is not the broker's
    _schema_violations(api, kind, parsed.doc, found, _at_home, skip)
    for relocation in moved:
        _schema_violations(api, kind, placed(relocation), found, _moved_to(relocation), skip)
    return list(found.values())


def check_document(api: str, kind: str, parsed: Parsed) -> list[Violation]:
    """Violations of an already parsed message: every finding, each defect once."""
    if parsed.error:
        rule = "TRN-002" if parsed.error_kind == "utf8" else "SCHEMA-001"
        return [Violation("(root)", rule, parsed.error)]
    violations = [
        Violation(path, "NUM-001", f"{literal} is written with nine or more zeros; write it in exponent "
                  f"notation ({exponent_form(literal)})")
        for path, literal in parsed.plain_big_numbers
    ]
    violations += [Violation(display_path(parts), "SCHEMA-001", (
        f'the key "{parts[-1]}" appears twice in one object; consumers keep either value (the last '
        "one is judged here)")) for parts in parsed.duplicates]
    if not isinstance(parsed.doc, dict):
        violations.append(Violation("(root)", "SCHEMA-001",
                                    f"the message must be a JSON object, not {_show(parsed.doc)}"))
        return violations
    problem: Exception
    for attempt in (1, 2):
        try:
            return violations + _judge(api, kind, parsed)
        except RecursionError as exc:  # jsonschema-rs refuses instances nested ~256 deep
            problem = exc
            break
        except ValueError as exc:
            problem = exc
            # a lone surrogate the schema validator cannot take: clean, judge again (once)
            if attempt == 2 or "surrogate" not in str(exc) or not clean_surrogates(parsed):
                break
    return [*violations, Violation("(root)", "SCHEMA-001",
                                   f"the body nests arrays/objects too deeply to be judged ({problem})")]


def _shape_violation(finding: ShapeFinding) -> Violation:
    return Violation(display_path(list(finding.parts)), finding.rule_id, finding.message, kind="shape")


def validate(api: str, kind: str, raw: bytes) -> list[Violation]:
    """All violations of one raw message (`kind` = "request" or "response") against the contract."""
    get_api(api)  # unknown id → KeyError with the valid ids
    if kind not in ("request", "response"):
        raise ValueError(f"kind must be 'request' or 'response', not {kind!r}")
    return check_document(api, kind, parse(raw))
