"""What a backend returns to `solve`: how the solve ended, its numbers, and the plan's values.

One type for every backend (cbc and highs through PuLP, the core through
its own strategy), so that `solve` reads every plan back into the Result
tables the same way (results/plan_tables.py) and explains infeasibility once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from staffmix.model.plan_values import PlanValues
from staffmix.results.result import Status, Termination


@dataclass(frozen=True)
class Outcome:
    """How a backend's solve ended.

    `status` is optimal (within the requested gap), feasible (stopped short,
    with a plan), infeasible (proven), no_solution (stopped before any plan)
    or error; `values` holds the plan when there is one; `bound` is a proven
    lower bound on the cost of any plan (None if none was proven); `model`
    is the solver model kept for export (the PuLP problem for cbc and highs).
    """

    status: Status
    objective: float | None = None
    bound: float | None = None
    message: str = ""
    values: PlanValues | None = None
    model: Any = None
    build_s: float = 0.0
    """Seconds the backend spent building its model (the rest of its time is solving)."""
    termination: Termination = Termination.error
    """Why the solve ended; with `status`, decided by solvers/status.decide (every backend ends there)."""
