"""The one place that talks HTTP: builds requests, applies auth, records every exchange.

Each distinct question is asked once per run (an exchange cache with normalised keys, see
`questions.py`), so many rules judge the same evidence. Transport problems never raise: they come
back as an Exchange with `error` set.

The client may be called from several threads at once (`conformance.prefetch` does): at most
`profile.max_in_flight` exchanges are on the wire together, each send still waits for its slot of
the rate limiter, and the question count per area (`questions`) says what the run cost the gateway.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import json
import threading
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from conformance import clock
from conformance.client.questions import QuestionCache, question_key
from conformance.client.replay import Recording
from conformance.client.requests import auth_headers, build_body
from conformance.client.transport import (
    CircuitBreaker,
    Limits,
    RateLimiter,
    TlsOptions,
    TransportResult,
    make_http_client,
    origin_of,
    perform,
)
from conformance.contract.catalogue import get_api
from conformance.evidence import Exchange
from conformance.profile import Account, B2BAccount, Profile
from conformance.redact import redact_headers

__all__ = ["Client"]

JSON_TYPE = "application/json"


class Client:
    def __init__(self, profile: Profile, *, insecure: bool = False,
                 now: Callable[[], datetime] = clock.now, replay: Recording | None = None) -> None:
        self.profile = profile
        self.now = now
        self.limits = Limits(timeout_s=profile.timeout_s, max_response_bytes=profile.max_response_bytes,
                             requests_per_second=profile.requests_per_second)
        tls = TlsOptions(verify=profile.tls_verify and not insecure, ca_bundle=profile.ca_bundle,
                         client_cert=profile.client_cert, client_key=profile.client_key)
        # replay (`conformance run --replay`): answers come from a recording; no HTTP client exists
        self.replay = replay
        self._http = make_http_client(tls, self.limits) if replay is None else None
        self._limiter = RateLimiter(origin_of(profile.base_url), profile.requests_per_second)
        self.breaker = CircuitBreaker()
        self.exchanges: list[Exchange] = []  # in id order, whatever order the answers arrived in
        self._cache = QuestionCache()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.max_in_flight = max(1, profile.max_in_flight)
        self._in_flight = threading.BoundedSemaphore(self.max_in_flight)
        # questions sent, by the rule area that asked first (`area`, set per thread by the plugin and
        # the prefetch); answers from the cache cost the gateway nothing and are not counted
        self._asker = threading.local()
        self.questions: Counter[str] = Counter()
        # the answers handed to the check now running (fresh or cached): the verdict layer reads
        # them to excuse answers of the C27 closed hours, whatever the check made of them
        self.handed: list[Exchange] = []
        self._check_thread: threading.Thread | None = None

    @property
    def area(self) -> str:
        """The rule area asking in this thread."""
        return str(getattr(self._asker, "area", ""))

    @area.setter
    def area(self, value: str) -> None:
        self._asker.area = value

    def start_check(self) -> None:
        """A check starts in this thread: only its own questions are handed to it (the prefetch
        asks other checks' questions in other threads)."""
        self.handed = []
        self._check_thread = threading.current_thread()

    def close(self) -> None:
        if self._http is not None:
            self._http.close()

    # --- building -------------------------------------------------------------------------
    def today(self) -> date:
        """The run's date (Seoul) on the client's clock: default windows end here, not on the
        machine's date, so a replay or a pinned test asks the same questions."""
        return clock.today(self.now())

    def body(self, api: str, *, account: Account | None = None, b2b: B2BAccount | None = None,
             query: dict[str, Any] | None = None, ci: str | None = None) -> dict[str, Any]:
        return build_body(get_api(api), self.profile, account=account, b2b=b2b, query=query, ci=ci,
                          today=self.today())

    # --- calling --------------------------------------------------------------------------
    def call(self, api: str, *, purpose: str, account: Account | None = None, b2b: B2BAccount | None = None,
             query: dict[str, Any] | None = None, ci: str | None = None, body: dict[str, Any] | None = None,
             raw_body: bytes | None = None, auth: str = "valid", headers: dict[str, str] | None = None,
             path: str | None = None, method: str = "POST", content_type: str = JSON_TYPE,
             retry: bool = True, bearer_token: str | None = None) -> Exchange:
        """Send one request (or return the recorded answer to the same question). `retry=False`:
        a 429/503 is recorded as it came, not waited out and asked again (the quota check judges it);
        `bearer_token` replaces the run's token on the account APIs (an onboarding subject's user)."""
        spec = get_api(api)
        if raw_body is None:
            if body is None:
                body = build_body(spec, self.profile, account=account, b2b=b2b, query=query, ci=ci,
                                  today=self.today())
            raw_body = json.dumps(body, ensure_ascii=False).encode("utf-8")
        all_headers = {"Content-Type": content_type, "Accept": JSON_TYPE}
        all_headers.update(auth_headers(spec, self.profile, auth, bearer_token))
        all_headers.update(headers or {})
        url = self.profile.base_url + (path or spec.url_path(self.profile.short_name))
        key = question_key(method, url, all_headers, raw_body)
        sent = raw_body
        limits = self.limits if retry else dataclasses.replace(self.limits, max_retries=0)
        exchange = self._cache.ask(key, lambda: self._send(api, purpose, method, url, all_headers, sent, limits))
        if threading.current_thread() is self._check_thread:
            self.handed.append(exchange)
        return exchange

    def back_off(self, seconds: float) -> None:
        """The gateway said to wait (Retry-After): every later send to it waits, whoever sends."""
        self._limiter.defer(seconds)

    def _send(self, api: str, purpose: str, method: str, url: str, headers: dict[str, str],
              body: bytes, limits: Limits) -> Exchange:
        with self._lock:
            exchange_id = f"x{next(self._ids):04d}"
        # the record never holds a credential: headers are redacted before they are stored
        exchange = Exchange(id=exchange_id, api=api, purpose=purpose, method=method, url=url,
                            request_headers=redact_headers(headers), request_body=body,
                            asked_at=self.now().isoformat(timespec="seconds"))
        if self.replay is not None:
            result, asked_at = self.replay.answer(method, url, headers, body, purpose)
            exchange.asked_at = asked_at or exchange.asked_at  # the recorded instant (C27 judged as then)
            self._record(exchange, result)
        elif self.breaker.open:
            blocked = self.breaker.blocked_result()
            exchange.error, exchange.error_kind = blocked.error, blocked.error_kind
        else:
            with self._lock:
                self.questions[self.area] += 1
            with self._in_flight:  # taken before the rate-limit slot, so sends stay spaced
                assert self._http is not None
                result = perform(self._http, method, url, headers, body, limits, self._limiter)
            self.breaker.record(result)
            self._record(exchange, result)
        with self._lock:
            bisect.insort(self.exchanges, exchange, key=lambda e: int(e.id[1:]))
        return exchange

    @staticmethod
    def _record(exchange: Exchange, result: TransportResult) -> None:
        exchange.status = result.status
        exchange.response_headers = dict(result.headers)
        exchange.response_body = result.body
        exchange.elapsed_ms = result.elapsed_ms
        exchange.error, exchange.error_kind = result.error, result.error_kind
        exchange.notes = list(result.notes)

