"""The onboarding judge on canned answers (C21, C26): members, consent lists, refusals."""

from __future__ import annotations

import pytest

from conformance.judges.onboarding import (
    consent_answer,
    listed_accounts,
    member_answer,
    refusal_answer,
    refusals,
)


def test_a_member_passes() -> None:
    assert member_answer("unlinked_account", 200, None, {"result": "member"}) == ("result 'member'", [])


@pytest.mark.parametrize(("status", "code", "doc", "answered"), [
    (200, None, {"result": "nonMember"}, "result 'nonMember'"),
    (200, None, {"result": "MEMBER"}, "result 'MEMBER'"),
    (500, 3007, {"code": 3007}, "result HTTP 500, code 3007"),
])
def test_anything_but_member_is_found(status, code, doc, answered) -> None:
    got, (found,) = member_answer("member_without_account", status, code, doc)
    assert got == answered and found.path == "result"
    assert found.message.startswith("the portal member without a virtual account is answered ")


def test_the_consent_list_reads_entries_and_no_values() -> None:
    assert listed_accounts({"vtAccList": [{"vtAccNo": " 123 "}, "456"]}) == ["123", "456"]
    assert listed_accounts({"vtAccList": "null"}) == [] and listed_accounts(None) == []


def test_a_consent_list_without_the_subject_passes() -> None:
    assert consent_answer("unlinked_account", "999", 200, None, {"vtAccList": [{"vtAccNo": "1"}]}) == \
        ("does not list it (1 other account(s))", [])
    assert consent_answer("member_without_account", "", 200, None, {"vtAccList": []}) == ("lists no account", [])
    assert consent_answer("unlinked_account", "999", 500, 4004, {}) == ("no list (HTTP 500, code 4004)", [])


def test_a_consent_list_showing_the_subject_fails() -> None:
    answered, (found,) = consent_answer("other_service_account", "999", 200, None, {"vtAccList": [{"vtAccNo": "999"}]})
    assert answered == "lists the account" and found.path == "vtAccList" and "999 is listed" in found.message
    answered, (found,) = consent_answer("member_without_account", "", 200, None, {"vtAccList": ["1", "2"]})
    assert answered == "lists 2 account(s)" and "is shown 2 account(s)" in found.message


def test_the_documented_refusals_come_from_the_error_table() -> None:
    assert refusals() == {4001, 4003, 4004, 4006, 3007, 3009, 3012, 2100, 401, 403}


@pytest.mark.parametrize(("status", "code"), [(500, 4006), (500, 4003), (401, None), (403, 2100)])
def test_a_documented_refusal_passes(status, code) -> None:
    answered, findings = refusal_answer("expired_consent_account", None, status, code)
    assert findings == [] and answered.startswith("refused (HTTP")


def test_data_or_an_unexplained_refusal_fails() -> None:
    answered, (found,) = refusal_answer("unlinked_account", 3, 200, None)
    assert answered == "HTTP 200 with data (3 items)" and "is served data" in found.message
    answered, (found,) = refusal_answer("unlinked_account", None, 500, 7000)
    assert answered == "refused (HTTP 500, code 7000)" and "does not say why" in found.message
