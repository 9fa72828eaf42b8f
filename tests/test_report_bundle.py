"""evidence.zip: an intact bundle verifies; one changed byte anywhere does not."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import zipfile
from pathlib import Path

import pytest

from conformance.cli import main
from conformance.report.bundle import (
    MANIFEST,
    collect_contract_files,
    manifest_hash,
    verify_bundle,
    verify_command,
    write_bundle,
)

FIXTURE = Path(__file__).parent / "fixtures" / "make_results.py"
_spec = importlib.util.spec_from_file_location("report_fixture", FIXTURE)
fixture = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(fixture)  # type: ignore[union-attr]

PROFILE = {"broker": {"name": "Diamond Securities", "short_name": "diamond", "code": "00992"},
           "base_url": "http://127.0.0.1:8700",
           "auth": {"bearer_token": "tok-123456", "basic": {"apikey": "k-123456", "secret": "s-123456"}},
           "accounts": [{"vtAccNo": "160635473367600099", "ci": "S1V7HGXBV1EPGBJastZf4f=="}]}


@pytest.fixture(scope="module")
def results():
    return fixture.make_results(plant_secrets=False)


@pytest.fixture()
def bundle(results, tmp_path):
    contract = {"rules.yaml": b"version: 1\n", "json/balance.response.json": b'{"type": "object"}\n'}
    return write_bundle(tmp_path, results, fixture.all_exchanges(results), PROFILE, contract)


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _rebuild(path: Path, members: dict[str, bytes], comment: bytes) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        archive.comment = comment


def test_an_intact_bundle_verifies(bundle):
    assert verify_bundle(bundle) == (True, "intact, unsigned")


def test_the_bundle_holds_results_exchanges_profile_contract_and_manifest(bundle, results):
    members = _members(bundle)
    assert set(members) == {"results.json", "exchanges.json", "profile.json", "contract/rules.yaml",
                            "contract/json/balance.response.json", "contract/VERSION.json", MANIFEST}
    assert len(json.loads(members["exchanges.json"])) == len(fixture.all_exchanges(results))
    assert json.loads(members["results.json"])["summary"] == results["summary"]
    version = json.loads(members["contract/VERSION.json"])
    assert version["files"]["rules.yaml"] == hashlib.sha256(b"version: 1\n").hexdigest()
    manifest = members[MANIFEST].decode()
    for name, data in members.items():
        if name != MANIFEST:
            assert f"{hashlib.sha256(data).hexdigest()}  {name}\n" in manifest
    assert manifest_hash(bundle) == hashlib.sha256(members[MANIFEST]).hexdigest()


def test_the_profile_loses_its_credentials_and_masks_accounts(bundle):
    profile = json.loads(_members(bundle)["profile.json"])
    assert profile["auth"] == {"bearer_token": "[redacted]", "basic": "[redacted]"}
    assert profile["accounts"][0]["vtAccNo"] == "**************0099"
    raw = b"".join(_members(bundle).values())
    for secret in (b"tok-123456", b"k-123456", b"s-123456"):
        assert secret not in raw


def test_the_same_inputs_give_the_same_bytes(results, tmp_path):
    one = write_bundle(tmp_path / "a", results, [], PROFILE, {"x.yaml": b"1"}).read_bytes()
    two = write_bundle(tmp_path / "b", results, [], PROFILE, {"x.yaml": b"1"}).read_bytes()
    assert one == two


@pytest.mark.parametrize("member", ["results.json", "exchanges.json", "profile.json", "contract/rules.yaml",
                                    "contract/VERSION.json", MANIFEST])
def test_one_changed_byte_in_any_member_fails_verification(bundle, member):
    members = _members(bundle)
    with zipfile.ZipFile(bundle) as archive:
        comment = archive.comment
    data = bytearray(members[member])
    data[len(data) // 2] ^= 0x01
    members[member] = bytes(data)
    _rebuild(bundle, members, comment)
    ok, message = verify_bundle(bundle)
    assert not ok and member in message


def test_one_flipped_byte_in_the_archive_data_fails_verification(bundle):
    with zipfile.ZipFile(bundle) as archive:
        info = archive.getinfo("exchanges.json")
    raw = bytearray(bundle.read_bytes())
    name_len = len(info.filename.encode())
    extra_len = int.from_bytes(raw[info.header_offset + 28:info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    raw[start + info.compress_size // 2] ^= 0xFF
    bundle.write_bytes(bytes(raw))
    ok, message = verify_bundle(bundle)
    assert not ok and ("damaged archive" in message or "exchanges.json" in message)


def test_an_added_or_removed_member_fails_verification(bundle):
    members = _members(bundle)
    with zipfile.ZipFile(bundle) as archive:
        comment = archive.comment
    _rebuild(bundle, {**members, "extra.txt": b"x"}, comment)
    assert verify_bundle(bundle) == (False, "member(s) not in the manifest: extra.txt")
    del members["profile.json"]
    _rebuild(bundle, members, comment)
    assert verify_bundle(bundle) == (False, "member(s) missing: profile.json")


def test_a_rewritten_manifest_without_the_matching_comment_fails(bundle):
    members = _members(bundle)
    members["results.json"] = b"{}"
    members[MANIFEST] = "".join(f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in members.items()
                                if n != MANIFEST).encode()
    with zipfile.ZipFile(bundle) as archive:
        comment = archive.comment
    _rebuild(bundle, members, comment)
    ok, message = verify_bundle(bundle)
    assert not ok and "manifest hash" in message


def test_a_file_that_is_not_a_zip_fails_verification(tmp_path):
    path = tmp_path / "evidence.zip"
    path.write_bytes(b"not a zip")
    ok, message = verify_bundle(path)
    assert not ok and message.startswith("damaged archive")


def test_verify_command_prints_intact_or_the_problem_and_exits_0_1_2(bundle, tmp_path, capsys):
    assert verify_command(str(bundle)) == 0
    assert capsys.readouterr().out == "intact, unsigned\n"
    assert main(["verify-bundle", str(bundle)]) == 0
    capsys.readouterr()
    members = _members(bundle)
    members["results.json"] = members["results.json"].replace(b'"pass"', b'"fail"', 1)
    with zipfile.ZipFile(bundle) as archive:
        comment = archive.comment
    _rebuild(bundle, members, comment)
    assert verify_command(str(bundle)) == 1
    assert "results.json: SHA-256 differs from the manifest" in capsys.readouterr().out
    assert verify_command(str(tmp_path / "missing.zip")) == 2
    assert "no such file" in capsys.readouterr().err


def test_contract_files_are_collected_from_schemas():
    files = collect_contract_files()
    assert "rules.yaml" in files and "clauses.yaml" in files and "catalogue.yaml" in files
