"""The committed JSON Schemas are exactly what build.py makes of the field tables, and the
field tables say what the catalogue and the contract digest say."""

from __future__ import annotations

import re

import jsonschema
import pytest
import yaml
from helpers_contract import REPO

from conformance.contract import (
    API_IDS,
    api_set,
    empty_means_all,
    get_api,
    load_catalogue,
    request_variant,
    unused_request_values,
)
from conformance.contract.build import build_all

SCHEMAS = REPO / "schemas"
CONTRACT = REPO.parent / "shared" / "spec" / "CONTRACT.md"
MARKERS = {"required", "echo", "conditional", "unused", "set", "none"}


def test_committed_schemas_equal_the_generated_ones() -> None:
    generated = build_all(SCHEMAS)
    committed = {f"json/{p.name}": p.read_text(encoding="utf-8") for p in (SCHEMAS / "json").glob("*.json")}
    assert sorted(committed) == sorted(generated), "stray or missing files in schemas/json/"
    stale = [name for name, text in generated.items() if committed[name] != text]
    assert stale == [], "run: python -m conformance.contract.build"


@pytest.mark.parametrize("name", sorted(build_all(SCHEMAS)))
def test_each_schema_is_valid_json_schema_2020_12(name: str) -> None:
    schema = get_api(name.split("/")[1].split(".")[0]).schemas[name.rsplit(".", 2)[1]]
    jsonschema.Draft202012Validator.check_schema(schema)


def test_catalogue_lists_the_eleven_apis_with_field_tables() -> None:
    assert tuple(load_catalogue()) == API_IDS
    assert sorted(p.stem for p in (SCHEMAS / "fields").glob("*.yaml")) == sorted(API_IDS)


@pytest.mark.parametrize("api", API_IDS)
def test_field_tables_use_only_known_keys_and_markers(api: str) -> None:
    table = yaml.safe_load((SCHEMAS / "fields" / f"{api}.yaml").read_text(encoding="utf-8"))
    assert table["api"] == api
    allowed = {"type", "len", "fixed", "marker", "enum", "enum_severity", "format", "pattern",
               "pattern_severity", "aliases", "desc", "also_array", "items", "market", "ask", "fill"}
    for kind in ("request", "response"):
        for path, spec in table[kind].items():
            assert set(spec) <= allowed, (path, set(spec) - allowed)
            assert spec.get("marker", "none") in MARKERS, (path, spec.get("marker"))
            assert spec["type"] in ("string", "number", "object", "array"), path
            assert spec.get("format") in (None, "date", "date-loose"), path
            parent = path.rpartition(".")[0].removesuffix("[]")
            assert not parent or parent in table[kind], f"{path}: parent {parent} has no row"


@pytest.mark.parametrize("api", API_IDS)
def test_catalogue_paths_point_into_the_field_tables(api: str) -> None:
    spec = get_api(api)
    response = spec.fields["response"]
    for block in (spec.response_body, spec.query_response, spec.result):
        assert block is None or block in response, (api, block)
    for block in (spec.request_body, spec.query_request):
        assert block is None or block in spec.fields["request"], (api, block)
    for listed in spec.lists:
        assert listed.path in response, (api, listed.path)
        item = listed.path + ("[]" if listed.kind == "array" else "")
        for key in listed.key:
            assert f"{item}.{key}" in response, (api, listed.path, key)
    if spec.rsp_type_field:
        assert f"{spec.query_request}.{spec.rsp_type_field}" in spec.fields["request"], api
    member = dict(spec.member)
    if member:  # the service-link checks' fields: the request's name, the rest in the answer
        assert member.pop("name") in spec.fields["request"], api
        accounts = member.pop("accounts", None)
        for role in ("broker", "account", "base_url"):
            name = member.pop(role, None)
            assert name is None or f"{accounts}[].{name}" in response, (api, role)
        for role, name in member.items():
            assert name in response, (api, role)


def test_member_apis_name_their_fields_and_others_none() -> None:
    assert {a for a in API_IDS if get_api(a).member} == set(api_set("family:member"))
    assert get_api("member-consent").member_field("accounts") == "vtAccList"
    with pytest.raises(KeyError):
        get_api("member-register").member_field("accounts")


def test_empty_means_all_names_query_fields() -> None:
    """NULL-001's fields are of its APIs' query blocks, and every API the rule asks lists some."""
    rules = yaml.safe_load((SCHEMAS / "rules.yaml").read_text(encoding="utf-8"))["rules"]
    apis = next(r["apis"] for r in rules if r["id"] == "NULL-001")
    for api in API_IDS:
        spec, names = get_api(api), empty_means_all(api)
        assert bool(names) == (api in apis), api
        for name in names:
            assert f"{spec.query_request}.{name}" in spec.fields["request"], (api, name)


