"""Profiles are read within bounds and expand ${ENV} only where secrets belong; every problem is one
line naming the file and the line or key."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from conformance.profile import ProfileError, load_profile

GOOD = """\
broker: {name: Bound Securities, short_name: bound, code: "00999"}
base_url: http://127.0.0.1:9
apis: [balance, member-register]
auth:
  bearer_token: ${BOUND_BEARER:-bearer-default-1}
  apikey: plain-member-key
accounts:
  - {vtAccNo: "160635473367600099", ci: "${BOUND_CI:-ci-default-value}", product_groups: [CASH]}
member: {ci: "abcdef==", korName: "x"}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ProfileError) as info:
        load_profile(_write(tmp_path, text))
    message = str(info.value)
    assert message.startswith(str(tmp_path / "p.yaml")) and "\n" not in message
    return message


def test_env_expands_in_credential_fields_and_cis(tmp_path, monkeypatch):
    monkeypatch.setenv("BOUND_BEARER", "from-the-environment")
    monkeypatch.setenv("BOUND_CI", "ci-from-the-environment")
    profile = load_profile(_write(tmp_path, GOOD))
    assert profile.bearer_token == "from-the-environment"
    assert profile.accounts[0].ci == "ci-from-the-environment"


@pytest.mark.parametrize("key, line", [
    ("base_url", "base_url: http://${GATEWAY_HOST}:9"),
    ("broker.name", "broker: {name: '${HOME}', short_name: bound}"),
    ("accounts[0].vtAccNo", 'accounts:\n  - {vtAccNo: "${OTHER_BROKER_TOKEN}", ci: "c", product_groups: [CASH]}'),
])
def test_env_anywhere_else_is_a_profile_error_naming_the_key(tmp_path, monkeypatch, key, line):
    monkeypatch.setenv("OTHER_BROKER_TOKEN", "must-never-be-sent")
    top = line.split(":", 1)[0]
    lines = [ln for ln in GOOD.splitlines() if not ln.startswith(top + ":")]
    if top == "accounts":  # drop the old list item too
        lines = [ln for ln in lines if "vtAccNo" not in ln]
    message = _error(tmp_path, line + "\n" + "\n".join(lines) + "\n")
    assert f"{key}: ${{...}} is expanded only in credential fields" in message


def test_credentials_in_base_url_are_refused(tmp_path):
    message = _error(tmp_path, GOOD.replace("http://127.0.0.1:9", "http://user:pass@127.0.0.1:9"))
    assert "base_url: credentials in the URL" in message


def test_unquoted_date_names_its_line_and_the_fix(tmp_path):
    history = 'product_groups: [CASH],\n      history: {from: 2024-01-01, to: "20240131"}}'
    text = GOOD.replace("product_groups: [CASH]}", history)
    message = _error(tmp_path, text)
    assert "line 9" in message and "unquoted date" in message and '"YYYYMMDD"' in message


def test_duplicate_keys_are_refused(tmp_path):
    message = _error(tmp_path, GOOD + "base_url: http://127.0.0.1:10\n")
    assert "the key 'base_url' occurs twice" in message and "line 10" in message


def test_non_string_keys_are_refused(tmp_path):
    assert "is not a string" in _error(tmp_path, GOOD + "1: one\n")


@pytest.mark.parametrize("short_name, ok", [("x" * 32, True), ("x" * 33, False), ("a" * 300, False),
                                            ("../etc", False), ("-lead", False), ("ok_name-2", True)])
def test_short_names_have_a_pattern_and_a_length(tmp_path, short_name, ok):
    text = GOOD.replace("short_name: bound", f"short_name: '{short_name}'")
    if ok:
        assert load_profile(_write(tmp_path, text)).short_name == short_name
    else:
        assert "broker.short_name" in _error(tmp_path, text)


def test_billion_laughs_is_refused_quickly(tmp_path):
    lines = ['a0: &a0 ["lol"]']
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]" for i in range(1, 31)]  # 2^30 once expanded
    started = time.monotonic()
    message = _error(tmp_path, "\n".join(lines) + "\n")
    assert time.monotonic() - started < 5
    assert "values once YAML aliases are expanded" in message


def test_many_aliases_are_refused(tmp_path):
    text = "x: &x 1\nl: [" + ", ".join(["*x"] * 100) + "]\n"
    assert "more than 64 YAML aliases" in _error(tmp_path, text)


def test_deep_nesting_is_refused_without_recursion_error(tmp_path):
    assert "nested deeper than" in _error(tmp_path, "x: " + "[" * 5000 + "]" * 5000 + "\n")


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    assert "larger than 256 KB" in _error(tmp_path, GOOD + "#" * 300_000 + "\n")
