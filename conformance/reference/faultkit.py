"""What a fault is, and how one is registered: a name, the rule ids it must break, one sentence, and
a small function that rewires a `Behaviour` (replaces a decision or appends a hook)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from conformance.reference.behaviour import Behaviour
from conformance.reference.values import NoValue


@dataclass(frozen=True)
class Fault:
    name: str
    rules: tuple[str, ...]
    description: str
    apply: Callable[[Behaviour], None]


REGISTRY: dict[str, Fault] = {}


Apply = Callable[[Behaviour], None]


def fault(name: str, rules: str, description: str) -> Callable[[Apply], Apply]:
    """Register `apply` as the fault `name`; `rules` are space-separated ids of schemas/rules.yaml."""

    def register(apply: Apply) -> Apply:
        if name in REGISTRY:
            raise ValueError(f"fault {name!r} registered twice")
        REGISTRY[name] = Fault(name, tuple(rules.split()), description, apply)
        return apply

    return register


def add_no_value_literal(b: Behaviour, literal: Callable[[NoValue, str], str | None]) -> None:
    """Chain a no-value writer in front of any earlier one (faults combine)."""
    previous = b.no_value_literal

    def chained(nv: NoValue, key: str) -> str | None:
        mine = literal(nv, key)
        return mine if mine is not None or previous is None else previous(nv, key)

    b.no_value_literal = chained


# Root-level blocks that carry list data (as opposed to headers, echo and result blocks).
LIST_BLOCKS = frozenset({"portfolioList", "balanceList", "transList", "orderDetailList", "settleList",
                         "accountList", "tradeBookList", "interestSymbolListResponseBody"})
ECHO_BLOCKS = frozenset({"queryType", "queryParams", "queryParameter"})
DATE_KEYS = frozenset({"transDate", "firstDateBuy", "lastDateBuy", "maturity", "settDate", "modifyDate",
                       "lastBuyDate", "loanCreditDate"})


def dashed_date(value: object) -> object:
    """A yyyyMMdd date written yyyy-MM-dd, as a broker's own date type does; anything else as it is."""
    if isinstance(value, str) and len(value) == 8 and value.isdigit():
        return f"{value[:4]}-{value[4:6]}-{value[6:]}"
    return value
