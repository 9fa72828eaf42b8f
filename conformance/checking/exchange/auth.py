"""Auth judges of one request/response pair: a request without (or with wrong) credentials is
refused, never answered with data (AUTH-001..005; C16-C19)."""

from __future__ import annotations

from conformance import checking as ck
from conformance.contract import get_api
from conformance.errors import error_code
from conformance.evidence import Exchange


def must_refuse(rule_id: str, exchange: Exchange, api: str, what: str) -> None:
    """A request that must be refused (missing or wrong credentials) got no data."""
    ck.require_answer(exchange, rule_id, api)
    if exchange.status is not None and 200 <= exchange.status < 300:
        code = error_code(exchange)
        items = ck.data_items(exchange.json(), get_api(api))  # a frame of empty lists is no data
        if code is None or items:
            ck.violate(rule_id, f"{what} was answered with HTTP {exchange.status}"
                       + (f" and {len(items)} items" if items else ""), exchanges=[exchange], api=api)
