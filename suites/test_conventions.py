"""Conventions that had no rule before issue 13: C2 (short name and code), C22 (devInfo), C23
(partner codes), C27 (the query window, noted), C28 (interest queryType), C29 (rspTypes), C31
(currency suffix), C33 (onboarding, noted). Kept apart from the area files the other suites own."""

from __future__ import annotations

import pytest

from conformance import checking as ck
from conformance import clock
from conformance.contract import API_IDS, get_api
from conformance.contract.window import in_closed_hours, seoul_time
from conformance.profile import Profile

ACCOUNT_APIS = [a for a in API_IDS if get_api(a).family == "account"]
# C2: the broker table of the account pages and the sandbox's virtual brokers (section 4).
BROKER_CODES = {
    "shinhan": "00002", "daishin": "00004", "eugene": "00008", "hanyang": "00009", "meritz": "00010",
    "nhinvest": "00012", "kbinvest": "00017", "yuanta": "00024", "sk": "00025", "samsung": "00030",
    "dongbu": "00031", "hi": "00046", "miraeassetdaewoo": "00049", "kiwoom": "00050", "ebest": "00063",
    "koreaasset": "00064",
}
VIRTUAL_BROKERS = {"cyber": "00991", "diamond": "00992", "star": "00993"}
# C22: device information other than a PC's 12 digits and 12 hex characters, all legal.
DEVICE_FORMS = {
    "empty": {"ipAddr": "", "macAddr": ""},
    "mobile": {"ipAddr": "0101234567", "macAddr": "3F2504E0-4F89-11D3-9A0C-0305E82C3301"},
}
# C23: valid-looking codes of another fintech service (5 and up to 20 characters).
OTHER_PARTNER = {"comId": "F1234", "srvId": "12345"}


def broker_pair_problem(profile: Profile) -> str | None:
    """Why the profile's short name/code pair is not one of C2's tables, or None (TRN-007)."""
    name = profile.short_name.lower()
    known = {**BROKER_CODES, **VIRTUAL_BROKERS}
    if name not in known:
        return f"the short name {profile.short_name!r} is in neither the C2 table nor the virtual-broker table"
    if profile.code and profile.code != known[name]:
        return f"{profile.short_name!r} has the company code {known[name]} in C2, the profile says {profile.code}"
    return None


def is_virtual_broker(profile: Profile) -> bool:
    return profile.short_name.lower() in VIRTUAL_BROKERS


@pytest.mark.rule("TRN-007")
def test_broker_pair_is_known(client, record_property):
    """INFO: judged on the profile alone; a pair C2 does not list is noted, never a failure."""
    problem = broker_pair_problem(client.profile)
    if problem:
        ck.violate("TRN-007", problem + " (C2 dates from 2018; an unlisted pair may be correct)")
    ck.note(record_property, f"{client.profile.short_name} {client.profile.code or '(no code)'} is a C2 pair")


@pytest.mark.rule("NULL-006")
@pytest.mark.parametrize("form", sorted(DEVICE_FORMS))
@pytest.mark.parametrize("api", ACCOUNT_APIS)
def test_any_device_information_accepted(api, form, client):
    ck.claimed(client.profile, api)
    body = client.body(api, account=ck.first_account(client.profile))
    body["devInfo"] = dict(DEVICE_FORMS[form])
    exchange = client.call(api, purpose=f"{api} with devInfo {form}", body=body)
    ck.must_succeed("NULL-006", exchange, api, f"devInfo in the {form} form ({DEVICE_FORMS[form]})",
                    baseline=client)


@pytest.mark.rule("AUTH-008")
@pytest.mark.parametrize("api", ACCOUNT_APIS)
def test_other_partner_codes_accepted(api, client):
    ck.claimed(client.profile, api)
    if not is_virtual_broker(client.profile):
        ck.not_applicable("partner codes are validated by production brokers; C23 frees the virtual brokers only")
    body = client.body(api, account=ck.first_account(client.profile))
    body["partner"] = dict(OTHER_PARTNER)
    exchange = client.call(api, purpose=f"{api} with another service's partner codes", body=body)
    ck.must_succeed("AUTH-008", exchange, api, f"partner {OTHER_PARTNER}", baseline=client)


