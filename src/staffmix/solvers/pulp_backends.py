"""The reference backends: the PuLP model (model/pulp_model.py) solved by CBC or by HiGHS.

`solve_cbc` and `solve_highs` build the readable PuLP model from the index
sets, hand it to the solver with the requested limit, gap and threads, and
read how it ended. PuLP's problem status alone is not enough (it says
Optimal when CBC stops on its time limit): the solution status and CBC's log
are read too; solvers/status.decide makes the status of the solver's verdict.
A solver that crashes or is missing gives Status.error with one line saying
why, never an exception.
"""

from __future__ import annotations

import math
import re
import tempfile
import time
from pathlib import Path

import pulp

from staffmix.model.index_sets import IndexSets
from staffmix.model.pulp_model import build
from staffmix.results.result import Termination
from staffmix.scenario.schema import SolverOptions
from staffmix.solvers.outcome import Outcome
from staffmix.solvers.status import decide
from staffmix.util import solve_progress as progress
from staffmix.util.native_output import silenced_stdout

MIN_SOLVER_S = 0.1
"""The least time limit a solver is handed when the build has used up (nearly) all of the solve's."""

Solved = tuple[Termination, float | None, float | None, str]
"""(verdict, objective, bound, message) as a solver reports it, before the plan is read: the verdict is the solver's
word on why it stopped (gap_reached: it proved the plan within the requested gap); solvers/status.decide turns it
into the Status and the Termination."""


def solve_cbc(ix: IndexSets, opts: SolverOptions, deadline: float | None) -> Outcome:
    """The reference model solved by PuLP's bundled CBC, by `deadline` (solvers/dispatch.solve_deadline)."""
    return _solve(ix, opts, deadline, _solve_cbc)


def solve_highs(ix: IndexSets, opts: SolverOptions, deadline: float | None) -> Outcome:
    """The reference model solved by HiGHS through PuLP, by `deadline` (solvers/dispatch.solve_deadline)."""
    return _solve(ix, opts, deadline, _solve_highs)


def _solve(ix: IndexSets, opts: SolverOptions, deadline: float | None, run) -> Outcome:
    t0 = time.perf_counter()
    progress.phase("build", "the PuLP model")
    prob, var = build(ix)
    build_s = time.perf_counter() - t0
    progress.phase("plan", f"{opts.backend}, PuLP model of {len(prob.constraints):,} rows")
    verdict, objective, bound, message = run(prob, opts, _time_left(deadline))
    status, termination = decide(verdict, objective, bound)
    values = var.values() if status.has_plan else None
    return Outcome(
        status, objective, bound, message, values=values, model=prob, build_s=build_s, termination=termination
    )


def _time_left(deadline: float | None) -> float | None:
    """The solver's own time limit: what is left of the solve's (the index sets and the PuLP model were built
    in it); at least MIN_SOLVER_S, so a solver always starts."""
    return None if deadline is None else max(MIN_SOLVER_S, deadline - time.perf_counter())


def _solve_cbc(prob: pulp.LpProblem, opts: SolverOptions, time_limit_s: float | None) -> Solved:
    with tempfile.TemporaryDirectory(prefix="staffmix-cbc-") as tmp:
        log = Path(tmp) / "cbc.log"
        solver = pulp.PULP_CBC_CMD(
            msg=False, timeLimit=time_limit_s, gapRel=opts.mip_gap, threads=opts.threads, logPath=str(log)
        )
        solver.tmpDir = tmp  # PuLP's model and solution files too: removed with the folder even when CBC crashes
        if not solver.available():
            return (Termination.error, None, None, (
                f"CBC is not available: PuLP's bundled cbc binary is missing or cannot run ({solver.path}); "
                "reinstall pulp, or use backend 'highs'"))
        try:
            prob.solve(solver)
        except Exception as exc:  # noqa: BLE001 - a crashed or killed solver process, an unreadable solution file
            return (Termination.error, None, None, _solver_failure("CBC", exc, log))
        text = log.read_text(errors="replace") if log.exists() else ""
    objective = _objective_value(prob) if prob.sol_status in (1, 2) else None
    return _cbc_status(prob, text, objective, opts)


