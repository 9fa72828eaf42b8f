"""The contract clauses (schemas/clauses.yaml): id → title and text, for reports and allure links.

Rules cite clauses in their spec_ref ("C4", "C12, I36", or "CONTRACT.md C2"); the report prints the
clause text beside the rule because the contract digest itself is not shipped with the package.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import yaml

from conformance.paths import schemas_dir

_REF_RE = re.compile(r"\b([CI])(\d{1,3})\b")


@dataclass(frozen=True)
class Clause:
    id: str  # "C4" (convention) or "I15" (inconsistency)
    title: str
    text: str

    @property
    def kind(self) -> str:
        return "convention" if self.id.startswith("C") else "inconsistency"


@functools.lru_cache(maxsize=1)
def load_clauses() -> dict[str, Clause]:
    """Every clause by id, conventions first, in file order."""
    data = yaml.safe_load((schemas_dir() / "clauses.yaml").read_text(encoding="utf-8"))
    clauses: dict[str, Clause] = {}
    for row in data["clauses"]:
        clause = Clause(id=str(row["id"]), title=str(row["title"]), text=" ".join(str(row["text"]).split()))
        if clause.id in clauses:
            raise ValueError(f"schemas/clauses.yaml: clause {clause.id} is listed twice")
        clauses[clause.id] = clause
    return clauses


def clause_ids(spec_ref: str) -> list[str]:
    """The clause ids a spec reference names, in order, without repeats: "C12, I36" → ["C12", "I36"]."""
    seen: list[str] = []
    for kind, number in _REF_RE.findall(spec_ref or ""):
        ident = f"{kind}{int(number)}"
        if ident not in seen:
            seen.append(ident)
    return seen


def clauses_for(spec_ref: str) -> list[Clause]:
    """The clauses a spec reference names; an id missing from the file becomes a visible placeholder."""
    known = load_clauses()
    return [known.get(ident) or Clause(ident, "(clause not in schemas/clauses.yaml)", "")
            for ident in clause_ids(spec_ref)]
