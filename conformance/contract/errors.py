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


@functools.lru_cache(maxsize=1)
def _error_names() -> dict[str, int]:
    data = yaml.safe_load((schemas_dir() / "error_codes.yaml").read_text(encoding="utf-8"))
    return {str(row["name"]): int(code) for code, row in data["codes"].items() if row.get("name")}


def error_code(name: str) -> int:
    """The documented code of a symbolic error name (`invalid_page` → 6003, schemas/error_codes.yaml)."""
    names = _error_names()
    if name not in names:
        raise KeyError(f"unknown error name {name!r}; names: {', '.join(sorted(names))}")
    return names[name]
