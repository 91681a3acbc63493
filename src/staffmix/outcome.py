"""What a backend returns to `solve`: how the solve ended, its numbers, and the plan's values.

One type for every backend (cbc and highs through PuLP, the core through
its own strategy), so that `solve` reads every plan back into the Result
tables the same way (extract.py) and explains infeasibility once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from staffmix.result import Status


@dataclass(frozen=True)
class PlanValues:
    """A plan's variable values, aligned to the index sets (index.py; docs/model.md names the variables).

    z: one per routing decision, in the order of (IndexSets.z_slot, z_prov);
    unserved: one per routing slot (soft service level; else empty);
    x: shifts started, one per shift start; a: productive in-house agents,
    one per assignment pair (a_cover, a_group); u: shortfall, one per cover
    row (soft; else empty); heads: one per group; y: contract, one per
    vendor (scenario order); billed: (vendors, weeks) billed hours or contacts;
    level_extra: agents above the lowest level, one per requirement row with
    level steps (IndexSets.step_rows; queues measured per day or week).
    Deferrable work (IndexSets.deferred): handled, one per handling column;
    backlog, one per deferrable queue and period; dropped (unanswered, soft
    only), within and on_time (share target only), one per their columns.
    """

    z: np.ndarray
    unserved: np.ndarray
    x: np.ndarray
    a: np.ndarray
    u: np.ndarray
    heads: np.ndarray
    y: np.ndarray
    billed: np.ndarray
    level_extra: np.ndarray = field(default_factory=lambda: np.zeros(0))
    handled: np.ndarray = field(default_factory=lambda: np.zeros(0))
    backlog: np.ndarray = field(default_factory=lambda: np.zeros(0))
    dropped: np.ndarray = field(default_factory=lambda: np.zeros(0))
    within: np.ndarray = field(default_factory=lambda: np.zeros(0))
    on_time: np.ndarray = field(default_factory=lambda: np.zeros(0))


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
