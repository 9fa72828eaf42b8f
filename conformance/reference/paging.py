"""Paging (C12, C13): page size from `count`, opaque page keys, the next-page key.

A page key encodes the offset of the next item, in the broker's own opaque format; keys bound to the
query (numeric, base64) are refused with 6003 when used on another query or invented. The small
methods (`size`, `start`, `next_key`) are what paging faults replace.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.reference.brokers import BrokerConfig
from conformance.reference.errors import api_error


@dataclass
class Page:
    items: list[Any]
    total: int
    size: int  # page size the broker chose
    next_key: str | None  # None = no further page (rendered as a no-value form)


def _scope_hash(scope: str, n: int) -> bytes:
    return hashlib.sha256(scope.encode()).digest()[:n]


class Pager:
    def __init__(self, broker: BrokerConfig) -> None:
        self.broker = broker
        # the replaceable steps (paging faults swap these)
        self.size: Callable[[int | None, int], int] = self._size
        self.start: Callable[[str, str, int], int] = self._start
        self.next_key: Callable[[int, int, str], str | None] = self._next_key

    def page(self, items: list[Any], count: int | None, key: str | None, scope: str) -> Page:
        """One page of `items` for the request's `count` and `page` key (None = first page)."""
        size = self.size(count, len(items))
        begin = 0 if key is None else self.start(key, scope, len(items))
        chunk = items[begin:begin + size]
        return Page(chunk, len(items), size, self.next_key(begin + len(chunk), len(items), scope))

    def _size(self, count: int | None, total: int) -> int:
        """count 0 or no value: the broker's default; never more than count, nor than its maximum."""
        if not count:
            return self.broker.default_page_size
        return min(count, self.broker.max_page_size)

    def _start(self, key: str, scope: str, total: int) -> int:
        offset = self.decode(key, scope)
        if offset is None or not 0 <= offset < total:
            raise api_error(6003, self.broker.category, f"unknown page key {key[:40]!r}")
        return offset

    def _next_key(self, end: int, total: int, scope: str) -> str | None:
        return self.encode(end, scope) if end < total else None

    # --- key formats ---------------------------------------------------------------------------
    def encode(self, offset: int, scope: str) -> str:
        style = self.broker.page_keys
        if style == "offset":
            return f"P{offset:07d}"
        if style == "numeric":  # 18 digits like the transaction sample's "201603100000000961"
            return f"{int.from_bytes(_scope_hash(scope, 4), 'big') % 10**8:08d}{offset:010d}"
        raw = struct.pack(">I", offset) + _scope_hash(scope, 8)
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, key: str, scope: str) -> int | None:
        key = key.strip()
        style = self.broker.page_keys
        if style == "offset":
            return int(key[1:]) if len(key) == 8 and key[0] == "P" and key[1:].isdigit() else None
        if style == "numeric":
            if len(key) != 18 or not key.isdigit() or key != self.encode(int(key[8:]), scope):
                return None
            return int(key[8:])
        try:
            raw = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
        except (ValueError, TypeError):
            return None
        if len(raw) != 12 or raw[4:] != _scope_hash(scope, 8):
            return None
        return int(struct.unpack(">I", raw[:4])[0])


def whole(items: list[Any]) -> Page:
    """Everything in one message (ALL query, unpaged APIs)."""
    return Page(items, len(items), len(items), None)
