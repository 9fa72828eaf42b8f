"""Moving prices: the fields that follow the market (`market` in the field tables) need only agree
on carrying a value between two answers; items, identities and quantities are compared strictly."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from conformance.contract import get_api
from conformance.judges import all_query as ALL
from conformance.judges import paging as PAGE
from conformance.reference.live import PriceDrift

SAMPLES = Path(__file__).resolve().parent / "fixtures" / "samples"


def _sample(api: str) -> dict:
    return json.loads((SAMPLES / f"{api}.response.json").read_text(encoding="utf-8"))


def _groups(spec, doc: dict) -> dict[str, list[dict]]:
    """The sample split into per-group answers (each carries its own group's list only)."""
    out = {}
    for group in spec.groups:
        part = copy.deepcopy(doc)
        for lst in spec.lists:
            if lst.group != group and lst.kind != "object":
                node = part
                *parents, leaf = lst.path.split(".")
                for name in parents:
                    node = node[name]
                node[leaf] = "null"
        out[group] = [part]
    return out


def _drift(doc: dict, api: str, rsp_type: str = "RAT") -> dict:
    class _Call:
        def __init__(self) -> None:
            self.api = api
            self.query = type("Q", (), {"text": staticmethod(lambda name: rsp_type)})()

    return PriceDrift(seed=3)(doc, _Call())  # type: ignore[arg-type]


@pytest.mark.parametrize("api", ["balance", "portfolio"])
def test_moved_prices_are_no_all_difference(api):
    spec = get_api(api)
    doc = _sample(api)
    assert ALL.union_differences(spec, doc, _groups(spec, doc)) == []
    moved = _drift(doc, api)
    assert moved != doc
    assert ALL.union_differences(spec, moved, _groups(spec, doc)) == []


def test_a_moved_quantity_is_an_all_difference():
    spec = get_api("balance")
    doc = _sample("balance")
    other = copy.deepcopy(doc)
    other["balanceList"]["balance"]["equityList"][0]["qty"] += 10
    problems = ALL.union_differences(spec, other, _groups(spec, doc))
    assert problems and "equityList: 1 item(s) with other values" in problems[0].message


def test_a_ratio_moves_but_a_quantity_answer_does_not():
    spec = get_api("portfolio")
    doc = _sample("portfolio")
    other = copy.deepcopy(doc)
    other["portfolioList"]["portfolio"]["equityList"][1]["qty"] += 1.5
    assert ALL.union_differences(spec, other, _groups(spec, doc)) == []  # RAT: a share follows prices
    for answer in (doc, other):
        answer["portfolioResponseBody"]["queryType"]["rspType"] = "QTY"
    assert ALL.union_differences(spec, other, _groups(spec, doc))  # QTY: a quantity is a quantity


def test_a_dropped_item_is_still_an_all_difference_under_moving_prices():
    spec = get_api("balance")
    doc = _drift(_sample("balance"), "balance")
    dropped = copy.deepcopy(doc)
    del dropped["balanceList"]["balance"]["fundList"][0]
    problems = ALL.union_differences(spec, dropped, _groups(spec, _sample("balance")))
    assert any("missing from ALL" in p.message for p in problems), problems


def test_a_moved_valuation_is_not_another_page_item():
    """balancelist securities have no key: their identity is the item less its market fields."""
    spec = get_api("balancelist")
    doc = _sample("balancelist")
    moved = _drift(doc, "balancelist")
    assert moved != doc
    assert PAGE.chain_differences(spec, [moved], [doc], 3) == []
    fewer = copy.deepcopy(doc)
    securities = fewer["balanceList"]["balance"][0]["securitiesBalInfo"]
    securities[0] = {**securities[0], "qty": (securities[0].get("qty") or 0) + 1}
    assert PAGE.chain_differences(spec, [fewer], [doc], 3)
