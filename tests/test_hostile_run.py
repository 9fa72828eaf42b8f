"""`conformance run` against every hostile gateway mode: the run finishes and reports, never crashes.

For each mode: the run ends (exit 1, non-compliant; or exit 2, gateway unreachable), prints no
traceback, writes results.json saying the broker is not compliant, and no credential from the
profile appears in any file it wrote.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hostile_gateway import MODES, HostileGateway
from runs import RunResult, run

SECRETS = ("hostile-bearer-sekrit-1234", "hostile-apikey-sekrit-5678", "hostile-basic-sekrit-9012")

# Modes whose answers arrive complete (whatever their content): the checks judge the bodies.
ANSWERING_MODES = frozenset({"ok", "html-error", "non-json", "invalid-utf8", "deep-nesting", "nan-literals",
                             "duplicate-keys", "rate-limited", "rate-limited-long", "busy-then-ok"})

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def gateway() -> Iterator[HostileGateway]:
    with HostileGateway() as gw:
        yield gw


def _profile(folder: Path, base_url: str) -> Path:
    profile = {
        "broker": {"name": "Hostile Securities", "short_name": "hostile", "code": "00999"},
        "base_url": base_url,
        "apis": ["balance"],
        "auth": {"bearer_token": SECRETS[0], "apikey": SECRETS[1],
                 "basic": {"apikey": SECRETS[1], "secret": SECRETS[2]}, "com_id": "00995"},
        "accounts": [{"vtAccNo": "160635473367600099", "ci": "c" * 88, "product_groups": ["CASH", "EQTY"]}],
        # a short deadline keeps the stalling modes quick; the breaker stops the rest
        "limits": {"timeout_s": 1, "max_response_bytes": 1_000_000, "requests_per_second": None},
    }
    path = folder / "hostile.yaml"
    path.write_text(yaml.safe_dump(profile), encoding="utf-8")
    return path


def _written_text(out: Path) -> Iterator[tuple[str, bytes]]:
    for path in out.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    yield f"{path.name}:{name}", archive.read(name)
        else:
            yield str(path.relative_to(out)), path.read_bytes()


def _run(gateway: HostileGateway, mode: str, folder: Path) -> RunResult:
    base_url = gateway.refused_url if mode == "refused" else gateway.url_for(mode)
    # Where no answer arrives every check takes the same path (the transport problem), so two
    # areas suffice; where a body arrives every area's checks parse it, so all of them run.
    areas = () if mode in ANSWERING_MODES else ("schema", "transport")
    return run(_profile(folder, base_url), folder / "out", *areas, timeout=300)


@pytest.mark.parametrize("mode", sorted([*MODES, "refused"]))
def test_run_against_hostile_gateway_reports_and_never_crashes(mode: str, gateway: HostileGateway,
                                                               tmp_path: Path) -> None:
    result = _run(gateway, mode, tmp_path)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output[-3000:]
    assert result.exit_code in (1, 2), output[-3000:]
    assert result.results is not None, "results.json was not written"
    assert result.results["summary"]["compliant"] is False
    if result.exit_code == 2:
        assert "could not be reached" in result.stderr


def test_no_credential_reaches_any_file_the_run_writes(gateway: HostileGateway, tmp_path: Path) -> None:
    """Failing checks carry evidence (request, curl line); none of it may hold the profile's secrets."""
    result = _run(gateway, "html-error", tmp_path)
    assert result.results is not None
    leaks = [f"{secret[:12]}... in {name}" for name, content in _written_text(tmp_path / "out")
             for secret in SECRETS if secret.encode() in content]
    assert leaks == []


def test_answering_modes_are_gateway_modes() -> None:
    assert ANSWERING_MODES <= set(MODES)
