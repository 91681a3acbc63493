"""Deferrable work's row families of the core matrix (issue #13): the same rows as model/pulp_model.py's
add_backlog_flow,
add_deferred_contracts and add_response_share, and the vendor terms its capacity and take-or-pay rows add.

core/matrix.build_matrix calls them like its own `_add_*` families (kept apart so matrix.py stays readable):
each builds its whole family at once from the arrays of IndexSets.deferred (COO triplets).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from staffmix.model.index_sets import IndexSets

if TYPE_CHECKING:
    from staffmix.solvers.sparse_rows import Block, RowFamilies

INF = float("inf")


DeferredTerms = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""(period, week, handled column, amount per contact, most contacts) of each deferrable handling column of a vendor."""


def deferred_vendor_terms(ix: IndexSets, cols: dict[str, Block], vendor_prov: np.ndarray) -> list[DeferredTerms]:
    """Per vendor (scenario order): its DeferredTerms; amount is agents (per agent-hour pricing) or 1 contact (per
    contact)."""
    D = ix.deferred
    out = []
    for v, p in zip(ix.scenario.config.vendors, vendor_prov, strict=True):
        c = np.nonzero(D.h_prov == p)[0]
        t = D.h_period[c]
        amount = np.ones(len(c)) if v.pricing == "per_contact" else D.h_agents[c]
        out.append((t, ix.week_of[t], cols["handled"].start + c, amount, D.waiting_max[D.h_queue[c], t]))
    return out


def add_backlog_flow(ix: IndexSets, cols: dict[str, Block], rows: RowFamilies) -> None:
    """b[q,t] - b[q,t-1] + handled (+ unanswered) = A[q,t]; b[q,-1] is b[q,P-1] (cyclic) or absent. The deadline
    is the backlog columns' upper bound."""
    D = ix.deferred
    start = rows.family("backlog_flow", D.n_backlog, D.arrived.reshape(-1), D.arrived.reshape(-1))
    bb = cols["backlog"]
    rows.coef(start + np.arange(D.n_backlog), bb.idx(), 1.0)
    q = np.repeat(np.arange(D.n_queues), D.n_periods)
    t = np.tile(np.arange(D.n_periods), D.n_queues)
    prev, exists = D.previous_backlog(q, t)
    rows.coef(start + np.nonzero(exists)[0], bb.start + prev[exists], -1.0)
    rows.coef(start + D.backlog_col(D.h_queue, D.h_period), cols["handled"].idx(), 1.0)
    rows.coef(start + D.backlog_col(D.e_queue, D.e_period), cols["dropped"].idx(), 1.0)


def add_deferred_contracts(ix: IndexSets, cols: dict[str, Block], rows: RowFamilies) -> None:
    """handled[q,t,v] <= W[q,t] x y[v]: a vendor handles deferrable work only when contracted."""
    D = ix.deferred
    c = np.nonzero(D.h_prov > 0)[0]
    vendor_of = np.full(len(ix.providers), -1, dtype=np.int64)
    vendor_of[[ix.providers.index(v) for v in ix.vendors]] = np.arange(len(ix.vendors))
    start = rows.family("deferred_contract", len(c), -INF, 0.0)
    r = start + np.arange(len(c))
    rows.coef(r, cols["handled"].start + c, 1.0)
    rows.coef(r, cols["y"].start + vendor_of[D.h_prov[c]], -D.waiting_max[D.h_queue[c], D.h_period[c]])


def add_response_share(ix: IndexSets, cols: dict[str, Block], rows: RowFamilies) -> None:
    """The share target under FIFO, exactly (docs/model.md): w <= A delta, w + e <= A (soft), w - x + M delta <= M,
    and per queue and week of arrival sum w + share x sum e >= share x arrivals."""
    D = ix.deferred
    n = len(D.w_queue)
    bw, bo = cols["within"], cols["on_time"]
    arrived = D.arrived[D.w_queue, D.w_period]
    start = rows.family("within_on_time", n, -INF, 0.0)
    rows.coef(start + np.arange(n), bw.idx(), 1.0)
    rows.coef(start + np.arange(n), bo.idx(), -arrived)
    if len(D.e_queue) and n:
        e_of = np.full((D.n_queues, D.n_periods), -1, dtype=np.int64)
        e_of[D.e_queue, D.e_period] = np.arange(len(D.e_queue))
        start = rows.family("within_answered", n, -INF, arrived)
        rows.coef(start + np.arange(n), bw.idx(), 1.0)
        rows.coef(start + np.arange(n), cols["dropped"].start + e_of[D.w_queue, D.w_period], 1.0)
    start = rows.family("within_fifo", n, -INF, D.w_big_m)
    rows.coef(start + np.arange(n), bw.idx(), 1.0)
    big = np.nonzero(D.w_big_m > 0)[0]
    rows.coef(start + big, bo.start + big, D.w_big_m[big])
    owner, hcols = D.window(D.w_queue, D.w_period, D.target[D.w_queue])
    rows.coef(start + owner, cols["handled"].start + hcols, -1.0)
    prev, exists = D.previous_backlog(D.w_queue, D.w_period)
    rows.coef(start + np.nonzero(exists)[0], cols["backlog"].start + prev[exists], 1.0)
    # w <= handled in the window: valid for every plan, it tightens the relaxation where the binary matters (M > 0)
    row_of = np.full(n, -1, dtype=np.int64)
    row_of[big] = np.arange(len(big))
    start = rows.family("within_window", len(big), -INF, 0.0)
    rows.coef(start + np.arange(len(big)), bw.start + big, 1.0)
    sel = row_of[owner] >= 0
    rows.coef(start + row_of[owner[sel]], cols["handled"].start + hcols[sel], -1.0)
    key = D.share_queue * (ix.n_weeks + 1) + D.share_week
    start = rows.family("response_share", len(key), D.share[D.share_queue] * D.share_arrived, INF)
    rows.coef(start + np.searchsorted(key, D.w_queue * (ix.n_weeks + 1) + D.w_week), bw.idx(), 1.0)
    if len(D.e_queue):
        has = (D.share[D.e_queue] > 0) & (D.target[D.e_queue] < D.deadline[D.e_queue])
        ekey = D.e_queue[has] * (ix.n_weeks + 1) + ix.week_of[D.e_period[has]]
        rows.coef(
            start + np.searchsorted(key, ekey), cols["dropped"].start + np.nonzero(has)[0], D.share[D.e_queue[has]]
        )
