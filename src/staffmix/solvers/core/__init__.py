"""The fast solver core: `solve(scenario, backend="core")`.

The same mathematics as `staffmix.model.pulp_model` (same variables, rows and costs,
built from the same index sets), as sparse arrays straight into HiGHS,
solved by a strategy that exploits its structure:

- matrix.py   the sparse model, one `_add_*` per constraint family of model/pulp_model.py
- levels.py   the level choices of queues measured per day or week (issue #14)
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

from staffmix.util import solve_progress as progress
from staffmix.solvers.core.matrix import build_matrix
from staffmix.solvers.core.plan import plan_values
from staffmix.solvers.core.strategy import run
from staffmix.results.plan_tables import relative_gap
from staffmix.model.index_sets import IndexSets
from staffmix.solvers.outcome import Outcome
from staffmix.results.result import Status
from staffmix.scenario.schema import SolverOptions

__all__ = ["solve"]

READ_BACK_S_PER_COLUMN = 2e-5
"""Time kept at the end of a time limit to read the plan back into tables, per column (w52-l6 ended 1.3-3 s late at
1e-5 on a busy machine)."""
ABS_GAP = 1e-6
"""An absolute gap this small counts as proven (what MIP solvers stop on by default)."""
READ_BACK_PER_BUILD = 7.0
"""...and at least this many times the model's build (a machine slowed down by other work reads back slower too)."""


def solve(ix: IndexSets, opts: SolverOptions, started: float) -> Outcome:
    """Plan with the core. The time limit counts from `started` (when `solve()` began), so the index
    build, this model build and reading the plan back all fit in it. In deterministic mode (a work
    limit) no clock is read: the work limit bounds the run, the same on every machine."""
    deadline = None if opts.time_limit_s is None or opts.work_limit else started + float(opts.time_limit_s)
    if opts.threads:
        from staffmix.solvers.core.highs import reset_threads

        reset_threads()
    t0 = time.perf_counter()
    progress.phase("build", "the sparse model")  # progress: one line, see staffmix/util/solve_progress.py
    m = build_matrix(ix)
    build_s = time.perf_counter() - t0
    # keep time to read the plan back into tables: 1-1.5 s per 100,000 columns on this machine, and about
    # seven times the model's build on a machine slowed down by other work (w52-l1 ended 1.7 s late)
    run_deadline = (
        None
        if deadline is None
        else deadline - max(0.3, READ_BACK_S_PER_COLUMN * m.n_cols, READ_BACK_PER_BUILD * build_s)
    )
    if len(ix.deferred.share_queue):  # deferrable work's share targets: without them first (issue #13)
        from staffmix.solvers.core.share_later import solve_share_later

        found = solve_share_later(ix, m, opts, run_deadline)
    else:
        found = run(m, opts, run_deadline)
    if found.v is None:
        if found.infeasible:
            return Outcome(Status.infeasible, message=found.message or "the model is infeasible", build_s=build_s)
        bound = None if found.bound is None or not np.isfinite(found.bound) else float(found.bound)
        return Outcome(
            Status.no_solution, None, bound, found.message or "no plan found in the time limit", build_s=build_s
        )
    objective = float(m.cost @ found.v)
    bound = None if found.bound is None else min(float(found.bound), objective)
    gap = relative_gap(objective, bound)
    # optimal within the requested relative gap, or within the absolute gap MIP solvers close on (HiGHS's
    # mip_abs_gap, 1e-6): with mip_gap=0 a proof ends a hair above zero
    proven = bound is not None and gap is not None and (gap <= opts.mip_gap + 1e-9 or objective - bound <= ABS_GAP)
    status = Status.optimal if proven else Status.feasible
    message = found.message
    if status == Status.feasible and not message:
        message = _why_short(gap, opts, deadline)
    return Outcome(status, objective, bound, message, values=plan_values(m, found.v), build_s=build_s)


def _why_short(gap: float | None, opts: SolverOptions, deadline: float | None) -> str:
    """A plan above the requested gap always says why the core stopped."""
    shown = "unknown" if gap is None else f"{100 * gap:.2f} %"
    if opts.work_limit:
        return f"work limit {opts.work_limit} reached: proven gap {shown}, {100 * opts.mip_gap:.2f} % requested"
    # the steps keep a margin before the deadline (exact MIPs 1 s, reading back 2e-5 s a column)
    limit_s = opts.time_limit_s
    if deadline is not None and limit_s is not None and time.perf_counter() >= deadline - max(3.0, 0.05 * limit_s):
        return f"time limit reached: proven gap {shown}, {100 * opts.mip_gap:.2f} % requested"
    return f"no further step could close the gap: proven gap {shown}, {100 * opts.mip_gap:.2f} % requested"
