"""From a solution vector of the CoreModel to the reference's `Result` tables.

`extract` maps column indices to the reference's variable keys (a
`Variables` whose entries are column numbers) and hands them to
`staffmix.solve.extract_plan`, so routing, shifts, costs and KPIs are read
exactly as for the cbc and highs backends. Before that, `tidy` rounds the
integer columns and sets headcount and billed vendor hours to the least
values the plan needs (both only cost money, so the least is optimal).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from staffmix.core.matrix import CoreModel
from staffmix.model import Variables
from staffmix.result import Result
from staffmix.solve import SolverOutcome, extract_plan

TOL = 1e-6


def tidy(m: CoreModel, v: np.ndarray) -> np.ndarray:
    """Integral integers, least headcount and billed hours, non-negative continuous values."""
    v = v.copy()
    v[m.integer] = np.round(v[m.integer])
    for name in ("a", "u", "billed"):
        s = m.col(name)
        v[s] = np.maximum(v[s], 0.0)
    _least_headcount(m, v)
    _least_billed(m, v)
    return v


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


def variables(m: CoreModel) -> Variables:
    """The reference's Variables with column numbers in place of PuLP variables."""
    ix = m.index
    data = ix.model_data()
    keys = ix.slot_key
    provs = ix.providers
    bz = m.cols["z"]
    z = dict(zip([(keys[s], provs[p]) for s, p in zip(m.z_slot.tolist(), m.z_prov.tolist())], range(bz.start, bz.stop)))
    unserved = dict(zip(keys, range(m.cols["unserved"].start, m.cols["unserved"].stop))) if ix.soft else {}
    x = dict(zip(data.starts.index.tolist(), range(m.cols["x"].start, m.cols["x"].stop)))
    cover_req = m.cover_req
    q_of = [ix.queues[q] for q in ix.r_queue[cover_req].tolist()]
    t_of = ix.r_period[cover_req].tolist()
    groups = ix.groups
    a = dict(zip(
        [(groups[g], q_of[c], t_of[c]) for g, c in zip(m.a_group.tolist(), m.a_cover.tolist())],
        range(m.cols["a"].start, m.cols["a"].stop),
    ))
    u = dict(zip(zip(q_of, t_of), range(m.cols["u"].start, m.cols["u"].stop))) if ix.soft else {}
    heads = dict(zip(groups, range(m.cols["heads"].start, m.cols["heads"].stop)))
    y = dict(zip(ix.vendors, range(m.cols["y"].start, m.cols["y"].stop)))
    W = len(ix.week_fraction)
    billed = {(vid, w): m.cols["billed"].start + i * W + w for i, vid in enumerate(ix.vendors) for w in range(W)}
    return Variables(z=z, unserved=unserved, x=x, a=a, u=u, heads=heads, y=y, billed=billed)


def extract(base: Result, m: CoreModel, v: np.ndarray, outcome: SolverOutcome) -> Result:
    values = v
    lookup: Any = lambda col: float(values[col])  # noqa: E731
    return extract_plan(base, m.index.model_data(), variables(m), lookup, outcome)
