"""Nothing secret or personal leaves a run: a run, a re-render and a fleet audit against a gateway
that echoes every credential and identifier it receives (tests/echo_gateway.py) leave zero copies of
any of them, in any encoding, in any output byte — files, zip members, the SQLite history, stdout
and stderr."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))

from echo_gateway import INVENTED_ACCOUNT, INVENTED_CI, EchoGateway  # noqa: E402
from leakscan import scan  # noqa: E402

CI_1 = "PLaNTciOne" + "x7Y/" * 18 + "Qw=="  # 88 characters with '/' (escaped as \/ by the echo)
CI_M = "PLaNTciMem" + "k3+Z" * 18 + "Rt=="
PLANTED = {
    "bearer": "PLANTbearer.tok/en+Zq9w",
    "expired_bearer": "PLANTexpired.tok/en+Ex7q",  # C17 tokens: scrubbed like the main one
    "other_user_bearer": "PLANTotheruser.tok+Ou3w",
    "b2b_apikey": "l7xxPLANTb2bKey77",
    "b2b_secret": "PLANTb2b/secret+x",
    "member_key": "PLANTmember-key/9",
    "ci": CI_1,
    "member_ci": CI_M,
    "vtAccNo": "777712345678900011",
    "accNo": "8880012345671",
    "invented_ci": INVENTED_CI,
    "invented_account": INVENTED_ACCOUNT,
}
PLANTED["basic_b64"] = base64.b64encode(f"{PLANTED['b2b_apikey']}:{PLANTED['b2b_secret']}".encode()).decode()
ENV = {"PLANT_BEARER": PLANTED["bearer"], "PLANT_EXPIRED": PLANTED["expired_bearer"],
       "PLANT_OTHER": PLANTED["other_user_bearer"], "PLANT_KEY": PLANTED["b2b_apikey"],
       "PLANT_SECRET": PLANTED["b2b_secret"], "PLANT_MEMBER": PLANTED["member_key"]}


def echo_profile(base_url: str) -> dict[str, object]:
    return {
        "broker": {"name": "Echo Securities", "short_name": "echo", "code": "00999"},
        "base_url": base_url,
        "apis": ["portfolio", "balance", "transaction", "interest", "orderdetail", "balancelist",
                 "settlelist", "accountlist", "tradebook", "member-register", "member-consent"],
        "capabilities": {"all_query": True, "rsp_types": ["RAT"]},
        "auth": {"bearer_token": "${PLANT_BEARER}", "expired_bearer_token": "${PLANT_EXPIRED}",
                 "other_user_bearer_token": "${PLANT_OTHER}",
                 "basic": {"apikey": "${PLANT_KEY}", "secret": "${PLANT_SECRET}"},
                 "com_id": "00995", "apikey": "${PLANT_MEMBER}"},
        "accounts": [{"vtAccNo": PLANTED["vtAccNo"], "ci": CI_1, "product_groups": ["CASH", "EQTY"],
                      "history": {"from": "20240101", "to": "20240131"}}],
        "b2b_accounts": [{"accNo": PLANTED["accNo"], "history": {"from": "20240101", "to": "20240131"}}],
        "member": {"ci": CI_M, "korName": "홍길동"},
        "limits": {"timeout_s": 5, "requests_per_second": None},
    }


def _cli(*args: str, cwd: Path, secrets: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANT_")}
    if secrets:
        env.update(ENV)
    return subprocess.run([sys.executable, "-m", "conformance", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=600, check=False)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("leaks")
    fleet = root / "profiles"
    fleet.mkdir()
    with EchoGateway() as gateway:
        profile = fleet / "echo.yaml"
        profile.write_text(yaml.safe_dump(echo_profile(gateway.url), allow_unicode=True), encoding="utf-8")
        run = _cli("run", "--profile", str(profile), "--out", str(root / "run"), cwd=root)
        # the re-render knows no profile and no secret: results.json must already be clean
        rerender = _cli("report", "--from", str(root / "run" / "results.json"), "--out", str(root / "rerender"),
                        cwd=root, secrets=False)
        audit = _cli("audit", "--profiles", str(fleet), "--out", str(root / "audit"),
                     "--history", str(root / "history.sqlite"), cwd=root)
        hits = dict(gateway.hits)
    procs = {"run": run, "rerender": rerender, "audit": audit}
    extra = [(f"{name}:{stream}", getattr(proc, stream).encode()) for name, proc in procs.items()
             for stream in ("stdout", "stderr")]
    scanned, found = scan(PLANTED, [root / "run", root / "rerender", root / "audit", root / "history.sqlite"],
                          extra)
    return {"root": root, "procs": procs, "scanned": scanned, "hits": found, "modes": hits}


@pytest.mark.slow
def test_the_echo_gateway_met_every_mode_and_the_outputs_exist(outputs):
    from echo_gateway import MODES

    procs = outputs["procs"]
    assert procs["run"].returncode in (0, 1), procs["run"].stderr
    assert procs["rerender"].returncode == 0, procs["rerender"].stderr
    assert set(outputs["modes"]) == set(MODES)
    root = outputs["root"]
    for name in ("results.json", "report.html", "junit.xml", "evidence.zip"):
        assert (root / "run" / name).is_file() and (root / "audit" / "echo" / name).is_file(), name
    assert list((root / "run" / "allure-results").glob("*-result.json"))
    assert (root / "history.sqlite").is_file() and (root / "audit" / "junit.xml").is_file()
    assert outputs["scanned"] > 100


@pytest.mark.slow
def test_no_planted_secret_or_identifier_in_any_output_byte(outputs):
    hits = outputs["hits"]
    summary = "\n".join(f"{count}\t{name}\t{where}" for where, name, count in hits[:40])
    assert not hits, f"{sum(c for _, _, c in hits)} hits in {outputs['scanned']} files:\n{summary}"
    print(f"leak scan: {outputs['scanned']} files scanned, 0 hits")


@pytest.mark.slow
def test_masked_identifiers_stay_recognisable(outputs):
    text = (outputs["root"] / "run" / "results.json").read_text(encoding="utf-8")
    assert "*" * 14 + PLANTED["vtAccNo"][-4:] in text  # the account is still told apart by its end
