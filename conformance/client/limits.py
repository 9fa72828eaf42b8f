"""The bounds of every exchange with a gateway (the profile's `limits` block)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from conformance.client.tls import TransportConfigError


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 10.0  # TOTAL deadline per exchange (connect + headers + whole body)
    max_response_bytes: int = 20_000_000  # cap on the (decompressed) body, enforced while streaming
    max_header_bytes: int = 65_536
    requests_per_second: float | None = 10.0  # politeness per gateway origin; None = unlimited
    max_retries: int = 2  # for 429/503 with Retry-After
    max_retry_after_s: float = 5.0  # never sleep longer than this per retry; longer → report, don't wait

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> Limits:
        """Limits from a profile's `limits:` mapping; unknown keys or bad values name the key."""
        values = dict(values or {})
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise TransportConfigError(f"unknown key(s) in limits: {', '.join(unknown)} "
                                       f"(known: {', '.join(known)})")
        parsed: dict[str, Any] = {}
        for name, value in values.items():
            if name == "requests_per_second" and value is None:
                parsed[name] = None
                continue
            integer = name in ("max_response_bytes", "max_header_bytes", "max_retries")
            bad_type = isinstance(value, bool) or not isinstance(value, int | float)
            if bad_type or (integer and value != int(value)):
                raise TransportConfigError(f"limits.{name} must be a {'whole ' if integer else ''}number, "
                                           f"not {value!r}")
            if value < 0 or (value == 0 and name in ("timeout_s", "max_response_bytes", "max_header_bytes")):
                raise TransportConfigError(f"limits.{name} must be positive, not {value!r}")
            parsed[name] = int(value) if integer else float(value)
        return cls(**parsed)
