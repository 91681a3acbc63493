"""Exact branch: one HiGHS MIP per contract choice, best LP first, cut off at the best plan's cost.

Choices whose LP bound cannot beat the incumbent by more than the requested
gap are pruned without a MIP. Each MIP stops early when it cannot beat the
incumbent (the `objective_bound` cutoff; HiGHS then reports it infeasible,
which means its bound is at least the cutoff). The bound returned is the least over all
choices of what was proven for each.
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
FIRST_SHARE = 0.2
MARGIN_S = 1.0


@dataclass
class Incumbent:
    v: np.ndarray
    objective: float
    y: np.ndarray


def run_exact(
    m: CoreModel,
    scored: list[Choice],
    incumbent: Incumbent | None,
    mip_gap: float,
    threads: int | None,
    deadline: float | None,
    max_nodes: int | None = None,
) -> tuple[Incumbent | None, float, bool]:
    """(best plan, lower bound, whether every choice was settled).

    First pass: every choice in score order, the first getting `FIRST_SHARE` of the time (the
    others are often settled at once by the cutoff, and then the second pass gives it the rest). Second pass: while
    time is left and the gap is open, the unsettled choice with the least bound gets all of it
    (cut off at the best plan), so a time limit is used, not left on the table."""
    if deadline is not None:
        # HiGHS can overrun its time limit by seconds (root cuts on a busy machine: w4-l1 ended 3.4 s late)
        deadline -= MARGIN_S
    todo = [c for c in scored if c.lp < np.inf]
    bounds = [c.lp for c in todo]  # -inf: never scored (time ran out)
    settled = [False] * len(todo)
    for k, choice in enumerate(todo):
        if choice.lp == -np.inf:
            continue
        if incumbent is not None and choice.lp >= incumbent.objective - mip_gap * abs(incumbent.objective) - 1e-9:
            settled[k] = True
            continue
        left = None if deadline is None else deadline - time.perf_counter()
        if left is not None and left <= 0.01:
            continue
        limit = (
            None if left is None else (left * FIRST_SHARE if k == 0 and len(todo) > 1 else left / max(1, len(todo) - k))
        )
        incumbent, bounds[k], settled[k] = _solve_choice(m, choice, incumbent, mip_gap, threads, limit, max_nodes)
        progress.bound(min(bounds))  # every choice's bound so far: the least is a bound on every plan
    while deadline is not None:
        open_ = [k for k in range(len(todo)) if not settled[k] and todo[k].lp > -np.inf]
        left = deadline - time.perf_counter()
        if not open_ or left <= 1.0 or _closed(incumbent, min(bounds), mip_gap):
            break
        k = min(open_, key=lambda i: bounds[i])
        incumbent, b, settled[k] = _solve_choice(m, todo[k], incumbent, mip_gap, threads, left)
        bounds[k] = max(bounds[k], b)
        progress.bound(min(bounds))
        if not settled[k]:
            break  # it had all the time there was
    bound = min(bounds) if bounds else np.inf
    if incumbent is not None:
        bound = min(bound, incumbent.objective)
    return incumbent, bound, all(settled)


def _mip(m: CoreModel, choice: Choice, incumbent: Incumbent | None, threads: int | None,
         mip_gap: float, limit: float | None, max_nodes: int | None = None) -> tuple[hx.Answer, float | None]:
    """HiGHS on the MIP with the contracts fixed, cut off at the incumbent's cost (HiGHS then reports
    infeasible when nothing beats it; see `highs.cut_off_above` for why not a start plan)."""
    by = m.cols["y"]
    lo, hi = m.col_lo.copy(), m.col_hi.copy()
    lo[by.slice] = choice.y
    hi[by.slice] = choice.y
    h = hx.new_highs(threads)
    hx.pass_model(h, m.A, m.cost, lo, hi, m.row_lo, m.row_hi, m.integer)
    cutoff = None
    if incumbent is not None:
        cutoff = incumbent.objective * (1 - 1e-9) - 1e-9
        h.setOptionValue("objective_bound", cutoff)
    if max_nodes is not None:
        h.setOptionValue("mip_max_nodes", int(max_nodes))
    return hx.run(h, time_limit=limit, mip_gap=mip_gap, mip=True), cutoff


def _consistent(m: CoreModel, ans: hx.Answer) -> bool:
    """HiGHS's objective is the cost of the plan it returns (see `_solve_choice`)."""
    if not ans.has_solution:
        return True
    own = float(m.cost @ ans.x)
    return abs(own - ans.value) <= 1e-6 * max(1.0, abs(own))


def _closed(incumbent: Incumbent | None, bound: float, mip_gap: float) -> bool:
    return incumbent is not None and bound >= incumbent.objective - mip_gap * abs(incumbent.objective) - 1e-9


def _solve_choice(
    m: CoreModel, choice: Choice, incumbent: Incumbent | None, mip_gap: float, threads: int | None, limit: float | None,
    max_nodes: int | None = None,
) -> tuple[Incumbent | None, float, bool]:
    """One HiGHS MIP with the contracts fixed: (best plan so far, bound for this choice, settled)."""
    ans, cutoff = _mip(m, choice, incumbent, threads, mip_gap, limit, max_nodes)
    if not _consistent(m, ans):  # never seen since start plans became cutoffs; kept as a guard
        log.warning(
            "exact %s: HiGHS objective %s disagrees with its plan's cost; answer ignored", choice.label, ans.objective
        )
        return incumbent, choice.lp, False
    log.debug(
        "exact %s: LP %.1f -> %s %s, bound %s, %.2f s",
        choice.label,
        choice.lp,
        ans.status,
        ans.objective,
        ans.bound,
        ans.seconds,
    )
    if ans.has_solution and (incumbent is None or ans.value < incumbent.objective - 1e-9):
        incumbent = Incumbent(ans.solution, ans.value, choice.y)
        progress.incumbent(incumbent.objective)
    if ans.status == "optimal":
        return incumbent, max(choice.lp, ans.bound if ans.bound is not None else ans.value), True
    if ans.status == "infeasible":
        # infeasible under the cutoff: nothing here beats the incumbent
        return incumbent, (np.inf if cutoff is None else max(choice.lp, cutoff)), True
    return incumbent, (max(choice.lp, ans.bound) if ans.bound is not None else choice.lp), False
