"""Errors a user can cause, each naming the file, field or row at fault."""

from __future__ import annotations


class StaffmixError(Exception):
    """Base of every error staffmix raises on purpose (the CLI prints these without a traceback)."""


class ScenarioError(StaffmixError, ValueError):
    """A scenario that cannot be read or is inconsistent.

    `problems` lists every problem found, each a one-line message starting
    with the file (and field or row) it concerns.
    """

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        head = self.problems[0] if self.problems else "invalid scenario"
        more = len(self.problems) - 1
        super().__init__(head if more == 0 else f"{head} (and {more} more problem{'s' if more > 1 else ''})")

    def report(self) -> str:
        """All problems, one per line."""
        return "\n".join(self.problems)


class SolverError(StaffmixError):
    """A solver that is missing, crashed or returned nothing usable."""
