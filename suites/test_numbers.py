"""Area `numbers`: number notation (C8), numbers as numbers (C9), precision (C30)."""

from __future__ import annotations

import json

import pytest

from conformance.checking import check
from conformance.contract import api_set, paging_field
from conformance.judges.numbers import rate_precision


@check("NUM-001", "NUM-002")
def test_number_literals(ctx):
    """Nine zeros only in exponent notation (NUM-001); numbers never as strings (NUM-002)."""
    ctx.judge_messages()


@check("NUM-003")
def test_rates_have_two_decimals(ctx):
    judged = ctx.successes()
    for exchange in judged:
        bad = rate_precision(ctx.answer(exchange).doc)
        if bad:
            ctx.fail("; ".join(f.message for f in bad[:10]) + " (more than 2 decimals)",
                     exchanges=[exchange], path=bad[0].path)
    if not judged:
        ctx.nothing_judged()


@check("NUM-004")
@pytest.mark.parametrize("notation", ["10.0", "1.0E1"])
def test_request_numbers_in_any_notation(ctx, notation):
    """The broker reads `count` written as an integral float or in exponent notation (C8, C9)."""
    api = next((a for a in api_set("count_paged") if ctx.profile.claims(a)), None)
    if api is None:
        ctx.not_applicable("no paged API claimed")
    ctx.api = api
    count = paging_field("count")
    raw = json.dumps(ctx.body(query={count: 10}), ensure_ascii=False).replace(
        f'"{count}": 10', f'"{count}": {notation}').encode()
    exchange = ctx.call(f"{api} count written {notation}", raw_body=raw)
    ctx.must_succeed(exchange, f"count written as {notation}", baseline=True)
