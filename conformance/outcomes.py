"""How a command ends: the exit codes of DESIGN.md and the error for a bad request of the user.

Every command module imports these from here, so none has to import the command line (no cycle).
"""

from __future__ import annotations

import enum

__all__ = ["EXIT_FAIL", "EXIT_OK", "EXIT_USAGE", "IN_PROCESS_ENV", "OUTCOME_FILE_ENV", "RunOutcome", "UsageError"]

EXIT_OK = 0  # no MUST rule failed
EXIT_FAIL = 1  # at least one MUST rule failed
EXIT_USAGE = 2  # the run could not be made: bad profile, unreachable gateway, usage error


class UsageError(Exception):
    """A problem with what the user asked for; printed as one line, exit 2."""


class RunOutcome(enum.StrEnum):
    """What one broker's `conformance run` came to. Exit 2 alone cannot say which of the last three
    it was; the fleet audit reports each apart (history status in `history_status`)."""

    COMPLIANT = "compliant"
    NOT_COMPLIANT = "not_compliant"
    UNREACHABLE = "unreachable"  # no exchange got any HTTP answer: no verdict on the broker
    BAD_PROFILE = "bad_profile"  # the profile did not load
    HARNESS_ERROR = "harness_error"  # the harness itself failed (no results, a crash, a time-out)

    @property
    def exit_code(self) -> int:
        return {RunOutcome.COMPLIANT: EXIT_OK, RunOutcome.NOT_COMPLIANT: EXIT_FAIL}.get(self, EXIT_USAGE)

    @property
    def history_status(self) -> str:
        """The fleet history's word for it (conformance.report.history.RUN_STATUSES)."""
        return {RunOutcome.UNREACHABLE: "unreachable", RunOutcome.BAD_PROFILE: "bad-profile",
                RunOutcome.HARNESS_ERROR: "error"}.get(self, "ok")


# `conformance run` writes its outcome (JSON: outcome, reason) to the file this names, when set:
# the fleet audit sets it per broker, inside its own work folder (swept by the scrubber).
OUTCOME_FILE_ENV = "CONFORMANCE_OUTCOME_FILE"
# Set (to 1) by the fleet audit for its children: `conformance run` then runs pytest in its own
# process, so a broker costs the audit one process (the audit itself isolates it, with a time-out).
IN_PROCESS_ENV = "CONFORMANCE_PYTEST_IN_PROCESS"
