"""A finding: one defect a check found, as data (rule, API, JSON path, expected, actual, exchanges).

A check's failure is a list of findings; its message is rendered from them, so the report (and later
its Korean templates) can show expected and actual apart from the prose. Lowest layer: imports
nothing of the project.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

MAX_LINES = 20  # a message lists this many findings, then "… and N more"
KINDS = ("value", "missing", "shape", "transport", "answer", "logic")


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str  # the defect in a broker engineer's words (without the path)
    path: str = ""  # JSON path in the message ("" when the defect is not at one place)
    api: str = ""
    expected: str = ""  # what the contract wants, as text ("" when the message says it all)
    actual: str = ""  # what the broker sent, as text
    exchanges: tuple[str, ...] = field(default=())
    kind: str = "logic"

    def key(self) -> tuple[str, str, str, str]:
        """Two findings with the same key are one defect (the exchanges that show it are merged)."""
        return (self.rule, self.api, self.path, self.message)

    def line(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["exchanges"] = list(self.exchanges)
        return out


def dedupe(findings: Iterable[Finding]) -> list[Finding]:
    """Every finding once, in first-seen order; the exchanges of repeats are merged."""
    merged: dict[tuple[str, str, str, str], Finding] = {}
    for finding in findings:
        seen = merged.get(finding.key())
        if seen is None:
            merged[finding.key()] = finding
        else:
            extra = tuple(e for e in finding.exchanges if e not in seen.exchanges)
            if extra:
                merged[finding.key()] = Finding(**{**seen.to_dict(), "exchanges": (*seen.exchanges, *extra)})
    return list(merged.values())


def render(findings: list[Finding]) -> str:
    """The message of a failure of several findings: one line each, path first."""
    lines = [f.line() for f in findings[:MAX_LINES]]
    if len(findings) > MAX_LINES:
        lines.append(f"… and {len(findings) - MAX_LINES} more")
    return "\n".join(lines)
