"""No credential leaves the run: every writer's every output byte is free of planted secrets."""

from __future__ import annotations

import base64
import importlib.util
import json
import zipfile
from pathlib import Path

import pytest

from conformance import redact
from conformance.report.bundle import write_bundle
from conformance.report.html import render_html
from conformance.report.junit import write_junit

FIXTURE = Path(__file__).parent / "fixtures" / "make_results.py"
_spec = importlib.util.spec_from_file_location("report_fixture", FIXTURE)
fixture = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(fixture)  # type: ignore[union-attr]

PLANTED = fixture.PLANTED


def _forms(secret: str) -> list[bytes]:
    """The secret as bytes in the encodings a writer could use (plain, JSON-escaped)."""
    return [secret.encode(), json.dumps(secret)[1:-1].encode()]


@pytest.fixture()
def planted_results():
    redact.register_secret(PLANTED["registered"])
    results = fixture.make_results()
    text = json.dumps(results)
    for name, secret in PLANTED.items():  # the record really carries them before the writers run
        assert secret in text, name
    return results


def _assert_clean(data: bytes, where: str) -> None:
    for name, secret in PLANTED.items():
        for form in _forms(secret):
            assert form not in data, f"{name} leaked into {where}"


def test_html_report_contains_no_planted_secret(planted_results, tmp_path):
    _assert_clean(render_html(planted_results, tmp_path).read_bytes(), "report.html")


def test_junit_contains_no_planted_secret(planted_results, tmp_path):
    write_junit(planted_results, tmp_path / "junit.xml")
    _assert_clean((tmp_path / "junit.xml").read_bytes(), "junit.xml")


def test_evidence_bundle_contains_no_planted_secret_in_any_member(planted_results, tmp_path):
    profile = {"broker": {"short_name": "diamond"},
               "auth": {"bearer_token": PLANTED["bearer"],
                        "basic": {"apikey": "l7xxPLANTEDb2bkey", "secret": "PLANTEDb2bsecret"},
                        "apikey": PLANTED["apikey"]},
               "notes": f"rotated {PLANTED['registered']}"}
    bundle = write_bundle(tmp_path, planted_results, fixture.all_exchanges(planted_results), profile,
                          {"rules.yaml": b"rules: []\n"})
    raw = bundle.read_bytes()
    _assert_clean(raw, "evidence.zip (raw)")
    with zipfile.ZipFile(bundle) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            _assert_clean(data, name)
            for plain in (b"l7xxPLANTEDb2bkey", b"PLANTEDb2bsecret"):
                assert plain not in data, name


def test_credentials_still_mark_where_they_were(planted_results, tmp_path):
    html = render_html(planted_results, tmp_path).read_text("utf-8")
    assert "Authorization: [redacted]" in html
    assert "Bearer [redacted]" in html  # the curl line keeps its shape, minus the token


@pytest.mark.parametrize("text, kept", [
    ("-H 'Authorization: Bearer abc.def-ghi'", "-H 'Authorization: Bearer [redacted]'"),
    ("-H 'authorization: Basic QUJDOkRFRg=='", "-H 'authorization: Basic [redacted]'"),
    ('{"apikey": "l7xx1234", "x": 1}', '{"apikey": "[redacted]", "x": 1}'),
    ("client_secret=abcd&grant_type=x", "client_secret=[redacted]&grant_type=x"),
    ("<pre>apikey: l7xx99</pre><p>", "<pre>apikey: [redacted]</pre><p>"),
    ("HTTP Basic authentication and the apikey header", "HTTP Basic authentication and the apikey header"),
])
def test_scrub_removes_credentials_written_as_name_and_value(text, kept):
    assert redact.scrub(text) == kept


def test_scrub_data_redacts_raw_headers_and_nested_strings():
    token = base64.b64encode(b"k:s").decode()
    data = redact.scrub_data({"headers": {"Authorization": "Basic " + token, "X-Trace": "1"},
                              "list": [{"curl": f"-H 'authorization: Basic {token}'"}]})
    assert data["headers"] == {"Authorization": "[redacted]", "X-Trace": "1"}
    assert token not in json.dumps(data)


def test_mask_data_masks_account_numbers_and_cis():
    masked = redact.mask_data({"accounts": [{"vtAccNo": "160635473367600099", "ci": "ABCDEFGH"}]})
    assert masked == {"accounts": [{"vtAccNo": "**************0099", "ci": "****EFGH"}]}
