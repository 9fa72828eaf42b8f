"""The plugin's manners (as pytest-html's): a reporter object registered on the controller only,
every option with an ini twin; tried with pytester on tiny suites."""

from __future__ import annotations

import json

import pytest

from conformance.plugin import OPTIONS, REPORTER_NAME, ResultsReporter

pytest_plugins = ["pytester"]

SUITE = '''
import pytest
from conformance import checking as ck


@pytest.mark.rule("NUM-001")
@pytest.mark.parametrize("n", range(4))
def test_numbers(n):
    if n == 3:
        ck.violate(None, "a MUST finding")


@pytest.mark.rule("ECHO-001")
def test_echo():
    pass
'''


def test_the_reporter_is_registered_on_the_controller(pytester: pytest.Pytester):
    config = pytester.parseconfigure("-p", "conformance.plugin")
    assert isinstance(config.pluginmanager.get_plugin(REPORTER_NAME), ResultsReporter)


def test_every_option_has_an_ini_twin(pytester: pytest.Pytester):
    out = pytester.path / "from-ini"
    pytester.makeini(f"[pytest]\nconformance_out = {out}\nconformance_areas = numbers\n")
    pytester.makepyfile(test_suite=SUITE)
    pytester.runpytest_subprocess("-p", "conformance.plugin", "-p", "no:cacheprovider", "-p", "no:allure_pytest")
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["options"]["areas"] == ["numbers"]
    assert [r["status"] for r in results["rules"] if r["id"] == "NUM-001"] == ["fail"]
    assert not next(r for r in results["rules"] if r["id"] == "ECHO-001")["checks"]  # deselected by the ini
    assert {ini for _, ini, _, _ in OPTIONS} >= {"conformance_out", "conformance_areas", "conformance_profile"}


def test_the_command_line_wins_over_the_ini(pytester: pytest.Pytester):
    pytester.makeini(f"[pytest]\nconformance_out = {pytester.path / 'ini'}\nconformance_areas = numbers\n")
    pytester.makepyfile(test_suite=SUITE)
    out = pytester.path / "cli"
    pytester.runpytest_subprocess("-p", "conformance.plugin", "--out", str(out), "--conformance-areas", "echo",
                                  "-p", "no:cacheprovider", "-p", "no:allure_pytest")
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["options"]["areas"] == ["echo"] and not (pytester.path / "ini").exists()


def test_workers_report_to_the_controller_which_writes_once(pytester: pytest.Pytester):
    pytester.makepyfile(test_suite=SUITE)
    out = pytester.path / "out"
    result = pytester.runpytest_subprocess("-p", "conformance.plugin", "--out", str(out), "-p", "xdist", "-n", "2",
                                           "-p", "no:cacheprovider", "-p", "no:allure_pytest")
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["summary"]["checks"] == 5  # every worker's checks, gathered on the controller
    assert result.ret == 1  # a MUST rule failed
