"""Faults in how a request is understood: parsing, auth, identity, product groups, paging, filters,
membership."""

from __future__ import annotations

import dataclasses
from typing import Any

from conformance.reference import b2b_data, data
from conformance.reference.behaviour import Behaviour, GroupPlan
from conformance.reference.context import Call
from conformance.reference.errors import ApiError, api_error
from conformance.reference.faultkit import fault
from conformance.reference.inbound import SPECS
from conformance.reference.paging import Page
from conformance.reference.values import MISSING, is_no_value

# --- request parsing ----------------------------------------------------------------------------


@fault("rejects-empty-strings", "NULL-001 NULL-003 ERR-001",
       "Optional request fields sent as \"\" (isinCode, side, qrIsinCode, ...) are refused with 7000.")
def rejects_empty_strings(b: Behaviour) -> None:
    def inspect(call: Call) -> None:
        for name, value in call.query.query.items():
            if value == "":
                raise api_error(7000, call.broker.category, f"{name} must not be empty")

    b.inspectors.append(inspect)


@fault("rejects-null-page", "NULL-003 NULL-001",
       "First-page keys null, \"\" or absent are refused with 6003; only \"null\" works.")
def rejects_null_page(b: Behaviour) -> None:
    def inspect(call: Call) -> None:
        if "page" in SPECS[call.api].fields and call.api != "interest":
            page = call.query.query.get("page", MISSING)
            if is_no_value(page) and page != "null":
                raise api_error(6003, call.broker.category, "page must be \"null\" on the first request")

    b.inspectors.append(inspect)


@fault("rejects-unused-fields", "NULL-004",
       "Requests carrying a non-empty reqIdPlatform, accInfo.realAccNo or certDn are refused with 7000.")
def rejects_unused_fields(b: Behaviour) -> None:
    def inspect(call: Call) -> None:
        q = call.query
        if not is_no_value(q.header.get("reqIdPlatform")) or "realAccNo" in q.acc or "certDn" in q.header:
            raise api_error(7000, call.broker.category, "unexpected field in the request")

    b.inspectors.append(inspect)


@fault("strict-request-parser", "NUM-004 NULL-003 AUTH-007",
       "A strict parser refuses count written 10.0 or 1.0E1, page null, the scheme word \"basic\" and the "
       "media type \"Application/JSON\".")
def strict_request_parser(b: Behaviour) -> None:
    def inspect(call: Call) -> None:
        query = call.query.query
        if isinstance(query.get("count"), float):
            raise api_error(7000, call.broker.category, "count must be an integer")
        if "page" in query and query["page"] is None:
            raise api_error(6003, call.broker.category, "page must be a string")

    b.inspectors.append(inspect)
    b.scheme_ok = lambda sent, wanted: sent == wanted
    b.media_type_ok = lambda value: value.split(";", 1)[0].strip() == "application/json"


# --- auth and identity --------------------------------------------------------------------------

def _skip_auth(b: Behaviour, family: str) -> None:
    authenticate = b.authenticate

    def check(call: Call) -> None:
        if call.family != family:
            authenticate(call)

    b.authenticate = check


# Not checking the token also serves an account to another user's token (AUTH-006, C17).
@fault("no-auth-account", "AUTH-001 AUTH-002 AUTH-006", "The bearer token of account APIs is not checked.")
def no_auth_account(b: Behaviour) -> None:
    _skip_auth(b, "account")


@fault("expired-token-accepted", "AUTH-002", "An expired access token is still accepted on the account APIs.")
def expired_token_accepted(b: Behaviour) -> None:
    b.token_expired = lambda call, token: False


@fault("token-user-ignored", "AUTH-006",
       "The account APIs match the request's CI to the account, not the user the access token was issued to.")
def token_user_ignored(b: Behaviour) -> None:
    b.token_check = lambda call, account: None


@fault("no-auth-b2b", "AUTH-003 AUTH-004",
       "Basic credentials and the comId header of b2b APIs are not checked.")
def no_auth_b2b(b: Behaviour) -> None:
    _skip_auth(b, "b2b")


@fault("no-auth-member", "AUTH-005", "The apikey of member APIs is not checked.")
def no_auth_member(b: Behaviour) -> None:
    _skip_auth(b, "member")


@fault("ci-not-checked", "AUTH-006", "Accounts are served to whatever CI asks for them.")
def ci_not_checked(b: Behaviour) -> None:
    def resolve(call: Call) -> data.Account:
        account = data.load_account(b.broker, call.query.vt_acc_no.strip())
        if account is None:
            raise api_error(b.broker.unknown_account_code, b.broker.category, "unknown vtAccNo")
        return account

    b.resolve_account = resolve


