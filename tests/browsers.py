"""What the browser tests share: headless Chromium as a module fixture, the fixture scripts they
render, and the folder their screenshots go to (test-artifacts/, for a person to look at).

Chromium is required in CI (a browser test fails there without it); locally it is skipped with a reason.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from conformance.report.browser import BrowserMissing, find_browser, headless_chromium

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
FIXTURES = Path(__file__).parent / "fixtures"


def fixture_script(name: str) -> ModuleType:
    """tests/fixtures/<name>.py as a module (the folder is no package)."""
    spec = importlib.util.spec_from_file_location(f"browser_fixture_{name}", FIXTURES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        find_browser()
    except BrowserMissing as exc:
        if os.environ.get("CI"):
            pytest.fail(f"the browser test needs headless Chromium in CI: {exc}")
        pytest.skip(f"no headless Chromium here: {exc}")
    with headless_chromium(width=1366, height=900) as driver:
        yield driver


def open_page(driver: Any, page: Path) -> None:
    """Open `page` with the console record starting at it."""
    driver.get(page.as_uri())
    driver.get_log("browser")
    driver.refresh()
