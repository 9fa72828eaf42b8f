"""The speculative pass: every check run once in the background for its questions, its outcome
discarded, without a trace in the report, and only with the fixtures it may share across threads."""

from __future__ import annotations

import json
import threading
from collections import Counter
from types import SimpleNamespace
from typing import Any

import pytest

from conformance import prefetch
from conformance.rules import ContractViolation


class _Marker:
    def __init__(self, rule_id: str) -> None:
        self.args = (rule_id,)


def _item(function: Any, rule_id: str = "PAGE-001", **params: Any) -> Any:
    return SimpleNamespace(obj=function, callspec=SimpleNamespace(params=params),
                           get_closest_marker=lambda name: _Marker(rule_id) if name == "rule" else None)


class _Client:
    def __init__(self) -> None:
        self.asked: Counter[tuple[str, str]] = Counter()
        self._local = threading.local()
        self.lock = threading.Lock()
        self.max_in_flight = 4

    @property
    def area(self) -> str:
        return str(getattr(self._local, "area", ""))

    @area.setter
    def area(self, value: str) -> None:
        self._local.area = value

    def ask(self, question: str) -> None:
        with self.lock:
            self.asked[(self.area, question)] += 1


def test_every_check_runs_once_whatever_its_outcome():
    client = _Client()
    seen_speculative: list[bool] = []

    def passes(api, client):
        seen_speculative.append(prefetch.speculative())
        client.ask(f"{api} plain")

    def fails(api, client):
        client.ask(f"{api} failing")
        raise ContractViolation("PAGE-001", "broken")

    def skipped(client):
        client.ask("skipped")
        pytest.skip("not_applicable: nothing to judge")

    def crashes(client):
        client.ask("crash")
        raise KeyError("a harness bug shows in the real run, not here")

    items = [_item(passes, api="balance"), _item(passes, api="portfolio"), _item(fails, "ERR-001", api="x"),
             _item(skipped, "AUTH-001"), _item(crashes)]
    ran = prefetch.prefetch(items, {"client": client}.__getitem__, max_in_flight=2)
    assert ran == 5
    assert client.asked == Counter({("paging", "balance plain"): 1, ("paging", "portfolio plain"): 1,
                                    ("errors", "x failing"): 1, ("auth", "skipped"): 1, ("paging", "crash"): 1})
    assert seen_speculative == [True, True]
    assert not prefetch.speculative()  # the flag belongs to the background threads only


def test_checks_needing_other_fixtures_are_left_to_pytest():
    client = _Client()

    def needs_tmp_path(client, tmp_path):
        client.ask("never")

    assert prefetch.prefetch([_item(needs_tmp_path)], {"client": client}.__getitem__, max_in_flight=4) == 0
    assert not client.asked


def test_question_counts_of_every_worker_add_up(tmp_path):
    for worker, counts in (("gw0", {"paging": 3, "errors": 1}), ("gw1", Counter({"paging": 2}))):
        prefetch.write_question_counts(SimpleNamespace(questions=Counter(counts)), tmp_path, worker)
    (tmp_path / "gw0.jsonl").write_text("{}\n", encoding="utf-8")  # exchanges are not counts
    assert prefetch.question_summary(tmp_path) == {"total": 6, "by_area": {"errors": 1, "paging": 5}}
    assert json.loads((tmp_path / "gw1.questions.json").read_text(encoding="utf-8")) == {"paging": 2}
    assert prefetch.question_summary(tmp_path / "missing") == {"total": 0, "by_area": {}}
