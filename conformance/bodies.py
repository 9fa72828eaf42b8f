"""A run-wide memory budget for response bodies and what is parsed from them.

Every exchange of a run stays referenced until the run ends (many rules judge the same answer, and
the evidence is written at the end), so without a budget a gateway answering 20 MB bodies costs
the run gigabytes: the body, its parsed JSON and the contract parser's document each stay.

- Raw bodies: at most `memory_bytes` of them stay in memory; beyond that the oldest are moved to a
  temporary file (removed when the process ends) and read back when a check asks for them. Past
  `disk_bytes` of spilled bodies, a body keeps only its first `KEEP_WHEN_FULL` bytes, with a note.
- Parse caches (`Exchange.json()`, `Exchange.findings_cache`): kept for the most recently judged
  bodies up to `parse_bytes` of body; older caches are released and recomputed if asked again.

Bodies under SMALL are not counted: a normal run never spills or releases anything.
Budgets come from CONFORMANCE_BODY_MEMORY_MB / _PARSE_MB / _DISK_MB (for benchmarks and tests).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

MB = 1 << 20
SMALL = 256 * 1024
KEEP_WHEN_FULL = 1 * MB


def _env_mb(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, default))) * MB
    except ValueError:
        return default * MB


class BodyBudget:
    def __init__(self, memory_bytes: int, parse_bytes: int, disk_bytes: int) -> None:
        self.memory_bytes, self.parse_bytes, self.disk_bytes = memory_bytes, parse_bytes, disk_bytes
        self._lock = threading.RLock()
        self._in_memory: OrderedDict[int, Any] = OrderedDict()  # id → Exchange, oldest first
        self._parsed: OrderedDict[int, Any] = OrderedDict()
        self.memory_used = self.parse_used = self.disk_used = 0
        self.spilled = self.released = 0
        self._folder: Path | None = None

    # --- raw bodies ---------------------------------------------------------------------------
    def admit(self, exchange: Any, size: int) -> None:
        """A body of `size` bytes was just stored on `exchange`: spill the oldest past the budget."""
        if size < SMALL:
            return
        with self._lock:
            self._in_memory[id(exchange)] = exchange
            self.memory_used += size
            while self.memory_used > self.memory_bytes and len(self._in_memory) > 1:
                _, oldest = self._in_memory.popitem(last=False)
                self._spill(oldest)

    def forget(self, exchange: Any, size: int) -> None:
        with self._lock:
            if self._in_memory.pop(id(exchange), None) is not None:
                self.memory_used -= size

    def _spill(self, exchange: Any) -> None:
        body: bytes = exchange.__dict__["_body"]
        self.memory_used -= len(body)
        if self.disk_used + len(body) > self.disk_bytes:
            exchange.__dict__["_body"] = body[:KEEP_WHEN_FULL]
            exchange.notes.append(f"only the first {KEEP_WHEN_FULL:,} of {len(body):,} body bytes were kept: "
                                  "the run's memory and disk budget for bodies was used up")
            return
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="conformance-bodies-"))
            atexit.register(shutil.rmtree, self._folder, True)
        path = self._folder / f"{id(exchange):x}-{self.spilled}.body"
        path.write_bytes(body)
        self.disk_used += len(body)
        self.spilled += 1
        exchange.__dict__["_body_file"] = path
        exchange.__dict__["_body"] = None

    # --- parse caches -------------------------------------------------------------------------
    def parsed(self, exchange: Any, size: int) -> None:
        """`exchange` now holds a parse cache for a body of `size` bytes: release the oldest past the budget."""
        if size < SMALL:
            return
        with self._lock:
            if id(exchange) in self._parsed:
                self._parsed.move_to_end(id(exchange))
                return
            self._parsed[id(exchange)] = exchange
            self.parse_used += size
            while self.parse_used > self.parse_bytes and len(self._parsed) > 1:
                _, oldest = self._parsed.popitem(last=False)
                self.parse_used -= oldest.body_size
                oldest.release_parse_caches()
                self.released += 1

    def unparsed(self, exchange: Any, size: int) -> None:
        with self._lock:
            if self._parsed.pop(id(exchange), None) is not None:
                self.parse_used -= size


BUDGET = BodyBudget(_env_mb("CONFORMANCE_BODY_MEMORY_MB", 256), _env_mb("CONFORMANCE_BODY_PARSE_MB", 64),
                    _env_mb("CONFORMANCE_BODY_DISK_MB", 4096))


class ParseCache(dict[str, Any]):
    """`Exchange.findings_cache`: a dict that tells the budget when it starts holding something."""

    def __init__(self, owner: Any) -> None:
        super().__init__()
        self._owner = owner

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        BUDGET.parsed(self._owner, self._owner.body_size)
