"""The pluggable decisions of a broker, with the clean (conforming) defaults.

Handlers ask a `Behaviour` instead of deciding themselves: which account a request may see, which
product groups an asset type means, whether an item passes a filter, how to page. A fault replaces
one of these callables (or appends to the hook lists), so the handlers carry no fault branches.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from conformance.reference import auth, b2b_data, data
from conformance.reference.brokers import BrokerConfig
from conformance.reference.context import Call, Reply
from conformance.reference.errors import api_error
from conformance.reference.paging import Pager
from conformance.reference.values import NoValue

SIDES = ("BID", "ASK", "DEP", "WID", "ALL")
SELL_BUY = ("0", "1", "2")


@dataclass
class GroupPlan:
    shown: list[str]  # product groups whose lists the response carries
    paged: bool  # False: everything in one message (ALL, C11)


class Behaviour:
    def __init__(self, broker: BrokerConfig) -> None:
        self.broker = broker
        self.pager = Pager(broker)
        # hook lists: request inspectors (after parsing), response-tree and wire-level rewriters
        self.inspectors: list[Callable[[Call], None]] = []
        self.tree_transforms: list[Callable[[dict[str, Any], Call], dict[str, Any]]] = []
        self.reply_transforms: list[Callable[[Reply, Call], Reply]] = []
        # rendering
        self.number_style: str = broker.number_style
        self.rounding: dict[str, int] = {"earningRate": 2}
        self.no_value_literal: Callable[[NoValue, str], str | None] | None = None
        self.delay_s: Callable[[Call], float] = lambda call: 0.0
        # built list items per (api, variant, account, group): data and decisions are fixed per app
        self.memo: dict[tuple[str, ...], list[Any]] = {}
        # gateway
        self.media_type_ok: Callable[[str], bool] = auth.media_type_is_json
        self.scheme_ok: auth.SchemeCheck = auth.scheme_matches
        self.authenticate: Callable[[Call], None] = self._authenticate
        self.token_expired: auth.TokenCheck = auth.token_expired  # C17: an expired token is refused
        # identity
        self.resolve_account: Callable[[Call], data.Account] = self._resolve_account
        self.resolve_b2b: Callable[[Call, str], b2b_data.B2BAccount] = self._resolve_b2b
        # product groups
        self.select_groups: Callable[[Call, str | None], GroupPlan] = self._select_groups
        self.group_holdings: Callable[[data.Account, str], list[data.Holding]] = _group_holdings
        self.b2b_groups: Callable[[Call, str | None], list[str]] = self._b2b_groups
        # filters
        self.range_check: Callable[[Call, str, str], None] = self._range_check
        self.in_range: Callable[[str, str, str], bool] = lambda day, lo, hi: lo <= day <= hi
        self.isin_match: Callable[[Sequence[str], str | None], bool] = _isin_match
        self.side_check: Callable[[Call, str | None], None] = self._side_check
        self.side_match: Callable[[str, str | None], bool] = lambda kind, side: side in (None, "ALL") \
            or kind == side
        self.sellbuy_match: Callable[[str, str], bool] = lambda value, wanted: wanted in ("0", value)
        self.order_date_match: Callable[[str, str], bool] = lambda day, wanted: day == wanted
        self.order_no_match: Callable[[str, str | None], bool] = lambda no, wanted: wanted in (None, no)
        # members
        self.member_status: Callable[[str | None], tuple[str, str | None]] = _member_status
        self.consent_accounts: Callable[[str | None], list[tuple[str, str]]] = _consent_accounts
        # onboarding (C21, C26): is a listed account linked to the asking service; may the account
        # APIs serve it (raise to refuse)
        self.listed_for_service: Callable[[Call, str, str], bool] = _listed_for_service
        self.token_check: Callable[[Call, data.Account], None] = self._token_check
        self.link_check: Callable[[Call, data.Account], None] = self._link_check
        self.consent_check: Callable[[Call, data.Account], None] = self._consent_check

    # --- defaults ------------------------------------------------------------------------------
    def _authenticate(self, call: Call) -> None:
        if call.family == "account":
            auth.check_account(call, self.scheme_ok, self.token_expired)
        else:
            auth.CHECKS[call.family](call, self.scheme_ok)

    def _resolve_account(self, call: Call) -> data.Account:
        """C17/C21: the CI must exist and own the virtual account."""
        user = data.user_by_ci(call.query.ci)
        if user is None:
            raise api_error(4004, self.broker.category, "no user with this CI")
        account = data.load_account(self.broker, call.query.vt_acc_no.strip())
        if account is None:
            raise api_error(self.broker.unknown_account_code, self.broker.category, "unknown vtAccNo")
        if account.spec.owner != user:
            raise api_error(4003, self.broker.category, "the account belongs to another CI")
        self.token_check(call, account)
        self.link_check(call, account)
        self.consent_check(call, account)
        return account

    def _token_check(self, call: Call, account: data.Account) -> None:
        """C17: a token issued to one user opens that user's accounts only (the body's CI is the
        caller's word; the token is the platform's)."""
        user = call.notes.get("token_user")
        if user is not None and user != account.spec.owner:
            if self.broker.token_refusal == "common":  # the broker's own code for the mismatch
                raise api_error(4003, self.broker.category, "the access token was issued to another user")
            raise auth.refuse_token(call, "the access token was issued to another user")

    def _link_check(self, call: Call, account: data.Account) -> None:
        """C21: only an account linked to the asking fintech service (partner.srvId) is served."""
        if not data.linked_to(account.spec, str(call.query.partner.get("srvId") or "")):
            raise api_error(4006, self.broker.category, "the account is not linked to this service")

    def _consent_check(self, call: Call, account: data.Account) -> None:
        """C26: after the user's consent for the service expired, the account service stops."""
        if data.consent_expired(account.spec.owner, call.today):
            raise api_error(4006, self.broker.category, "the consent for this service has expired")

    def _resolve_b2b(self, call: Call, acc_no: str) -> b2b_data.B2BAccount:
        account = b2b_data.find_b2b_account(self.broker.short_name, acc_no)
        if account is None:
            raise api_error(4001, self.broker.category, "not a discretionary account of this institution")
        return account

    def _select_groups(self, call: Call, asset_type: str | None) -> GroupPlan:
        if asset_type == "ALL" and self.broker.all_query:
            return GroupPlan(list(data.GROUPS), paged=False)
        if asset_type in data.GROUPS:
            return GroupPlan([asset_type], paged=True)
        detail = "ALL is not supported; query each product group" if asset_type == "ALL" else \
            f"assetType {asset_type!r} (CASH, EQTY, FUND, ETC{', ALL' if self.broker.all_query else ''})"
        raise api_error(6001, self.broker.category, detail)

    def _b2b_groups(self, call: Call, asset_type: str | None) -> list[str]:
        if asset_type is None:
            return ["EQTY", "FUND", "ETC"]
        if asset_type in ("EQTY", "FUND", "ETC"):
            return [asset_type]
        raise api_error(6001, self.broker.category, f"qrAssetType {asset_type!r} (EQTY, FUND, ETC)")

    def _range_check(self, call: Call, lo: str, hi: str) -> None:
        if lo > hi:
            raise api_error(7000, self.broker.category, "the start date is after the end date")
        days = (data.parse_date(hi) - data.parse_date(lo)).days + 1
        if days > self.broker.max_range_days:
            raise api_error(6006, self.broker.category, f"{self.broker.max_range_days} days")

    def _side_check(self, call: Call, side: str | None) -> None:
        if side is not None and side not in SIDES:
            raise api_error(6008, self.broker.category, f"side {side!r} (BID, ASK, DEP, WID, ALL)")

    def default_from(self, to: str) -> str:
        return (data.parse_date(to) - timedelta(days=self.broker.max_range_days - 1)).strftime("%Y%m%d")


def _group_holdings(account: data.Account, group: str) -> list[data.Holding]:
    return account.group(group)


def _isin_match(codes: Sequence[str], wanted: str | None) -> bool:
    return wanted is None or wanted in codes


def _member_status(user: str | None) -> tuple[str, str | None]:
    if user in data.MEMBERS:
        return "member", data.MEMBERS[user][0]
    return "nonMember", None


def _listed_for_service(call: Call, broker: str, vt_acc_no: str) -> bool:
    spec = data.find_spec(broker, vt_acc_no)
    return spec is None or data.linked_to(spec, str(call.query.partner.get("srvId") or ""))


def _consent_accounts(user: str | None) -> list[tuple[str, str]]:
    """(broker short name, vtAccNo) of the accounts the user issued; member-consent keeps those
    `listed_for_service` (linked to the asking service)."""
    if user not in data.MEMBERS:
        return []
    return [(broker, spec.vt_acc_no) for broker, spec in data.linked_accounts(user)]
