"""The fast solver core: `solve(scenario, backend="core")`.

The same mathematics as `staffmix.model` (same variables, rows and costs),
built as sparse arrays straight into HiGHS, solved by a strategy that
exploits its structure:

- index.py    index sets as numpy arrays (the reference's `prepare`, vectorised)
- matrix.py   the sparse model, one `_add_*` per constraint family of model.py
- highs.py    the HiGHS driver (options, warm starts, status)
- contracts.py  vendor contract choices scored by warm-started LPs
- heuristic.py  integer plans: route given shifts, shifts given routing
- exact.py    one MIP per contract choice with start plan, cutoff and pruning
- blocks.py / rolling.py / bound.py   week blocks for long horizons: a
              rolling plan and a Lagrangian lower bound from per-week LPs
- plan.py     solution vector -> the reference's Result tables

See docs/performance.md for how and why, and the measured figures.
"""

from __future__ import annotations

import time

import numpy as np

from staffmix.core.index import build_index
from staffmix.core.matrix import build_matrix
from staffmix.core.strategy import run
from staffmix.result import Result, Status
from staffmix.scenario import Scenario
from staffmix.solve import SolveOptions, SolverOutcome, diagnose, infeasible_result, relative_gap

__all__ = ["solve_core"]

READ_BACK_PER_BUILD = 7.0


def solve_core(scenario: Scenario, opts: SolveOptions) -> Result:
    """Plan `scenario` with the core; the Result has the same shape as the reference backends'."""
    t0 = time.perf_counter()
    # deterministic mode: the work limit bounds the run, the same on every machine, so no clock
    deadline = None if opts.time_limit_s is None or opts.work_limit else t0 + float(opts.time_limit_s)
    if opts.threads:
        from staffmix.core.highs import reset_threads

        reset_threads()
    ix = build_index(scenario)
    if ix.soft is False and not _all_served(ix):
        data = ix.model_data()
        early = infeasible_result(scenario, opts, diagnose(scenario, data), time.perf_counter() - t0)
        if early is not None:
            return early
    m = build_matrix(ix)
    build_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    # keep time to read the plan back into tables: 1-1.5 s per 100,000 columns on this machine, and about
    # seven times the model's build on a machine slowed down by other work (w52-l1 ended 1.7 s late)
    run_deadline = None if deadline is None else deadline - max(0.3, 2e-5 * m.n_cols, READ_BACK_PER_BUILD * build_s)
    outcome = run(m, opts, run_deadline)
    solve_s = time.perf_counter() - t1
    base = Result(
        status=Status.error, scenario=scenario.name, solver="core", build_s=build_s, solve_s=solve_s,
        options=opts.as_dict(), message=outcome.message,
    )
    if outcome.v is None:
        status = Status.infeasible if outcome.infeasible else Status.no_solution
        message = outcome.message or ("the model is infeasible" if outcome.infeasible else "no plan found in the time limit")
        bound = None if outcome.bound is None or not np.isfinite(outcome.bound) else float(outcome.bound)
        result = base.with_(status=status, bound=bound, message=message)
        if status == Status.infeasible and not ix.soft:
            from staffmix.solve import with_explanation

            result = with_explanation(result, scenario, opts)
        return result
    from staffmix.core.plan import extract

    result = extract(base.with_(status=Status.feasible), m, outcome.v, SolverOutcome(Status.feasible, outcome.objective, outcome.bound))
    bound = outcome.bound
    if bound is not None and result.objective is not None:
        bound = min(float(bound), float(result.objective))
    gap = relative_gap(result.objective, bound)
    status = Status.optimal if gap is not None and gap <= opts.mip_gap + 1e-9 else Status.feasible
    message = outcome.message
    if status == Status.feasible and not message:
        message = _why_short(gap, opts, deadline)
    return result.with_(status=status, bound=bound, gap=gap, solve_s=time.perf_counter() - t1, message=message)


def _why_short(gap: float | None, opts: SolveOptions, deadline: float | None) -> str:
    """A plan above the requested gap always says why the core stopped."""
    shown = "unknown" if gap is None else f"{100 * gap:.2f} %"
    if opts.work_limit:
        return f"work limit {opts.work_limit} reached: proven gap {shown}, {100 * opts.mip_gap:.2f} % requested"
    # the steps keep a margin before the deadline (exact MIPs 1 s, reading back 2e-5 s a column)
    if deadline is not None and time.perf_counter() >= deadline - max(3.0, 0.05 * float(opts.time_limit_s)):
        return f"time limit reached: proven gap {shown}, {100 * opts.mip_gap:.2f} % requested"
    return f"no further step could close the gap: proven gap {shown}, {100 * opts.mip_gap:.2f} % requested"


def _all_served(ix) -> bool:
    """Every active queue-period has a provider (so the pre-solve diagnosis is empty)."""
    return bool(len(ix.b_period) == 0 or ix.slot_open.any(axis=1).all()) and _every_key_has_requirement(ix)


def _every_key_has_requirement(ix) -> bool:
    covered = np.zeros(len(ix.b_period), dtype=bool)
    covered[ix.r_base] = True
    return bool(covered.all())
