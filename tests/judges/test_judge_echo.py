"""The echo judge on canned messages: one passing and one failing message per echo rule."""

from __future__ import annotations

import copy

import pytest

from conformance.judges.echo import echo_mismatches

REQUEST = {
    "commonHeader": {"reqIdConsumer": "req-1", "ci": "CI-ABCDEFGHIJ"},
    "accInfo": {"vtAccNo": "1234-5678"},
    "balanceRequestBody": {"queryType": {"assetType": "EQTY", "rspType": "A", "count": 10, "page": "null"}},
}
RESPONSE = {
    "commonHeader": {"reqIdConsumer": "req-1", "ci": "CI-ABCDEFGHIJ"},
    "accInfo": {"vtAccNo": "12345678"},  # I52: the hyphen may be dropped
    "balanceResponseBody": {"queryType": {"assetType": "EQTY", "rspType": "A", "count": 10, "page": "null"}},
}
BROKEN = {  # one wrong echo per rule
    "ECHO-001": ("accInfo", "vtAccNo", "99999999"),
    "ECHO-002": ("balanceResponseBody.queryType", "assetType", "FUND"),
    "ECHO-003": ("commonHeader", "reqIdConsumer", "req-2"),
    "ECHO-004": ("commonHeader", "ci", "CI-OTHER"),
}


@pytest.mark.parametrize("rule", sorted(BROKEN))
def test_a_faithful_echo_passes(rule: str) -> None:
    assert echo_mismatches(rule, "balance", REQUEST, RESPONSE) == []


@pytest.mark.parametrize("rule", sorted(BROKEN))
def test_a_wrong_echo_fails_with_its_path(rule: str) -> None:
    block, key, wrong = BROKEN[rule]
    response = copy.deepcopy(RESPONSE)
    node = response
    for part in block.split("."):
        node = node[part]
    node[key] = wrong
    found = echo_mismatches(rule, "balance", REQUEST, response)
    assert [f.path for f in found] == [f"{block}.{key}"]
    assert "sent" in found[0].message and "got back" in found[0].message


def test_an_echo_without_value_is_allowed_and_identifiers_are_masked() -> None:
    response = copy.deepcopy(RESPONSE)
    response["accInfo"]["vtAccNo"] = ""
    assert echo_mismatches("ECHO-001", "balance", REQUEST, response) == []
    response["accInfo"]["vtAccNo"] = "87654321"
    (found,) = echo_mismatches("ECHO-001", "balance", REQUEST, response)
    assert "87654321" not in found.message and "1234-5678" not in found.message
