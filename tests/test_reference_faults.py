"""The fault catalogue: valid rule ids, at least one MUST rule each (but for the named SHOULD-only
faults), and every fault really changes
what the broker answers (compared with the clean broker on a request chosen for it)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from typing import Any

import httpx
import pytest

from conformance.reference import FAULTS, create_app
from conformance.reference import examples as ex
from conformance.reference.instruments import USERS
from conformance.rules import load_rules

REQUIRED = """
missing-resp amounts-as-strings unknown-asset-kind dashed-dates table-spellings fixed-width-padding
upper-null empty-array-for-object rejects-empty-strings rejects-null-page rejects-unused-fields
echo-from-backend all-partial all-paged all-refused group-leak drops-fund-group group-refused
derivatives-in-etc b2b-group-refused page-overflow page-repeats page-drops page-endless
page-key-ignored count-zero-refused date-filter-ignored isin-filter-ignored side-filter-ignored
sellbuy-filter-ignored order-filter-ignored date-range-crash plain-big-numbers unrounded-rates
strict-request-parser http200-errors html-errors own-error-format unknown-account-empty
crash-on-malformed catch-all-route fuzz-crash no-auth-account no-auth-b2b no-auth-member
ci-not-checked member-wrong-result consent-dead-accounts consent-leaks consent-bad-dates
register-everyone-member content-type-lies euc-kr-bodies slow-responses redirects junk-rate-headers
member-needs-account consent-lists-unlinked consent-ignores-srvid serves-unlinked-accounts
serves-expired-consent devinfo-format-checked partner-codes-checked empty-partner-code-refused
interest-querytype-refused qty-rsptype-refused unrounded-ratios currency-suffix-wrong plain-billions
own-status-codes member-result-uppercase wrong-method-404 content-type-unchecked drops-derivatives
echo-numbers-as-text echo-dates-dashed sell-buy-letters own-trade-words capitalised-resp
empty-object-for-array unfilled-blocks-as-lists unitemised-fund-costs php-empty-echo
expired-token-accepted token-user-ignored
balancelist-pages-accounts interest-counts-as-text
b2b-group-ignored""".split()

JEONGA_DIAMOND = "181244129161700001"
# Requests that show a fault: name -> (api, query overrides, extra: headers mode / body / raw / path)
PROBES: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {
    "balance": ("balance", {}, {}),
    "balance-all": ("balance", {"assetType": "ALL"}, {}),
    "balance-fund": ("balance", {"assetType": "FUND"}, {}),
    "balance-etc": ("balance", {"assetType": "ETC"}, {}),
    "balance-page-2": ("balance", {"count": 5, "page": "P0000005"}, {}),
    "balance-page-4": ("balance", {"count": 5, "page": "P0000015"}, {}),
    "balance-page-5": ("balance", {"count": 5, "page": "P0000020"}, {}),
    "balance-one-page": ("balance", {"count": 1000}, {}),
    "balance-count-float": ("balance", {"count": 10.0}, {}),
    "balance-count-text": ("balance", {"count": "10"}, {}),
    "balance-null-page": ("balance", {"page": None}, {}),
    "balance-bad-asset": ("balance", {"assetType": "STOCK"}, {}),
    "balance-unknown-account": ("balance", {}, {"vt_acc_no": "160600000000000099"}),
    "balance-other-ci": ("balance", {}, {"vt_acc_no": JEONGA_DIAMOND}),
    "balance-no-auth": ("balance", {}, {"headers": "none"}),
    "balance-expired-token": ("balance", {}, {"headers": "expired"}),
    "balance-other-user-token": ("balance", {}, {"headers": "other-user"}),
    "malformed": ("balance", {}, {"raw": b"{bad json"}),
    "unknown-path": ("balance", {}, {"path": "/v1/diamond/account/nothing/search"}),
    "transaction": ("transaction", {}, {}),
    "transaction-window": ("transaction", {"fromDate": "20160301", "toDate": "20160310"}, {}),
    "transaction-unknown-isin": ("transaction", {"isinCode": "KR7999999999"}, {}),
    "transaction-bad-side": ("transaction", {"side": "BUY"}, {}),
    "transaction-long-range": ("transaction", {"fromDate": "20100101"}, {}),
    "transaction-unused-fields": ("transaction", {}, {"reqIdPlatform": "android"}),
    "orderdetail": ("orderdetail", {}, {}),
    "orderdetail-sells": ("orderdetail", {"qrSellBuyType": "1"}, {}),
    "balancelist-fund": ("balancelist", {"qrAssetType": "FUND"}, {}),
    "orderdetail-unknown-account": ("orderdetail", {"qrAccNo": "0019990000000"}, {}),
    "accountlist-no-auth": ("accountlist", {}, {"headers": "none"}),
    "register": ("member-register", {}, {}),
    "register-no-auth": ("member-register", {}, {"headers": "none"}),
    "register-stranger": ("member-register", {}, {"ci": "Tm9ib2R5" * 11}),
    "consent": ("member-consent", {}, {}),
    # the onboarding path (C21, C26): subjects of profiles/diamond.yaml `onboarding`
    "register-no-account": ("member-register", {}, {"ci": USERS["mhcha"][1]}),
    "balance-unlinked": ("balance", {}, {"vt_acc_no": "160635473367620099"}),
    "balance-expired": ("balance", {}, {"vt_acc_no": "160670000000100099", "ci": USERS["yuna"][1]}),
    # the conventions (issue 13): `set` overrides body fields by dotted path
    "balance-empty-devinfo": ("balance", {}, {"set": {"devInfo.ipAddr": "", "devInfo.macAddr": ""}}),
    "balance-other-partner": ("balance", {}, {"set": {"partner.comId": "F1234"}}),
    "balance-empty-srvid": ("balance", {}, {"set": {"partner.srvId": ""}}),
    "interest-counted": ("interest", {"count": 5}, {}),
    # C28: only star claims the interest queryType
    "interest-one-page": ("interest", {"count": 100}, {"broker": "star"}),
    "portfolio-qty": ("portfolio", {"rspType": "QTY"}, {}),
    "portfolio-unknown-rsptype": ("portfolio", {"rspType": "XYZ"}, {}),
    "portfolio-rat": ("portfolio", {"rspType": "RAT"}, {}),
    "balancelist": ("balancelist", {}, {}),
    "accountlist": ("accountlist", {}, {}),
    "balance-get": ("balance", {}, {"method": "GET"}),
    "balance-text-plain": ("balance", {}, {"content_type": "text/plain"}),
    "settlelist-fund": ("settlelist", {"qrAssetType": "FUND"}, {}),
    # paging of one API (issue 13); `broker` asks another virtual broker than diamond
    "balancelist-count-2": ("balancelist", {"count": 2}, {}),
    "interest-paged": ("interest", {"count": 2}, {"broker": "star"}),
}
SHOWN_BY: dict[str, list[str]] = {
    "missing-resp": ["balance"],
    "amounts-as-strings": ["balance", "balance-bad-asset"],
    "numeric-resp-code": ["balance"],
    "unknown-asset-kind": ["balance"],
    "dashed-dates": ["transaction"],
    "table-spellings": ["transaction"],
    "fixed-width-padding": ["balance"],
    "upper-null": ["balance"],
    "empty-array-for-object": ["balance"],
    "rejects-empty-strings": ["transaction"],
    "rejects-null-page": ["balance-null-page"],
    "rejects-unused-fields": ["transaction-unused-fields"],
    "echo-from-backend": ["balance"],
    "all-partial": ["balance-all"],
    "all-paged": ["balance-all"],
    "all-refused": ["balance-all"],
    "group-leak": ["balance"],
    "drops-fund-group": ["balance-fund"],
    "group-refused": ["balance-etc"],
    "derivatives-in-etc": ["balance"],
    "b2b-group-refused": ["balancelist-fund"],
    "b2b-group-ignored": ["balancelist-fund"],
    "page-overflow": ["balance-page-2"],
    "page-repeats": ["balance-page-2"],
    "page-repeats-deep": ["balance-page-5"],
    "page-drops": ["balance-page-2"],
    "page-endless": ["balance-one-page"],
    "page-key-ignored": ["balance-page-2"],
    "count-zero-refused": ["balance"],
    "date-filter-ignored": ["transaction-window"],
    "isin-filter-ignored": ["transaction-unknown-isin"],
    "side-filter-ignored": ["transaction-bad-side"],
    "sellbuy-filter-ignored": ["orderdetail-sells"],
    "order-filter-ignored": ["orderdetail"],
    "date-range-crash": ["transaction-long-range"],
    "plain-big-numbers": ["balance-etc"],
    "unrounded-rates": ["balance"],
    "strict-request-parser": ["balance-count-float", "balance-null-page"],
    "http200-errors": ["balance-bad-asset"],
    "html-errors": ["balance-bad-asset"],
    "own-error-format": ["balance-bad-asset"],
    "unknown-account-empty": ["balance-unknown-account", "orderdetail-unknown-account"],
    "crash-on-malformed": ["malformed"],
    "catch-all-route": ["unknown-path"],
    "fuzz-crash": ["balance-count-text"],
    "no-auth-account": ["balance-no-auth"],
    "expired-token-accepted": ["balance-expired-token"],
    "token-user-ignored": ["balance-other-user-token"],
    "no-auth-b2b": ["accountlist-no-auth"],
    "no-auth-member": ["register-no-auth"],
    "ci-not-checked": ["balance-other-ci"],
    "member-wrong-result": ["register"],
    "consent-dead-accounts": ["consent"],
    "consent-leaks": ["consent"],
    "consent-bad-dates": ["consent"],
    "register-everyone-member": ["register-stranger"],
    "content-type-lies": ["balance"],
    "euc-kr-bodies": ["balance"],
    "slow-responses": ["balance"],
    "redirects": ["balance"],
    "junk-rate-headers": ["balance"],
    "malformed-json": ["balance", "register", "consent"],
    "member-needs-account": ["register-no-account"],
    "consent-lists-unlinked": ["consent"],
    "consent-ignores-srvid": ["consent"],
    "serves-unlinked-accounts": ["balance-unlinked"],
    "serves-expired-consent": ["balance-expired"],
    "devinfo-format-checked": ["balance-empty-devinfo"],
    "partner-codes-checked": ["balance-other-partner"],
    "empty-partner-code-refused": ["balance-empty-srvid"],
    "interest-querytype-refused": ["interest-counted"],
    "interest-last-page-bare": ["interest-one-page"],
    "qty-rsptype-refused": ["portfolio-qty"],
    "rsptype-refused-7000": ["portfolio-unknown-rsptype"],
    "unrounded-ratios": ["portfolio-rat"],
    "currency-suffix-wrong": ["balancelist"],
    "plain-billions": ["transaction", "orderdetail"],
    "own-status-codes": ["accountlist", "orderdetail"],
    "member-result-uppercase": ["register"],
    "wrong-method-404": ["balance-get"],
    "content-type-unchecked": ["balance-text-plain"],
    "drops-derivatives": ["balance-all"],
    # issue 13 item 4 (faults_member.py)
    "member-python-none": ["register", "consent"],
    "member-own-keys": ["register", "consent"],
    "member-typed-values": ["register", "consent"],
    "member-timestamp-dates": ["register", "consent"],
    "euc-kr-label": ["register", "transaction"],
    "traced-resp-msg": ["transaction", "accountlist"],
    "redirects-moved-gateway": ["accountlist", "register", "consent"],
    "b2b-unknown-account-default": ["orderdetail-unknown-account"],
    "echo-numbers-as-text": ["transaction"],
    "echo-dates-dashed": ["transaction", "orderdetail"],
    "sell-buy-letters": ["orderdetail"],
    "own-trade-words": ["transaction", "balancelist"],
    "capitalised-resp": ["accountlist"],
    "empty-object-for-array": ["orderdetail"],
    "unfilled-blocks-as-lists": ["transaction"],
    "unitemised-fund-costs": ["settlelist-fund"],
    "php-empty-echo": ["accountlist"],
    "balancelist-pages-accounts": ["balancelist-count-2"],
    "interest-counts-as-text": ["interest-paged"],
}


# Faults that break only a SHOULD convention (section 6): the broker stays compliant, with a warning.
SHOULD_ONLY = {"serves-expired-consent": "C26: data after consent expiry is SHOULD in section 6",
               "content-type-unchecked": "C16: a wrong Content-Type refused is SHOULD in section 6",
               "currency-suffix-wrong": "C31: the currency pattern is SHOULD in section 6",
               "wrong-method-404": "C1: other methods answered 405 is SHOULD in section 6",
               "unrounded-ratios": "C30: two decimals on rates and ratios is SHOULD in section 6",
               "traced-resp-msg": "C7: a string past its recommended length is SHOULD in section 6",
               "echo-numbers-as-text": "I11: an echoed number as a numeric string is SHOULD in section 6",
               "own-trade-words": "I32, I42: the recommended vocabularies are SHOULD in section 6",
               "capitalised-resp": "I55: the table spelling Resp is accepted with a warning (SHOULD)",
               "interest-last-page-bare": "C28: a claimer's queryResult is SHOULD in section 6",
               "rsptype-refused-7000": "C29: section 6 gives the 6002 refusal no severity; D22 makes it SHOULD"}


def test_catalogue_lines_name_known_rules_and_a_must_rule_each():
    proc = subprocess.run([sys.executable, "-m", "conformance", "serve-reference", "--list-faults"],
                          capture_output=True, text=True, timeout=60, check=True)
    rules = load_rules()
    names = []
    for line in proc.stdout.splitlines():
        name, ids, description = line.split("\t")
        names.append(name)
        listed = ids.split(",")
        assert listed and all(r in rules for r in listed), (name, listed)
        breaks_must = any(rules[r].severity == "MUST" for r in listed)
        assert breaks_must != (name in SHOULD_ONLY), (name, breaks_must)
        assert description.strip().endswith("."), name
    assert len(names) == len(set(names)) == len(FAULTS)
    assert set(REQUIRED) <= set(names), sorted(set(REQUIRED) - set(names))


def test_every_fault_has_a_probe():
    assert set(SHOWN_BY) == set(FAULTS), sorted(set(FAULTS) ^ set(SHOWN_BY))


def test_unknown_fault_names_are_refused():
    with pytest.raises(KeyError, match="no-such-fault"):
        create_app("diamond", faults=["no-such-fault"])
    proc = subprocess.run([sys.executable, "-m", "conformance", "serve-reference", "--fault", "no-such-fault",
                           "--port", "0"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stdout == "" and len(proc.stderr.splitlines()) == 1


async def _observe(app: Any, probe: str, slept: list[float]) -> tuple[Any, ...]:
    api, query, extra = PROBES[probe]
    short = extra.get("broker", "diamond")
    kw = {k: extra[k] for k in ("vt_acc_no", "ci") if k in extra}
    body = ex.body(api, short, query, **kw)
    if "reqIdPlatform" in extra:
        body["commonHeader"]["reqIdPlatform"] = extra["reqIdPlatform"]
    for dotted, value in extra.get("set", {}).items():
        *parents, leaf = dotted.split(".")
        node = body
        for key in parents:
            node = node[key]
        node[leaf] = value
    raw = extra.get("raw", json.dumps(body, ensure_ascii=False).encode())
    headers = ex.headers(api, short, extra.get("headers", "valid"))
    if "content_type" in extra:
        headers = {**headers, "Content-Type": extra["content_type"]}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8700") as client:
        before = len(slept)
        response = await client.request(extra.get("method", "POST"), extra.get("path", ex.path(api, short)),
                                        content=raw, headers=headers)
    return (response.status_code, response.headers.get("content-type"), response.headers.get("location"),
            response.content, slept[before:])


@pytest.fixture()
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """asyncio.sleep of the app recorded instead of waited: timing shows without timed assertions."""
    delays: list[float] = []

    async def record(delay: float) -> None:
        delays.append(delay)

    monkeypatch.setattr("conformance.reference.app.asyncio.sleep", record)
    return delays


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_every_fault_changes_an_answer(fault, slept):
    short = PROBES[SHOWN_BY[fault][0]][2].get("broker", "diamond")  # a fault's probes ask one broker
    clean, broken = create_app(short), create_app(short, faults=[fault])

    async def compare() -> list[str]:
        changed = []
        for probe in SHOWN_BY[fault]:
            if await _observe(clean, probe, slept) != await _observe(broken, probe, slept):
                changed.append(probe)
        return changed

    changed = asyncio.run(compare())
    assert changed == SHOWN_BY[fault], f"{fault} answers like the clean broker on {SHOWN_BY[fault]}"


def test_faults_combine(slept):
    app = create_app("diamond", faults=["page-drops", "upper-null"])

    async def run() -> Any:
        return await _observe(app, "balance-page-2", slept)

    status, _type, _loc, body, _ = asyncio.run(run())
    doc = json.loads(body)
    assert status == 200 and doc["accInfo"]["realAccNo"] == "NULL"
    assert doc["balanceResponseBody"]["queryResult"]["page"] == "P0000011"


def test_deep_page_fault_shows_from_the_fifth_page_only(slept):
    """page-repeats-deep answers the first four pages of a chain like the clean broker."""
    clean, broken = create_app("diamond"), create_app("diamond", faults=["page-repeats-deep"])

    async def same(probe: str) -> bool:
        return await _observe(clean, probe, slept) == await _observe(broken, probe, slept)

    assert asyncio.run(same("balance-page-2")) and asyncio.run(same("balance-page-4"))
    assert not asyncio.run(same("balance-page-5"))

