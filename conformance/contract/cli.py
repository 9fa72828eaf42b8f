"""`conformance validate`: one saved message against the contract."""

from __future__ import annotations

import sys
from pathlib import Path

from conformance.contract.catalogue import load_catalogue
from conformance.contract.validator import validate


def validate_command(api: str, kind: str, file: str, *, strict: bool = False) -> int:
    catalogue = load_catalogue()
    if api not in catalogue:
        print(f"conformance: unknown API id {api!r}; valid ids: {', '.join(catalogue)}", file=sys.stderr)
        return 2
    path = Path(file)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        print(f"conformance: cannot read {file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    violations = validate(api, kind, raw)
    for violation in violations:
        severity = violation.severity
        prefix = "" if severity == "MUST" else f"({severity}) "
        print(f"{violation.path}\t{violation.rule_id}\t{prefix}{violation.message}")
    failing = [v for v in violations if v.severity == "MUST" or (strict and v.severity == "SHOULD")]
    return 1 if failing else 0
