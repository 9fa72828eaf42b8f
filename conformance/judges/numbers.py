"""Number judges of one success answer: rates carry at most two decimals (NUM-003, C30)."""

from __future__ import annotations

from conformance import checking as ck
from conformance.evidence import Exchange

RATE_FIELDS = ("earningRate",)


def rates_two_decimals(exchange: Exchange, api: str) -> None:
    """NUM-003 on one success answer (a refused one fails NUM-003: call it on successes only)."""
    doc = ck.answer(exchange, api, "NUM-003").doc
    bad = [(path, value) for path, value in ck.iter_doc_strings(doc)
           if path.rsplit(".", 1)[-1] in RATE_FIELDS and isinstance(value, float)
           and round(value, 2) != value]
    if bad:
        ck.violate("NUM-003", "; ".join(f"{p} = {v}" for p, v in bad[:10]) + " (more than 2 decimals)",
                   exchanges=[exchange], path=bad[0][0], api=api)
