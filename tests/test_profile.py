"""Profiles: a good one loads with its secrets expanded; every bad one gives one line naming file and key."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conformance import redact
from conformance.profile import ProfileError, load_profile

GOOD = textwrap.dedent("""\
    broker: {name: Test Securities, short_name: testsec, code: "00999"}
    base_url: http://127.0.0.1:9
    apis: [balance, accountlist, member-register]
    capabilities: {all_query: true, rsp_types: [RAT], separate_product_groups: [derivatives]}
    partner: {comId: F9999, srvId: "999"}
    auth:
      bearer_token: ${TEST_BEARER}
      basic:
        apikey: ${TEST_APIKEY:-default-apikey}
        secret: ${TEST_SECRET:-s3cr3t-value}
      com_id: "00995"
      apikey: ${TEST_APIKEY:-default-apikey}
    accounts:
      - {vtAccNo: "160635473367600099", ci: "abc==", product_groups: [CASH, EQTY],
         history: {from: "20160701", to: "20160731"}}
    b2b_accounts:
      - {accNo: "0019923122221"}
    member: {ci: "abc==", korName: "박환덕"}
    limits: {timeout_s: 5, max_response_bytes: 1000000, requests_per_second: 20}
    """)


def _write(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_good_profile_loads_and_registers_secrets(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_BEARER", "bearer-token-123")
    profile = load_profile(_write(tmp_path, GOOD))
    assert profile.short_name == "testsec"
    assert profile.bearer_token == "bearer-token-123"
    assert profile.basic_apikey == "default-apikey"
    assert profile.accounts[0].history == ("20160701", "20160731")
    assert profile.separate_product_groups == ("derivatives",)
    assert redact.scrub("token bearer-token-123 and s3cr3t-value") == "token [redacted] and [redacted]"
    assert "auth" not in profile.public_dict()


def test_the_c17_tokens_and_the_quota_test_are_optional_and_the_tokens_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_BEARER", "x")
    plain = load_profile(_write(tmp_path, GOOD))
    assert plain.expired_bearer_token is None and plain.other_user_bearer_token is None
    assert plain.quota_test is False and plain.quota_burst == 20  # nothing hammers a gateway by default
    monkeypatch.setenv("TEST_EXPIRED", "expired-tok-4711")
    tokens = "  expired_bearer_token: ${TEST_EXPIRED}\n  other_user_bearer_token: other-user-tok-0815\n"
    text = GOOD.replace('  com_id: "00995"\n', '  com_id: "00995"\n' + tokens)
    text = text.replace("requests_per_second: 20", "requests_per_second: 20, quota_test: true, quota_burst: 8")
    profile = load_profile(_write(tmp_path, text))
    assert profile.expired_bearer_token == "expired-tok-4711"
    assert profile.other_user_bearer_token == "other-user-tok-0815"
    assert profile.quota_test is True and profile.quota_burst == 8
    assert redact.scrub("sent expired-tok-4711 and other-user-tok-0815") == "sent [redacted] and [redacted]"
    assert "auth" not in profile.public_dict()


def test_an_onboarding_subject_may_carry_its_users_token(tmp_path, monkeypatch):
    """A subject's bearer token (optional) is a secret like the run's: expanded, scrubbed from every
    output, left out of the public profile; a subject without one is asked with the run's token."""
    monkeypatch.setenv("TEST_BEARER", "bearer-token-123")
    monkeypatch.setenv("SUBJECT_TOKEN", "subject-token-456")
    text = GOOD + textwrap.dedent("""\
        onboarding:
          member_without_account: {ci: "noacc=="}
          unlinked_account: {vtAccNo: "160635473367600001", ci: "abc=="}
          expired_consent_account: {vtAccNo: "160635473367600002", ci: "xyz==", bearer_token: "${SUBJECT_TOKEN}"}
        """)
    profile = load_profile(_write(tmp_path, text))
    assert profile.onboarding["expired_consent_account"].bearer_token == "subject-token-456"
    assert profile.onboarding["unlinked_account"].bearer_token is None
    assert "subject-token-456" not in repr(profile.onboarding["expired_consent_account"])
    assert redact.scrub("Bearer subject-token-456") == "Bearer [redacted]"
    public = profile.public_dict()
    assert "bearer_token" not in public["onboarding"]["expired_consent_account"]
    assert public["onboarding"]["expired_consent_account"]["vtAccNo"] == "160635473367600002"
    assert "subject-token-456" not in repr(public)
    with pytest.raises(ProfileError, match="member_without_account"):  # member APIs take no bearer token
        load_profile(_write(tmp_path, text.replace('{ci: "noacc=="}', '{ci: "noacc==", bearer_token: x}'), "q.yaml"))