def _solver_failure(name: str, exc: BaseException, log: Path | None = None) -> str:
    """One line on a solver that failed: what PuLP saw, in plain words, and the last line of the solver's log."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    if isinstance(exc, pulp.PulpSolverError) and "Error while trying to execute" in first:
        what = "the solver process stopped with an error or was killed before it wrote a solution"
    elif isinstance(exc, pulp.PulpSolverError) and "Error while executing" in first:
        what = "the solver process ended without writing a solution"
    elif isinstance(exc, pulp.PulpSolverError):
        what = first or "PuLP reported a solver error"
    else:  # e.g. PuLP reading back a solution file or a model the solver refused
        what = f"the solver failed or its answer could not be read ({type(exc).__name__}: {first})"
    message = f"{name} failed: {what}"
    tail = ""
    if log is not None:
        try:
            lines = [line.strip() for line in log.read_text(errors="replace").splitlines() if line.strip()]
            tail = lines[-1] if lines else ""
        except OSError:
            pass
    if tail:
        message += f"; its log ends with: {tail}"
    return message if len(message) <= 400 else message[:397] + "..."


def _objective_value(prob: pulp.LpProblem) -> float:
    """The objective at the solution. Variables without a value count 0: PuLP puts a `__dummy`
    variable into an empty objective (no demand, nothing priced), CBC never sees it, and
    pulp.value() then answers None for a proven-optimal empty plan."""
    obj = prob.objective
    if obj is None:
        return 0.0
    return float(obj.constant + sum(c * (v.varValue or 0.0) for v, c in obj.items()))


def _cbc_status(prob: pulp.LpProblem, log: str, objective: float | None, opts: SolverOptions) -> Solved:
    """Read the solution status (not only the problem status: PuLP says Optimal on a CBC time-out) and the bound."""
    stopped = bool(re.search(r"Result - Stopped on (time|iterations|nodes)", log))
    bound_match = re.findall(r"Lower bound:\s+(-?[\d.eE+-]+)", log)
    bound = float(bound_match[-1]) if bound_match else None
    if prob.sol_status == pulp.LpSolutionInfeasible or prob.status == pulp.LpStatusInfeasible:
        return Termination.infeasible, None, None, "the solver proved the model infeasible"
    if objective is None:
        if stopped:
            return Termination.time_limit, None, bound, "stopped on the time limit before finding a plan"
        return Termination.error, None, None, f"CBC returned no plan (status {pulp.LpStatus[prob.status]})"
    objective = float(objective)
    if stopped:
        if bound is None:
            bound = objective if prob.sol_status == pulp.LpSolutionOptimal else None
        return Termination.time_limit, objective, bound, "stopped on the time limit"
    if bound is None:
        # CBC proved optimality within gapRel; the bound it closed on is not printed.
        bound = objective * (1 - opts.mip_gap) if objective >= 0 else objective
        bound_from_gap = True
    else:
        bound_from_gap = False
    return Termination.gap_reached, objective, bound, "bound from the requested gap" if bound_from_gap else ""


def _solve_highs(prob: pulp.LpProblem, opts: SolverOptions, time_limit_s: float | None) -> Solved:
    solver = pulp.HiGHS(msg=False, timeLimit=time_limit_s, gapRel=opts.mip_gap, threads=opts.threads)
    if not solver.available():
        return (
            Termination.error,
            None,
            None,
            "HiGHS is not available: install highspy (pip install highspy), or use backend 'cbc'",
        )
    if opts.threads is not None:
        # HiGHS keeps one thread pool per process and refuses ('Not Set') a solve asking for another
        # thread count than the pool was started with; rebuild the pool first.
        try:
            import highspy

            highspy.Highs.resetGlobalScheduler(True)
        except Exception:  # noqa: BLE001 - an older highspy without it  # pragma: no cover
            pass
    try:
        with silenced_stdout():  # highspy >= 1.16 prints a banner when PuLP creates its Highs object
            prob.solve(solver)
    except Exception as exc:  # noqa: BLE001 - e.g. PuLP failing to read back a model HiGHS refused
        model = getattr(prob, "solverModel", None)
        try:
            state = (
                f" (HiGHS model status: {model.modelStatusToString(model.getModelStatus())})"
                if model is not None
                else ""
            )
        except Exception:  # noqa: BLE001 - the model status only adds to the failure already reported
            state = ""
        return (Termination.error, None, None, _solver_failure("HiGHS", exc) + state)
    h = prob.solverModel
    model_status = h.getModelStatus()
    info = h.getInfo()
    import highspy

    ms = highspy.HighsModelStatus
    has_plan = info.primal_solution_status == 2  # kSolutionStatusFeasible
    objective = float(info.objective_function_value) if has_plan else None
    bound = float(info.mip_dual_bound) if math.isfinite(info.mip_dual_bound) else None
    if model_status == ms.kOptimal:
        return (Termination.gap_reached, objective, bound if bound is not None else objective, "")
    if model_status in (ms.kInfeasible, ms.kUnboundedOrInfeasible):
        return (Termination.infeasible, None, None, "the solver proved the model infeasible")
    if model_status == ms.kUnbounded:
        return (Termination.unbounded, None, None, "HiGHS found the model unbounded")
    if model_status in (ms.kTimeLimit, ms.kIterationLimit, ms.kSolutionLimit, ms.kInterrupt):
        if has_plan:
            return (Termination.time_limit, objective, bound, "stopped on the time limit")
        return (Termination.time_limit, None, bound, "stopped on the time limit before finding a plan")
    why = " (it did not solve: an option or the model was refused)" if model_status == ms.kNotset else ""
    return (Termination.error, objective, bound, f"HiGHS ended with {h.modelStatusToString(model_status)}{why}")
