"""Two legal behaviours of a live test gateway, off by default (clean, not faults):

- `window="enforce"`: balancelist and settlelist refuse every question between 08:30 and 16:00
  Seoul time (C27 allows it; I63: no code is documented, 3600 "Target Company Service
  Unavailable" is the nearest), on an injectable clock;
- `prices="drift"`: every answer values the holdings at a price that has moved since the last
  call (a market in trading hours), with P/L, rates and ratio shares following it.

The drifting names are this broker's own list, not the contract's `market` annotations, so a
field the field tables forget to mark shows up as a false failure in the tests.
"""

from __future__ import annotations

import copy
import random
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from conformance.contract.window import in_closed_hours
from conformance.reference.behaviour import Behaviour
from conformance.reference.context import Call
from conformance.reference.errors import api_error

WINDOWS = ("open", "enforce")
PRICES = ("fixed", "drift")
WINDOWED_APIS = ("balancelist", "settlelist")
VALUE_FIELDS = ("valAtCur", "valueAtCur")  # valuations: move with the price
DERIVED_FIELDS = ("proLoss", "earningRate")  # recomputed from the moved valuation
SHARE_FIELDS = ("qty", "amt")  # in a ratio (RAT) portfolio answer only
OTHER_MOVING = ("totalAccVal", "substitute", "currencyRate")


def enforce_window(behaviour: Behaviour, now: Callable[[], datetime]) -> None:
    def closed(call: Call) -> None:
        if call.api in WINDOWED_APIS and in_closed_hours(now()):
            raise api_error(3600, behaviour.broker.category,
                            f"{call.api} is served before 08:30 and from 16:00 only")

    behaviour.inspectors.insert(0, closed)


class PriceDrift:
    """A random walk of ±3 % per call; the same call never sees the same prices twice."""

    def __init__(self, seed: int = 7) -> None:
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def factor(self) -> float:
        with self._lock:
            return 1.0 + self._rng.uniform(-0.03, 0.03)

    def __call__(self, tree: dict[str, Any], call: Call) -> dict[str, Any]:
        if call.api not in ("portfolio", "balance", "balancelist"):
            return tree
        ratio = call.api == "portfolio" and (call.query.text("rspType") or "RAT") == "RAT"
        moved = copy.deepcopy(tree)
        self._walk(moved, ratio)
        return moved

    def _walk(self, node: Any, ratio: bool) -> None:
        if isinstance(node, list):
            for child in node:
                self._walk(child, ratio)
            return
        if not isinstance(node, dict):
            return
        self._move(node, ratio)
        for child in node.values():
            if isinstance(child, (dict, list)):
                self._walk(child, ratio)

    def _move(self, item: dict[str, Any], ratio: bool) -> None:
        f = self.factor()
        for name in VALUE_FIELDS + OTHER_MOVING + (SHARE_FIELDS if ratio else ()):
            value = item.get(name)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value:
                item[name] = round(value * f, 2 if name in SHARE_FIELDS + ("currencyRate",) else 0)
        current = next((item[n] for n in VALUE_FIELDS if isinstance(item.get(n), (int, float))), None)
        cost = item.get("valAtTrade")
        if isinstance(current, (int, float)) and isinstance(cost, (int, float)) and cost:
            if "proLoss" in item:
                item["proLoss"] = round(current - cost)
            if "earningRate" in item:
                item["earningRate"] = round((current - cost) / cost * 100, 2)
        elif isinstance(item.get("earningRate"), (int, float)) and item["earningRate"]:
            item["earningRate"] = round(item["earningRate"] * f, 2)


def apply_live(behaviour: Behaviour, window: str, prices: str, now: Callable[[], datetime]) -> None:
    if window not in WINDOWS:
        raise ValueError(f"unknown window behaviour {window!r} (choose from {', '.join(WINDOWS)})")
    if prices not in PRICES:
        raise ValueError(f"unknown prices behaviour {prices!r} (choose from {', '.join(PRICES)})")
    if window == "enforce":
        enforce_window(behaviour, now)
    if prices == "drift":
        behaviour.tree_transforms.insert(0, PriceDrift())
