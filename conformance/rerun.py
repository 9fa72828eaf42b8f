"""`conformance run --rerun-failed PREVIOUS/results.json`: ask again only what PREVIOUS did not settle.

A check (a pytest node id) is asked again when any of its records in PREVIOUS failed, warned, was
waived, was skipped (not judged, harness errors included) or was excused by the C27 query window;
a check PREVIOUS does not hold (a newer suite) is asked too. Every other record is carried over
into the new results unchanged, marked `carried_over: true` with the time it was judged, so the
report is complete and says which parts are new. pytest runs with `-p no:cacheprovider`, so this is
our own `--lf`, driven by the results record rather than a cache.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conformance.outcomes import UsageError
from conformance.report.results import ResultsError, iter_checks, load_results

__all__ = ["ASK_AGAIN", "Previous", "load_previous"]

ASK_AGAIN = frozenset({"fail", "warn", "waived", "skip"})


class Previous:
    """The earlier run's results, and what a rerun asks again."""

    def __init__(self, results: dict[str, Any], label: str) -> None:
        self.results, self.label = results, label
        self.started_at = str(results.get("started_at") or "")
        self.nodeids: set[str] = set()
        self.asked: set[str] = {str(e.get("nodeid")) for e in results.get("run_errors") or [] if isinstance(e, dict)}
        for _, check in iter_checks(results):
            nodeid = str(check.get("nodeid") or "")
            self.nodeids.add(nodeid)
            if check.get("status") in ASK_AGAIN or check.get("window"):
                self.asked.add(nodeid)

    def selects(self, nodeid: str) -> bool:
        """Whether the rerun asks this check."""
        return nodeid in self.asked or nodeid not in self.nodeids

    def carried(self) -> list[dict[str, Any]]:
        """The records kept from PREVIOUS, as check records of the plugin (rule_id set)."""
        return [{**check, "rule_id": rule["id"], "carried_over": True,
                 "checked_at": check.get("checked_at") or self.started_at}
                for rule, check in iter_checks(self.results)
                if str(check.get("nodeid") or "") not in self.asked]

    def note(self, new_checks: list[dict[str, Any]]) -> dict[str, Any]:
        """results.json `rerun`: of which run, what was asked again, what was carried over."""
        seen = {c["nodeid"] for c in new_checks}
        return {"previous": self.label, "previous_started_at": self.started_at,
                "previous_finished_at": str(self.results.get("finished_at") or ""),
                "asked_again": len(self.asked & seen), "new_checks": len(new_checks),
                "carried_over": len(self.carried()),
                "not_found": sorted(n for n in self.asked - seen if n),  # asked again, but no longer in the suite
                }


def load_previous(path: str | Path, label: str | None = None) -> Previous:
    """PREVIOUS/results.json, or UsageError (exit 2) with one line."""
    try:
        return Previous(load_results(path), label or str(path))
    except ResultsError as exc:
        raise UsageError(f"--rerun-failed: {exc}") from None
