"""A bad profile never stops a fleet: every kind of broken profile becomes that broker's
"bad-profile" row, the audit goes on to a summary, and the history holds no audit left "running".
The same audit signs every bundle (--sign-key) and the history records each bundle's manifest hash."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.cli import main
from conformance.report.bundle import manifest_hash, verify_bundle

sys.path.insert(0, str(Path(__file__).parent))

BAD = {
    "date.yaml": "broker: {name: D, short_name: dated}\nbase_url: http://127.0.0.1:9\napis: [balance]\n"
                 "accounts:\n  - {vtAccNo: '1', ci: c, history: {from: 2024-01-01, to: '20240131'}}\n",
    "long.yaml": f"broker: {{name: L, short_name: {'x' * 300}}}\nbase_url: http://127.0.0.1:9\napis: [balance]\n",
    "deep.yaml": "x: " + "[" * 3000 + "]" * 3000 + "\n",
    "laughs.yaml": 'a0: &a0 ["lol"]\n' + "".join(f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]\n" for i in range(1, 31)),
    "envleak.yaml": "broker: {name: E, short_name: envleak}\nbase_url: http://${OTHER_TOKEN}.example\n"
                    "apis: [balance]\n",
    "dupes.yaml": "broker: {name: U, short_name: dupes}\nbroker: {name: U2, short_name: dupes2}\n",
    "binary.yaml": "broker: !!binary aGVsbG8=\n",
}


@pytest.mark.slow
def test_bad_profiles_are_rows_and_the_audit_goes_on(tmp_path, capsys):
    from runs import profile_for

    from conformance.reference.server import ReferenceServer

    fleet = tmp_path / "fleet"
    fleet.mkdir()
    for name, text in BAD.items():
        (fleet / name).write_text(text, encoding="utf-8")
    private, public = tmp_path / "k.pem", tmp_path / "k.pub"
    assert main(["keygen", "--private", str(private), "--public", str(public)]) == 0
    history_file = tmp_path / "history.sqlite"
    with ReferenceServer(broker="diamond") as server:
        profile_for("diamond", server.base_url, fleet)
        proc = subprocess.run([sys.executable, "-m", "conformance", "audit", "--profiles", str(fleet),
                               "--out", str(tmp_path / "out"), "--history", str(history_file), "--area", "echo",
                               "--sign-key", str(private)], capture_output=True, text=True, timeout=600)
    assert proc.returncode in (0, 1), proc.stderr  # not 2: diamond was audited
    doc = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    statuses = {b["short_name"]: b["status"] for b in doc["brokers"]}
    assert statuses.pop("diamond") == "ok"
    assert sorted(statuses.values()) == ["bad-profile"] * len(BAD), statuses
    conn = sqlite3.connect(history_file)
    try:
        assert conn.execute("SELECT COUNT(*) FROM audits WHERE finished_at IS NULL").fetchone()[0] == 0
        recorded = conn.execute("SELECT bundle_sha256 FROM broker_runs WHERE short_name = 'diamond'").fetchone()[0]
        reasons = [r for (r,) in conn.execute("SELECT reason FROM broker_runs WHERE status = 'bad-profile'")]
    finally:
        conn.close()
    bundle = tmp_path / "out" / "diamond" / "evidence.zip"
    assert recorded == manifest_hash(bundle) and len(recorded) == 64
    ok, why = verify_bundle(bundle, public)
    assert ok and why.startswith("intact, signed by SHA256:"), why
    assert all(reason and "\n" not in reason for reason in reasons)
    assert any("unquoted date" in r for r in reasons) and any("values once YAML aliases" in r for r in reasons)
