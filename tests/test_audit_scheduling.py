"""docs/scheduling.md's recipes work as written: the crontab entry runs under cron's bare
environment, the systemd units verify and run the same audit, the CI workflows call valid
`conformance` commands and shard the profiles without loss or overlap."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance.cli import _parser

DOCS = Path(__file__).resolve().parent.parent / "docs"
CRONTAB = DOCS / "cron" / "koscom-conformance.crontab"
SERVICE = DOCS / "systemd" / "koscom-conformance-audit.service"
TIMER = DOCS / "systemd" / "koscom-conformance-audit.timer"
KC_HOME = "/opt/koscom-conformance"


def _crontab_lines() -> list[str]:
    return CRONTAB.read_text(encoding="utf-8").splitlines()


def _audit_args(command: str) -> list[str]:
    """The arguments after `conformance` in a shell command line."""
    words = shlex.split(command)
    start = next(i for i, w in enumerate(words) if w.endswith("bin/conformance"))
    return [w for w in words[start + 1 :] if not w.startswith(">>") and w != "2>&1"]


def test_the_crontab_is_five_lines_and_the_doc_shows_it_verbatim() -> None:
    lines = _crontab_lines()
    assert len(lines) == 5
    doc = (DOCS / "scheduling.md").read_text(encoding="utf-8")
    block = doc.split("<!-- crontab -->")[1].split("```crontab\n")[1].split("```")[0]
    assert block.splitlines() == lines
    job = lines[-1]
    assert re.match(r"^30 2 \* \* \* ", job)
    assert "%" not in job.replace("\\%", "")  # every % escaped: cron turns a bare % into a newline
    args = _parser().parse_args(_audit_args(job[len("30 2 * * * ") :].replace("\\%", "%")))
    assert (args.command, args.profiles, args.workers, args.history) == (
        "audit",
        "fleet",
        2,
        "audits/history.sqlite",
    )


def _crontab_env(lines: list[str], home: Path) -> dict[str, str]:
    """What cron gives a job: its own few variables plus the crontab's assignments."""
    env = {"HOME": str(home), "LOGNAME": "root", "PATH": "/usr/bin:/bin", "SHELL": "/bin/sh"}
    for line in lines:
        match = re.match(r"^([A-Z_]+)=(.*)$", line)
        if match:
            env[match.group(1)] = match.group(2).replace(KC_HOME, str(home))
    return env


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _checkout(tmp_path: Path) -> Path:
    """A checkout after the README's install: .venv/bin/conformance and a fleet/ of profiles, one
    needing a secret from fleet.env (so it loads only if cron's BASH_ENV file was read)."""
    home = tmp_path / "kc"
    (home / ".venv" / "bin").mkdir(parents=True)
    script = Path(sys.executable).parent / "conformance"
    if not script.exists():
        pytest.skip(f"no console script beside {sys.executable} (project not installed)")
    (home / ".venv" / "bin" / "conformance").symlink_to(script)
    fleet = home / "fleet"
    fleet.mkdir()
    (fleet / "far.yaml").write_text(
        "broker: {name: Far Securities, short_name: far}\n"
        f"base_url: http://127.0.0.1:{_closed_port()}\n"
        "apis: [portfolio]\naccounts: [{vtAccNo: '160635473367600099', ci: abc}]\n"
        "auth:\n  bearer_token: ${KC_CRON_TEST_TOKEN}\n",
        encoding="utf-8",
    )
    (fleet / "bad.yaml").write_text("broker: {name: Bad, short_name: bad}\n", encoding="utf-8")
    (home / "fleet.env").write_text("export KC_CRON_TEST_TOKEN=cron-token-value\n", encoding="utf-8")
    return home


