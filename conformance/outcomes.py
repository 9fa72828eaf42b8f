"""How a command ends: the exit codes of DESIGN.md and the error for a bad request of the user.

Every command module imports these from here, so none has to import the command line (no cycle).
"""

from __future__ import annotations

__all__ = ["EXIT_FAIL", "EXIT_OK", "EXIT_USAGE", "UsageError"]

EXIT_OK = 0  # no MUST rule failed
EXIT_FAIL = 1  # at least one MUST rule failed
EXIT_USAGE = 2  # the run could not be made: bad profile, unreachable gateway, usage error


class UsageError(Exception):
    """A problem with what the user asked for; printed as one line, exit 2."""
