"""Regenerate docs/report.png: a report rendered from a results.json, photographed in headless Chromium.

    python docs/make_screenshot.py                       # from the test fixture (tests/fixtures)
    python docs/make_screenshot.py reports/latest/results.json   # from a real run

Needs Debian's chromium and chromium-driver packages and selenium (the `test` extra).
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path

from conformance.report.browser import screenshot
from conformance.report.html import render_html
from conformance.report.results import load_results

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "report.png"


def _fixture_results() -> dict:
    source = ROOT / "tests" / "fixtures" / "make_results.py"
    spec = importlib.util.spec_from_file_location("report_fixture", source)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.make_results(plant_secrets=False)


def main(argv: list[str]) -> int:
    results = load_results(argv[0]) if argv else _fixture_results()
    with tempfile.TemporaryDirectory() as folder:
        report = render_html(results, Path(folder))
        screenshot(report, TARGET, width=1366, height=1900)
    print(TARGET)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
