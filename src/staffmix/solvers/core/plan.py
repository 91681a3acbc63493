"""A solution vector of the CoreModel: tidied, checked, and cut into `PlanValues`.

`tidy` rounds the integer columns and sets headcount and billed vendor hours
to the least values the plan needs (both only cost money, so the least is
optimal); `violation` measures how far a vector is from feasible;
`plan_values` cuts it into the blocks of the variable registry (model/variables.py) `solve` reads back into Result
tables (results/plan_tables.py), exactly as for the cbc and highs backends.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from staffmix.model.plan_values import PlanValues
from staffmix.solvers.core.matrix import CoreModel

TOL = 1e-6


@dataclass
class SearchResult:
    """What the core's search found: the best plan vector (None if none), its cost, a proven lower
    bound, whether the model was proven infeasible, and a message when it stopped short."""

    v: np.ndarray | None
    objective: float | None
    bound: float | None
    infeasible: bool = False
    message: str = ""


def tidy(m: CoreModel, v: np.ndarray) -> np.ndarray:
    """Integral integers, least headcount and billed hours, non-negative continuous values."""
    v = v.copy()
    v[m.integer] = np.round(v[m.integer])
    for name in ("a", "u", "billed", "handled", "backlog", "dropped", "within"):
        s = m.col(name)
        v[s] = np.maximum(v[s], 0.0)
    _least_headcount(m, v)
    _least_billed(m, v)
    _exact_gains(m, v)
    return v


def _exact_gains(m: CoreModel, v: np.ndarray) -> None:
    """Increments formulation: each gain column at exactly the service level its (rounded) level adds, the
    least of its tangent rows (so a rounded level never counts more service than it gives)."""
    lv = m.levels
    if m.level_formulation != "increments" or lv is None or not len(lv.req):
        return
    ix = m.index
    half = len(lv.req) // 2
    start = m.cols["level"].start
    extra = v[start: start + half]
    pos = np.searchsorted(ix.step_rows, ix.step_req)
    k = np.arange(len(pos)) - np.searchsorted(pos, pos) + 1  # the k-th step of its row
    taken = k <= extra[pos] + TOL
    v[start + half: start + 2 * half] = np.bincount(pos[taken], weights=ix.step_gain[taken], minlength=half)


def _least_headcount(m: CoreModel, v: np.ndarray) -> None:
    bh = m.cols["heads"]
    if not bh.size:
        return
    A = m.A.tocsr()
    need = np.array([g.min_headcount for g in m.index.scenario.config.groups], dtype=float)
    for fam in ("one_shift_per_day", "weekly_hours"):
        b = m.rows[fam]
        if not b.size:
            continue
        R = A[b.start:b.stop]
        rest = R @ v - R[:, bh.slice] @ v[bh.slice]  # the shifts' side of each row
        hcoef = R[:, bh.slice].tocoo()  # -1 (per day) or -max hours x week fraction (per week)
        req = rest[hcoef.row] / -hcoef.data
        np.maximum.at(need, hcoef.col, np.ceil(req - TOL))
    v[bh.slice] = need


def _least_billed(m: CoreModel, v: np.ndarray) -> None:
    bb = m.cols["billed"]
    if not bb.size:
        return
    A = m.A.tocsr()
    need = np.zeros(bb.size)
    for fam in ("billed_used", "billed_minimum"):
        b = m.rows[fam]
        if not b.size:
            continue
        R = A[b.start:b.stop]
        rest = R @ v - R[:, bb.slice] @ v[bb.slice]
        coo = R[:, bb.slice].tocoo()  # -1 per row on its billed column
        np.maximum.at(need, coo.col, rest[coo.row])
    v[bb.slice] = np.maximum(need, 0.0)


def violation(m: CoreModel, v: np.ndarray) -> float:
    """Largest row or bound violation of `v` (0 for a feasible plan)."""
    act = m.A @ v
    rows = max(float(np.max(m.row_lo - act, initial=0.0)), float(np.max(act - m.row_hi, initial=0.0)))
    cols = max(float(np.max(m.col_lo - v, initial=0.0)), float(np.max(v - m.col_hi, initial=0.0)))
    return max(rows, cols)


def plan_values(m: CoreModel, v: np.ndarray) -> PlanValues:
    """The solution vector cut into the model's families, aligned to the index sets."""
    def part(name: str) -> np.ndarray:
        return np.asarray(v[m.col(name)], dtype=float)

    lv = m.levels
    level_extra: np.ndarray = np.zeros(len(m.index.step_rows))
    if lv is not None and len(lv.req):
        agents = lv.agents * part("level")
        level_extra = np.bincount(
            np.searchsorted(m.index.step_rows, lv.req), weights=agents, minlength=len(level_extra)
        )
    return PlanValues.from_blocks(m.index, part, level_extra)
