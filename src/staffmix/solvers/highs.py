"""The one HiGHS driver: pass a CoreModel (or a column subset of it, or any sparse LP) to highspy and read
the answer back. The core (solvers/core/) and answering early (solvers/answer_early.py) both solve through it.

One `Highs` object per model; bounds, integrality and costs are changed in
place between solves so that simplex re-solves start from the last basis.
Every call sets the same options (seed, threads, quiet), so the same input
gives the same answer; only a time limit that stops a MIP early can make two
runs differ.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from staffmix.errors import SolverError
from staffmix.util.native_output import silenced_stdout

TYPE_CHECKING = False
if TYPE_CHECKING:  # the core's model type only: this driver sits below the core (solvers/core/ imports it)
    from staffmix.solvers.core.matrix import CoreModel

SEED = 20240521


@dataclass(frozen=True)
class Answer:
    """What a HiGHS run returned."""

    status: str  # optimal, infeasible, time_limit, error
    objective: float | None
    bound: float | None  # dual bound (LP optimum, or the MIP's best bound)
    x: np.ndarray | None
    seconds: float
    has_solution: bool

    @property
    def ok(self) -> bool:
        return self.status == "optimal"

    @property
    def solution(self) -> np.ndarray:
        """The solution vector, read only where HiGHS reported one: none there is a solver failure."""
        if self.x is None:
            raise SolverError(f"HiGHS reported {self.status} but returned no solution")
        return self.x

    @property
    def value(self) -> float:
        """The objective of the solution, read only where HiGHS reported one: none there is a solver failure."""
        if self.objective is None:
            raise SolverError(f"HiGHS reported {self.status} but returned no objective value")
        return self.objective


def new_highs(threads: int | None) -> highspy.Highs:
    with silenced_stdout():  # highspy >= 1.16 prints a banner on construction
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", SEED)
    if threads:
        h.setOptionValue("threads", int(threads))
    return h


def pass_model(
    h: highspy.Highs,
    A: sp.csc_matrix,
    cost: np.ndarray,
    col_lo: np.ndarray,
    col_hi: np.ndarray,
    row_lo: np.ndarray,
    row_hi: np.ndarray,
    integer: np.ndarray | None,
) -> None:
    lp = highspy.HighsLp()
    lp.num_col_ = A.shape[1]
    lp.num_row_ = A.shape[0]
    lp.col_cost_ = np.ascontiguousarray(cost, dtype=np.float64)
    lp.col_lower_ = np.ascontiguousarray(col_lo, dtype=np.float64)
    lp.col_upper_ = np.ascontiguousarray(col_hi, dtype=np.float64)
    lp.row_lower_ = np.ascontiguousarray(row_lo, dtype=np.float64)
    lp.row_upper_ = np.ascontiguousarray(row_hi, dtype=np.float64)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.ascontiguousarray(A.indptr, dtype=np.int32)
    lp.a_matrix_.index_ = np.ascontiguousarray(A.indices, dtype=np.int32)
    lp.a_matrix_.value_ = np.ascontiguousarray(A.data, dtype=np.float64)
    if integer is not None and integer.any():
        lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in integer]
    h.passModel(lp)


def model_highs(m: CoreModel, threads: int | None, relax: bool) -> highspy.Highs:
    h = new_highs(threads)
    pass_model(h, m.A, m.cost, m.col_lo, m.col_hi, m.row_lo, m.row_hi, None if relax else m.integer)
    return h


def run(
    h: highspy.Highs,
    *,
    time_limit: float | None = None,
    mip_gap: float | None = None,
    solver: str = "choose",
    crossover: bool = True,
    presolve: str = "choose",
    mip: bool = False,
) -> Answer:
    """Solve what `h` holds; `time_limit` in seconds (None: none)."""
    h.setOptionValue("time_limit", float(time_limit) if time_limit is not None and time_limit > 0 else math.inf)
    if time_limit is not None and time_limit <= 0:
        return Answer("time_limit", None, None, None, 0.0, False)
    h.setOptionValue("solver", solver)
    h.setOptionValue("run_crossover", "on" if crossover else "off")
    h.setOptionValue("presolve", presolve)
    if mip_gap is not None:
        h.setOptionValue("mip_rel_gap", float(mip_gap))
    t0 = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - t0
    ms = h.getModelStatus()
    info = h.getInfo()
    S = highspy.HighsModelStatus
    has = info.primal_solution_status == 2
    x = np.asarray(h.getSolution().col_value) if has else None
    obj = float(info.objective_function_value) if has else None
    if mip:
        bound = float(info.mip_dual_bound) if math.isfinite(info.mip_dual_bound) else None
    else:
        bound = obj if ms == S.kOptimal else None
    if ms == S.kOptimal:
        status = "optimal"
    elif ms in (S.kInfeasible, S.kUnboundedOrInfeasible):
        status = "infeasible"
    elif ms in (S.kTimeLimit, S.kIterationLimit, S.kInterrupt, S.kSolutionLimit):
        status = "time_limit"
    else:
        status = "error"
    return Answer(status, obj, bound, x, seconds, has)


def cut_off_above(h: highspy.Highs, cost: float) -> None:
    """Only plans costing at most `cost` (a known plan's) are of interest to this MIP.

    The core never hands HiGHS a start plan (`setSolution`): highspy 1.16 with presolve on
    mis-evaluates it and can stop at once with a wrong "optimal" objective and bound (2can-split,
    in-house-only: 75,368 claimed for a plan costing 79,928 whose optimum is 79,816; see
    tests/test_core_exact.py). A cutoff prunes the same nodes and is sound."""
    h.setOptionValue("objective_bound", cost + 1e-9 * max(1.0, abs(cost)))


def reset_threads() -> None:
    """HiGHS keeps one thread pool per process; a different thread count needs it rebuilt first."""
    highspy.Highs.resetGlobalScheduler(True)
