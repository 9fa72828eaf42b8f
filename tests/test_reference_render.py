"""Number literals and null forms as the reference brokers write them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.datastructures import Headers

from conformance.reference import create_app
from conformance.reference import examples as ex
from conformance.reference.context import Call
from conformance.reference.inbound import SPECS
from conformance.reference.render import NullPolicy, RenderOptions, exponent_literal, format_number, render
from conformance.reference.values import NV_ARR, NV_NUM, NV_OBJ, NV_STR


@pytest.mark.parametrize(("value", "style", "literal"), [
    (6976542.0, "sample", "6976542.0"),
    (6976542.0, "compact", "6976542"),
    (6976542.0, "java", "6976542.0"),
    (98163580.0, "java", "9.816358E7"),
    (98163580.0, "sample", "98163580.0"),
    (369827563509.0, "sample", "3.69827563509E11"),
    (1e10, "compact", "1.0E10"),
    (3698275635090, "sample", "3.69827563509E12"),
    (1_000_000_000, "java", "1.0E9"),
    (999_999_999, "sample", "999999999"),
    (-12.9, "java", "-12.9"),
    (1.0000000001, "sample", "1.0000000001E0"),
    (1e-10, "sample", "1.0E-10"),
    (-0.0, "sample", "0.0"),
    (120, "java", "120"),
    (1e10, "plain", "10000000000.0"),
    (3698275635090, "plain", "3698275635090"),
])
def test_number_literals(value, style, literal):
    assert format_number(value, style) == literal
    assert json.loads(literal) == value


def test_no_literal_of_a_clean_style_needs_nine_zeros():
    for value in (1e9, 2e12, 1.5e15, 10_000_000_000, 0.0000000012):
        for style in ("sample", "compact", "java"):
            assert "000000000" not in format_number(value, style), (value, style)


def test_exponent_literal_round_trips():
    for value in (3.69827563509e11, -1.5e-4, 5.4e10, 9.91452055e8):
        assert float(exponent_literal(value)) == value


E_RAW = {"rate": 1.23456, "earningRate": -12.9049}
E = {"rate": 1.23456, "earningRate": -12.9}  # rates rounded to 2 decimals, other numbers as they are


def _tree() -> dict[str, Any]:
    return {"a": NV_STR, "b": NV_NUM, "c": NV_OBJ, "d": NV_ARR, "e": dict(E_RAW)}


@pytest.mark.parametrize(("form", "expected"), [
    ("absent", {"e": E}),
    ("null", {"a": None, "b": None, "c": None, "d": None, "e": E}),
    ("string", {"a": "null", "b": "null", "c": "null", "d": "null", "e": E}),
    ("empty", {"a": "", "b": "", "c": "", "d": "", "e": E}),
])
def test_forced_null_form(form, expected):
    text = render(_tree(), RenderOptions("sample", NullPolicy({}, form)))
    assert json.loads(text) == expected


def test_rotate_cycles_through_the_four_forms_per_occurrence():
    text = render({"a": NV_STR, "b": NV_STR, "c": NV_STR, "d": NV_STR, "z": 1},
                  RenderOptions("sample", NullPolicy({}, "rotate")))
    assert text == '{"b":null,"c":"null","d":"","z":1}'


def test_broker_style_decides_per_kind():
    policy = NullPolicy({"string": "empty", "number": "absent", "object": "absent", "array": "null"})
    assert json.loads(render(_tree(), RenderOptions("sample", policy))) == \
        {"a": "", "d": None, "e": E}


def test_unknown_null_form_is_refused():
    with pytest.raises(ValueError):
        NullPolicy({}, "NULL")


def _no_values(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _no_values(v, f"{path}.{k}")
    elif isinstance(node, list):
        for v in node:
            yield from _no_values(v, path + "[]")
    elif node is None or node in ("", "null"):
        yield path, node


def _answer(broker: str, api: str, null_forms: str | None) -> Any:
    reference = create_app(broker, null_forms=null_forms).state.reference
    raw = json.dumps(ex.body(api, broker)).encode()
    headers = Headers(ex.headers(api, broker))
    call = Call(api, SPECS[api].family, reference.broker, headers, ex.path(api, broker), "http://127.0.0.1",
                "20250102", raw)
    reply = reference._answer(call)
    assert reply.status == 200, reply.body
    return json.loads(reply.body)


@pytest.mark.parametrize("form", ["absent", "null", "string", "empty"])
@pytest.mark.parametrize("api", ["portfolio", "balance", "interest", "orderdetail", "settlelist",
                                 "member-register"])
def test_null_forms_option_uses_one_form_everywhere(api, form):
    """--null-forms F: every optional no-value in the answer is F (absent: none left at all)."""
    literal = {"absent": None, "null": None, "string": "null", "empty": ""}[form]
    for broker in ("diamond", "cyber", "star"):
        found = {value for _path, value in _no_values(_answer(broker, api, form))}
        assert found <= ({literal} if form != "absent" else set()), (broker, found)


def test_brokers_express_no_value_differently():
    seen = {b: {v for _p, v in _no_values(_answer(b, "orderdetail", None))}
            for b in ("diamond", "cyber", "star")}
    assert seen == {"diamond": {None}, "cyber": {""}, "star": {"null"}}
