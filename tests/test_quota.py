"""The opt-in quota burst (C25, TRN-005): bounded, judged on the first 429's Retry-After, which it
honours before asking once more; never asked unless the profile opts in."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from runs import profile_for, run

from conformance.checking.quota import quota_burst
from conformance.evidence import Exchange
from conformance.reference.server import ReferenceServer
from conformance.rules import ContractViolation


class FakeGateway:
    """A client whose answers are scripted: `answers[n]` is (status, headers) of question n+1."""

    def __init__(self, answers: list[tuple[int, dict[str, str]]], burst: int = 5) -> None:
        self.answers = answers
        self.profile = SimpleNamespace(quota_burst=burst)
        self.limits = SimpleNamespace(max_retry_after_s=5.0)
        self.asked: list[dict[str, Any]] = []
        self.waited: list[float] = []

    def call(self, api: str, *, purpose: str, body: dict[str, Any], retry: bool) -> Exchange:
        assert retry is False  # the 429 is the evidence: the transport must not wait it out
        status, headers = self.answers[min(len(self.asked), len(self.answers) - 1)]
        self.asked.append(body)
        return Exchange(id=f"x{len(self.asked)}", api=api, purpose=purpose, method="POST", url="http://gw/x",
                        request_headers={}, request_body=json.dumps(body).encode(), status=status,
                        response_headers=headers)

    def back_off(self, seconds: float) -> None:
        self.waited.append(seconds)


BODY = {"commonHeader": {"reqIdConsumer": "KC0000000001", "ci": ""}, "body": {}}
OK, LIMITED = (200, {}), (429, {"Retry-After": "2"})


def test_the_burst_stops_at_the_first_429_honours_retry_after_and_asks_once_more():
    gateway = FakeGateway([OK, OK, LIMITED, OK], burst=10)
    burst = quota_burst(gateway, "member-register", BODY)
    assert len(burst.asked) == 3 and burst.limited is burst.asked[-1] and burst.wait_s == 2.0
    assert gateway.waited == [2.0] and burst.after is not None and burst.after.status == 200
    assert len(gateway.asked) == 4  # three of the burst, one after the wait
    ids = [body["commonHeader"]["reqIdConsumer"] for body in gateway.asked]
    assert len(set(ids)) == 4 and not any(i.startswith("KC") for i in ids)  # each its own question
    assert burst.summary() == "429 after 3 questions; Retry-After 2 s; waited, then HTTP 200"


def test_the_burst_is_bounded_and_warns_when_no_429_came():
    gateway = FakeGateway([OK], burst=4)
    with pytest.raises(ContractViolation, match="4 questions in a burst, none answered 429") as caught:
        quota_burst(gateway, "balance", BODY)
    assert caught.value.rule_id == "TRN-005" and len(gateway.asked) == 4 and gateway.waited == []


@pytest.mark.parametrize(("headers", "message"), [
    ({}, "HTTP 429 without Retry-After"),
    ({"Retry-After": "soon"}, "neither seconds nor an HTTP date"),
])
def test_a_429_without_a_usable_retry_after_is_a_warning(headers, message):
    gateway = FakeGateway([OK, (429, headers)])
    with pytest.raises(ContractViolation, match=message) as caught:
        quota_burst(gateway, "balance", BODY)
    assert caught.value.rule_id == "TRN-005" and gateway.waited == []


def test_no_http_answer_in_the_burst_is_a_warning_of_the_quota_rule_not_a_transport_must():
    gateway = FakeGateway([OK])
    real_call = gateway.call

    def reset(*args: Any, **kwargs: Any) -> Exchange:
        exchange = real_call(*args, **kwargs)
        if len(gateway.asked) == 2:
            exchange.status, exchange.error, exchange.error_kind = None, "connection reset", "reset"
        return exchange

    gateway.call = reset  # type: ignore[method-assign]
    with pytest.raises(ContractViolation, match="question 2 of the quota burst got no HTTP answer") as caught:
        quota_burst(gateway, "balance", BODY)
    assert caught.value.rule_id == "TRN-005" and len(gateway.asked) == 2


def test_still_429_after_the_wait_it_named_is_a_warning():
    gateway = FakeGateway([LIMITED])
    with pytest.raises(ContractViolation, match="answered 429 again"):
        quota_burst(gateway, "balance", BODY)
    assert gateway.waited == [2.0] and len(gateway.asked) == 2


def test_a_wait_longer_than_the_harness_waits_is_honoured_without_asking_again():
    gateway = FakeGateway([(429, {"Retry-After": "3600"})])
    burst = quota_burst(gateway, "balance", BODY)
    assert gateway.waited == [3600.0] and burst.after is None and len(gateway.asked) == 1
    assert burst.summary().endswith("not asked again")


def _quota_checks(result: Any) -> list[dict[str, Any]]:
    return [c for c in result.rule("TRN-005")["checks"] if "test_quota_burst" in c["nodeid"]]


@pytest.mark.slow
def test_a_rate_limited_reference_broker_passes_the_opted_in_burst_and_others_are_not_asked(tmp_path):
    with ReferenceServer(broker="diamond", rate_limit=3) as server:
        profile = profile_for("diamond", server.base_url, tmp_path, requests_per_second=None, max_in_flight=1,
                              quota_test=True)
        limited = run(profile, tmp_path / "limited", "transport")
    assert limited.exit_code == 0, limited.failing()
    [check] = _quota_checks(limited)
    assert check["status"] == "pass" and check["message"].startswith("429 after "), check
    assert check["message"].endswith("waited, then HTTP 200")
    with ReferenceServer(broker="diamond") as server:
        plain = run(profile_for("diamond", server.base_url, tmp_path), tmp_path / "plain", "transport")
    [check] = _quota_checks(plain)
    assert check["status"] == "not_applicable" and "limits.quota_test" in check["message"]
    # the default run asks no burst: the opted-in run asked more than the plain one
    assert limited.results["questions"]["total"] > plain.results["questions"]["total"]
