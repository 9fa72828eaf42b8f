"""A terminated audit stops its workers: SIGTERM to `conformance audit` ends the harness and every
broker run it started (each in a session of its own), and the history holds no audit left running."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


def _alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
def test_sigterm_ends_every_broker_run(tmp_path):
    from hostile_gateway import HostileGateway
    from runs import profile_for

    fleet = tmp_path / "fleet"
    fleet.mkdir()
    with HostileGateway(mode="stall") as gateway:
        profile_for("diamond", gateway.url, fleet, timeout_s=120)
        audit = subprocess.Popen([sys.executable, "-m", "conformance", "audit", "--profiles", str(fleet),
                                  "--out", str(tmp_path / "out"), "--history", str(tmp_path / "h.sqlite")],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        pids = tmp_path / "out" / ".audit" / "pids"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (pids.is_dir() and list(pids.glob("*.pid"))):
            time.sleep(0.2)
        files = list(pids.glob("*.pid"))
        assert files, "the broker run never started"
        group = int(files[0].read_text(encoding="ascii"))
        assert _alive(group)
        audit.send_signal(signal.SIGTERM)
        _, err = audit.communicate(timeout=60)
    assert audit.returncode == 2 and "terminated" in err
    deadline = time.monotonic() + 10
    while _alive(group) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(group), "the broker run outlived the audit"
    conn = sqlite3.connect(tmp_path / "h.sqlite")
    try:
        assert conn.execute("SELECT COUNT(*) FROM audits WHERE finished_at IS NULL").fetchone()[0] == 0
    finally:
        conn.close()
