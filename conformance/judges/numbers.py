"""Area `numbers`: rates carry at most two decimals (C30)."""

from __future__ import annotations

from typing import Any

from conformance.judges import Finding, iter_doc_strings

RATE_FIELDS = ("earningRate",)


def rate_precision(doc: Any) -> list[Finding]:
    """Every rate field of a document written with more than two decimals."""
    return [Finding(path, f"{path} = {value}") for path, value in iter_doc_strings(doc)
            if path.rsplit(".", 1)[-1] in RATE_FIELDS and isinstance(value, float) and round(value, 2) != value]
