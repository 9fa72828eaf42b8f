"""Regenerate docs/history.png: the history page of a made-up fleet (12 brokers, 120 nightly audits,
tests/fixtures/make_history.py), photographed in headless Chromium.

    python docs/make_history_screenshot.py

Needs Debian's chromium and chromium-driver packages and selenium (the `test` extra).
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from conformance.report import history
from conformance.report.browser import headless_chromium
from conformance.report.history_page import write_page

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "history.png"


def main() -> int:
    spec = importlib.util.spec_from_file_location("history_fixture", ROOT / "tests" / "fixtures" / "make_history.py")
    fixture = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(fixture)  # type: ignore[union-attr]
    with tempfile.TemporaryDirectory() as folder:
        audits = Path(folder) / "audits"
        fixture.make_fleet_history(audits / "history.sqlite", audits, audits=120, brokers=12, seed=7)
        conn = history.open_history(audits / "history.sqlite")
        try:
            page, _ = write_page(conn, audits / "history.html", now=datetime(2025, 5, 2, 6, 0, tzinfo=UTC),
                                 history_name="history.sqlite")
        finally:
            conn.close()
        with headless_chromium(1366, 1700) as driver:
            driver.get(page.as_uri())
            driver.save_screenshot(str(TARGET))
    print(TARGET.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
