"""Area `null-values`: the request and response "no value" conventions (C3, C4, C6, I12)."""

from __future__ import annotations

import pytest

from conformance.checking import check
from conformance.contract import empty_means_all, paging_field, set_path, unused_request_values

FIRST_PAGE_FORMS = {"string-null": "null", "json-null": None, "empty": "", "absent": ...}


@check("NULL-001")
def test_empty_string_accepted_for_fields_without_value(ctx):
    names = empty_means_all(ctx.api)  # documented as "no filter" / "today" when "" (C32, C3)
    exchange = ctx.ask(f'{ctx.api} with "" for fields without value', query=dict.fromkeys(names, ""))
    ctx.must_succeed(exchange, f'"" sent for {", ".join(names)}')


@check("NULL-002", "NULL-005")
def test_response_no_value_forms(ctx):
    """Only legal no-value forms (NULL-002); a block without value keeps its type or is absent (NULL-005)."""
    ctx.judge_messages()


@check("NULL-003")
@pytest.mark.parametrize("form", list(FIRST_PAGE_FORMS))
def test_first_page_key_forms(ctx, form):
    query = {paging_field("page"): FIRST_PAGE_FORMS[form]}
    spec = ctx.spec
    if spec.groups and spec.family == "account":  # the grouped account APIs are asked one group
        query[spec.asset_type_field] = "EQTY"
    exchange = ctx.ask(f"{ctx.api} first page key {form}", query=query)
    ctx.must_succeed(exchange, f"the first-page key sent as {form}", baseline=True)


@check("NULL-004")
def test_unused_request_fields_ignored(ctx):
    if ctx.spec.family == "member" and not ctx.profile.member_ci:
        ctx.not_applicable("the profile has no member block")
    body = ctx.body()
    for path, value in unused_request_values(ctx.spec.family).items():  # catalogue.yaml, C6 and I29
        set_path(body, path, value)
    exchange = ctx.call(f"{ctx.api} with unused fields filled", body=body)
    ctx.must_succeed(exchange, "a request carrying reqIdPlatform, certDn and realAccNo", baseline=True)
