"""How and why a solve ended: `Status` and `Termination`, decided here and nowhere else.

Every backend reports a verdict, the solver's own word on why it stopped (a
`Termination`: within the requested gap, a limit, infeasible, unbounded, an
error), with the plan's cost and the proven bound. `decide` turns that into
the `Status` a user acts on and the `Termination` the result stores: a plan
the solver proved within its gap is optimal, ending `optimal` when the bound
meets it and `gap_reached` otherwise; a plan stopped short is feasible (no
plan: no_solution) and keeps the limit or `no_further_step` that stopped it.
The PuLP backends (solvers/pulp_backends.py) and the core (solvers/core)
both end in `decide`.
"""

from __future__ import annotations

from staffmix.results.result import Status, Termination
from staffmix.util.gap import gap_closed

STOPPED_SHORT = (Termination.time_limit, Termination.work_limit, Termination.no_further_step)
"""Verdicts of a solve that stopped before proving the requested gap."""


def decide(verdict: Termination, objective: float | None, bound: float | None) -> tuple[Status, Termination]:
    """(status, termination) from a backend's verdict, the plan's cost (None: no plan) and the proven bound.

    `verdict` is `gap_reached` (or `optimal`) when the solver proved the plan within the requested gap."""
    if verdict == Termination.error:
        return Status.error, Termination.error
    if verdict == Termination.unbounded:
        return Status.error, Termination.unbounded
    if verdict == Termination.infeasible:
        return Status.infeasible, Termination.infeasible
    if verdict in STOPPED_SHORT:
        return (Status.no_solution if objective is None else Status.feasible), verdict
    if objective is None:  # a proof of a gap needs a plan
        return Status.error, Termination.error
    return Status.optimal, Termination.optimal if gap_closed(objective, bound) else Termination.gap_reached
