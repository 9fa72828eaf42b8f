"""Serving the reference broker for real: the in-process runner, the CLI command, the rate limit."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import httpx
import pytest

from conformance.reference import ReferenceServer
from conformance.reference import examples as ex
from conformance.reference.ratelimit import TokenBucket, retry_after


def _balance(client: httpx.Client, broker: str) -> httpx.Response:
    return client.post(ex.path("balance", broker), content=json.dumps(ex.body("balance", broker)),
                       headers=ex.headers("balance", broker))


def test_reference_server_serves_on_a_free_port_and_stops():
    with ReferenceServer("star") as server:
        assert server.port > 0 and server.base_url == f"http://127.0.0.1:{server.port}"
        with httpx.Client(base_url=server.base_url) as client:
            assert _balance(client, "star").status_code == 200
        url = server.base_url
    with pytest.raises(httpx.ConnectError):
        httpx.post(url + ex.path("balance", "star"), timeout=2)


def _serve(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "conformance", "serve-reference", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_cli_prints_ready_serves_and_exits_0_on_a_signal(sig):
    proc = _serve("--broker", "cyber", "--port", "0")
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("READY http://127.0.0.1:"), line
        base_url = line.split(" ", 1)[1]
        with httpx.Client(base_url=base_url) as client:
            response = _balance(client, "cyber")
            assert response.status_code == 200
            assert response.json()["accInfo"]["vtAccNo"] == ex.main_account("cyber").vt_acc_no
        proc.send_signal(sig)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_cli_with_faults_and_null_forms():
    proc = _serve("--broker", "diamond", "--port", "0", "--fault", "upper-null", "--null-forms", "empty")
    try:
        assert proc.stdout is not None
        base_url = proc.stdout.readline().split(" ", 1)[1].strip()
        with httpx.Client(base_url=base_url) as client:
            assert _balance(client, "diamond").json()["accInfo"]["realAccNo"] == "NULL"
        proc.terminate()
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_cli_reports_a_busy_port_in_one_line():
    with ReferenceServer("diamond") as server:
        proc = _serve("--broker", "diamond", "--port", str(server.port))
        _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2 and len(err.strip().splitlines()) == 1, err


def test_requests_above_the_rate_limit_get_429_with_retry_after():
    with ReferenceServer("diamond", rate_limit=2) as server, httpx.Client(base_url=server.base_url) as client:
        statuses = [_balance(client, "diamond") for _ in range(6)]
    limited = [r for r in statuses if r.status_code == 429]
    assert limited, [r.status_code for r in statuses]
    assert statuses[0].status_code == 200
    assert int(limited[0].headers["Retry-After"]) >= 1
    assert limited[0].json() == {"message": "API rate limit exceeded"}


def test_token_bucket_refills_with_time():
    now = [0.0]
    bucket = TokenBucket(2, clock=lambda: now[0])
    assert bucket.take() is None and bucket.take() is None
    wait = bucket.take()
    assert wait is not None and retry_after(wait) == "1"
    now[0] += 0.5
    assert bucket.take() is None


def test_rate_headers_follow_the_broker_style():
    for broker, header in (("diamond", "x-ratelimit-remaining-day"), ("star", "x-rate-value")):
        with ReferenceServer(broker) as server, httpx.Client(base_url=server.base_url) as client:
            first, second = _balance(client, broker), _balance(client, broker)
        assert first.headers[header].isdigit() and first.headers[header] != second.headers[header]
    with ReferenceServer("cyber") as server, httpx.Client(base_url=server.base_url) as client:
        assert not any(h.lower().startswith("x-rate") for h in _balance(client, "cyber").headers)
