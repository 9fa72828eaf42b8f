"""Field-by-field behaviour of the validator, generated from the field index (not hand-listed):
for every field of every API, each legal no-value form passes and each illegal one fails at
that field's path with its rule; required fields, enumerations, dates and number types likewise.

Each test walks one API and collects every mismatch, so a failure lists all fields at once.
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers_contract import (
    canonical_fields,
    children,
    display,
    dumps,
    findings,
    load_sample,
    must,
    parts_of,
    schema_node,
    valid_value,
    with_value,
)

from conformance.contract import API_IDS, FieldInfo, get_api, validate

LEGAL_FORMS: dict[str, Any] = {"null": None, "string-null": "null", "empty": ""}
FAKE_FORMS: dict[str, str] = {"NULL": "NULL", "blank": " ", "None": "None"}


def _optional(api: str, kind: str) -> list[FieldInfo]:
    return [f for f in canonical_fields(api, kind) if f.marker not in ("required", "unused")]


def _run(api: str, kind: str, doc: dict[str, Any]) -> Any:
    return validate(api, kind, dumps(doc))


@pytest.mark.parametrize("api", API_IDS)
def test_every_sample_is_a_clean_base(api: str) -> None:
    """The generated cases start from the page samples; they must carry no MUST violation."""
    for kind in ("request", "response"):
        assert must(_run(api, kind, load_sample(api, kind))) == set(), (api, kind)


@pytest.mark.parametrize("form", ["absent", *LEGAL_FORMS])
@pytest.mark.parametrize("api", API_IDS)
def test_each_legal_no_value_form_passes_at_every_optional_response_field(api: str, form: str) -> None:
    """C4: absent, null, "null" and "" are all legal for every non-required response field."""
    base = load_sample(api, "response")
    fields = _optional(api, "response")
    assert fields, f"{api} has no optional response fields?"
    wrong = []
    for info in fields:
        value = LEGAL_FORMS.get(form)
        doc, path = with_value(api, "response", base, info.path, value, absent=form == "absent")
        got = must(_run(api, "response", doc))
        if got:
            wrong.append((path, sorted(got)))
    assert wrong == []


@pytest.mark.parametrize("form", list(FAKE_FORMS))
@pytest.mark.parametrize("api", API_IDS)
def test_each_look_alike_no_value_fails_null_002_at_its_field(api: str, form: str) -> None:
    """NULL-002: "NULL", " ", "None" are not no-value forms, wherever they appear."""
    base = load_sample(api, "response")
    wrong = []
    for info in _optional(api, "response"):
        doc, path = with_value(api, "response", base, info.path, FAKE_FORMS[form])
        got = must(_run(api, "response", doc))
        if got != {(path, "NULL-002")}:
            wrong.append((path, sorted(got)))
    assert wrong == []


@pytest.mark.parametrize("api", API_IDS)
def test_an_empty_container_of_the_other_kind_fails_null_005(api: str) -> None:
    """NULL-005: [] where an object belongs, {} where an array belongs (required blocks too)."""
    base = load_sample(api, "response")
    wrong = []
    checked = 0
    for info in canonical_fields(api, "response"):
        if info.type not in ("object", "array") or info.marker == "unused":
            continue
        allowed = schema_node(api, "response", info.path).get("type", [])
        other: Any = [] if info.type == "object" else {}
        if info.type == "object" and "array" in allowed:
            continue  # I46: balancelist accInfo is an object or an array
        checked += 1
        doc, path = with_value(api, "response", base, info.path, other)
        got = must(_run(api, "response", doc))
        if got != {(path, "NULL-005")}:
            wrong.append((path, sorted(got)))
    assert wrong == []
    assert checked > 0 or api == "member-register"


@pytest.mark.parametrize("kind", ["request", "response"])
@pytest.mark.parametrize("api", API_IDS)
def test_a_missing_required_field_fails_schema_002_at_its_path(api: str, kind: str) -> None:
    base = load_sample(api, kind)
    required = [f for f in canonical_fields(api, kind) if f.marker == "required"]
    assert required, f"{api} {kind} has no required field"
    wrong = []
    for info in required:
        doc, path = with_value(api, kind, base, info.path, None, absent=True)
        got = must(_run(api, kind, doc))
        if got != {(path, "SCHEMA-002")}:
            wrong.append((path, sorted(got)))
    assert wrong == []


@pytest.mark.parametrize("api", API_IDS)
def test_the_empty_string_satisfies_every_required_request_string(api: str) -> None:
    """C3: a required request field without value is sent as "" and is still present."""
    base = load_sample(api, "request")
    wrong = []
    for info in canonical_fields(api, "request"):
        if info.marker != "required" or info.type != "string":
            continue
        doc, path = with_value(api, "request", base, info.path, "")
        if got := must(_run(api, "request", doc)):
            wrong.append((path, sorted(got)))
    assert wrong == []


@pytest.mark.parametrize("form", ["absent", *LEGAL_FORMS])
@pytest.mark.parametrize("api", API_IDS)
def test_optional_request_fields_take_every_no_value_form(api: str, form: str) -> None:
    """I12: every request field that is not required may be absent or a no-value form."""
    base = load_sample(api, "request")
    wrong = []
    for info in _optional(api, "request"):
        value = LEGAL_FORMS.get(form)
        doc, path = with_value(api, "request", base, info.path, value, absent=form == "absent")
        if got := must(_run(api, "request", doc)):
            wrong.append((path, sorted(got)))
    assert wrong == []


@pytest.mark.parametrize("api", API_IDS)
def test_unused_fields_are_never_judged(api: str) -> None:
    """C6, I2: an `unused` field may carry anything, even a look-alike no-value or a number."""
    wrong = []
    for kind in ("request", "response"):
        for info in canonical_fields(api, kind):
            if info.marker != "unused":
                continue
            for value in ("NULL", 12, {"x": 1}):
                doc, path = with_value(api, kind, load_sample(api, kind), info.path, value)
                if got := findings(_run(api, kind, doc)) & {(path, r) for r in ("NULL-002", "SCHEMA-003")}:
                    wrong.append((path, value, sorted(got)))
    assert wrong == []


@pytest.mark.parametrize("kind", ["request", "response"])
@pytest.mark.parametrize("api", API_IDS)
def test_an_undocumented_enumeration_value_fails_schema_004(api: str, kind: str) -> None:
    base = load_sample(api, kind)
    wrong = []
    for info in canonical_fields(api, kind):
        if not info.enum:
            continue
        doc, path = with_value(api, kind, base, info.path, "ZZZ")
        got = must(_run(api, kind, doc))
        if got != {(path, "SCHEMA-004")}:
            wrong.append((path, sorted(got)))
        for value in info.enum:  # and every documented value passes
            doc, path = with_value(api, kind, base, info.path, value)
            if got := must(_run(api, kind, doc)):
                wrong.append((path, value, sorted(got)))
    assert wrong == []


def test_enumerations_exist_where_the_contract_lists_closed_vocabularies() -> None:
    """Guard for the generated enum test above: it must have something to test."""
    enums = {(api, f.path) for api in API_IDS for kind in ("request", "response")
             for f in canonical_fields(api, kind) if f.enum}
    assert ("balance", "balanceRequestBody.queryType.assetType") in enums
    assert ("member-register", "result") in enums
    assert len(enums) >= 15


def test_open_vocabularies_only_warn() -> None:
    """I32: an unknown transType is a SHOULD finding (SCHEMA-008), never a MUST violation."""
    doc, path = with_value("transaction", "response", load_sample("transaction", "response"),
                           "transList.transaction[].transType", "XYZ")
    got = validate("transaction", "response", dumps(doc))
    assert (path, "SCHEMA-008") in findings(got)
    assert must(got) == set()


@pytest.mark.parametrize("kind", ["request", "response"])
@pytest.mark.parametrize("api", API_IDS)
def test_dates_must_be_yyyymmdd(api: str, kind: str) -> None:
    """SCHEMA-005 for every `format: date` field; 00000000 and real dates pass."""
    base = load_sample(api, kind)
    wrong = []
    for info in canonical_fields(api, kind):
        if info.format != "date":
            continue
        for bad in ("2024-01-02", "20241301", "2024010", "20240132"):
            doc, path = with_value(api, kind, base, info.path, bad)
            got = must(_run(api, kind, doc))
            if got != {(path, "SCHEMA-005")}:
                wrong.append((path, bad, sorted(got)))
        for good in ("00000000", "20240229", "19991231"):
            doc, path = with_value(api, kind, base, info.path, good)
            if got := must(_run(api, kind, doc)):
                wrong.append((path, good, sorted(got)))
    assert wrong == []


def test_unformatted_dates_only_warn() -> None:
    """I42: settDate and modifyDate SHOULD be YYYYMMDD (SCHEMA-008), never a MUST violation."""
    cases = [("settlelist", "settleList.settleInfo[].settDate"),
             ("interest", "interestSymbolListResponseBody.groupList.group[].modifyDate")]
    for api, field in cases:
        doc, path = with_value(api, "response", load_sample(api, "response"), field, "2017-06-27")
        got = validate(api, "response", dumps(doc))
        assert (path, "SCHEMA-008") in findings(got), api
        assert must(got) == set(), api


@pytest.mark.parametrize("kind", ["request", "response"])
@pytest.mark.parametrize("api", API_IDS)
def test_numbers_written_as_strings_fail_num_002(api: str, kind: str) -> None:
    """C9: amounts, quantities, rates and counts are JSON numbers: a numeric string fails NUM-002 (I11),
    one line for the one defect (not also SCHEMA-003). An echoed number written as a numeric string
    is the one tolerated case (I11): ECHO-005, a SHOULD."""
    base = load_sample(api, kind)
    wrong = []
    numbers = [f for f in canonical_fields(api, kind) if f.type == "number" and f.marker != "unused"]
    for info in numbers:
        doc, path = with_value(api, kind, base, info.path, "1000")
        got = _run(api, kind, doc)
        if kind == "response" and info.echo:
            if must(got) or (path, "ECHO-005") not in findings(got):
                wrong.append((path, sorted(findings(got))))
        elif must(got) != {(path, "NUM-002")}:  # a number as text: one defect, one line
            wrong.append((path, sorted(must(got))))
    assert wrong == []


def test_every_api_has_fields_in_both_directions() -> None:
    for api in API_IDS:
        spec = get_api(api)
        assert spec.fields["request"] and spec.fields["response"], api


def _aliases(api: str, kind: str) -> list[FieldInfo]:
    return [f for f in get_api(api).fields[kind].values() if f.alias_of]


def test_table_spellings_are_indexed() -> None:
    """I20, I26, I27, I37-I39, I47, I55: the table spellings the checker accepts with a warning."""
    names = {(api, f.path.rsplit(".", 1)[-1]) for api in API_IDS for f in _aliases(api, "response")}
    for expected in [("portfolio", "queryRequest"), ("balance", "valueAtCur"), ("transaction", "queryPrams"),
                     ("interest", "commHeader"), ("interest", "interestSymbolReponseBody"),
                     ("balancelist", "totlLoanAmt"), ("tradebook", "Resp")]:
        assert expected in names


@pytest.mark.parametrize("api", [a for a in API_IDS if _aliases(a, "response")])
def test_a_table_spelling_is_a_warning_and_its_content_is_still_judged(api: str) -> None:
    base = load_sample(api, "response")
    wrong = []
    for alias in _aliases(api, "response"):
        parent, _, name = alias.path.rpartition(".")
        canonical = f"{parent}.{alias.alias_of}" if parent else alias.alias_of
        info = get_api(api).field_at("response", canonical)
        assert info is not None and info.path == canonical
        doc, path = with_value(api, "response", base, canonical, valid_value(api, "response", info))
        holder: Any = doc
        parts = parts_of(canonical)
        for part in parts[:-1]:
            holder = holder[part]
        holder[name] = holder.pop(parts[-1])
        alias_path = display([*parts[:-1], name])
        got = _run(api, "response", doc)
        if must(got) or (alias_path, "SCHEMA-007") not in findings(got):
            wrong.append((alias_path, sorted(findings(got))))
        strings = [c for c in children(api, "response", canonical)
                   if c.type == "string" and c.marker == "none"]
        if info.type == "object" and strings:  # a look-alike no-value inside the misspelt block
            child = strings[0].path.rsplit(".", 1)[-1]
            holder[name][child] = "NULL"
            got = must(_run(api, "response", doc))
            if got != {(f"{alias_path}.{child}", "NULL-002")}:
                wrong.append((alias_path, child, sorted(got)))
    assert wrong == []


@pytest.mark.parametrize("api", API_IDS)
def test_recommended_lengths_warn_on_values_only(api: str) -> None:
    """C7, I8, I9: one character over the recommended maximum is SCHEMA-006 (SHOULD); the no-value
    form "null" is no value at all, so a String(2) field may carry it."""
    base = load_sample(api, "response")
    wrong = []
    for info in _optional(api, "response"):
        limit = (info.length or {}).get("recommended")
        if info.type != "string" or limit is None:
            continue
        if not (info.enum or info.format or info.pattern_recommended or info.enum_recommended):
            doc, path = with_value(api, "response", base, info.path, "가" * (limit + 1))
            got = _run(api, "response", doc)
            if must(got) or (path, "SCHEMA-006") not in findings(got):
                wrong.append((path, sorted(findings(got))))
        doc, path = with_value(api, "response", base, info.path, "null")
        if (path, "SCHEMA-006") in findings(_run(api, "response", doc)):
            wrong.append((path, "null"))
    assert wrong == []
