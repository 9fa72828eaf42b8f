"""Markers for "no value" in a response tree, and the request-side reading of no-value forms.

Handlers never decide how "no value" is written: they put a `NoValue` of the right kind in the
tree and the renderer expresses it in the broker's (or the --null-forms) legal form (C4).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conformance.reference.brokers import NullKind


class NoValue:
    """An optional field or block without a value; `kind` says what it would hold."""

    __slots__ = ("kind",)

    def __init__(self, kind: NullKind) -> None:
        self.kind = kind

    def __repr__(self) -> str:
        return f"NoValue({self.kind})"


NV_STR = NoValue("string")
NV_NUM = NoValue("number")
NV_OBJ = NoValue("object")
NV_ARR = NoValue("array")

MISSING = object()


def is_no_value(value: Any) -> bool:
    """Request side (C3, C4, I12): absent, JSON null, "null" and "" all mean "no value"."""
    return value is None or value is MISSING or (isinstance(value, str) and value.strip() in ("", "null"))


def echo(value: Any, kind: NullKind = "string") -> Any:
    """The echo of a request value: the value itself, or a no-value marker the renderer expresses."""
    return NoValue(kind) if is_no_value(value) else value


def rewrite(node: Any, fn: Callable[[tuple[str, ...], Any], Any], path: tuple[str, ...] = ()) -> Any:
    """Rebuild a response tree bottom-up, letting `fn(path, value)` replace any node.

    `path` is the chain of object keys from the root (array positions are not part of it), so
    `("balanceList", "balance", "etcList", "assetType")` names every etcList item's assetType.
    Containers are copied, never changed in place: list items may be shared with cached data.
    """
    if isinstance(node, dict):
        node = {k: rewrite(v, fn, (*path, k)) for k, v in node.items()}
    elif isinstance(node, list):
        node = [rewrite(v, fn, path) for v in node]
    return fn(path, node)
