"""The documented error codes as data: statuses, the I77 tolerance, and agreement with CONTRACT.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conformance.contract.errors import error_codes, status_fits

CONTRACT = Path(__file__).resolve().parents[2] / "shared" / "spec" / "CONTRACT.md"


@pytest.mark.parametrize(("code", "status", "fits"), [
    (401, 401, True), (401, 403, False),       # common codes reuse the HTTP status
    (6001, 500, True), (6001, 400, True),      # business errors: 400 or 500 (I77)
    (6001, 404, False), (3003, 400, True),
    (3600, 503, True), (3600, 500, False),     # listed with 503: only 503
    (9011, 500, False),                        # undocumented (I73)
])
def test_status_fits(code, status, fits):
    assert status_fits(code, status) is fits


@pytest.mark.skipif(not CONTRACT.exists(), reason="the contract digest (shared/spec) is not shipped")
def test_every_documented_code_of_section_3_is_in_the_table():
    table = CONTRACT.read_text(encoding="utf-8").split("### 3.2 Code table")[1].split("### 3.3")[0]
    rows = re.findall(r"^\| (\d{3,4}) \| (\d{3}) ", table, flags=re.M)
    assert len(rows) >= 45
    for code, status in rows:
        if code == "200":  # respCode "200" is success (I74), not an error code
            continue
        assert int(code) in error_codes(), code
        assert error_codes()[int(code)].status == int(status), code