@fault("unknown-account-empty", "ERR-004", "An unknown vtAccNo or qrAccNo is answered 200 with empty data.")
def unknown_account_empty(b: Behaviour) -> None:
    resolve_account, resolve_b2b = b.resolve_account, b.resolve_b2b

    def account(call: Call) -> data.Account:
        try:
            return resolve_account(call)
        except ApiError as err:
            if err.code not in (4001, 3012):
                raise
            spec = data.AccountSpec(call.query.vt_acc_no, "", "", "small", None)
            return data.Account(spec, call.query.ci, 0.0, [], [], [],
                                {"substitute": 0.0, "subsMargin": 0.0, "receivable": 0.0, "loanCredit": 0.0})

    def b2b(call: Call, acc_no: str) -> b2b_data.B2BAccount:
        try:
            return resolve_b2b(call, acc_no)
        except ApiError as err:
            if err.code != 4001:
                raise
            return b2b_data.B2BAccount(acc_no, "", "", "0", acc_no, ("00000000", "00000000"))

    b.resolve_account, b.resolve_b2b = account, b2b


# --- product groups -------------------------------------------------------------------------------

def _wrap_groups(b: Behaviour, replace: dict[str, Any]) -> None:
    """Answer some asset types differently: a GroupPlan, or an exception to raise."""
    select = b.select_groups

    def plan(call: Call, asset_type: str | None) -> GroupPlan:
        if asset_type in replace:
            outcome = replace[asset_type](call)
            if isinstance(outcome, Exception):
                raise outcome
            return outcome  # type: ignore[no-any-return]
        return select(call, asset_type)

    b.select_groups = plan


@fault("all-partial", "ALL-002 ALL-004",
       "assetType ALL is answered with the EQTY group only (success, no error).")
def all_partial(b: Behaviour) -> None:
    _wrap_groups(b, {"ALL": lambda call: GroupPlan(["EQTY"], paged=False)})


@fault("all-paged", "ALL-003 ALL-002", "assetType ALL is answered page by page (count and a next-page key apply).")
def all_paged(b: Behaviour) -> None:
    _wrap_groups(b, {"ALL": lambda call: GroupPlan(list(data.GROUPS), paged=True)})


@fault("all-refused", "ALL-001 ALL-005", "assetType ALL is refused with 6001 although the profile claims it.")
def all_refused(b: Behaviour) -> None:
    _wrap_groups(b, {"ALL": lambda call: api_error(6001, call.broker.category, "ALL is not supported")})


@fault("group-leak", "GRP-002", "Per-group queries return the other groups' lists too.")
def group_leak(b: Behaviour) -> None:
    _wrap_groups(b, {g: (lambda call: GroupPlan(list(data.GROUPS), paged=True)) for g in data.GROUPS})


@fault("group-refused", "GRP-001", "The per-group ETC query is refused with 6001.")
def group_refused(b: Behaviour) -> None:
    _wrap_groups(b, {"ETC": lambda call: api_error(6001, call.broker.category, "ETC is not supported")})


@fault("drops-fund-group", "GRP-004",
       "FUND answers success with an empty fundList although funds are held (ALL too).")
def drops_fund_group(b: Behaviour) -> None:
    holdings = b.group_holdings
    b.group_holdings = lambda account, group: [] if group == "FUND" else holdings(account, group)


@fault("derivatives-in-etc", "SCHEMA-004 GRP-003",
       "Futures and options are listed in etcList with assetType FUT/OPT instead of in equityList.")
def derivatives_in_etc(b: Behaviour) -> None:
    holdings = b.group_holdings
    moved = ("FUT", "OPT")

    def regroup(account: data.Account, group: str) -> list[data.Holding]:
        if group == "EQTY":
            return [h for h in holdings(account, "EQTY") if h.kind not in moved]
        if group == "ETC":
            extra = [dataclasses.replace(h, group="ETC")
                     for h in holdings(account, "EQTY") if h.kind in moved]
            return holdings(account, "ETC") + extra
        return holdings(account, group)

    b.group_holdings = regroup


@fault("b2b-group-refused", "GRP-005", "The b2b APIs refuse qrAssetType FUND and ETC with 6001.")
def b2b_group_refused(b: Behaviour) -> None:
    groups = b.b2b_groups

    def plan(call: Call, asset_type: str | None) -> list[str]:
        if asset_type in ("FUND", "ETC"):
            raise api_error(6001, call.broker.category, f"qrAssetType {asset_type} is not supported")
        return groups(call, asset_type)

    b.b2b_groups = plan


# --- paging ---------------------------------------------------------------------------------------

@fault("page-overflow", "PAGE-001", "count is ignored: every response carries all items.")
def page_overflow(b: Behaviour) -> None:
    b.pager.size = lambda count, total: total


@fault("page-repeats", "PAGE-002 PAGE-005 PAGE-003", "Each next page starts with the last item of the previous page.")
def page_repeats(b: Behaviour) -> None:
    start = b.pager.start
    b.pager.start = lambda key, scope, total: max(0, start(key, scope, total) - 1)


@fault("page-drops", "PAGE-002 PAGE-005", "One item is lost between pages.")
def page_drops(b: Behaviour) -> None:
    next_key = b.pager.next_key
    b.pager.next_key = lambda end, total, scope: next_key(end + 1, total, scope)


