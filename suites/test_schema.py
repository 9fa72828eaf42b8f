"""Area `schema`: every success answer of every claimed API against its JSON Schema (C20, C9)."""

from __future__ import annotations

import pytest

from conformance import checking as ck
from conformance.contract import API_IDS

APIS = list(API_IDS)


@pytest.mark.rule("SCHEMA-001")
@pytest.mark.parametrize("api", APIS)
def test_success_answer_is_a_json_object(api, client):
    ck.judge_messages("SCHEMA-001", api, client)


@pytest.mark.rule("SCHEMA-002")
@pytest.mark.parametrize("api", APIS)
def test_required_blocks_present(api, client):
    ck.judge_messages("SCHEMA-002", api, client)


@pytest.mark.rule("SCHEMA-003")
@pytest.mark.parametrize("api", APIS)
def test_field_types(api, client):
    ck.judge_messages("SCHEMA-003", api, client)


@pytest.mark.rule("SCHEMA-004")
@pytest.mark.parametrize("api", APIS)
def test_enumerations(api, client):
    ck.judge_messages("SCHEMA-004", api, client)


@pytest.mark.rule("SCHEMA-005")
@pytest.mark.parametrize("api", APIS)
def test_dates(api, client):
    ck.judge_messages("SCHEMA-005", api, client)


@pytest.mark.rule("SCHEMA-006")
@pytest.mark.parametrize("api", APIS)
def test_recommended_lengths(api, client):
    ck.judge_messages("SCHEMA-006", api, client)


@pytest.mark.rule("SCHEMA-007")
@pytest.mark.parametrize("api", APIS)
def test_canonical_names(api, client):
    ck.judge_messages("SCHEMA-007", api, client)


@pytest.mark.rule("SCHEMA-008")
@pytest.mark.parametrize("api", APIS)
def test_documented_vocabulary(api, client):
    ck.judge_messages("SCHEMA-008", api, client)
