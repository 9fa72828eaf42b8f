"""schemas/openapi.yaml: generated, valid OpenAPI 3.1, usable by schemathesis, and saying the
same as the JSON Schemas the validator uses."""

from __future__ import annotations

import functools
import json
from typing import Any

import jsonschema
import pytest
import referencing
import yaml
from helpers_contract import REPO, SAMPLES, dumps, must
from hypothesis import HealthCheck, Phase, given, settings

from conformance.contract import API_IDS, get_api, validate
from conformance.contract.openapi import AUTHORIZE_URL, TOKEN_URL, build_openapi, component_name, render

OPENAPI = REPO / "schemas" / "openapi.yaml"
ERROR_STATUSES = ["400", "401", "403", "404", "405", "415", "429", "500", "503"]


@functools.lru_cache(maxsize=1)
def _document() -> dict[str, Any]:
    return yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))


def _operations() -> dict[str, tuple[str, dict[str, Any]]]:
    return {op["post"]["operationId"]: (path, op["post"]) for path, op in _document()["paths"].items()}


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = _document()
        for step in node["$ref"].removeprefix("#/").split("/"):
            target = target[step]
        node = target
    return node


def _validator(component: str) -> jsonschema.Draft202012Validator:
    """The python-jsonschema validator of one component, refs resolved inside the document."""
    resource = referencing.Resource.from_contents(
        _document(), default_specification=referencing.jsonschema.DRAFT202012)
    registry = referencing.Registry().with_resource("urn:openapi", resource)
    return jsonschema.Draft202012Validator({"$ref": f"urn:openapi#/components/schemas/{component}"},
                                           registry=registry)


def test_committed_document_equals_the_generated_one() -> None:
    assert OPENAPI.read_text(encoding="utf-8") == render(build_openapi()), \
        "run: python -m conformance.contract.openapi"


def test_the_document_is_valid_openapi_3_1() -> None:
    from openapi_spec_validator import validate as validate_spec

    document = _document()
    assert document["openapi"].startswith("3.1")
    validate_spec(document)


def test_one_post_operation_per_api_at_the_catalogue_path() -> None:
    operations = _operations()
    assert sorted(operations) == sorted(API_IDS)
    for api, (path, _op) in operations.items():
        assert path == get_api(api).path
        assert list(_document()["paths"][path]) == ["post"]


@pytest.mark.parametrize("api", API_IDS)
def test_security_and_headers_follow_the_family(api: str) -> None:
    _path, op = _operations()[api]
    family = get_api(api).family
    params = {p["name"]: p for p in map(_resolve, op.get("parameters", []))}
    schemes = _document()["components"]["securitySchemes"]
    [requirement] = op["security"]
    [(scheme_name, scopes)] = requirement.items()
    scheme = schemes[scheme_name]
    if family == "account":
        flow = scheme["flows"]["authorizationCode"]
        assert scheme["type"] == "oauth2"
        assert (flow["authorizationUrl"], flow["tokenUrl"]) == (AUTHORIZE_URL, TOKEN_URL)
        assert AUTHORIZE_URL == "https://sandbox-apigw.koscom.co.kr/auth/oauth/v3/authorize"
        assert scopes == ["account"] and "account" in flow["scopes"]
    elif family == "b2b":
        assert (scheme["type"], scheme["scheme"]) == ("http", "basic")
        assert params["comId"]["in"] == "header" and params["comId"]["required"] is True
    else:
        assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "apikey")
    if family == "member":
        assert "shortName" not in params and "{" not in _path
    else:
        assert params["shortName"]["in"] == "path" and params["shortName"]["required"] is True
    assert list(op["requestBody"]["content"]) == ["application/json"]


@pytest.mark.parametrize("api", API_IDS)
def test_documented_error_responses(api: str) -> None:
    responses = _operations()[api][1]["responses"]
    assert sorted(responses) == sorted(["200", *ERROR_STATUSES])
    for status in ERROR_STATUSES:
        body = _resolve(responses[status])["content"]["application/json"]["schema"]
        assert body == {"$ref": "#/components/schemas/Error"}
    assert "Retry-After" in _resolve(responses["429"])["headers"]


def test_the_error_schema_takes_the_platform_and_the_gateway_forms() -> None:
    error = _validator("Error")
    assert error.is_valid({"category": "op-exco", "code": 9011, "message": "invalid virtual account number.",
                           "description": "blah blah"})
    assert error.is_valid({"message": "API rate limit exceeded"})
    assert not error.is_valid({"category": "op-exco", "code": "9011"})
    assert not error.is_valid({"error": "당일 종가 제공 시간이 아닙니다."})
    assert not error.is_valid("Internal Server Error")


@pytest.mark.parametrize("api", API_IDS)
def test_samples_validate_against_the_openapi_components_too(api: str) -> None:
    """A second implementation (python-jsonschema) agrees with jsonschema-rs on the samples."""
    for kind in ("request", "response"):
        sample = json.loads((SAMPLES / f"{api}.{kind}.json").read_bytes())
        errors = [e.message for e in _validator(component_name(api, kind)).iter_errors(sample)]
        assert errors == [], (kind, errors[:3])


def test_a_broken_message_is_refused_by_the_openapi_component() -> None:
    sample = json.loads((SAMPLES / "balance.response.json").read_bytes())
    sample["balanceList"]["balance"]["summary"]["cashBalance"] = "NULL"
    assert not _validator("BalanceResponse").is_valid(sample)


@functools.lru_cache(maxsize=1)
def _schemathesis_operations() -> dict[str, Any]:
    import schemathesis

    schema = schemathesis.openapi.from_path(str(OPENAPI))
    operations = [result.ok() for result in schema.get_all_operations()]
    return {op.definition.raw["operationId"]: op for op in operations}


def _draw(strategy: Any, count: int) -> list[Any]:
    cases: list[Any] = []

    @settings(max_examples=count, database=None, derandomize=True, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(case: Any) -> None:
        cases.append(case)

    collect()
    return cases


def test_schemathesis_loads_every_operation() -> None:
    assert sorted(_schemathesis_operations()) == sorted(API_IDS)


@pytest.mark.parametrize("api", API_IDS)
def test_schemathesis_generates_requests_the_validator_accepts(api: str) -> None:
    """Positive cases drawn by schemathesis carry no MUST violation of our validator. NUM-001 is
    lexical (how a number is written), which no JSON Schema can express, so it is set aside."""
    operation = _schemathesis_operations()[api]
    cases = _draw(operation.as_strategy(), 10)
    assert cases
    wrong = []
    for case in cases:
        assert isinstance(case.body, dict)
        found = {v for v in must(validate(api, "request", dumps(case.body))) if v[1] != "NUM-001"}
        if found:
            wrong.append((case.body, sorted(found)))
    assert wrong == []
    if get_api(api).family == "b2b":
        assert all("comId" in case.headers for case in cases)


@pytest.mark.parametrize("api", ["balance", "orderdetail", "member-consent"])
def test_schemathesis_generates_negative_requests(api: str) -> None:
    """conformance.fuzz draws negative bodies from this document (ERR-008)."""
    from schemathesis import GenerationMode

    cases = _draw(_schemathesis_operations()[api].as_strategy(generation_mode=GenerationMode.NEGATIVE), 10)
    assert any(case.body is not None for case in cases)
