"""The documented error codes (schemas/error_codes.yaml), read by the checks and the reference broker."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import yaml

from conformance.paths import schemas_dir


@dataclass(frozen=True)
class ErrorCode:
    code: int
    status: int
    message: str
    category: str  # op-apim | op-auth | op-exco | broker


@functools.lru_cache(maxsize=1)
def error_codes() -> dict[int, ErrorCode]:
    data = yaml.safe_load((schemas_dir() / "error_codes.yaml").read_text(encoding="utf-8"))
    return {int(code): ErrorCode(int(code), row["status"], row["message"], row["category"])
            for code, row in data["codes"].items()}


def status_fits(code: int, status: int) -> bool:
    """Common codes come with their own status; the others with the listed one, where business
    errors listed with 400 or 500 may use either (I77)."""
    known = error_codes().get(code)
    if known is None:
        return False
    if known.code == known.status:
        return status == known.status
    return status == known.status or (status in (400, 500) and known.status in (400, 500))
