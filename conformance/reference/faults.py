"""The fault catalogue: realistic broker mistakes, each a named, composable wrapper with the rule ids
it must break (ids of schemas/rules.yaml). `conformance serve-reference --list-faults` prints it.

The faults live in modules by where they act — content (what a response says), logic (how a
request is understood), wire (status, format, transport), and the conventions, onboarding and
product-groups faults of issue 13 — and register themselves here.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from conformance.reference import (  # noqa: F401  (registration)
    faults_content,
    faults_conventions,
    faults_groups,
    faults_logic,
    faults_member,
    faults_onboarding,
    faults_paging,
    faults_shapes,
    faults_wire,
)
from conformance.reference.behaviour import Behaviour
from conformance.reference.faultkit import REGISTRY, Fault

FAULTS: dict[str, Fault] = dict(sorted(REGISTRY.items()))


def get_faults(names: Iterable[str]) -> list[Fault]:
    """The named faults, in the order given; KeyError names the first unknown one."""
    out = []
    for name in names:
        if name not in FAULTS:
            raise KeyError(f"unknown fault {name!r} (see --list-faults)")
        out.append(FAULTS[name])
    return out


def apply_faults(behaviour: Behaviour, names: Iterable[str]) -> list[Fault]:
    faults = get_faults(names)
    for f in faults:
        f.apply(behaviour)
    return faults


def descriptions_ko() -> dict[str, str]:
    """Fault name → Korean description (faults_ko.yaml beside this module)."""
    import yaml

    path = Path(__file__).resolve().parent / "faults_ko.yaml"
    return {str(k): str(v) for k, v in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items()}


def catalogue_lines(lang: str = "en") -> list[str]:
    """`NAME<TAB>rule ids comma-separated<TAB>description`, one per fault; `lang` "ko": the Korean
    description (the English one where a fault has none yet)."""
    korean = descriptions_ko() if lang == "ko" else {}
    return [f"{f.name}\t{','.join(f.rules)}\t{korean.get(f.name, f.description)}" for f in FAULTS.values()]


__all__ = ["FAULTS", "Fault", "apply_faults", "catalogue_lines", "descriptions_ko", "get_faults"]
