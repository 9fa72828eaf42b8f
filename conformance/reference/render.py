"""Response tree → JSON text, with the broker's null-form policy and number notation.

The standard json module cannot choose number literals (C8 wants `3.69827563509E11`, a Java broker
writes `6976542.0` and `9.816358E7`), so this module writes JSON itself; strings still go through
json's C string encoder for correct escaping.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any

from conformance.reference.brokers import NULL_FORMS, NullForm, NullKind
from conformance.reference.values import NoValue

NumberStyle = str  # "sample" | "compact" | "java" | "plain"
NINE_ZEROS = "000000000"


def exponent_literal(value: float | int) -> str:
    """Scientific literal with a one-digit mantissa, Java style: 1.0E10, 3.69827563509E11, -1.5E-4."""
    dec = Decimal(repr(float(value))) if isinstance(value, float) else Decimal(value)
    sign, digits, exp = dec.normalize().as_tuple()
    assert isinstance(exp, int)
    text = "".join(map(str, digits)) or "0"
    mantissa = text[0] + "." + (text[1:] or "0")
    return ("-" if sign else "") + f"{mantissa}E{len(text) - 1 + exp}"


def _plain(value: float | int) -> str:
    if isinstance(value, int):
        return str(value)
    text = repr(value)
    return format(Decimal(text), "f") if "e" in text else text


def format_number(value: float | int, style: NumberStyle) -> str:
    """The literal a broker of this style writes for `value`."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a JSON number: {value!r}")
        value += 0.0  # no "-0.0"
        if style == "compact" and value.is_integer():
            value = int(value)
    if style == "plain":
        return _plain(value)
    if isinstance(value, float) and style == "java":
        magnitude = abs(value)
        if magnitude != 0 and not 1e-3 <= magnitude < 1e7:
            return exponent_literal(value)
    text = _plain(value)
    # C8: a literal that would need nine or more zeros goes to exponent notation.
    return exponent_literal(value) if abs(value) >= 1e9 or NINE_ZEROS in text else text


class NullPolicy:
    """Chooses the legal no-value form per occurrence: the broker's style, one forced form, or rotate."""

    def __init__(self, style: Mapping[NullKind, NullForm], forced: str | None = None) -> None:
        if forced is not None and forced not in (*NULL_FORMS, "rotate"):
            raise ValueError(f"unknown null form {forced!r}")
        self._style = dict(style)
        self._forced = forced
        self._cycle: Iterator[NullForm] = itertools.cycle(NULL_FORMS)

    def form(self, kind: NullKind) -> NullForm:
        if self._forced == "rotate":
            return next(self._cycle)
        if self._forced is not None:
            return self._forced  # type: ignore[return-value]
        return self._style[kind]

    def fresh(self) -> NullPolicy:
        """A policy with its own rotation (one per response: rotation is per field occurrence)."""
        return NullPolicy(self._style, self._forced)


_NULL_LITERALS: dict[str, str] = {"null": "null", "string": '"null"', "empty": '""'}


@dataclass
class RenderOptions:
    numbers: NumberStyle
    nulls: NullPolicy
    rounding: dict[str, int] = field(default_factory=lambda: {"earningRate": 2})
    # Replaces a NoValue by a literal when set (faults that write "NULL", spaces, []).
    no_value_literal: Callable[[NoValue, str], str | None] | None = None


def render(tree: Any, options: RenderOptions) -> str:
    """Serialise a response tree; NoValue markers follow the null policy."""
    out: list[str] = []
    nulls = options.nulls.fresh()
    _write(tree, "", out, options, nulls)
    return "".join(out)


def _write(value: Any, key: str, out: list[str], opt: RenderOptions, nulls: NullPolicy) -> None:
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif isinstance(value, bool) or value is None:
        out.append("null" if value is None else ("true" if value else "false"))
    elif isinstance(value, (int, float)):
        if key in opt.rounding and isinstance(value, float):
            value = round(value, opt.rounding[key])
        out.append(format_number(value, opt.numbers))
    elif isinstance(value, dict):
        out.append("{")
        first = True
        for k, v in value.items():
            literal = None
            if isinstance(v, NoValue):
                literal = _no_value(v, k, opt, nulls)
                if literal is None:
                    continue
            if not first:
                out.append(",")
            first = False
            out.append(encode_basestring(k))
            out.append(":")
            if literal is None:
                _write(v, k, out, opt, nulls)
            else:
                out.append(literal)
        out.append("}")
    elif isinstance(value, list):
        out.append("[")
        for i, v in enumerate(value):
            if i:
                out.append(",")
            if isinstance(v, NoValue):
                out.append(_no_value(v, key, opt, nulls) or "null")
            else:
                _write(v, key, out, opt, nulls)
        out.append("]")
    elif isinstance(value, NoValue):  # a no-value at the root never happens; keep output valid
        out.append("null")
    else:
        raise TypeError(f"cannot render {type(value).__name__} at {key!r}")


def _no_value(v: NoValue, key: str, opt: RenderOptions, nulls: NullPolicy) -> str | None:
    """The literal for a no-value, or None when the field is left out."""
    if opt.no_value_literal is not None:
        literal = opt.no_value_literal(v, key)
        if literal is not None:
            return literal
    form = nulls.form(v.kind)
    return None if form == "absent" else _NULL_LITERALS[form]
