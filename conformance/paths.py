"""Where the project's data folders live, installed or in a source checkout.

A wheel carries schemas/, suites/, reports/ and profiles/ under conformance/_bundled/; a source
checkout keeps them beside the package. Every module asks here instead of guessing.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the folder `name` (schemas, suites, reports, profiles), installed or from source."""
    for candidate in (_PACKAGE / "_bundled" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the project's {name}/ folder is missing (looked beside {_PACKAGE})")


def schemas_dir() -> Path:
    return data_dir("schemas")


def suites_dir() -> Path:
    return data_dir("suites")


def reports_dir() -> Path:
    return data_dir("reports")


def profiles_dir() -> Path:
    return data_dir("profiles")
