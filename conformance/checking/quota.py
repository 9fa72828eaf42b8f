"""The opt-in quota burst (C25, I80; TRN-005): a bounded run of distinct questions until the gateway
answers 429, whose Retry-After is judged and then honoured before one more question.

Only a profile with `limits: {quota_test: true}` asks it (`requires=("quota_test",)`): nothing
hammers a gateway that did not ask for it. Each question of the burst is a different one (its own
`reqIdConsumer`), asked once, at the profile's own pace; the burst stops at the first 429 and never
runs past `limits.quota_burst` questions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance.checking.answers import transport_problem
from conformance.checking.filing import violate
from conformance.client import Client
from conformance.client.transport import retry_after_seconds
from conformance.evidence import Exchange

RULE = "TRN-005"
REQUEST_ID = "QUOTA{:04d}"  # not the harness's "KC" ids: each burst question is its own question


@dataclass
class Burst:
    asked: list[Exchange]
    limited: Exchange | None  # the first 429
    wait_s: float | None = None  # what its Retry-After asked
    after: Exchange | None = None  # the question asked once the wait was honoured

    def summary(self) -> str:
        if self.limited is None:
            return f"{len(self.asked)} questions in a burst, none answered 429"
        text = f"429 after {len(self.asked)} questions; Retry-After {self.wait_s:g} s"
        if self.after is None:
            return text + "; longer than the harness waits, not asked again"
        return text + f"; waited, then HTTP {self.after.status}"


def _ask(client: Client, api: str, n: int, body: dict[str, Any]) -> Exchange:
    body = {**body, "commonHeader": {**body["commonHeader"], "reqIdConsumer": REQUEST_ID.format(n)}}
    exchange = client.call(api, purpose=f"{api} quota burst, question {n}", body=body, retry=False)
    problem = transport_problem(exchange)
    if problem:  # a gateway over its quota answers 429; this opt-in question is no MUST's evidence
        violate(RULE, f"question {n} of the quota burst got no HTTP answer ({problem}), not a 429",
                exchanges=[exchange], api=api)
    return exchange


def quota_burst(client: Client, api: str, body: dict[str, Any]) -> Burst:
    """Ask `api` (its plain `body`) up to `limits.quota_burst` times, judge the first 429 (TRN-005:
    it carries a Retry-After of seconds or an HTTP date), honour it and ask once more."""
    burst = Burst([], None)
    for n in range(1, client.profile.quota_burst + 1):
        burst.asked.append(exchange := _ask(client, api, n, body))
        if exchange.status == 429:
            burst.limited = exchange
            break
    limited = burst.limited
    if limited is None:
        violate(RULE, f"{burst.summary()}: the profile opts in to the quota test (limits.quota_test), so "
                "a burst of limits.quota_burst questions should exceed the test gateway's quota (C25)",
                exchanges=burst.asked[-1:], api=api)
    headers = {k.lower(): v for k, v in limited.response_headers.items()}
    if "retry-after" not in headers:
        violate(RULE, "HTTP 429 without Retry-After", exchanges=[limited], api=api)
    burst.wait_s = retry_after_seconds(headers["retry-after"])
    if burst.wait_s is None:
        violate(RULE, f"Retry-After {headers['retry-after']!r} is neither seconds nor an HTTP date",
                exchanges=[limited], api=api)
    client.back_off(burst.wait_s)  # every later question waits, this check's and any other's
    if burst.wait_s <= client.limits.max_retry_after_s:
        burst.after = _ask(client, api, len(burst.asked) + 1, body)
        if burst.after.status == 429:
            violate(RULE, f"asked again after the {burst.wait_s:g} s Retry-After named, and answered 429 again",
                    exchanges=[limited, burst.after], api=api)
    return burst