def window_note(at_text: str | None = None) -> str:
    """What ERR-009 notes about the instant (the run's clock unless given)."""
    at = clock.parse_instant(at_text) if at_text else clock.now()
    local = seoul_time(at).strftime("%H:%M")
    if in_closed_hours(at):
        return (f"the run fell at {local} Seoul time, inside 08:30-16:00: balancelist and settlelist may "
                "refuse (C27); such refusals are not applicable, see results.json query_window")
    return f"the run fell at {local} Seoul time, outside 08:30-16:00: balancelist and settlelist must answer"


@pytest.mark.rule("ERR-009")
def test_query_window_is_noted(client, record_property):
    """INFO that cannot fail: the verdicts of C27 are the verdict layer's; this says when the run was."""
    ck.note(record_property, window_note())


@pytest.mark.rule("FLT-009")
def test_interest_query_type_ignored_by_non_claimers(client):
    profile = client.profile
    ck.claimed(profile, "interest")
    if profile.interest_query_type:
        ck.not_applicable("the profile claims the interest queryType; its paging is judged by the paging area")
    exchange = ck.ask(client, "interest", "interest with a filled queryType block",
                      query={"count": 1, "page": "null"})
    ck.must_succeed("FLT-009", exchange, "interest", "a queryType block asking count 1", baseline=client)


def _non_numbers(doc: object) -> list[tuple[str, object]]:
    return [(path, value) for path, value in ck.iter_doc_strings(doc)
            if path.rsplit(".", 1)[-1] in ("qty", "amt") and path.startswith("portfolioList")
            and not (isinstance(value, (int, float)) and not isinstance(value, bool))
            and value not in (None, "", "null")]


@pytest.mark.rule("NUM-005")
@pytest.mark.parametrize("rsp_type", ["RAT", "QTY"])
def test_claimed_rsp_types_answered(rsp_type, client):
    profile = client.profile
    ck.claimed(profile, "portfolio")
    if rsp_type not in profile.rsp_types:
        ck.not_applicable(f"the profile does not claim rspType {rsp_type} (6002 is then a legal answer)")
    exchange = ck.ask(client, "portfolio", f"portfolio rspType {rsp_type}", query={"rspType": rsp_type})
    ck.must_succeed("NUM-005", exchange, "portfolio", f"rspType {rsp_type}, which the profile claims",
                    baseline=client)
    bad = _non_numbers(ck.answer(exchange, "portfolio", "NUM-005").doc)
    if bad:
        ck.violate("NUM-005", "; ".join(f"{p} = {v!r}" for p, v in bad[:10]) + " (not a JSON number)",
                   exchanges=[exchange], path=bad[0][0], api="portfolio")


@pytest.mark.rule("LINK-010")
def test_onboarding_is_noted(client, record_property):
    """INFO that cannot fail: C33 is contractual (licence, security review, broker approval)."""
    ck.note(record_property, "not testable by the checker (C33): order and b2b APIs need a discretionary-"
            "investment licence; account APIs a user institution, a security review and the broker's approval")


@pytest.mark.parametrize("api", ["balancelist"])
@pytest.mark.parametrize("rule_id", ck.rules("SCHEMA-009"))
def test_currency_codes(rule_id, api, client):
    ck.judge_messages(rule_id, api, client)


# C3 on every API: "" in each request field the checker has no value for, the fields the contract
# reads as required included (I1: "" satisfies a required request field). Paths into the body.
EMPTY_FIELDS: dict[str, dict[str, str]] = {
    "portfolio": {"portfolioRequestBody.queryType.rspType": "", "partner.srvId": ""},
    "balance": {"balanceRequestBody.queryType.rspType": "", "partner.srvId": ""},
    "transaction": {"transactionHistoryRequestBody.queryParams.isinCode": "",
                    "transactionHistoryRequestBody.queryParams.side": "", "partner.srvId": ""},
    "interest": {"interestSymbolListRequestBody.queryType.assetType": "",
                 "interestSymbolListRequestBody.queryType.rspType": "", "partner.srvId": ""},
    "orderdetail": {"orderDetailListRequestBody.queryParameter.qrOrderDate": "",
                    "orderDetailListRequestBody.queryParameter.qrIsinCode": "",
                    "orderDetailListRequestBody.queryParameter.qrOrderNo": "", "partner.srvId": ""},
    "balancelist": {"balanceListRequestBody.queryParameter.page": "", "partner.srvId": ""},
    "settlelist": {"settleListRequestBody.queryParameter.qrOrderDate": "",
                   "settleListRequestBody.queryParameter.qrIsinCode": "", "partner.srvId": ""},
    "accountlist": {"accountListRequestBody.queryParameter.page": "", "partner.srvId": ""},
    "tradebook": {"tradeBookListRequestBody.queryParameter.page": "", "partner.srvId": ""},
    "member-register": {"body.korName": "", "commonHeader.reqIdPlatform": "", "partner.srvId": ""},
    "member-consent": {"body.korName": "", "commonHeader.reqIdPlatform": "", "partner.srvId": ""},
}


