"""Area `echo`: bindings of the echo rules (judge: conformance/judges/echo.py)."""

from __future__ import annotations

from conformance.checking import check
from conformance.judges.echo import echo_mismatches


def _judge(ctx):
    judged = ctx.successes()
    for exchange in judged:
        problems = echo_mismatches(ctx.rule, ctx.api, exchange.request_json() or {}, ctx.answer(exchange).doc)
        if problems:
            ctx.fail("\n".join(p.message for p in problems), exchanges=[exchange], path=problems[0].path)
    if not judged:
        ctx.nothing_judged()


@check("ECHO-001")
def test_account_number_echoed(ctx):
    _judge(ctx)


@check("ECHO-002")
def test_query_block_echoed(ctx):
    _judge(ctx)


@check("ECHO-003")
def test_request_id_echoed(ctx):
    _judge(ctx)


@check("ECHO-004")
def test_ci_echoed(ctx):
    _judge(ctx)


@check("ECHO-005")
def test_echoed_numbers_are_numbers(ctx):
    ctx.judge_messages()
