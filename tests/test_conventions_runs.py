"""End-to-end proofs of issue 13 that need a profile adjusted: the C10 "held separately" exemption."""

from __future__ import annotations

import pytest
import yaml
from runs import profile_for, run

from conformance.reference.server import ReferenceServer


def _declaring_separate(fault: str, declared: list[str], tmp_path):
    """A product-groups run against a faulty diamond whose profile declares `declared` held separately."""
    with ReferenceServer(broker="diamond", faults=[fault]) as server:
        path = profile_for("diamond", server.base_url, tmp_path)
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["capabilities"]["separate_product_groups"] = declared
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return run(path, tmp_path / "out", "product-groups")


@pytest.mark.slow
@pytest.mark.parametrize(("declared", "status", "exit_code"), [([], "fail", 1), (["derivatives"], "pass", 0)])
def test_derivatives_held_separately_are_excused(declared, status, exit_code, tmp_path):
    """drops-derivatives fails GRP-004 unless the profile declares derivatives held separately (C10)."""
    result = _declaring_separate("drops-derivatives", declared, tmp_path)
    assert result.results is not None, result.stderr
    assert result.status("GRP-004") == status, result.rule("GRP-004")["checks"][:2]
    assert result.exit_code == exit_code, result.failing()


@pytest.mark.slow
@pytest.mark.parametrize(("declared", "status"), [([], "fail"), (["FUND"], "pass")])
def test_a_group_held_separately_is_excused(declared, status, tmp_path):
    """drops-fund-group fails GRP-004 unless the profile declares FUND held separately (C10); the
    derivatives above are the same exemption for the kinds without a group of their own."""
    result = _declaring_separate("drops-fund-group", declared, tmp_path)
    assert result.results is not None, result.stderr
    assert result.status("GRP-004") == status, result.rule("GRP-004")["checks"][:2]
