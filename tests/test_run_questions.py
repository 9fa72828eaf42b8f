"""A run's questions: counted per area in results.json, and the same with several in flight as one
after another — the same questions, each recorded once, and the same verdicts."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from runs import profile_for, run

from conformance.client.questions import question_key
from conformance.reference.server import ReferenceServer
from conformance.runner import questions_line


def _keys(out: Path) -> Counter[tuple[Any, ...]]:
    keys: Counter[tuple[Any, ...]] = Counter()
    for file in (out / "exchanges").glob("*.jsonl"):
        for line in file.read_text(encoding="utf-8").split("\n"):
            if line:
                request = json.loads(line)["request"]
                keys[question_key(request["method"], request["url"], request["headers"],
                                  request["body"].encode("utf-8"))] += 1
    return keys


def _large_pages(out: Path) -> dict[str, int]:
    """The deepest page asked of each large-account chain (its purpose without the page number)."""
    deepest: dict[str, int] = {}
    for file in (out / "exchanges").glob("*.jsonl"):
        for line in file.read_text(encoding="utf-8").split("\n"):
            purpose = json.loads(line).get("purpose", "") if line else ""
            if "large account" in purpose and " page " in purpose:
                chain, page = purpose.rsplit(" page ", 1)
                deepest[chain] = max(deepest.get(chain, 0), int(page))
    return deepest


@pytest.mark.slow
def test_concurrent_run_asks_the_same_questions_once_and_judges_the_same(tmp_path):
    outs = {}
    with ReferenceServer("diamond") as server:
        for in_flight in (1, 4):
            profile = profile_for("diamond", server.base_url, tmp_path, max_in_flight=in_flight)
            outs[in_flight] = run(profile, tmp_path / f"out-{in_flight}")
    sequential, concurrent = outs[1], outs[4]
    assert sequential.exit_code == concurrent.exit_code == 0, concurrent.stderr[-500:]
    assert sequential.results and concurrent.results
    statuses = {r["id"]: r["status"] for r in sequential.results["rules"]}
    assert statuses == {r["id"]: r["status"] for r in concurrent.results["rules"]}
    keys = _keys(tmp_path / "out-4")
    assert keys == _keys(tmp_path / "out-1")
    questions = concurrent.results["questions"]
    assert questions["total"] == sum(keys.values()) == sum(questions["by_area"].values())
    # which area asks a shared question first may differ between the runs; how many never does
    assert questions["total"] == sequential.results["questions"]["total"]
    # the figures of issue 19 (300 questions), grown by issue 13's conventions ("" on every API, each
    # claimed rspType, other methods, Content-Type, onboarding subjects), the C17 tokens (8), balancelist
    # paging its securities and the large account's first pages (paging, ALL): at most 360; paging a
    # bounded few
    assert questions["total"] <= 360 and questions["by_area"]["paging"] <= 100
    # the profile's large account is asked by the paging checks, for the first pages of a chain only
    large = _large_pages(tmp_path / "out-1")
    assert large and max(large.values()) <= 3, large  # limits.large_pages (default 3)


def test_questions_line_names_the_costliest_area_first():
    line = questions_line({"total": 12, "by_area": {"errors": 2, "paging": 9, "auth": 1}})
    assert line == "12 questions: paging 9, errors 2, auth 1"
