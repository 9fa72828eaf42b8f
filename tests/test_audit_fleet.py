"""`conformance audit` end to end: a fleet of the three reference brokers served over HTTP (star
with the `all-refused` fault), an unreachable gateway and a bad profile, audited three times
into one history:

1. star is not compliant (exit 1); every broker is in the summary; the unreachable gateway and the
   bad profile are reported with their reason and stop nothing;
2. the same fleet again: nothing newly failed (`--fail-on regression` exits 0);
3. star restarted without its fault and cyber with `echo-from-backend`, both on their old ports and
   profiles: star's ALL-001 shows as fixed (and its ALL behaviour as capability drift), cyber's
   ECHO-001 as newly failed (`--fail-on regression` exits 1).

Areas are limited to all-query and echo to keep the three audits within a minute or so.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conformance.paths import profiles_dir
from conformance.report import history

pytestmark = pytest.mark.slow
AREAS = ["--area", "all-query", "--area", "echo"]


class Broker:
    """`conformance serve-reference` as a subprocess."""

    def __init__(self, name: str, port: int = 0, faults: tuple[str, ...] = ()) -> None:
        cmd = [sys.executable, "-m", "conformance", "serve-reference", "--broker", name, "--port", str(port)]
        for fault in faults:
            cmd += ["--fault", fault]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(self.proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(30)
        if not line or not line[0].startswith("READY "):
            self.stop()
            raise RuntimeError(f"serve-reference {name} did not start: {self.proc.stderr.read()!r}")  # type: ignore[union-attr]
        self.url = line[0].split()[1]
        self.port = int(self.url.rsplit(":", 1)[1])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(15)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream:
                stream.close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _profile(folder: Path, name: str, url: str, *, short: str | None = None) -> None:
    """profiles/<name>.yaml pointed at `url` (and renamed to `short`)."""
    text = (profiles_dir() / f"{name}.yaml").read_text(encoding="utf-8")
    lines = [f"base_url: {url}" if line.startswith("base_url:") else line for line in text.splitlines()]
    if short:
        renamed = {
            "  short_name:": f"  short_name: {short}",
            "  name:": f"  name: {short.title()} Securities",
        }
        lines = [next((v for k, v in renamed.items() if line.startswith(k)), line) for line in lines]
    (folder / f"{short or name}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


@dataclass
class Audit:
    code: int
    stdout: str
    stderr: str
    out: Path
    summary: dict[str, Any] = field(default_factory=dict)

    def broker(self, short: str) -> dict[str, Any]:
        return next(b for b in self.summary["brokers"] if b["short_name"] == short)


@dataclass
class Fleet:
    root: Path
    audits: list[Audit] = field(default_factory=list)

    @property
    def history(self) -> Path:
        return self.root / "history.sqlite"


def _audit(root: Path, name: str, *extra: str) -> Audit:
    out = root / name
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "conformance",
            "audit",
            "--profiles",
            str(root / "profiles"),
            "--out",
            str(out),
            "--workers",
            "2",
            *AREAS,
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    doc = (
        json.loads((out / "summary.json").read_text(encoding="utf-8"))
        if (out / "summary.json").is_file()
        else {}
    )
    return Audit(proc.returncode, proc.stdout, proc.stderr, out, doc)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    root = tmp_path_factory.mktemp("fleet")
    folder = root / "profiles"
    folder.mkdir()
    brokers = {
        "diamond": Broker("diamond"),
        "cyber": Broker("cyber"),
        "star": Broker("star", faults=("all-refused",)),
    }
    try:
        for name, broker in brokers.items():
            _profile(folder, name, broker.url)
        _profile(folder, "diamond", f"http://127.0.0.1:{_closed_port()}", short="ghost")  # nothing listens
        (folder / "broken.yml").write_text(
            "broker: {name: Broken Securities, short_name: broken}\nbase_url: http://127.0.0.1:1\n",
            encoding="utf-8",
        )
        fleet = Fleet(root)
        fleet.audits.append(_audit(root, "audit-1"))
        fleet.audits.append(_audit(root, "audit-2", "--fail-on", "regression"))
        for name, faults in (("star", ()), ("cyber", ("echo-from-backend",))):
            port = brokers[name].port
            brokers[name].stop()
            brokers[name] = Broker(name, port=port, faults=faults)  # same port: the profile is unchanged
        fleet.audits.append(_audit(root, "audit-3", "--fail-on", "regression"))
        yield fleet
    finally:
        for broker in brokers.values():
            broker.stop()


def test_the_first_audit_names_every_broker_and_fails_on_the_faulty_one(fleet: Fleet) -> None:
    first = fleet.audits[0]
    assert first.code == 1, first.stderr
    assert {b["short_name"] for b in first.summary["brokers"]} == {
        "diamond",
        "cyber",
        "star",
        "ghost",
        "broken",
    }
    assert first.broker("diamond")["compliant"] is True and first.broker("cyber")["compliant"] is True
    star = first.broker("star")
    assert star["status"] == "ok" and star["compliant"] is False
    assert "ALL-001" in {r["id"] for r in star["must_failures"]}
    page = (first.out / "summary.html").read_text(encoding="utf-8")
    for text in (
        "Diamond Securities",
        "Cyber Securities",
        "Star Securities",
        "ghost",
        "broken",
        "NOT COMPLIANT",
    ):
        assert text in page
    assert 'href="star/report.html#rule-ALL-001"' in page
    for short in ("diamond", "cyber", "star"):
        assert (first.out / short / "report.html").is_file() and (
            first.out / short / "results.json"
        ).is_file()
    assert "star" in first.stdout and "NOT COMPLIANT" in first.stdout


def test_an_unreachable_gateway_and_a_bad_profile_are_reported_not_fatal(fleet: Fleet) -> None:
    first = fleet.audits[0]
    ghost, broken = first.broker("ghost"), first.broker("broken")
    assert ghost["status"] == "unreachable" and "\n" not in ghost["reason"]
    assert "connection refused" in ghost["reason"]  # the run names how the gateway failed
    assert broken["status"] == "bad-profile" and "apis: missing" in broken["reason"]
    assert first.summary["totals"] == {
        **first.summary["totals"],
        "brokers": 5,
        "audited": 3,
        "compliant": 2,
        "unreachable": 1,
        "bad_profile": 1,
    }
    page = (first.out / "summary.html").read_text(encoding="utf-8")
    assert "UNREACHABLE" in page and "BAD PROFILE" in page and "apis: missing" in page
    cases = ET.parse(first.out / "junit.xml").getroot().iter("testcase")
    assert sorted(str(c.get("name")) for c in cases) == sorted(
        f"test_broker[{s}]" for s in ("cyber", "diamond", "ghost", "star")
    )


def test_the_second_audit_shows_no_regression_and_history_holds_both(fleet: Fleet) -> None:
    second = fleet.audits[1]
    assert second.code == 0, second.stdout + second.stderr  # --fail-on regression: known failures only
    assert all(b["regressions"] == [] and b["fixed"] == [] for b in second.summary["brokers"])
    assert second.broker("star")["compliant"] is False
    assert second.broker("star")["previous"]["audit_id"] == fleet.audits[0].summary["audit"]["id"]
    conn = history.open_history(fleet.history)
    try:
        runs = history.broker_runs(conn, "star")
        assert [r.compliant for r in runs] == [False, False, True]
        assert [r.status for r in history.broker_runs(conn, "ghost")] == ["unreachable"] * 3
        assert len(history.audits(conn)) == 3
    finally:
        conn.close()
    listing = subprocess.run(
        [sys.executable, "-m", "conformance", "history", "--history", str(fleet.history), "--broker", "star"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert len(listing) == 3 and "compliant no" in listing[0] and "compliant yes" in listing[2]


def test_the_third_audit_shows_the_fix_the_regression_and_the_drift(fleet: Fleet) -> None:
    third = fleet.audits[2]
    assert third.code == 1, third.stdout + third.stderr  # cyber newly failed ECHO-001
    star, cyber = third.broker("star"), third.broker("cyber")
    assert star["compliant"] is True and "ALL-001" in {r["id"] for r in star["fixed"]}
    assert {d["id"] for d in star["capability_drift"]["observed"]} >= {"ALL-001"}
    assert star["capability_drift"]["declared"] == []  # the profile did not change
    assert "ECHO-001" in {r["id"] for r in cyber["regressions"]} and cyber["compliant"] is False
    assert third.broker("diamond")["regressions"] == [] and third.broker("diamond")["fixed"] == []
    page = (third.out / "summary.html").read_text(encoding="utf-8")
    assert "newly failed" in page and "fixed" in page and "capability drift" in page


def test_each_audit_writes_the_history_page_beside_its_summary_and_links_it(fleet: Fleet) -> None:
    import re

    third = fleet.audits[2]
    assert third.summary["audit"]["history_page"] == "history.html"
    assert 'id="history-link" href="history.html"' in (third.out / "summary.html").read_text(encoding="utf-8")
    page = (third.out / "history.html").read_text(encoding="utf-8")
    lane = re.search(r'<tr class="broker" id="b-star".*?</tr>', page, re.S)
    assert lane is not None
    points = re.findall(r'<use href="#(m-\w+)" x="\d+">', lane.group(0))
    assert points == ["m-bad", "m-bad", "m-ok"]  # not compliant twice, then fixed
    links = re.findall(r'<a href="([^"]+)"><use', lane.group(0))
    assert links == ["../audit-1/star/report.html", "../audit-2/star/report.html", "star/report.html"]
    assert all((third.out / link).is_file() for link in links)
    assert "#m-drift" in lane.group(0)  # the ALL behaviour that came back, on the same axis
    ghost = re.search(r'<tr class="broker" id="b-ghost".*?</tr>', page, re.S)
    assert ghost is not None and re.findall(r'<use href="#(m-\w+)" x="\d+">', ghost.group(0)) == ["m-unr"] * 3
