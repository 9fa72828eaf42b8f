"""Faults of the product groups on the b2b APIs: a mistake in how `qrAssetType` selects (C10, C32)."""

from __future__ import annotations

from conformance.reference.behaviour import Behaviour
from conformance.reference.context import Call
from conformance.reference.faultkit import fault


@fault("b2b-group-ignored", "GRP-006",
       "The b2b APIs ignore qrAssetType: every group's orders, holdings and settlements come with each one.")
def b2b_group_ignored(b: Behaviour) -> None:
    groups = b.b2b_groups

    def every_group(call: Call, asset_type: str | None) -> list[str]:
        groups(call, asset_type)  # an undocumented qrAssetType is still refused (6001)
        return groups(call, None)

    b.b2b_groups = every_group
