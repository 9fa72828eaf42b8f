"""The page samples of CONTRACT.md section 2 against the contract: no MUST violation anywhere,
and exactly the SHOULD findings the inconsistencies of section 5 predict."""

from __future__ import annotations

import pytest
from helpers_contract import SAMPLES, findings, must

from conformance.contract import API_IDS, validate

CI = ("commonHeader.ci", "SCHEMA-006")  # I18: the samples' CIs carry a leading space (89 > 88)
PORTFOLIO = "portfolioList.portfolio"
BALANCE = "balanceList.balance"

EXPECTED: dict[tuple[str, str], set[tuple[str, str]]] = {
    ("portfolio", "request"): set(),
    ("portfolio", "response"): {
        CI,
        ("portfolioResponseBody.queryType.count", "ECHO-005"),  # I11: "0" echoed as a string
        *{(f"{PORTFOLIO}.fundList[{i}].fundName", "SCHEMA-006") for i in (0, 1, 2)},  # I9: 16-19 > 15
        *{(f"{PORTFOLIO}.etcList[{i}].assetName", "SCHEMA-006") for i in (1, 5, 6, 7)},  # I9
    },
    ("balance", "request"): {CI},
    ("balance", "response"): {
        CI,
        ("balanceResponseBody.queryType.count", "ECHO-005"),  # I11
        *{(f"{BALANCE}.fundList[{i}].fundName", "SCHEMA-006") for i in (0, 1, 2)},  # I9
        *{(f"{BALANCE}.etcList[{i}].assetName", "SCHEMA-006") for i in (2, 3, 7, 8, 9, 10, 11, 12)},  # I9
        *{(f"{BALANCE}.etcList[{i}].valueAtCur", "SCHEMA-007") for i in range(13)},  # I26
    },
    ("transaction", "request"): {CI},
    ("transaction", "response"): {CI, ("transList.transaction[3].transType", "SCHEMA-008")},  # I32: "ETC"
    ("interest", "request"): {CI},
    ("interest", "response"): {CI},
    ("orderdetail", "request"): set(),
    ("orderdetail", "response"): {("orderDetailList.orderDetail[0].orderTime", "SCHEMA-006")},  # I9: 16 > 12
    ("balancelist", "request"): {("commonHeader.reqIdConsumer", "SCHEMA-006")},  # I19: 21 > 20
    ("balancelist", "response"): set(),
    ("settlelist", "request"): set(),
    ("settlelist", "response"): set(),
    ("accountlist", "request"): set(),
    ("accountlist", "response"): set(),
    ("tradebook", "request"): set(),
    ("tradebook", "response"): set(),
    ("member-register", "request"): set(),
    ("member-register", "response"): set(),
    ("member-consent", "request"): set(),
    ("member-consent", "response"): set(),
}


def test_every_sample_file_is_covered() -> None:
    on_disk = {tuple(p.name.removesuffix(".json").rsplit(".", 1)) for p in SAMPLES.glob("*.json")}
    assert on_disk == set(EXPECTED)
    assert {api for api, _ in EXPECTED} == set(API_IDS)


@pytest.mark.parametrize(("api", "kind"), sorted(EXPECTED))
def test_the_page_sample_has_no_must_violation_and_only_the_expected_warnings(api: str, kind: str) -> None:
    violations = validate(api, kind, (SAMPLES / f"{api}.{kind}.json").read_bytes())
    assert must(violations) == set()
    assert findings(violations) == EXPECTED[(api, kind)]


def test_sample_warnings_say_what_is_wrong() -> None:
    """Messages are for a broker's engineer: they name the limit, the spelling, the value."""
    raw = (SAMPLES / "balance.response.json").read_bytes()
    lines = {v.path: v.message for v in validate("balance", "response", raw)}
    assert lines["balanceList.balance.fundList[0].fundName"] == "19 characters; the recommended maximum is 15"
    assert "valAtCur" in lines["balanceList.balance.etcList[0].valueAtCur"]
    assert '"0"' in lines["balanceResponseBody.queryType.count"]
