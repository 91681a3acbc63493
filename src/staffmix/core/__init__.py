"""The fast solver core: `solve(scenario, backend="core")`.

The same mathematics as `staffmix.model` (same variables, rows and costs,
built from the same index sets), as sparse arrays straight into HiGHS,
solved by a strategy that exploits its structure:

- matrix.py   the sparse model, one `_add_*` per constraint family of model.py
- highs.py    the HiGHS driver (options, warm starts, status)
- contracts.py  vendor contract choices scored by warm-started LPs
- heuristic.py  integer plans: route given shifts, shifts given routing
- exact.py    one MIP per contract choice with start plan, cutoff and pruning
- blocks.py / rolling.py / bound.py   week blocks for long horizons: a
              rolling plan and a Lagrangian lower bound from per-week LPs
- strategy.py which of these, in which order, for a given model
- share_later.py  deferrable work's share targets left out first (issue #13)
- plan.py     a solution vector tidied, checked, and cut into PlanValues

See docs/performance.md for how and why, and the measured figures.
"""

from __future__ import annotations

import time

import numpy as np

from staffmix.core.matrix import build_matrix
from staffmix.core.plan import plan_values
from staffmix.core.strategy import run
from staffmix.extract import relative_gap
from staffmix.index import IndexSets
from staffmix.outcome import Outcome
from staffmix.result import Status
from staffmix.schema import SolverOptions

__all__ = ["solve"]

READ_BACK_S_PER_COLUMN = 1e-5
"""Time kept at the end of a time limit to read the plan back into tables (about 1 s per 100,000 columns)."""


def solve(ix: IndexSets, opts: SolverOptions, started: float) -> Outcome:
    """Plan with the core. The time limit counts from `started` (when `solve()` began), so the index
    build, this model build and reading the plan back all fit in it."""
    deadline = None if opts.time_limit_s is None else started + float(opts.time_limit_s)
    if opts.threads:
        from staffmix.core.highs import reset_threads

        reset_threads()
    t0 = time.perf_counter()
    m = build_matrix(ix)
    build_s = time.perf_counter() - t0
    run_deadline = None if deadline is None else deadline - max(0.2, READ_BACK_S_PER_COLUMN * m.n_cols)
    if len(ix.deferred.share_queue):  # deferrable work's share targets: without them first (issue #13)
        from staffmix.core.share_later import solve_share_later

        found = solve_share_later(ix, m, opts, run_deadline)
    else:
        found = run(m, opts, run_deadline)
    if found.v is None:
        if found.infeasible:
            return Outcome(Status.infeasible, message=found.message or "the model is infeasible", build_s=build_s)
        bound = None if found.bound is None or not np.isfinite(found.bound) else float(found.bound)
        return Outcome(Status.no_solution, None, bound, found.message or "no plan found in the time limit", build_s=build_s)
    objective = float(m.cost @ found.v)
    bound = None if found.bound is None else min(float(found.bound), objective)
    gap = relative_gap(objective, bound)
    status = Status.optimal if gap is not None and gap <= opts.mip_gap + 1e-9 else Status.feasible
    return Outcome(status, objective, bound, found.message, values=plan_values(m, found.v), build_s=build_s)
