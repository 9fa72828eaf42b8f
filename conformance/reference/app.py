"""The reference broker as an ASGI app (Starlette): routing, the gateway steps, handler dispatch,
rendering and the reply hooks.

One request: route → rate limit → auth → media type → parse → inspectors → handler → tree hooks →
render → reply hooks. Every step that a fault may change is a `Behaviour` member.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from conformance import clock
from conformance.reference import b2b_handlers, handlers
from conformance.reference.behaviour import Behaviour
from conformance.reference.brokers import get_broker
from conformance.reference.context import Call, Reply
from conformance.reference.errors import ApiError, common_error, gateway_error, not_found
from conformance.reference.faults import apply_faults
from conformance.reference.inbound import parse
from conformance.reference.live import apply_live
from conformance.reference.ratelimit import DailyCounter, TokenBucket, retry_after
from conformance.reference.render import NullPolicy, RenderOptions, render

HANDLERS: dict[str, Any] = {**handlers.HANDLERS, **b2b_handlers.HANDLERS}
# path segment -> API id, per family
APIS: dict[str, dict[str, str]] = {
    "account": {"portfolio": "portfolio", "balance": "balance", "transaction": "transaction",
                "interest": "interest"},
    "b2b": {name: name for name in ("orderdetail", "balancelist", "settlelist", "accountlist", "tradebook")},
    "member": {"register": "member-register", "consent": "member-consent"},
}


class ReferenceBroker:
    """One virtual broker with its faults, null-form option and rate limit."""

    def __init__(self, broker: str = "diamond", faults: Iterable[str] = (), null_forms: str | None = None,
                 rate_limit: float | None = None, window: str = "open", prices: str = "fixed",
                 now: Callable[[], datetime] = clock.now) -> None:
        self.broker = get_broker(broker)
        self.now = now  # the reference's own clock: its "today" for empty order dates and consent expiry
        self.behaviour = Behaviour(self.broker)
        apply_live(self.behaviour, window, prices, now)
        self.counter = DailyCounter()
        self.behaviour.reply_transforms.append(self._rate_headers)
        self.faults = apply_faults(self.behaviour, list(faults))
        self.nulls = NullPolicy(self.broker.null_style, null_forms)
        self.bucket = TokenBucket(rate_limit) if rate_limit else None

    def app(self) -> Starlette:
        routes = [
            Route("/v1/common/member/{api}/search", self._member, methods=["POST"]),
            Route("/v1/{short}/account/{api}/search", self._account, methods=["POST"]),
            Route("/v1/{short}/b2baccount/{api}/search", self._b2b, methods=["POST"]),
        ]
        app = Starlette(routes=routes, exception_handlers={404: self._no_route, 405: self._no_method})
        app.state.reference = self
        return app

    async def _account(self, request: Request) -> Response:
        return await self.serve(request, "account")

    async def _b2b(self, request: Request) -> Response:
        return await self.serve(request, "b2b")

    async def _member(self, request: Request) -> Response:
        return await self.serve(request, "member")

    def _call(self, request: Request, api: str, family: str) -> Call:
        return Call(api, family, self.broker, request.headers, request.url.path,
                    f"{request.url.scheme}://{request.url.netloc}", clock.today(self.now()).strftime("%Y%m%d"))

    async def serve(self, request: Request, family: str) -> Response:
        api = APIS[family].get(request.path_params["api"], "")
        short = request.path_params.get("short", self.broker.short_name)
        call = self._call(request, api, family)
        call.raw = await request.body()
        if not api or short.lower() != self.broker.short_name:
            return await self._send(self._error(not_found()), call)
        return await self._send(self._answer(call), call)

    def _answer(self, call: Call) -> Reply:
        b = self.behaviour
        try:
            if self.bucket is not None:
                wait = self.bucket.take()
                if wait is not None:
                    raise gateway_error(429, "API rate limit exceeded", kind="rate",
                                        headers={"Retry-After": retry_after(wait)})
            b.authenticate(call)
            if not b.media_type_ok(call.headers.get("content-type", "")):
                raise common_error(415, kind="media", description="Content-Type must be application/json")
            call.inbound = parse(call.api, call.raw, self.broker.category)
            for inspect in b.inspectors:
                inspect(call)
            tree = HANDLERS[call.api](call, b)
            for transform in b.tree_transforms:
                tree = transform(tree, call)
            text = render(tree, RenderOptions(b.number_style, self.nulls, b.rounding, b.no_value_literal))
            return Reply(200, text.encode("utf-8"), self.broker.content_type)
        except ApiError as err:
            return self._error(err)

    def _error(self, err: ApiError) -> Reply:
        return Reply(err.status, json.dumps(err.body, ensure_ascii=False).encode("utf-8"),
                     self.broker.content_type, dict(err.headers), error=True, error_kind=err.kind,
                     error_code=err.code)

    async def _send(self, reply: Reply, call: Call) -> Response:
        for transform in self.behaviour.reply_transforms:
            reply = transform(reply, call)
        delay = self.behaviour.delay_s(call)
        if delay:
            await asyncio.sleep(delay)
        headers = {**reply.headers, "content-type": reply.content_type}
        return Response(reply.body, status_code=reply.status, headers=headers)

    async def _no_route(self, request: Request, exc: Exception) -> Response:
        call = self._call(request, "", "")
        return await self._send(self._error(not_found()), call)

    async def _no_method(self, request: Request, exc: Exception) -> Response:
        call = self._call(request, "", "")
        allow = exc.headers if isinstance(exc, HTTPException) and exc.headers else {"Allow": "POST"}
        return await self._send(self._error(common_error(405, kind="method", headers=dict(allow))), call)

    def _rate_headers(self, reply: Reply, call: Call) -> Reply:
        """The broker's own rate-limit headers (C25, I80): current or old gateway style, or none."""
        style = self.broker.rate_headers
        if style == "none":
            return reply
        calls, limit = self.counter.tick(), DailyCounter.LIMIT
        if style == "current":
            extra = {"X-RateLimit-Limit-Day": str(limit),
                     "X-RateLimit-Remaining-Day": str(max(0, limit - calls))}
        else:
            extra = {"x-rate-period": "day", "x-rate-limit": str(limit), "x-rate-value": str(calls)}
        reply.headers = {**extra, **reply.headers}
        return reply


def create_app(broker: str = "diamond", faults: Iterable[str] = (), null_forms: str | None = None,
               rate_limit: float | None = None, window: str = "open", prices: str = "fixed",
               now: Callable[[], datetime] = clock.now) -> Starlette:
    """The ASGI app of one virtual broker (`app.state.reference` is its ReferenceBroker)."""
    return ReferenceBroker(broker, faults, null_forms, rate_limit, window, prices, now).app()
