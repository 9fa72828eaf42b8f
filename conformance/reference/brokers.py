"""The three virtual brokers and the legal choices that tell them apart.

Each broker conforms to the contract; where the contract leaves a choice (ALL support, page size,
page-key format, "no value" form, number notation, ...) they choose differently, so a checker that
passes all three is tolerant where the contract is tolerant.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Literal

NullForm = Literal["absent", "null", "string", "empty"]
NULL_FORMS: tuple[NullForm, ...] = ("absent", "null", "string", "empty")
# Kinds of value a "no value" can stand for; a broker may express each kind differently.
NullKind = Literal["string", "number", "object", "array"]


@dataclass(frozen=True)
class Credentials:
    """What the broker's gateway accepts. Defaults are fixed; env variables add one more value each."""

    bearer_tokens: frozenset[str]  # the sandbox's tokens: valid for every test user
    basic: frozenset[tuple[str, str]]  # (apikey, secret)
    com_ids: frozenset[str]  # b2b 'comId' header
    member_keys: frozenset[str]
    # C17: tokens issued once and expired since; tokens issued to one user (token, user id)
    expired_tokens: frozenset[str] = frozenset()
    user_tokens: frozenset[tuple[str, str]] = frozenset()

    def token_user(self, token: str) -> str | None:
        """The user a token was issued to; None for a sandbox token (any user) or an unknown one."""
        return next((user for issued, user in self.user_tokens if issued == token), None)

    def issued(self, token: str) -> bool:
        return token in self.bearer_tokens or token in self.expired_tokens or self.token_user(token) is not None


NO_CREDENTIALS = Credentials(frozenset(), frozenset(), frozenset(), frozenset())
# The user each broker issued its "other user" token to: one with accounts there, none of them the
# profile's (profiles/<broker>.yaml auth.other_user_bearer_token)
OTHER_USER = {"diamond": "pannpann", "cyber": "jeeae", "star": "jaerang"}
# How a broker refuses a token it will not honour (C17, section 6: 401/403 or a named code):
# "common" 401 op-auth body, "gateway" 401 {"message"}, "forbidden" 403 code 2100
TokenRefusal = Literal["common", "gateway", "forbidden"]


@dataclass(frozen=True)
class BrokerConfig:
    short_name: str
    code: str
    name: str
    category: str  # error-body category for the broker's own (business) errors
    all_query: bool
    rsp_types: tuple[str, ...]
    holds_derivatives: bool  # FUT/OPT/ELW inside the comprehensive account's EQTY group
    separate_groups: tuple[str, ...]  # product groups held outside the comprehensive account
    interest_query_type: bool
    default_page_size: int
    max_page_size: int  # the broker need not fill count: it never sends more than this
    page_keys: Literal["offset", "numeric", "base64"]
    null_style: dict[NullKind, NullForm]
    number_style: Literal["sample", "compact", "java"]
    max_range_days: int  # transaction / tradebook date range
    unknown_account_code: int  # 4001 or 3012
    trade_split: Literal["split", "sum", "nrm"]  # balance tradeType style
    cash_isin: str | None  # isinCode of cash movements in the transaction list (None = no value)
    echo_today_for_empty_order_date: bool
    content_type: str
    rate_headers: Literal["current", "old", "none"]
    seed: int
    token_refusal: TokenRefusal = "common"
    credentials: Credentials = field(default_factory=lambda: NO_CREDENTIALS, compare=False)


def _credentials(short: str) -> Credentials:
    """The fixed defaults plus whatever the per-broker environment variables say (profiles use both)."""
    env = os.environ
    prefix = f"KOSCOM_{short.upper()}_"
    bearer = {f"{short}-token"}
    apikey, secret = f"{short}-apikey", f"{short}-secret"
    basic = {(apikey, secret)}
    if env.get(prefix + "APIKEY") or env.get(prefix + "SECRET"):
        basic.add((env.get(prefix + "APIKEY", apikey), env.get(prefix + "SECRET", secret)))
    com_ids = {"00995"}
    members = {f"{short}-member-key"}
    expired = {f"{short}-expired-token"}
    other = {f"{short}-other-user-token"}
    for target, name in ((bearer, "BEARER"), (com_ids, "COMID"), (members, "MEMBER_KEY"),
                         (expired, "EXPIRED_BEARER"), (other, "OTHER_BEARER")):
        if env.get(prefix + name):
            target.add(env[prefix + name])
    users = frozenset((token, OTHER_USER[short]) for token in other)
    return Credentials(frozenset(bearer), frozenset(basic), frozenset(com_ids), frozenset(members),
                       frozenset(expired), users)


_BROKERS: dict[str, BrokerConfig] = {
    "diamond": BrokerConfig(
        short_name="diamond", code="00992", name="Diamond Securities", category="Diamond",
        all_query=True, rsp_types=("RAT", "QTY"), holds_derivatives=True, separate_groups=(),
        interest_query_type=False, default_page_size=50, max_page_size=1000, page_keys="offset",
        null_style={"string": "null", "number": "null", "object": "null", "array": "null"},
        number_style="sample", max_range_days=366, unknown_account_code=4001, trade_split="split",
        cash_isin="CASH", echo_today_for_empty_order_date=True,
        content_type="application/json; charset=utf-8", rate_headers="current", seed=992,
    ),
    "cyber": BrokerConfig(
        short_name="cyber", code="00991", name="Cyber Securities", category="Cyber",
        all_query=False, rsp_types=("RAT",), holds_derivatives=False, separate_groups=("derivatives",),
        interest_query_type=False, default_page_size=5, max_page_size=5, page_keys="numeric",
        null_style={"string": "empty", "number": "absent", "object": "absent", "array": "absent"},
        number_style="compact", max_range_days=92, unknown_account_code=3012, trade_split="sum",
        cash_isin=None, echo_today_for_empty_order_date=False,
        content_type="application/json;charset=UTF-8", rate_headers="none", seed=991, token_refusal="gateway",
    ),
    "star": BrokerConfig(
        short_name="star", code="00993", name="Star Securities", category="Star",
        all_query=True, rsp_types=("RAT", "QTY"), holds_derivatives=False, separate_groups=(),
        interest_query_type=True, default_page_size=20, max_page_size=100, page_keys="base64",
        null_style={"string": "string", "number": "absent", "object": "absent", "array": "absent"},
        number_style="java", max_range_days=366, unknown_account_code=4001, trade_split="nrm",
        cash_isin=None, echo_today_for_empty_order_date=False,
        content_type="Application/json; charset=utf-8", rate_headers="old", seed=993, token_refusal="forbidden",
    ),
}

BROKER_NAMES: tuple[str, ...] = tuple(_BROKERS)


def base_broker(short_name: str) -> BrokerConfig:
    """The broker's fixed configuration (no credentials): what its data and behaviour derive from."""
    return _BROKERS[short_name]


def get_broker(short_name: str) -> BrokerConfig:
    """The broker's configuration with its credentials read now (so env overrides apply)."""
    try:
        base = _BROKERS[short_name.lower()]
    except KeyError:
        raise KeyError(f"unknown broker {short_name!r} (choose from {', '.join(BROKER_NAMES)})") from None
    return replace(base, credentials=_credentials(base.short_name))
