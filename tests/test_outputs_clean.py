"""Clean outputs: a run clears what an earlier run left in --out, never writes through a symlink,
shell-quotes its curl lines, keeps terminal control characters from the terminal, and is as loud
about `tls: {verify: false}` as about --insecure."""

from __future__ import annotations

import io
import json
import shlex
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from conformance import outputs
from conformance.evidence import Exchange
from conformance.terminal import CleanStream, strip_controls

sys.path.insert(0, str(Path(__file__).parent))


def test_write_text_refuses_a_symlinked_folder_that_points_outside(tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "exchanges").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(outputs.OutputError):
        outputs.write_text(out, out / "exchanges" / "main.jsonl", "{}")
    assert not list(elsewhere.iterdir())


def test_write_text_replaces_a_symlinked_file_instead_of_following_it(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    (out / "report.html").symlink_to(victim)
    outputs.write_text(out, out / "report.html", "<p>new</p>")
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert not (out / "report.html").is_symlink() and (out / "report.html").read_text() == "<p>new</p>"


def test_clear_owned_removes_only_what_a_run_writes(tmp_path):
    for name in ("results.json", "report.html", "exchanges/old.jsonl", "allure-results/x-result.json", "notes.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("stale", encoding="utf-8")
    outputs.clear_owned(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_the_curl_line_is_shell_quoted():
    url = "http://127.0.0.1:9/v1/x';touch /tmp/pwned;'"
    exchange = Exchange(id="x1", api="balance", purpose="p", method="POST", url=url,
                        request_headers={"Content-Type": "application/json"}, request_body=b'{"a":"it\'s"}')
    words = shlex.split(exchange.curl())
    assert words[:4] == ["curl", "-X", "POST", url]
    assert words[-2:] == ["--data", '{"a":"it\'s"}']


def test_terminal_output_has_no_control_characters():
    hostile = "ok \x1b[31mred\x1b[0m \x1b]0;title\x07 \x1b[2K\rover\x08 \x9b1m tab\tnew\n"
    assert strip_controls(hostile) == "ok red  over  tab\tnew\n"
    sink = io.StringIO()
    CleanStream(sink).write("\x1b[1mbold\x1b[0m\n")
    assert sink.getvalue() == "bold\n"


@pytest.mark.slow
def test_a_rerun_into_the_same_out_holds_no_stale_evidence_and_verify_false_is_loud(tmp_path):
    from runs import profile_for, run

    from conformance.reference.server import ReferenceServer

    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere.html"
    (out / "exchanges").mkdir(parents=True)
    (out / "exchanges" / "gw9.jsonl").write_text(json.dumps({"id": "STALE-cyber"}) + "\n", encoding="utf-8")
    elsewhere.write_text("not yours", encoding="utf-8")
    (out / "report.html").symlink_to(elsewhere)
    with ReferenceServer(broker="diamond") as server:
        profile = profile_for("diamond", server.base_url, tmp_path)
        data = yaml.safe_load(profile.read_text(encoding="utf-8"))
        data["tls"] = {"verify": False}
        profile.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        result = run(profile, out, "auth")
    assert result.exit_code in (0, 1), result.stderr
    assert not (out / "exchanges" / "gw9.jsonl").exists()
    with zipfile.ZipFile(out / "evidence.zip") as bundle:
        assert b"STALE-cyber" not in bundle.read("exchanges.json")
    assert elsewhere.read_text(encoding="utf-8") == "not yours"
    assert "TLS certificate verification is OFF (tls: {verify: false}" in result.stderr
    assert result.results["options"]["insecure"] is True
    assert 'id="insecure-warning"' in (out / "report.html").read_text(encoding="utf-8")
    # the auth area sends every token of the profile, the C17 ones too: none is in any output byte
    from leakscan import scan

    planted = {name: f"diamond-{name}" for name in ("token", "expired-token", "other-user-token")}
    scanned, hits = scan(planted, [out], [("stdout", result.stdout.encode()), ("stderr", result.stderr.encode())])
    assert scanned > 5 and not hits, hits[:10]
