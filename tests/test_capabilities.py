"""Capabilities a broker can declare, so a documented refusal of what it does not offer is no
failure: the b2b asset types (GRP-005), and groups not declared for an account (GRP-001)."""

from __future__ import annotations

import pytest
import yaml
from runs import profile_for, run

from conformance.reference.server import ReferenceServer


def _profile(tmp_path, base_url, **caps):
    path = profile_for("diamond", base_url, tmp_path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["capabilities"].update(caps)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.slow
@pytest.mark.parametrize(("offered", "status"), [(["EQTY"], "pass"), (["EQTY", "FUND", "ETC"], "fail")])
def test_b2b_asset_types_not_offered_may_be_refused_with_6001(tmp_path, offered, status):
    with ReferenceServer(broker="diamond", faults=["b2b-group-refused"]) as server:
        result = run(_profile(tmp_path, server.base_url, b2b_asset_types=offered), tmp_path / "out",
                     "product-groups")
    assert result.status("GRP-005") == status, result.rule("GRP-005")["checks"][0]["message"]


@pytest.mark.slow
def test_undeclared_group_refused_with_6001_is_not_a_failure(tmp_path):
    """Without accounts[].product_groups the suite asks every group; a 6001 for one of them says
    only that the account does not hold it. With the group declared, the same refusal fails."""
    with ReferenceServer(broker="diamond", faults=["group-refused"]) as server:
        path = profile_for("diamond", server.base_url, tmp_path)
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for account in data["accounts"]:
            account.pop("product_groups", None)
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        undeclared = run(path, tmp_path / "undeclared", "product-groups")
        declared = run(profile_for("diamond", server.base_url, tmp_path), tmp_path / "declared", "product-groups")
    assert undeclared.status("GRP-001") == "pass", undeclared.rule("GRP-001")["checks"]
    assert declared.status("GRP-001") == "fail"
