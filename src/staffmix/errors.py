"""Errors a user can cause, each naming the file, field or row at fault."""

from __future__ import annotations

import re

_MORE = re.compile(r"\.\.\. and (\d+) more")


class StaffmixError(Exception):
    """Base of every error staffmix raises on purpose (the CLI prints these without a traceback)."""


class ScenarioError(StaffmixError, ValueError):
    """A scenario that cannot be read or is inconsistent.

    `problems` lists every problem found, each a one-line message starting
    with the file (and field or row) it concerns.
    """

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        """Every problem found, one line each, starting with the file (and field or row) it concerns."""
        head = self.problems[0] if self.problems else "invalid scenario"
        more = self.count - 1
        super().__init__(head if more <= 0 else f"{head} (and {more} more problem{'s' if more > 1 else ''})")

    @property
    def count(self) -> int:
        """How many problems there are: one per line, and N for a closing '... and N more problems' line.

        (A line for many rows that break one rule, "lines 2-337 (336 rows, ...)", is one problem.)
        """
        total = 0
        for p in self.problems:
            m = _MORE.search(p)
            total += int(m.group(1)) if m else 1
        return total

    def report(self) -> str:
        """All problems, one per line."""
        return "\n".join(self.problems)


class SolverError(StaffmixError):
    """A solver that crashed or returned nothing usable (e.g. HiGHS reporting a solution it does not return).

    Raised inside the backends where a solver fails; `staffmix.solve` turns it into a result with
    `Status.error` and the error's text as `message` (as it does for CBC and HiGHS failing under PuLP),
    so users check `result.status` rather than catch it; the command line exits 1 on one."""
