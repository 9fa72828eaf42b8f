"""Helpers to run `conformance run` against a reference broker, for end-to-end tests."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from conformance.results_doc import load_results, schema_errors

REPO = Path(__file__).resolve().parent.parent
# Runs are judged at a pinned instant outside the C27 closed hours (08:30-16:00 Seoul time), so no
# verdict of the project's own tests depends on the hour CI runs; tests of the window pin their own.
OPEN_HOURS = "2026-12-02T17:00:00+09:00"


@dataclass
class RunResult:
    exit_code: int
    stdout: str
    stderr: str
    results: dict[str, Any] | None

    def rule(self, rule_id: str) -> dict[str, Any]:
        assert self.results is not None, self.stderr
        return next(r for r in self.results["rules"] if r["id"] == rule_id)

    def status(self, rule_id: str) -> str:
        return self.rule(rule_id)["status"]

    def failing(self) -> dict[str, str]:
        assert self.results is not None, self.stderr
        return {r["id"]: r["status"] for r in self.results["rules"] if r["status"] in ("fail", "warn")}


def profile_for(broker: str, base_url: str, folder: Path, **limits: Any) -> Path:
    data = yaml.safe_load((REPO / "profiles" / f"{broker}.yaml").read_text(encoding="utf-8"))
    data["base_url"] = base_url
    if limits:
        data.setdefault("limits", {}).update(limits)
    path = folder / f"{broker}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def run(profile: Path, out: Path, *areas: str, extra: tuple[str, ...] = (), timeout: float = 300,
        now: str = OPEN_HOURS) -> RunResult:
    cmd = [sys.executable, "-m", "conformance", "run", "--profile", str(profile), "--out", str(out), "--quiet"]
    for area in areas:
        cmd += ["--area", area]
    cmd += list(extra)
    env = {**os.environ, "CONFORMANCE_NOW": now}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=out.parent, env=env)
    results_file = out / "results.json"
    results = load_results(results_file) if results_file.exists() else None
    if results is not None:  # every real run of the tests proves results.json's own schema
        problems = schema_errors(results)
        assert not problems, f"results.json departs from schemas/results.schema.json: {problems[:5]}"
    return RunResult(proc.returncode, proc.stdout, proc.stderr, results)


def list_faults() -> dict[str, tuple[list[str], str]]:
    proc = subprocess.run([sys.executable, "-m", "conformance", "serve-reference", "--list-faults"],
                          capture_output=True, text=True, timeout=60, check=True)
    faults = {}
    for line in proc.stdout.splitlines():
        name, rules, description = line.split("\t")
        faults[name] = ([r.strip() for r in rules.split(",") if r.strip()], description)
    return faults
