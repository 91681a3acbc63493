"""The fast solver core: `solve(scenario, backend="core")`.

The same mathematics as `staffmix.model.pulp_model` (same variables, rows and costs,
built from the same index sets), as sparse arrays straight into HiGHS,
solved by a strategy that exploits its structure:

- matrix.py   the sparse model, one `_add_*` per constraint family of model/pulp_model.py
- levels.py   the level choices of queues measured per day or week (issue #14)
- ../highs.py the HiGHS driver (options, warm starts, status), shared with answering early
- contracts.py  vendor contract choices scored by warm-started LPs
- heuristic.py  integer plans: route given shifts, shifts given routing
- exact.py    one MIP over every contract choice, cut off at the best plan
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

from staffmix.model.index_sets import IndexSets
from staffmix.model.plan_values import PlanValues
from staffmix.results.result import Termination
from staffmix.scenario.schema import SolverOptions
from staffmix.solvers.core.matrix import build_matrix
from staffmix.solvers.core.plan import plan_values
from staffmix.solvers.core.strategy import run
from staffmix.solvers.outcome import Outcome
from staffmix.solvers.status import decide
from staffmix.util import solve_progress as progress
from staffmix.util.gap import ABS_GAP, relative_gap

__all__ = ["solve"]

READ_BACK_S_PER_COLUMN = 2e-5
"""Time kept at the end of a time limit to read the plan back into tables, per column (w52-l6 ended 1.3-3 s late
at 1e-5 on a busy machine)."""
READ_BACK_PER_BUILD = 7.0
"""...and at least this many times the model's build (a machine slowed down by other work reads back slower too)."""


def solve(ix: IndexSets, opts: SolverOptions, deadline: float | None) -> Outcome:
    """Plan with the core by `deadline` (time.perf_counter; solvers/dispatch.solve_deadline: the time limit counts
    from when `solve()` began, so the index build, this model build and reading the plan back all fit in it). In
    deterministic mode (a work limit) the deadline is None and no clock is read: the work limit bounds the run, the
    same on every machine."""
    if opts.threads:
        from staffmix.solvers.highs import reset_threads

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
            return _outcome(Termination.infeasible, None, None, found.message or "the model is infeasible", build_s)
        bound = None if found.bound is None or not np.isfinite(found.bound) else float(found.bound)
        return _outcome(_stopped_by(opts, deadline), None, bound, found.message or "no plan found in the time limit",
                        build_s)
    objective = float(m.cost @ found.v)
    bound = None if found.bound is None else min(float(found.bound), objective)
    gap = relative_gap(objective, bound)
    # optimal within the requested relative gap, or within the absolute gap MIP solvers close on (HiGHS's
    # mip_abs_gap, 1e-6): with mip_gap=0 a proof ends a hair above zero
    proven = bound is not None and ((gap is not None and gap <= opts.mip_gap + 1e-9) or objective - bound <= ABS_GAP)
    verdict = Termination.gap_reached if proven else _stopped_by(opts, deadline)
    message = found.message
    if not proven:  # why the core stopped short, then what its search said about it
        message = f"{_why_short(verdict, gap, opts)}; {message}" if message else _why_short(verdict, gap, opts)
    return _outcome(verdict, objective, bound, message, build_s, values=plan_values(m, found.v))


def _outcome(verdict: Termination, objective: float | None, bound: float | None, message: str, build_s: float,
             values: PlanValues | None = None) -> Outcome:
    status, termination = decide(verdict, objective, bound)
    return Outcome(status, objective, bound, message, values=values, build_s=build_s, termination=termination)


def _stopped_by(opts: SolverOptions, deadline: float | None) -> Termination:
    """Why the core stopped short of the requested gap: its work limit, the time limit, or no step left to take."""
    if opts.work_limit:
        return Termination.work_limit
    # the steps keep a margin before the deadline (exact MIPs 1 s, reading back 2e-5 s a column)
    if deadline is not None and time.perf_counter() >= deadline - max(3.0, 0.05 * float(opts.time_limit_s or 0.0)):
        return Termination.time_limit
    return Termination.no_further_step


def _why_short(verdict: Termination, gap: float | None, opts: SolverOptions) -> str:
    """A plan above the requested gap always says why the core stopped."""
    shown = "unknown" if gap is None else f"{100 * gap:.2f} %"
    requested = f"proven gap {shown}, {100 * opts.mip_gap:.2f} % requested"
    if verdict == Termination.work_limit:
        return f"work limit {opts.work_limit} reached: {requested}"
    if verdict == Termination.time_limit:
        return f"time limit reached: {requested}"
    return f"no further step could close the gap: {requested}"