def _set_path(body: dict[str, object], path: str, value: object) -> None:
    node = body
    *parents, last = path.split(".")
    for key in parents:
        child = node.setdefault(key, {})
        assert isinstance(child, dict), path
        node = child
    node[last] = value


@pytest.mark.rule("NULL-001")
@pytest.mark.parametrize("api", sorted(EMPTY_FIELDS))
def test_every_api_accepts_empty_strings(api, client):
    profile = client.profile
    ck.claimed(profile, api)
    spec = get_api(api)
    if spec.family == "member" and not profile.member_ci:
        ck.not_applicable("the profile has no member block (member.ci)")
    body = client.body(api, account=ck.first_account(profile) if spec.family == "account" else None,
                       b2b=ck.first_b2b(profile) if spec.family == "b2b" else None)
    for path, value in EMPTY_FIELDS[api].items():
        _set_path(body, path, value)
    exchange = client.call(api, purpose=f'{api} with "" in every field without value', body=body)
    ck.must_succeed("NULL-001", exchange, api, f'"" sent for {", ".join(EMPTY_FIELDS[api])}', baseline=client)


@pytest.mark.rule("TRN-008")
@pytest.mark.parametrize("method", ["GET", "PUT"])
@pytest.mark.parametrize("api", list(API_IDS))
def test_other_methods_refused_with_405(api, method, client):
    ck.claimed(client.profile, api)
    exchange = ck.ask(client, api, f"{api} asked with {method}", method=method)
    ck.require_answer(exchange, "TRN-008", api)
    if exchange.status != 405:
        ck.violate("TRN-008", f"{method} on the {api} path was answered HTTP {exchange.status}, not 405 (C1)",
                   exchanges=[exchange], api=api)


@pytest.mark.rule("AUTH-009")
@pytest.mark.parametrize("api", list(API_IDS))
def test_wrong_content_type_refused(api, client):
    ck.claimed(client.profile, api)
    exchange = ck.ask(client, api, f"{api} sent as text/plain", content_type="text/plain")
    ck.require_answer(exchange, "AUTH-009", api)
    if exchange.status not in (400, 415):
        ck.violate("AUTH-009", f"a JSON body labelled text/plain was answered HTTP {exchange.status}, "
                   "not 415 or 400 (C16)", exchanges=[exchange], api=api)


@pytest.mark.rule("NUM-003")
@pytest.mark.parametrize("api", ["portfolio"])
def test_ratio_quantities_have_two_decimals(api, client):
    """C30: the ratio `qty`/`amt` of rspType RAT carry at most two decimals, like earningRate."""
    profile = client.profile
    ck.claimed(profile, api)
    if "RAT" not in profile.rsp_types:
        ck.not_applicable("the profile does not claim rspType RAT")
    exchange = ck.ask(client, api, "portfolio rspType RAT", query={"rspType": "RAT"})
    if not ck.is_success(exchange, get_api(api)):
        ck.nothing_judged("NUM-003", client, api)
    doc = ck.answer(exchange, api, "NUM-003").doc
    bad = [(path, value) for path, value in ck.iter_doc_strings(doc)
           if path.startswith("portfolioList") and path.rsplit(".", 1)[-1] in ("qty", "amt")
           and isinstance(value, float) and round(value, 2) != value]
    if bad:
        ck.violate("NUM-003", "; ".join(f"{p} = {v}" for p, v in bad[:10]) + " (a ratio with more than 2 decimals)",
                   exchanges=[exchange], path=bad[0][0], api=api)
