"""Area `auth`: each family refuses missing and wrong credentials (C16–C19), an expired token and
another user's token (C17, with the profile's optional `auth:` tokens); CI ownership (C21)."""

from __future__ import annotations

import pytest

from conformance.checking import check
from conformance.checking.exchange.auth import must_refuse
from conformance.contract import api_set
from conformance.profile import Account

FOREIGN_CI = "Zm9yZWlnbi1jaS1mb3ItY29uZm9ybWFuY2UtY2hlY2tzLW5vdC1hLXJlYWwtdXNlci0wMDAwMDAwMDAwMDAwMDA="


def _must_refuse(ctx, exchange, what):
    must_refuse(ctx.rule, exchange, ctx.api, what)  # the judge passive mode uses too


@check("AUTH-001")
def test_account_without_token_refused(ctx):
    _must_refuse(ctx, ctx.ask(f"{ctx.api} without Authorization", auth="none"), "a request without a bearer token")


@check("AUTH-002")
@pytest.mark.parametrize("token", ["invalid", "expired"])
def test_account_with_invalid_or_expired_token_refused(ctx, token):
    if token == "expired":  # an optional profile key (auth.expired_bearer_token): not applicable without it
        ctx.require(("expired_token",))
    # any refusal the contract documents passes (401, 403, a named code): must_refuse asks no more
    _must_refuse(ctx, ctx.ask(f"{ctx.api} with an {token} token", auth="wrong" if token == "invalid" else token),
                 f"a request with an {token} bearer token")


@check("AUTH-003")
@pytest.mark.parametrize("missing", ["authorization", "comId"])
def test_b2b_without_credentials_refused(ctx, missing):
    mode = "none" if missing == "authorization" else "no-comid"
    _must_refuse(ctx, ctx.ask(f"{ctx.api} without {missing}", auth=mode), f"a request without the {missing} header")


@check("AUTH-004")
def test_b2b_wrong_secret_refused(ctx):
    _must_refuse(ctx, ctx.ask(f"{ctx.api} with a wrong Basic secret", auth="wrong"),
                 "a request with wrong Basic credentials")


@check("AUTH-005")
@pytest.mark.parametrize("mode", ["none", "wrong"])
def test_member_without_valid_apikey_refused(ctx, mode):
    what = "without an apikey" if mode == "none" else "with a wrong apikey"
    _must_refuse(ctx, ctx.ask(f"{ctx.api} {what}", auth=mode), f"a request {what}")


@check("AUTH-006")
@pytest.mark.parametrize("whose", ["ci", "token"])
def test_account_not_served_to_another_user(ctx, whose):
    account = ctx.account
    if whose == "token":  # the body names the owner's CI: only the token says the caller is someone else (C17)
        ctx.require(("other_user_token",))
        exchange = ctx.ask(f"{ctx.api} with another user's token", auth="other-user")
        _must_refuse(ctx, exchange, "an account asked for with the access token of a user who does not own it")
        return
    other = next((a.ci for a in ctx.profile.accounts if a.ci.strip() != account.ci.strip()), FOREIGN_CI)
    exchange = ctx.call(f"{ctx.api} with a CI that does not own the account", account=Account(account.vtAccNo, other))
    _must_refuse(ctx, exchange, "an account asked for by a CI that does not own it")


@check("AUTH-007")
@pytest.mark.parametrize("variant", ["lowercase-basic", "mixed-case-media-type"])
def test_scheme_and_media_type_case_insensitive(ctx, variant):
    if variant == "lowercase-basic":
        api = next((a for a in api_set("family:b2b") if ctx.profile.claims(a)), None)
        if api is None:
            ctx.not_applicable("no b2b API claimed")
        ctx.api = api
        exchange = ctx.ask(f"{api} with scheme word 'basic'", auth="lowercase-scheme")
    else:
        api = next((a for a in api_set("all") if ctx.profile.claims(a)), None)
        if api is None:
            ctx.not_applicable("no API claimed")
        ctx.api = api
        exchange = ctx.ask(f"{api} with Content-Type Application/JSON", content_type="Application/JSON")
    ctx.must_succeed(exchange, f"a request with {variant}", baseline=True)
