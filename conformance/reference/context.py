"""The two values that travel through request handling: the call (what was asked) and the reply
(what goes back on the wire). Faults read the first and rewrite the second."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from conformance.reference.brokers import BrokerConfig
from conformance.reference.inbound import Inbound


@dataclass
class Call:
    api: str  # API id, e.g. "balance"; "" for an unknown path
    family: str  # account | b2b | member | ""
    broker: BrokerConfig
    headers: Mapping[str, str]  # case-insensitive (starlette Headers)
    path: str
    base_url: str  # scheme://host:port of this server, for member-consent endpoints
    today: str  # YYYYMMDD at request time
    raw: bytes = b""
    inbound: Inbound | None = None
    notes: dict[str, Any] = field(default_factory=dict)  # what handlers decided (page size, next key, ...)

    @property
    def query(self) -> Inbound:
        assert self.inbound is not None, "the request has not been parsed"
        return self.inbound


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)
    error: bool = False
    error_kind: str | None = None
    error_code: int | None = None