@fault("page-repeats-deep", "PAGE-002 PAGE-005",
       "From the fifth page of a chain on, each page starts with the last item of the page before (a cursor "
       "that slips once the offset passes four pages); the first four pages are right.")
def page_repeats_deep(b: Behaviour) -> None:
    pager = b.pager

    def page(items: list[Any], count: int | None, key: str | None, scope: str) -> Page:
        size = pager.size(count, len(items))
        begin = 0 if key is None else pager.start(key, scope, len(items))
        if size > 1 and begin // size >= 4:  # page 5 and after (size 1 would never move on)
            begin -= 1
        chunk = items[begin:begin + size]
        return Page(chunk, len(items), size, pager.next_key(begin + len(chunk), len(items), scope))

    pager.page = page  # type: ignore[method-assign]


@fault("page-endless", "PAGE-003", "The last page returns a next key pointing back to the first page.")
def page_endless(b: Behaviour) -> None:
    pager = b.pager
    next_key = pager.next_key

    def endless(end: int, total: int, scope: str) -> str | None:
        key = next_key(end, total, scope)
        return pager.encode(0, scope) if key is None and total else key

    pager.next_key = endless


@fault("page-key-ignored", "PAGE-006 PAGE-003",
       "Page keys are ignored (always the first page, the same next key); invented keys are accepted.")
def page_key_ignored(b: Behaviour) -> None:
    b.pager.start = lambda key, scope, total: 0


@fault("count-zero-refused", "PAGE-007", "count 0 is refused with 7000 instead of letting the broker choose.")
def count_zero_refused(b: Behaviour) -> None:
    pager = b.pager
    size = pager.size

    def refuse(count: int | None, total: int) -> int:
        if count == 0:
            raise api_error(7000, pager.broker.category, "count must be 1 or more")
        return size(count, total)

    pager.size = refuse


# --- filters --------------------------------------------------------------------------------------

@fault("date-filter-ignored", "FLT-001",
       "transaction and tradebook return items outside the requested dates.")
def date_filter_ignored(b: Behaviour) -> None:
    b.in_range = lambda day, lo, hi: True


@fault("isin-filter-ignored", "FLT-002 FLT-007",
       "isinCode / qrIsinCode filters are ignored, unknown codes too.")
def isin_filter_ignored(b: Behaviour) -> None:
    b.isin_match = lambda codes, wanted: True


@fault("side-filter-ignored", "FLT-003 FLT-006",
       "The side filter is ignored; an invalid side is answered with data.")
def side_filter_ignored(b: Behaviour) -> None:
    b.side_match = lambda kind, side: True
    b.side_check = lambda call, side: None


@fault("sellbuy-filter-ignored", "FLT-004",
       "qrSellBuyType is ignored: sells and buys come back whatever was asked.")
def sellbuy_filter_ignored(b: Behaviour) -> None:
    b.sellbuy_match = lambda value, wanted: True


@fault("order-filter-ignored", "FLT-005",
       "qrOrderDate and qrOrderNo are ignored: all dates and orders come back.")
def order_filter_ignored(b: Behaviour) -> None:
    b.order_date_match = lambda day, wanted: True
    b.order_no_match = lambda no, wanted: True


@fault("date-range-crash", "FLT-008",
       "An over-long date range is answered with 500 code 3999 \"Unknown error\".")
def date_range_crash(b: Behaviour) -> None:
    check = b.range_check

    def crash(call: Call, lo: str, hi: str) -> None:
        try:
            check(call, lo, hi)
        except ApiError as err:
            if err.code == 6006:
                raise api_error(3999, "op-exco", "ORA-01839: date not valid for month specified") from None
            raise

    b.range_check = crash


# --- membership -----------------------------------------------------------------------------------

@fault("member-wrong-result", "LINK-001 LINK-006", "member-register answers nonMember for members.")
def member_wrong_result(b: Behaviour) -> None:
    b.member_status = lambda user: ("nonMember", None)


@fault("register-everyone-member", "LINK-005", "member-register answers member for an unknown CI.")
def register_everyone_member(b: Behaviour) -> None:
    status = b.member_status
    b.member_status = lambda user: status(user) if user else ("member", "20301231")


@fault("consent-dead-accounts", "LINK-002", "member-consent lists a vtAccNo the account APIs do not know.")
def consent_dead_accounts(b: Behaviour) -> None:
    accounts = b.consent_accounts
    b.consent_accounts = lambda user: accounts(user) + ([(b.broker.short_name, "160699999999900099")]
                                                        if accounts(user) else [])


@fault("consent-leaks", "LINK-003 LINK-002 LINK-007",
       "member-consent ignores the caller's CI and lists every user's linked accounts (unknown CIs too).")
def consent_leaks(b: Behaviour) -> None:
    accounts = b.consent_accounts
    b.consent_accounts = lambda user: [a for member in data.MEMBERS for a in accounts(member)]

