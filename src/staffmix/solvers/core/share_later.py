"""Deferrable work's share targets (issue #13), left out first: a faster route to the same optimum.

A share target ("90 % within 8 h") needs one binary per arrival period
(docs/model.md), and those binaries make HiGHS's MIP several times slower,
while the target often costs nothing at the optimum. So the core first
solves the model without the targets, a relaxation:

1. its plan, answered as early as its cost allows (solvers/answer_early.py), reaches every
   target first-in-first-out: it is optimal for the full model too, with the
   relaxation's bound;
2. else the full model with that plan's shifts, headcount and contracts
   fixed (routing, share binaries and the continuous rest free): a small MIP
   whose plan is feasible for the full model; within the requested gap of the
   relaxation's bound, it is the answer;
3. else, on models the exact branch takes (strategy.EXACT_MAX_COLS), one
   HiGHS MIP over every contract choice (exact.py) cut off at the repaired plan,
   instead of the usual strategy's heuristic, which would only find a plan
   of the same quality again; on larger models the usual strategy. The
   better plan and the better bound are kept.

The relaxation's bound is valid for the full model (it has fewer rules), so
every answer carries a proven gap.
"""

from __future__ import annotations

import time

import numpy as np

from staffmix.errors import SolverError
from staffmix.model.index_sets import IndexSets
from staffmix.results.deferrable_fifo import within_target
from staffmix.scenario.schema import SolverOptions
from staffmix.solvers import highs as hx
from staffmix.solvers.core.matrix import CoreModel, build_matrix
from staffmix.solvers.core.plan import SearchResult, plan_values, tidy, violation
from staffmix.solvers.core.strategy import run
from staffmix.util import solve_progress as report
from staffmix.util.gap import relative_gap

FIXED = ("y", "x", "heads")  # what the repair keeps from the relaxation's plan


def solve_share_later(ix: IndexSets, m: CoreModel, opts: SolverOptions, deadline: float | None) -> SearchResult:
    """The best plan of the full model `m` (which has share targets) by steps 1-3 of the module docstring."""
    from staffmix.solvers.answer_early import answer_early, share_targets_met

    relaxed = build_matrix(ix, m.level_formulation, share_target=False)
    first = None if deadline is None else time.perf_counter() + 0.5 * (deadline - time.perf_counter())
    with report.relaxation():  # its plans need not meet the share targets: not reported as plans
        found = run(relaxed, opts, first)
    if found.infeasible:
        return found
    lower = found.bound if found.bound is not None and np.isfinite(found.bound) else None
    best = None
    if found.v is not None:
        values = answer_early(ix, plan_values(relaxed, found.v), share_target=False)
        if share_targets_met(ix, values):
            v = _embed(m, relaxed, found.v, values)
            if violation(m, v) <= 1e-6:  # the plan meets the full model's rows too (its binaries follow from FIFO)
                report.incumbent(float(m.cost @ v))
                return SearchResult(v, float(m.cost @ v), lower)
        best = _repair(m, relaxed, found.v, opts, deadline)
        if best is not None:
            report.incumbent(float(m.cost @ best))
        gap = relative_gap(float(m.cost @ best), lower) if best is not None and lower is not None else None
        if best is not None and gap is not None and gap <= opts.mip_gap + 1e-9:
            return SearchResult(best, float(m.cost @ best), lower)
    full = _exact_from(m, best, opts, deadline) if best is not None else None
    if full is None:
        full = run(m, opts, deadline)
    if full.v is not None and (best is None or float(m.cost @ full.v) < float(m.cost @ best)):
        best = full.v
    bounds = [b for b in (lower, full.bound) if b is not None and np.isfinite(b)]
    bound = max(bounds) if bounds else None
    if best is None:
        return SearchResult(None, None, bound, infeasible=full.infeasible, message=full.message)
    # the full model's message speaks of its own search: beside the repaired plan it is no message about the plan
    return SearchResult(best, float(m.cost @ best), bound, message=full.message if full.v is not None else "")


