"""The relative gap between a plan's cost and a proven lower bound: one formula for every figure that shows it.

The result (results/plan_tables.py), the core's stopping test (solvers/core) and
the progress line (util/solve_progress.py) all read it here, so a plan at zero
cost has one gap everywhere: 0 when the bound is not below it, none (undefined)
when it is.
"""

from __future__ import annotations

ABS_GAP = 1e-6
"""An absolute gap this small counts as closed (what MIP solvers stop on by default: HiGHS's mip_abs_gap)."""
ZERO_COST = 1e-9
"""A cost this close to zero counts as zero (no relative gap is defined there)."""


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """(objective - bound) / |objective|, at least 0: how far above the best possible plan this one can be.

    None without both figures, and None for a zero-cost plan above which a negative bound leaves an undefined
    relative gap; 0 for a zero-cost plan the bound meets."""
    if objective is None or bound is None:
        return None
    if abs(objective) < ZERO_COST:
        return 0.0 if bound >= objective - ZERO_COST else None
    return max(0.0, objective - bound) / abs(objective)


def gap_closed(objective: float, bound: float | None) -> bool:
    """Whether the bound meets the plan: proven optimal, up to ABS_GAP (or a relative 1e-9)."""
    if bound is None:
        return False
    gap = relative_gap(objective, bound)
    return objective - bound <= ABS_GAP or (gap is not None and gap <= 1e-9)
