"""The client asks each question once, however many threads ask it, with at most
`limits.max_in_flight` on the wire and never faster than `limits.requests_per_second`."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance.client import Client
from conformance.client.questions import question_key
from conformance.profile import ProfileError, load_profile

ROOT = Path(__file__).resolve().parents[1]
URL = "http://gw.example/v1/x/account/balance/search"


# --- the cache key ---------------------------------------------------------------------------------

def _key(body: Any, headers: dict[str, str] | None = None) -> tuple[Any, ...]:
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    return question_key("POST", URL, headers or {"Content-Type": "application/json"}, raw)


def test_member_order_whitespace_and_the_generated_request_id_make_no_new_question():
    a = {"commonHeader": {"reqIdConsumer": "KC0000000001", "ci": "x"}, "q": {"count": 0, "page": "null"}}
    b = {"q": {"page": "null", "count": 0}, "commonHeader": {"ci": "x", "reqIdConsumer": "KC0000000002"}}
    spaced = json.dumps(b, indent=4).encode()
    assert _key(a) == _key(b) == _key(spaced)


def test_header_names_compare_without_case_but_values_with_it():
    body = {"q": 1}
    assert _key(body, {"Content-Type": "application/json"}) == _key(body, {"content-type": "application/json"})
    assert _key(body, {"Authorization": "Basic abc"}) != _key(body, {"Authorization": "basic abc"})


def test_what_the_suites_ask_on_purpose_stays_a_different_question():
    ten = b'{"count": 10}'
    assert len({_key(ten), _key(b'{"count": 10.0}'), _key(b'{"count": 1.0E1}')}) == 3  # NUM-004
    assert _key({"page": "null"}) != _key({"page": None}) != _key({})  # NULL-003 first-page forms
    assert _key({"commonHeader": {"reqIdConsumer": "mine"}}) != _key({"commonHeader": {"reqIdConsumer": "x"}})
    assert _key(b'{"partner": {"comId": ') != _key(b'{"partner": {"comId": 1')  # not JSON: byte for byte


# --- the client under concurrency ------------------------------------------------------------------

class _Gateway(ThreadingHTTPServer):
    """Answers every POST after `delay` seconds; records how many requests were open at once."""

    daemon_threads = True

    def __init__(self, delay: float) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.delay = delay
        self.open = 0
        self.most_open = 0
        self.arrivals: list[float] = []
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    server: _Gateway

    def do_POST(self) -> None:  # noqa: N802 - the http.server name
        self.rfile.read(int(self.headers.get("content-length", 0)))
        gateway = self.server
        with gateway.lock:
            gateway.open += 1
            gateway.most_open = max(gateway.most_open, gateway.open)
            gateway.arrivals.append(time.monotonic())
        time.sleep(gateway.delay)
        with gateway.lock:
            gateway.open -= 1
        body = b'{"resp": {"respCode": "200"}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def gateway() -> Iterator[_Gateway]:
    server = _Gateway(delay=0.2)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _client(gateway: _Gateway, tmp_path: Path, **limits: Any) -> Client:
    data = yaml.safe_load((ROOT / "profiles" / "diamond.yaml").read_text(encoding="utf-8"))
    data["base_url"] = f"http://127.0.0.1:{gateway.server_address[1]}"
    data["limits"].update(limits)
    path = tmp_path / "profile.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return Client(load_profile(path))


def _ask_together(client: Client, queries: list[dict[str, Any]]) -> list[Any]:
    account = client.profile.regular_accounts[0]
    answers: list[Any] = [None] * len(queries)
    start = threading.Barrier(len(queries))

    def ask(index: int) -> None:
        start.wait()
        answers[index] = client.call("balance", purpose=f"q{index}", account=account, query=queries[index])

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(queries))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers


def test_the_same_question_from_many_threads_is_sent_once(gateway, tmp_path):
    client = _client(gateway, tmp_path, requests_per_second=None, max_in_flight=4)
    answers = _ask_together(client, [{"count": 5}] * 8)
    assert len(gateway.arrivals) == 1
    assert len(client.exchanges) == 1 and all(a is client.exchanges[0] for a in answers)
    assert sum(client.questions.values()) == 1


def test_never_more_than_max_in_flight_on_the_wire(gateway, tmp_path):
    client = _client(gateway, tmp_path, requests_per_second=None, max_in_flight=2)
    _ask_together(client, [{"count": n} for n in range(1, 7)])
    assert len(gateway.arrivals) == 6
    assert gateway.most_open == 2  # six threads asked at once: two at a time were sent
    assert [e.id for e in client.exchanges] == sorted((e.id for e in client.exchanges), key=lambda i: int(i[1:]))


def test_max_in_flight_1_is_one_question_after_another(gateway, tmp_path):
    client = _client(gateway, tmp_path, requests_per_second=None, max_in_flight=1)
    _ask_together(client, [{"count": n} for n in range(1, 4)])
    assert gateway.most_open == 1


def test_concurrency_never_outruns_the_rate_limit(gateway, tmp_path):
    rps = 20.0
    client = _client(gateway, tmp_path, requests_per_second=rps, max_in_flight=4)
    _ask_together(client, [{"count": n} for n in range(1, 9)])
    arrivals = sorted(gateway.arrivals)
    assert len(arrivals) == 8
    # eight sends at 20/s need seven intervals, however many are in flight (0.8: sleep granularity)
    assert arrivals[-1] - arrivals[0] >= 7 / rps * 0.8
    assert gateway.most_open >= 2  # and they did overlap: 0.2 s answers, a send every 0.05 s


def test_questions_are_counted_by_the_area_that_asked_first(gateway, tmp_path):
    client = _client(gateway, tmp_path, requests_per_second=None, max_in_flight=4)
    account = client.profile.regular_accounts[0]
    client.area = "paging"
    client.call("balance", purpose="a", account=account, query={"count": 1})
    client.area = "errors"
    client.call("balance", purpose="b", account=account, query={"count": 1})  # the cache answers
    client.call("balance", purpose="c", account=account, query={"count": 2})
    assert dict(client.questions) == {"paging": 1, "errors": 1}


@pytest.mark.parametrize("value", [0, -1, 1.5, "4"])
def test_max_in_flight_must_be_a_positive_whole_number(value, tmp_path):
    data = yaml.safe_load((ROOT / "profiles" / "diamond.yaml").read_text(encoding="utf-8"))
    data["limits"]["max_in_flight"] = value
    path = tmp_path / "profile.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ProfileError, match="max_in_flight"):
        load_profile(path)


def test_max_in_flight_defaults_to_four(tmp_path):
    assert load_profile(ROOT / "profiles" / "diamond.yaml").max_in_flight == 4