def _summary(home: Path) -> dict[str, Any]:
    (folder,) = [p for p in (home / "audits").iterdir() if p.is_dir()]
    assert re.fullmatch(r"\d{8}T\d{4}Z", folder.name)  # the date format survived cron's escaping
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_the_crontab_job_runs_as_written_under_crons_bare_environment(tmp_path: Path) -> None:
    lines = _crontab_lines()
    home = _checkout(tmp_path)
    env = _crontab_env(lines, home)
    # cron hands the command (after the five time fields, with \% turned into %) to $SHELL -c
    command = lines[-1].split(None, 5)[5].replace("\\%", "%")
    proc = subprocess.run(
        [env["SHELL"], "-c", command],
        env=env,
        cwd="/",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr  # nothing could be audited: the only loadable gateway is closed
    log = (home / "audits" / "cron.log").read_text(encoding="utf-8")
    assert "exit 2" in log.splitlines()[-1]
    brokers = {b["short_name"]: b for b in _summary(home)["brokers"]}
    assert brokers["far"]["status"] == "unreachable"  # its ${KC_CRON_TEST_TOKEN} came from BASH_ENV
    assert brokers["bad"]["status"] == "bad-profile"
    assert (home / "audits" / "history.sqlite").is_file()
    assert "cron-token-value" not in log


def test_the_systemd_units_verify_and_run_the_crontabs_audit() -> None:
    service = SERVICE.read_text(encoding="utf-8")
    exec_start = re.search(r"^ExecStart=/bin/bash -c '(.*)'$", service, re.M)
    assert exec_start is not None
    command = exec_start.group(1).replace("%%", "%")
    cron_command = _crontab_lines()[-1].split(None, 5)[5].replace("\\%", "%")
    assert _audit_args(command) == _audit_args(cron_command.split("&& ", 2)[2])
    assert f"WorkingDirectory={KC_HOME}" in service
    assert f"Environment=BASH_ENV={KC_HOME}/fleet.env" in service
    timer = TIMER.read_text(encoding="utf-8")
    assert "OnCalendar=*-*-* 02:30:00" in timer and "Persistent=true" in timer
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    proc = subprocess.run(
        [analyze, "verify", "--man=no", str(SERVICE), str(TIMER)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    problems = [ln for ln in proc.stderr.splitlines() if "koscom-conformance" in ln]
    assert problems == [], proc.stderr


def _workflow(name: str) -> dict[str, Any]:
    return yaml.safe_load((DOCS / "ci" / name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", ["fleet-audit.yml", "fleet-audit-sharded.yml"])
def test_the_ci_workflows_call_valid_conformance_commands_and_archive_the_output(name: str) -> None:
    flow = _workflow(name)
    runs = [step["run"] for job in flow["jobs"].values() for step in job["steps"] if "run" in step]
    commands = [line.strip() for run in runs for line in run.splitlines() if ".venv/bin/conformance" in line]
    assert any(" audit " in c for c in commands)
    for command in commands:
        args = _parser().parse_args(_audit_args(re.sub(r"\$\{\{[^}]*\}\}", "0", command.split("|")[0])))
        assert args.command in ("audit", "history")
        if args.command == "audit":
            assert args.history == "audits/history.sqlite" and args.out.startswith("audits/")
    uploads = [
        step
        for job in flow["jobs"].values()
        for step in job["steps"]
        if str(step.get("uses", "")).startswith("actions/upload-artifact")
    ]
    assert any(step["with"]["path"] == "audits/" for step in uploads)


def test_the_sharded_workflow_splits_the_profiles_without_loss_or_overlap(tmp_path: Path) -> None:
    flow = _workflow("fleet-audit-sharded.yml")
    shards = flow["jobs"]["audit"]["strategy"]["matrix"]["shard"]
    assert int(flow["env"]["SHARDS"]) == len(shards)
    (pick,) = [
        s["run"] for s in flow["jobs"]["audit"]["steps"] if s.get("name") == "Pick this shard's profiles"
    ]
    (tmp_path / "fleet").mkdir()
    names = {f"broker{i:02d}.yaml" for i in range(7)} | {"other.yml"}
    for name in [*names, "README.md"]:
        (tmp_path / "fleet" / name).write_text("x", encoding="utf-8")
    seen: list[str] = []
    for shard in shards:
        work = tmp_path / f"w{shard}"
        shutil.copytree(tmp_path / "fleet", work / "fleet")
        script = pick.replace("${{ matrix.shard }}", str(shard))
        subprocess.run(
            ["bash", "-ec", script],
            cwd=work,
            env={**os.environ, "SHARDS": flow["env"]["SHARDS"]},
            check=True,
            capture_output=True,
        )
        got = sorted(p.name for p in (work / "shard").iterdir())
        assert got, f"shard {shard} got no profile"
        seen += got
    assert sorted(seen) == sorted(names)
