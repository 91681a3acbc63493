"""solve(scenario) -> Result: the one path every backend takes.

1. Resolve the options (arguments over the scenario's `solver` settings).
2. Build the index sets once (model/index_sets.py) and run the pre-solve diagnosis: a
   queue-period no provider can serve ends here, for every backend alike.
3. Hand the index sets and the deadline (`solve_deadline`: the time limit counts from the moment
   `solve()` began, for every backend) to the backend by name (scenario/backend_names.py): cbc and highs
   solve the reference PuLP model (solvers/pulp_backends.py), core the fast core.
4. A proven infeasibility is explained by an elastic re-solve (solvers/diagnosis.py);
   a plan with deferrable work is re-timed to answer as early as its cost
   allows (solvers/answer_early.py); a plan is read back into the Result tables (results/plan_tables.py).

Pure: the scenario is never changed and no state is kept between calls.
"""

from __future__ import annotations

import os
import time
from typing import Any

from staffmix.errors import SolverError
from staffmix.model.index_sets import build_index
from staffmix.results.plan_tables import extract_plan
from staffmix.results.result import Result, Status, Termination
from staffmix.scenario.backend_names import backend_function
from staffmix.scenario.container import Scenario
from staffmix.scenario.schema import SolverOptions
from staffmix.solvers.answer_early import answer_early
from staffmix.solvers.diagnosis import infeasible_result, presolve_diagnosis, with_explanation
from staffmix.solvers.options import resolve_options
from staffmix.solvers.outcome import Outcome
from staffmix.util import solve_progress as report
from staffmix.util.solve_progress import Listener, listening


def solve(
    scenario: Scenario | str | os.PathLike[str],
    backend: str | None = None,
    time_limit_s: float | None = None,
    mip_gap: float | None = None,
    threads: int | None = None,
    progress: Listener | None = None,
    work_limit: int | None = None,
) -> Result:
    """Plan the scenario at least cost.

    `scenario` is a Scenario or a scenario folder. Arguments left as None take
    the scenario's `solver` settings (default backend 'cbc', gap 1e-4, no time
    limit). The Result always has a typed status; a plan comes with its proven
    bound and gap, an infeasible scenario with the queue-periods that cannot
    be served and why.

    `work_limit` (core only): deterministic mode, a budget of solver work
    instead of time, so the same plan on any machine (docs/performance.md).

    `progress`, a function, is called with a `SolveProgress` when each phase
    begins, when a cheaper plan or a higher bound is found, and at the end
    (staffmix.util.solve_progress); the command line draws these as its progress line.
    """
    if not isinstance(scenario, Scenario):
        from staffmix.scenario.io import load_scenario

        scenario = load_scenario(scenario)
    opts = resolve_options(scenario, backend, time_limit_s, mip_gap, threads, work_limit)
    with listening(progress):
        return _solve(scenario, opts)


def _solve(scenario: Scenario, opts: SolverOptions) -> Result:
    started = time.perf_counter()
    report.phase("requirements", f"{scenario.config.horizon.periods} periods x {len(scenario.config.queues)} queues")
    ix = build_index(scenario)
    diagnosis = presolve_diagnosis(ix)
    if not diagnosis.empty:
        return infeasible_result(ix, opts, diagnosis, time.perf_counter() - started)
    index_s = time.perf_counter() - started
    deadline = solve_deadline(opts, started)
    try:
        outcome = backend_function(opts.backend)(ix, opts, deadline)
    except SolverError as exc:  # a solver that failed mid-run ends as the PuLP backends' failures do
        outcome = Outcome(Status.error, message=str(exc), termination=Termination.error)
    report.incumbent(outcome.objective if outcome.status.has_plan else None)
    report.bound(outcome.bound)
    solve_s = time.perf_counter() - started - index_s - outcome.build_s
    result = Result(
        status=outcome.status,
        termination=outcome.termination,
        scenario=scenario.name,
        solver=opts.backend,
        currency=scenario.config.currency,
        build_s=index_s + outcome.build_s,
        solve_s=solve_s,
        options=opts.model_dump(),
        message=outcome.message,
        model=outcome.model,
        bound=None if outcome.status.has_plan else outcome.bound,
    )
    if outcome.status == "infeasible" and not ix.soft:
        report.phase("explain", "re-solving with shortfall allowed, to say where it falls short")
        return with_explanation(result, scenario, opts, _unreported_solve)
    if outcome.values is None:
        return result
    report.phase("read back")
    values = answer_early(ix, outcome.values)  # deferrable work: at the same cost, as early as possible
    planned = extract_plan(result, ix, values, outcome.bound)
    # solver round-off: no bound is above a plan
    if planned.bound is not None and planned.objective is not None and planned.bound > planned.objective:
        planned = planned.with_(bound=planned.objective)
    return _said_if_late(planned.with_(solve_s=time.perf_counter() - started - planned.build_s), deadline)


LATE_NOTE_S = 1.0
"""A plan returned more than this after the time limit says so, and by how much (issue #20)."""


def _said_if_late(result: Result, deadline: float | None) -> Result:
    """The message of a plan returned past the time limit says by how much; why is in the backend's message."""
    over = None if deadline is None else time.perf_counter() - deadline
    if over is None or over <= LATE_NOTE_S:
        return result
    late = f"returned {over:.1f} s after the time limit"
    return result.with_(message=f"{result.message}; {late}" if result.message else late)


def solve_deadline(opts: SolverOptions, started: float) -> float | None:
    """The moment (time.perf_counter) every backend must be done by: `time_limit_s` counted from `started`, when
    `solve()` began, so the index sets, the model's build, the solve and reading the plan back all fit in it, for
    every backend alike. None without a time limit, and in the deterministic mode (a work limit), which reads no
    clock."""
    if opts.time_limit_s is None or opts.work_limit:
        return None
    return started + float(opts.time_limit_s)


def _unreported_solve(scenario: Scenario, **options: Any) -> Result:  # options: solve()'s keyword arguments
    """solve() whose events go nowhere: the elastic re-solve explaining an infeasibility finds plans that break
    the rules (shortfall at a huge price), which are no plans of the solve being reported."""
    return solve(scenario, progress=_ignore, **options)


def _ignore(event: object) -> None:
    return None
