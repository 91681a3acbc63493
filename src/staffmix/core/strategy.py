"""Which route to a plan: exact MIPs for models HiGHS handles, week blocks for long horizons.

`run` returns the best plan found (a solution vector of the CoreModel),
its objective and a valid lower bound. The steps, in order:

1. Score every vendor contract choice by its LP relaxation (warm-started);
   the least score is a lower bound. On long horizons the LPs are per week
   (bound.py), and the contract choice is scored on a sample of weeks.
2. A quick integer plan for the best-scored choice (heuristic.py), on the
   whole model or rolling week by week (rolling.py).
3. On models small enough (`EXACT_MAX_COLS`), HiGHS MIPs per contract
   choice, started from that plan and cut off at its cost (exact.py), until
   the gap is closed or the time is up.
"""

from __future__ import annotations

import time

import numpy as np

from staffmix.core import highs as hx
from staffmix.core.contracts import choices, score
from staffmix.core.exact import Incumbent, run_exact
from staffmix.core.heuristic import plan, roles, whole
from staffmix.core.matrix import CoreModel
from staffmix.core.plan import SearchResult, tidy, violation
from staffmix.schema import SolverOptions

EXACT_MAX_COLS = 40_000  # up to about 4 weeks x 6 languages; more: week blocks


def run(m: CoreModel, opts: SolverOptions, deadline: float | None) -> SearchResult:
    if m.n_cols <= EXACT_MAX_COLS or m.index.scenario.config.policy.routing == "weekly" or not _weeks_hold_groups(m):
        return _small(m, opts, deadline)
    from staffmix.core.rolling import run_blocks

    return run_blocks(m, opts, deadline)


def _small(m: CoreModel, opts: SolverOptions, deadline: float | None) -> SearchResult:
    ys = choices(m)
    if ys is None:
        return _monolithic(m, opts, deadline)
    scored = score(m, ys, opts.threads, deadline)
    feasible = [c for c in scored if c.lp < np.inf]
    if not feasible:
        return SearchResult(None, None, None, infeasible=True, message="the LP relaxation is infeasible for every vendor contract choice")
    lp_bound = min(c.lp for c in feasible)
    incumbent = None
    r = roles(m)
    by = m.cols["y"]
    best = feasible[0]
    if best.lp > -np.inf:
        lo, hi = m.col_lo.copy(), m.col_hi.copy()
        lo[by.slice] = best.y
        hi[by.slice] = best.y
        weeks = len(m.index.week_fraction)
        if weeks > 1 and m.index.scenario.config.policy.routing == "per_period" and _weeks_hold_groups(m):
            # the heuristic's MIPs grow faster than linearly: plan week by week
            from staffmix.core.blocks import partition
            from staffmix.core.rolling import _roll

            share = None if deadline is None else time.perf_counter() + 0.4 * (deadline - time.perf_counter())
            v = _roll(m, partition(m, m.index.scenario.config.horizon.periods_per_week), best.y, r, opts.threads, share)
        else:
            v = plan(m, whole(m, lo, hi), r, opts.threads, deadline)
        if v is not None:
            v = tidy(m, v)
            if violation(m, v) <= 1e-6:
                incumbent = Incumbent(v, float(m.cost @ v), best.y)
    incumbent, bound, settled = run_exact(m, scored, incumbent, opts.mip_gap, opts.threads, deadline)
    if incumbent is None:
        if settled and bound == np.inf:  # every contract choice's MIP proved infeasible
            return SearchResult(None, None, None, infeasible=True, message="the solver proved the model infeasible")
        return SearchResult(None, None, lp_bound if np.isfinite(lp_bound) else None, message="no plan found in the time limit")
    v = tidy(m, incumbent.v)
    return SearchResult(v, float(m.cost @ v), max(bound, lp_bound) if np.isfinite(lp_bound) else bound)


def _weeks_hold_groups(m: CoreModel) -> bool:
    """Issue #14: week blocks keep every day or week a queue's service level is measured over whole (else the
    whole model is planned at once)."""
    from staffmix.core.blocks import groups_fit_blocks

    return groups_fit_blocks(m, m.index.scenario.config.horizon.periods_per_week)


def _monolithic(m: CoreModel, opts: SolverOptions, deadline: float | None) -> SearchResult:
    """Too many vendors to enumerate contracts: one HiGHS MIP on the whole model."""
    h = hx.model_highs(m, opts.threads, relax=False)
    left = None if deadline is None else deadline - time.perf_counter()
    ans = hx.run(h, time_limit=left, mip_gap=opts.mip_gap, mip=True)
    if ans.status == "infeasible":
        return SearchResult(None, None, None, infeasible=True, message="the solver proved the model infeasible")
    if not ans.has_solution:
        return SearchResult(None, None, ans.bound, message="no plan found in the time limit")
    v = tidy(m, ans.x)
    return SearchResult(v, float(m.cost @ v), ans.bound)
