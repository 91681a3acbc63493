"""Exact branch: one HiGHS MIP over every contract choice at once, cut off at the best plan's cost.

When no contract choice's LP can beat the incumbent by more than the requested
gap, no MIP runs. The MIP stops early when it cannot beat the incumbent (the
`objective_bound` cutoff; HiGHS then reports it infeasible, which means its
bound is at least the cutoff). It replaced one MIP per contract choice, which
proved much of the same routing and shifts again for each choice.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np

from staffmix.solvers import highs as hx
from staffmix.solvers.core.contracts import Choice
from staffmix.solvers.core.matrix import CoreModel
from staffmix.util import solve_progress as progress

log = logging.getLogger("staffmix.solvers.core")
JOINT_HEURISTIC_EFFORT = 0.2
"""HiGHS's primal heuristics in the joint MIP (its default 0.05): 2can-split closed in 2,759 nodes at 0.2 against 5,827
at the default, both cut off at the heuristic's plan."""
MARGIN_S = 1.0


@dataclass
class Incumbent:
    v: np.ndarray
    objective: float
    y: np.ndarray


def run_joint(
    m: CoreModel,
    scored: list[Choice],
    incumbent: Incumbent | None,
    mip_gap: float,
    threads: int | None,
    deadline: float | None,
    max_nodes: int | None = None,
) -> tuple[Incumbent | None, float, bool]:
    """One HiGHS MIP over every contract choice at once (the contract binaries free), cut off at the incumbent's
    cost: (best plan, lower bound, settled).

    HiGHS branches on the contract binaries inside one tree, so what it proves about the routing and the shifts
    serves every choice; one MIP per choice proves much of it again for each. On 2can-split the choice with both
    vendors alone took HiGHS 5,863 nodes (38.9 s), all four choices in one tree 5,827 nodes cut off at the
    heuristic's plan (docs/performance.md). The bound is at least the least LP score of the choices."""
    if deadline is not None:
        deadline -= MARGIN_S
    lp_bound = min((c.lp for c in scored), default=np.inf)
    if incumbent is not None and lp_bound >= incumbent.objective - mip_gap * abs(incumbent.objective) - 1e-9:
        return incumbent, min(lp_bound, incumbent.objective), True
    left = None if deadline is None else deadline - time.perf_counter()
    if left is not None and left <= 0.01:
        return incumbent, lp_bound, False
    h = hx.new_highs(threads)
    hx.pass_model(h, m.A, m.cost, m.col_lo, m.col_hi, m.row_lo, m.row_hi, m.integer)
    cutoff = None
    if incumbent is not None:
        cutoff = incumbent.objective * (1 - 1e-9) - 1e-9
        h.setOptionValue("objective_bound", cutoff)
    h.setOptionValue("mip_heuristic_effort", JOINT_HEURISTIC_EFFORT)
    if max_nodes is not None:
        # the budget the MIPs per contract choice had between them (deterministic mode's plans and bounds kept)
        h.setOptionValue("mip_max_nodes", int(max_nodes) * max(1, sum(c.lp < np.inf for c in scored)))
    ans = hx.run(h, time_limit=left, mip_gap=mip_gap, mip=True)
    if not _consistent(m, ans):
        log.warning("joint MIP: HiGHS objective %s disagrees with its plan's cost; answer ignored", ans.objective)
        return incumbent, lp_bound, False
    log.debug("joint MIP: LP %.1f -> %s %s, bound %s, %.2f s", lp_bound, ans.status, ans.objective, ans.bound,
              ans.seconds)
    if ans.has_solution and (incumbent is None or ans.value < incumbent.objective - 1e-9):
        by = m.cols["y"]
        incumbent = Incumbent(ans.solution, ans.value, np.round(ans.solution[by.slice]))
        progress.incumbent(incumbent.objective)
    if ans.status == "optimal":
        bound = max(lp_bound, ans.bound if ans.bound is not None else ans.value)
        return incumbent, bound if incumbent is None else min(bound, incumbent.objective), True
    if ans.status == "infeasible":  # nothing beats the cutoff (or, without one, no plan exists)
        return incumbent, (np.inf if cutoff is None else max(lp_bound, cutoff)), True
    bound = max(lp_bound, ans.bound) if ans.bound is not None else lp_bound
    return incumbent, bound, False


def _consistent(m: CoreModel, ans: hx.Answer) -> bool:
    """HiGHS's objective is the cost of the plan it returns (see `_solve_choice`)."""
    if not ans.has_solution:
        return True
    own = float(m.cost @ ans.x)
    return abs(own - ans.value) <= 1e-6 * max(1.0, abs(own))