def test_base_url_override(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_BEARER", "x")
    assert load_profile(_write(tmp_path, GOOD), base_url="http://127.0.0.1:1234/").base_url == "http://127.0.0.1:1234"


ACCOUNTLESS = re.sub(r"\naccounts:\n  - \{vtAccNo.*?\}\}\n", "\naccounts: []\n", GOOD, flags=re.S)
BAD = [
    ("bad YAML", "broker: [unclosed\n", "not valid YAML"),
    ("not a mapping", "- just\n- a list\n", "a profile is a YAML mapping"),
    ("unknown key", GOOD + "colour: blue\n", "unknown key 'colour'"),
    ("unknown nested key", GOOD.replace("all_query: true", "all_query: true, allquery: true"),
     "capabilities: unknown key 'allquery'"),
    ("wrong type", GOOD.replace("timeout_s: 5", "timeout_s: soon"), "limits.timeout_s"),
    ("missing base_url", GOOD.replace("base_url: http://127.0.0.1:9\n", ""), "base_url: missing"),
    ("unknown API", GOOD.replace("apis: [balance,", "apis: [balanse,"), "unknown API id 'balanse'"),
    ("unset env", GOOD, "environment variable TEST_BEARER is not set"),
    ("bad group", GOOD.replace("product_groups: [CASH, EQTY]", "product_groups: [CASH, STOCK]"),
     "accounts[0].product_groups[1]"),
    ("no accounts for account APIs", ACCOUNTLESS, "accounts: missing"),
    ("unbounded quota burst", GOOD.replace("second: 20", "second: 20, quota_burst: 500"), "limits.quota_burst"),
    ("quota test not a flag", GOOD.replace("second: 20", "second: 20, quota_test: yes please"), "limits.quota_test"),
]


@pytest.mark.parametrize(("label", "text", "expected"), BAD, ids=[b[0] for b in BAD])
def test_bad_profiles_name_file_and_key(tmp_path, monkeypatch, label, text, expected):
    if label != "unset env":
        monkeypatch.setenv("TEST_BEARER", "x")
    else:
        monkeypatch.delenv("TEST_BEARER", raising=False)
    path = _write(tmp_path, text)
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    message = str(info.value)
    assert message.startswith(str(path)), message
    assert expected in message
    assert "\n" not in message


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(ProfileError, match="no such file"):
        load_profile(tmp_path / "nope.yaml")
    folder = tmp_path / "dir.yaml"
    folder.mkdir()
    with pytest.raises(ProfileError, match="cannot be read"):
        load_profile(folder)


@pytest.mark.parametrize("args", [
    ["run", "--profile", "/nonexistent/profile.yaml", "--out", "{tmp}"],
    ["run", "--area", "colours", "--out", "{tmp}"],
    ["validate", "--api", "nosuchapi", "--response", "x.json"],
    ["validate", "--api", "balance", "--response", "/nonexistent.json"],
    ["verify-bundle", "/nonexistent/evidence.zip"],
])
def test_cli_usage_errors_are_one_line_exit_2(tmp_path, args):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    proc = subprocess.run([sys.executable, "-m", "conformance", *args], capture_output=True, text=True,
                          cwd=tmp_path, timeout=60)
    assert proc.returncode == 2, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