def test_unused_request_values_are_unused_fields() -> None:
    """NULL-004 fills only fields the contract knows, and none that a request table does not mark unused."""
    for family in ("account", "b2b", "member"):
        paths = unused_request_values(family)
        assert paths, family
        for path in paths:
            known = [get_api(a).fields[k].get(path) for a in API_IDS for k in ("request", "response")]
            assert any(known), path
            for api in api_set(f"family:{family}"):
                info = get_api(api).fields["request"].get(path)
                assert info is None or info.marker == "unused", (api, path)
    assert "accInfo.realAccNo" in unused_request_values("account")
    assert "accInfo.realAccNo" not in unused_request_values("b2b")


@pytest.mark.parametrize("name", ["device_info", "other_partner"])
def test_request_variants_are_request_fields(name: str) -> None:
    """Each form of a block fills fields of that block in every account API's request (NULL-006, AUTH-008)."""
    variant = request_variant(name)
    assert variant.forms, name
    for api in api_set("family:account"):
        request = get_api(api).fields["request"]
        assert variant.block in request, (api, name)
        for form in variant.forms.values():
            for field in form:
                assert f"{variant.block}.{field}" in request, (api, name, field)
    with pytest.raises(KeyError):
        request_variant("nothing")


def test_list_item_identity_keys_are_required() -> None:
    """Departure from I1 (schemas/DECISIONS.md): an item without its key cannot be grouped,
    paged or compared, so these are required."""
    expected = {
        "portfolio": ["portfolioList.portfolio.equityList[].isinCode",
                      "portfolioList.portfolio.fundList[].fundCode",
                      "portfolioList.portfolio.etcList[].assetType",
                      "portfolioList.portfolio.etcList[].assetName"],
        "balance": ["balanceList.balance.equityList[].isinCode", "balanceList.balance.fundList[].fundCode",
                    "balanceList.balance.etcList[].assetType", "balanceList.balance.etcList[].assetName"],
        "transaction": ["transList.transaction[].transDate", "transList.transaction[].transType"],
        "tradebook": ["tradeBookList.tradeBook[].transDate", "tradeBookList.tradeBook[].transType"],
        "accountlist": ["accountList.account[].accNo"],
        "member-consent": ["vtAccList[].vtAccNo", "vtAccList[].comId"],
    }
    for api, paths in expected.items():
        for path in paths:
            assert get_api(api).fields["response"][path].marker == "required", (api, path)
    # a cash movement's isinInfo entry has no code: not an identity key
    assert get_api("tradebook").fields["response"]["tradeBookList.tradeBook[].isinInfo[].isinCode"].marker != "required"


def _contract_rows() -> dict[str, dict[str, int]]:
    text = CONTRACT.read_text(encoding="utf-8")
    rows: dict[str, dict[str, int]] = {}
    sections = re.split(r"^### 2\.\d+ `([a-z-]+)`", text, flags=re.M)
    for api, body in zip(sections[1::2], sections[2::2], strict=True):
        body = body.split("\n## ", 1)[0]
        counts = {}
        for kind, title in (("request", "#### Request fields"), ("response", "#### Response fields")):
            table = body.split(title, 1)[1].split("\n#### ", 1)[0]
            counts[kind] = len(re.findall(r"^\| \d+ \|", table, flags=re.M))
        rows[api] = counts
    return rows


@pytest.mark.skipif(not CONTRACT.exists(), reason="the contract digest (shared/spec) is not shipped")
def test_every_contract_row_has_a_field_entry() -> None:
    """Row counts of CONTRACT.md section 2 against field-table entries. A misspelt row is one entry
    with an alias; the only differences: I53 (a repeated row) and I46 (the second balancelist shape)."""
    rows = _contract_rows()
    assert sorted(rows) == sorted(API_IDS)
    for api in API_IDS:
        table = yaml.safe_load((SCHEMAS / "fields" / f"{api}.yaml").read_text(encoding="utf-8"))
        for kind in ("request", "response"):
            entries = len(table[kind])
            extra = {("orderdetail", "response"): -1,  # I53: queryParameter listed twice
                     ("balancelist", "response"): 33}  # I46: the shape without the balance level
            expected = rows[api][kind] + extra.get((api, kind), 0)
            assert entries == expected, (api, kind, entries, rows[api][kind])



def test_decisions_cover_every_inconsistency() -> None:
    """schemas/DECISIONS.md gives a reading for each of I1..I87 (and for any the digest adds)."""
    text = (SCHEMAS / "DECISIONS.md").read_text(encoding="utf-8")
    covered = set(re.findall(r"^\*\*(I\d+) —", text, flags=re.M))
    expected = {f"I{n}" for n in range(1, 88)}
    if CONTRACT.exists():
        expected |= set(re.findall(r"^\*\*(I\d+)\.", CONTRACT.read_text(encoding="utf-8"), flags=re.M))
    assert sorted(expected - covered) == []
    assert "JsonSampleForJava" in text