def _exact_from(m: CoreModel, start: np.ndarray, opts: SolverOptions, deadline: float | None) -> SearchResult | None:
    """Step 3 on a model the exact branch takes: every contract choice scored by its LP and solved by HiGHS from
    `start` (a plan of the full model) in one MIP, as strategy._small does after its heuristic. None: leave it to
    the strategy."""
    from staffmix.solvers.core.contracts import choices
    from staffmix.solvers.core.exact import Incumbent, run_joint
    from staffmix.solvers.core.strategy import (
        EXACT_MAX_COLS,
        EXACT_NODES_PER_UNIT,
        WORK_LIMIT_EXACT_MAX_COLS,
        scored_choices,
    )

    ys = choices(m)
    if ys is None or m.n_cols > EXACT_MAX_COLS:
        return None
    found = scored_choices(m, ys, opts, deadline)
    if isinstance(found, SearchResult):
        return found
    scored, feasible, lp_bound = found
    if opts.work_limit and m.n_cols > WORK_LIMIT_EXACT_MAX_COLS:  # see strategy.WORK_LIMIT_EXACT_MAX_COLS
        v = tidy(m, start)
        return SearchResult(v, float(m.cost @ v), lp_bound)
    y = np.round(start[m.col("y")])
    max_nodes = None if not opts.work_limit else opts.work_limit * EXACT_NODES_PER_UNIT
    incumbent, bound, _settled = run_joint(
        m, scored, Incumbent(start, float(m.cost @ start), y), opts.mip_gap, opts.threads, deadline, max_nodes
    )
    if incumbent is None:  # run_joint keeps the plan it starts from: losing it is a solver failure
        raise SolverError("the exact MIPs lost the starting plan of the share-target repair")
    v = tidy(m, incumbent.v)
    return SearchResult(v, float(m.cost @ v), max(bound, lp_bound) if np.isfinite(lp_bound) else bound)


def _embed(m: CoreModel, relaxed: CoreModel, v0: np.ndarray, values) -> np.ndarray:
    """The relaxation's vector in the full model's columns, with its re-timed handling (`values`) and within/on_time
    read from that handling first-in-first-out."""
    v = np.zeros(m.n_cols)
    for name, block in relaxed.cols.items():
        if block.size:
            v[m.col(name)] = v0[relaxed.col(name)]
    v[m.col("handled")] = values.handled
    v[m.col("backlog")] = values.backlog
    return _within_from_fifo(m, v)


def _within_from_fifo(m: CoreModel, v: np.ndarray) -> np.ndarray:
    ix = m.index
    D = ix.deferred
    dropped = np.zeros((D.n_queues, D.n_periods))
    if m.cols["dropped"].size:
        dropped[D.e_queue, D.e_period] = v[m.col("dropped")]
    within = within_target(ix, np.maximum(v[m.col("handled")], 0.0), dropped)[D.w_queue, D.w_period]
    v[m.col("within")] = within
    v[m.col("on_time")] = np.where(D.w_big_m > 0, (within > 1e-7).astype(float), 1.0)
    return v


def _repair(
    m: CoreModel, relaxed: CoreModel, v0: np.ndarray, opts: SolverOptions, deadline: float | None
) -> np.ndarray | None:
    """The full model with the relaxation's shifts, headcount and contracts fixed: a plan of the full model, or None."""
    lo, hi = m.col_lo.copy(), m.col_hi.copy()
    for name in FIXED:
        fixed = np.round(v0[relaxed.col(name)])
        lo[m.col(name)] = fixed
        hi[m.col(name)] = fixed
    h = hx.new_highs(opts.threads)
    hx.pass_model(h, m.A, m.cost, lo, hi, m.row_lo, m.row_hi, m.integer)
    left = None if deadline is None else max(0.5 * (deadline - time.perf_counter()), 1.0)
    ans = hx.run(h, time_limit=left, mip_gap=opts.mip_gap, mip=True)
    if not ans.has_solution:
        return None
    v = tidy(m, ans.solution)
    return v if violation(m, v) <= 1e-6 else None


__all__ = ["solve_share_later"]
