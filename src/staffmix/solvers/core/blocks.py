"""Sub-models of a CoreModel over a subset of its columns, the rest fixed.

A time block (a day or a week) owns the columns whose period falls in it:
routing and unserved binaries of its queue-periods, assignments and
shortfall of its periods, shifts starting in it, and the billed hours of its
week. `submodel` cuts the rows touching a block's columns out of the sparse
matrix, moves the fixed columns' contribution into the row bounds, and
hands the small model to HiGHS. Headcount is shared by every block: it is
free in each with its lower bound at the value reached so far, so each
block pays only for the heads it adds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from staffmix.solvers import highs as hx
from staffmix.solvers.core.matrix import CoreModel

GLOBAL = -1  # headcount and billed hours: shared, grown block by block
FIXED = -2  # contract binaries: fixed for the whole run


@dataclass
class Partition:
    col_block: np.ndarray  # block per column, GLOBAL or FIXED
    n_blocks: int
    block_len: int  # periods per block


def column_periods(m: CoreModel) -> np.ndarray:
    """The period each column belongs to (-1: none, e.g. headcount, contracts, bills): routing by its slot's
    period (the last, for weekly routing), shifts by their start, assignments and shortfall by their cover
    row, level choices by their queue-period, a service group's late contacts by its first period,
    deferrable work by its own period. Time blocks (partition) and local search windows (improve.py) read it."""
    ix = m.index
    col_period = np.full(m.n_cols, -1, dtype=np.int64)
    slot_period = np.zeros(ix.n_slots, dtype=np.int64)
    np.maximum.at(slot_period, ix.b_slot, ix.b_period)  # per-period routing: the slot's only period
    col_period[m.col("z")] = slot_period[m.z_slot]
    if m.cols["unserved"].size:
        col_period[m.col("unserved")] = slot_period
    col_period[m.col("x")] = ix.starts["start_period"].to_numpy()
    cover_period = ix.r_period[m.cover_req]
    col_period[m.col("a")] = cover_period[m.a_cover]
    if m.cols["u"].size:
        col_period[m.col("u")] = cover_period
    # issue #14: level choices belong to their queue-period; a service group's late contacts to its first period
    if m.cols["level"].size and m.levels is not None:  # level columns come with their LevelColumns
        col_period[m.col("level")] = ix.r_period[m.levels.req]
    if m.cols["late"].size:
        grouped = ix.b_group >= 0
        first = np.full(len(ix.sg_queue), ix.scenario.config.horizon.periods, dtype=np.int64)
        np.minimum.at(first, ix.b_group[grouped], ix.b_period[grouped])
        col_period[m.col("late")] = first
    for name, per in m.col_period.items():  # deferrable work's blocks (issue #13): by their own period
        if m.cols[name].size:
            col_period[m.col(name)] = per
    return col_period


def partition(m: CoreModel, block_len: int) -> Partition:
    """Columns by time block of `block_len` periods (a day or a week)."""
    ix = m.index
    col_period = column_periods(m)
    block = np.where(col_period >= 0, col_period // block_len, GLOBAL)
    block[m.col("heads")] = GLOBAL
    block[m.col("billed")] = GLOBAL
    block[m.col("y")] = FIXED
    T = ix.scenario.config.horizon.periods
    return Partition(block, -(-T // block_len), block_len)


def groups_fit_blocks(m: CoreModel, block_len: int) -> bool:
    """Issue #14: every service group (a day or week over which a queue's service level is measured) lies inside
    one block, so a block's sub-model holds its whole service-level row."""
    ix = m.index
    grouped = ix.b_group >= 0
    if not grouped.any():
        return True
    block = ix.b_period[grouped] // block_len
    lo = np.full(len(ix.sg_queue), np.iinfo(np.int64).max)
    hi = np.full(len(ix.sg_queue), -1)
    np.minimum.at(lo, ix.b_group[grouped], block)
    np.maximum.at(hi, ix.b_group[grouped], block)
    return bool((lo == hi).all())


@dataclass
class Sub:
    """A sub-model: columns `cols` of the full model, rows `rows`, ready for HiGHS."""

    cols: np.ndarray
    rows: np.ndarray
    A: sp.csc_matrix
    cost: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    row_lo: np.ndarray
    row_hi: np.ndarray
    integer: np.ndarray


def submodel(
    m: CoreModel,
    Ar: sp.csr_matrix,
    free: np.ndarray,
    relaxed: np.ndarray,
    value: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    row_mask: np.ndarray | None = None,
    anchor: np.ndarray | None = None,
) -> Sub:
    """Rows touching the `anchor` columns (default: all free ones); every column outside `free` held at `value`."""
    cols = np.nonzero(free)[0]
    anchor_cols = cols if anchor is None else np.nonzero(anchor & free)[0]
    Ac = m.A[:, anchor_cols]
    rows = np.unique(Ac.indices)
    if row_mask is not None:
        rows = rows[row_mask[rows]]
    R = Ar[rows]
    fixed_value = np.where(free, 0.0, value)
    act = R @ fixed_value
    sub = R[:, cols].tocsc()
    return Sub(
        cols=cols, rows=rows, A=sub, cost=m.cost[cols], lo=lo[cols], hi=hi[cols],
        row_lo=m.row_lo[rows] - act, row_hi=m.row_hi[rows] - act,
        integer=m.integer[cols] & ~relaxed[cols],
    )


def solve_sub(
    s: Sub,
    threads: int | None,
    time_limit: float | None,
    mip_gap: float,
    start: np.ndarray | None = None,
    extra: list[tuple[np.ndarray, np.ndarray, float, float]] | None = None,
    max_nodes: int | None = None,
) -> hx.Answer:
    """Solve a sub-model; `extra` rows are (columns of the full model, coefficients, lo, hi).

    `start`: a known plan of the sub-model; HiGHS then looks only for plans at most as costly
    (a cutoff, see `highs.cut_off_above`), and a status other than optimal with no plan means none
    was found that beats it."""
    A, row_lo, row_hi = s.A, s.row_lo, s.row_hi
    if extra:
        pos = {int(c): i for i, c in enumerate(s.cols)}
        add_r, add_c, add_v, add_lo, add_hi = [], [], [], [], []
        for k, (cols, coef, rlo, rhi) in enumerate(extra):
            for c, v in zip(cols.tolist(), coef.tolist(), strict=True):
                if c in pos:
                    add_r.append(k)
                    add_c.append(pos[c])
                    add_v.append(v)
            add_lo.append(rlo)
            add_hi.append(rhi)
        E = sp.csc_matrix((add_v, (add_r, add_c)), shape=(len(extra), A.shape[1]))
        A = sp.vstack([A, E], format="csc")
        row_lo = np.concatenate([row_lo, add_lo])
        row_hi = np.concatenate([row_hi, add_hi])
    h = hx.new_highs(threads)
    mip = bool(s.integer.any())
    hx.pass_model(h, A, s.cost, s.lo, s.hi, row_lo, row_hi, s.integer if mip else None)
    if start is not None and mip:
        hx.cut_off_above(h, float(s.cost @ np.asarray(start, dtype=float)))
    if max_nodes is not None and mip:
        h.setOptionValue("mip_max_nodes", int(max_nodes))
    return hx.run(h, time_limit=time_limit, mip_gap=mip_gap, mip=mip)
