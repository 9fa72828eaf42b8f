"""Headless Chromium for looking at a report: the browser test and the docs screenshot use this.

Needs Debian's `chromium` and `chromium-driver` packages and the `selenium` package (a test
dependency). The driver path is always given explicitly, so selenium's manager never downloads
anything; the flags keep the browser off the network (no updates, sync or background fetches).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
DRIVER_CANDIDATES = ("/usr/bin/chromedriver",)
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--hide-scrollbars",
)


class BrowserMissing(RuntimeError):
    """Chromium, chromedriver or selenium is not installed; the message says which and how."""


def _first(env: str, candidates: tuple[str, ...]) -> str | None:
    chosen = os.environ.get(env)
    if chosen:
        return chosen if Path(chosen).is_file() else None
    return next((c for c in candidates if Path(c).is_file()), None)


def find_browser() -> tuple[str, str]:
    """(chromium, chromedriver) paths; $CHROMIUM_BIN / $CHROMEDRIVER_BIN override the Debian paths."""
    browser = _first("CHROMIUM_BIN", CHROMIUM_CANDIDATES)
    driver = _first("CHROMEDRIVER_BIN", DRIVER_CANDIDATES)
    missing = [name for name, path in (("chromium", browser), ("chromedriver", driver)) if not path]
    if missing:
        raise BrowserMissing(f"{' and '.join(missing)} not found: "
                             "apt-get install -y chromium chromium-driver")
    try:
        import selenium  # noqa: F401
    except ImportError:
        raise BrowserMissing("selenium is not installed: pip install 'koscom-conformance[test]'") from None
    return browser, driver  # type: ignore[return-value]


@contextmanager
def headless_chromium(width: int = 1366, height: int = 900) -> Iterator[Any]:
    """A selenium WebDriver for headless Chromium with a throw-away profile; browser console logged."""
    browser, driver_path = find_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="conformance-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={width},{height}")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def screenshot(report: Path, png: Path, *, width: int = 1366, height: int = 2200,
               open_first_failure: bool = True) -> Path:
    """Save a PNG of `report` (report.html) as a reviewer first sees it, failing rules expanded."""
    png = Path(png)
    png.parent.mkdir(parents=True, exist_ok=True)
    with headless_chromium(width, height) as driver:
        driver.get(Path(report).resolve().as_uri())
        if not open_first_failure:
            driver.execute_script("document.getElementById('collapse-all').click()")
        driver.save_screenshot(str(png))
    return png
