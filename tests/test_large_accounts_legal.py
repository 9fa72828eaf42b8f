"""A large account (thousands of lines) may be refused with 6005 Result Too Many: section 3.2
documents the code for every paged API ("more results than the broker can provide in total, incl.
continuation"). The paging and ALL checks that ask the large accounts leave such an account out;
they never fail a MUST rule on it."""

from __future__ import annotations

import pytest
from runs import profile_for, run

from conformance.reference import faults
from conformance.reference.errors import api_error
from conformance.reference.faultkit import Fault
from conformance.reference.server import ReferenceServer

VARIANT = "large-result-too-many"


def _refuse_large(b) -> None:
    resolve = b.resolve_account

    def account(call):
        found = resolve(call)
        if found.spec.size == "large":
            raise api_error(6005, b.broker.category, "Result Too Many, 600")
        return found

    b.resolve_account = account


@pytest.mark.slow
@pytest.mark.parametrize("broker", ["diamond", "cyber"])  # diamond claims ALL, cyber does not (ALL-004)
def test_large_account_refused_as_too_many_is_no_must_failure(broker, tmp_path, monkeypatch):
    monkeypatch.setitem(faults.FAULTS, VARIANT, Fault(VARIANT, (), "legal: 6005 for a large account", _refuse_large))
    with ReferenceServer(broker=broker, faults=[VARIANT]) as server:
        profile = profile_for(broker, server.base_url, tmp_path)
        assert "large: true" in profile.read_text(encoding="utf-8")  # the profile asks a large account
        result = run(profile, tmp_path / "out", "paging", "all-query")
    assert result.results is not None, result.stderr
    failed = {r["id"]: [c["message"][:300] for c in r["checks"] if c["status"] == "fail"][:2]
              for r in result.results["rules"] if r["status"] == "fail"}
    assert not failed, failed
    assert result.exit_code == 0
