"""The index sets of deferrable work (queues with `response_within_h`), computed once, as arrays.

Part of the model's index sets (model/index_sets.py holds them as `IndexSets.deferred`;
docs/model.md, "Deferrable work", gives the mathematics). A deferrable
queue has no routing slot and no requirement rows: its contacts arrive
(`arrived`), wait in a first-in-first-out backlog and are handled by any
handler that may work the queue in a period, within H periods of arrival.

- handling columns h[q, t, j], one per deferrable queue, period and handler
  (an in-house group with a shift covering t, or a vendor open at t), only
  where something can be waiting (W[q, t] > 0); sorted by queue, period,
  then handler (groups in scenario order, then vendors by provider code);
- backlog columns b[q, t], one per deferrable queue and period, with the
  deadline as their upper bound B[q, t];
- unanswered columns e[q, t] (soft service level only), one per arrival;
- within-target columns w[q, s] and their binaries, one per arrival period
  where the share target can bind, and the share rows, one per queue and
  week of arrival.

Queues are indexed `0..n-1` in scenario order of the deferrable queues;
`queue` maps them to the model's queue codes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from staffmix.scenario.eligibility import queue_offers
from staffmix.scenario.schema import IN_HOUSE, ScenarioConfig


@dataclass(frozen=True, eq=False)
class DeferredSets:
    """Deferrable queues, their arrivals and bounds, and the columns and rows of their backlog (module docstring)."""

    n_periods: int
    cyclic: bool
    queue: np.ndarray  # (n,) model queue code of each deferrable queue
    deadline: np.ndarray  # (n,) H: a contact arriving in s is handled in s .. s+H-1
    target: np.ndarray  # (n,) K: periods of the share target (H when there is none)
    share: np.ndarray  # (n,) share target (0 when there is none)
    aht_s: np.ndarray  # (n,) the queue's AHT
    occupancy: np.ndarray  # (n,) the queue's max_occupancy (1 when unset)
    arrived: np.ndarray  # (n, T) contacts arriving (open periods only)
    waiting_max: np.ndarray  # (n, T) W: the most that can be waiting in t (arrivals of t-H+1 .. t)
    backlog_max: np.ndarray  # (n, T) B: the most that may wait after t (arrivals of t-H+2 .. t; non-cyclic end: 0)
    # handling columns
    h_queue: np.ndarray
    h_period: np.ndarray
    h_prov: np.ndarray  # provider code (0: in-house)
    h_group: np.ndarray  # group index for in-house handlers, -1 for vendors
    h_agents: np.ndarray  # agents one contact occupies for a period: aht x factor / (period_s x occupancy)
    h_ptr: np.ndarray  # (n, T + 1): the columns of (q, t) are h_ptr[q, t] .. h_ptr[q, t + 1] - 1
    # unanswered columns (soft service level only)
    e_queue: np.ndarray
    e_period: np.ndarray
    # within-target columns (share target only)
    w_queue: np.ndarray
    w_period: np.ndarray  # arrival period s
    w_big_m: np.ndarray  # B[q, s-1]: the most that may wait before s (0: the binary is fixed at 1)
    w_week: np.ndarray
    # share rows: one per (queue, week of arrival) with arrivals
    share_queue: np.ndarray
    share_week: np.ndarray
    share_arrived: np.ndarray

    @property
    def n_queues(self) -> int:
        return len(self.queue)

    @property
    def n_backlog(self) -> int:
        return self.n_queues * self.n_periods

    def backlog_col(self, q: np.ndarray | int, t: np.ndarray | int) -> np.ndarray | int:
        """Position of b[q, t] in the backlog block (t taken modulo the horizon)."""
        return np.asarray(q) * self.n_periods + np.mod(t, self.n_periods)

    def previous_backlog(self, q: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(positions of b[q, t-1], mask where it exists): wraps on a cyclic horizon; none before period 0 otherwise."""
        q, t = np.asarray(q), np.asarray(t)
        exists = np.ones(len(t), dtype=bool) if self.cyclic else t > 0
        return np.asarray(self.backlog_col(q, t - 1)), exists

    def window(self, q: np.ndarray, start: np.ndarray, length: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Handling columns in periods start .. start+length-1 of each (q, start): (owner index, column).

        The window wraps on a cyclic horizon and stops at the last period otherwise."""
        return _window(self.h_ptr, self.n_periods, self.cyclic, q, start, length)


def build_deferred(
    config: ScenarioConfig,
    week_of: np.ndarray,
    how: np.ndarray,
    active: tuple[np.ndarray, np.ndarray, np.ndarray],
    coverable: np.ndarray,
    providers: list[str],
) -> DeferredSets:
    """The deferrable sets of `config`. `active` is (period, queue code, contacts) of every open queue-period with
    contacts; `coverable` (groups x periods) says where some allowed shift of a group is on duty."""
    h = config.horizon
    T = h.periods
    soft = config.policy.soft_service_level is not None
    interval_s = h.interval_min * 60.0
    codes = [i for i, q in enumerate(config.queues) if q.deferrable]
    n = len(codes)
    queues = [config.queues[i] for i in codes]
    deadline = np.array([int(round(q.deadline_h * 60 / h.interval_min)) for q in queues], dtype=np.int64)
    target = np.array([
        int(round(q.response_target.within_h * 60 / h.interval_min)) if q.response_target else H
        for q, H in zip(queues, deadline, strict=True)
    ], dtype=np.int64)
    share = np.array([q.response_target.share if q.response_target else 0.0 for q in queues], dtype=float)
    occupancy = np.array([q.service_level.max_occupancy or 1.0 for q in queues], dtype=float)
    aht = np.array([q.aht_s for q in queues], dtype=float)

    arrived = np.zeros((n, T))
    a_period, a_queue, a_contacts = active
    row_of = np.full(len(config.queues), -1, dtype=np.int64)
    row_of[codes] = np.arange(n)
    mine = row_of[a_queue] >= 0 if len(a_queue) else np.zeros(0, dtype=bool)
    np.add.at(arrived, (row_of[a_queue[mine]], a_period[mine]), a_contacts[mine])
    waiting_max = (
        np.stack([_trailing_sum(arrived[d], int(deadline[d]), h.cyclic) for d in range(n)]) if n else np.zeros((0, T))
    )
    backlog_max = (
        np.stack([_trailing_sum(arrived[d], int(deadline[d]) - 1, h.cyclic) for d in range(n)])
        if n
        else np.zeros((0, T))
    )
    if n and not h.cyclic:
        backlog_max[:, -1] = 0.0  # the plan leaves no backlog behind

    # handling columns: every handler open at t where something can be waiting, groups before vendors
    parts: list[tuple[np.ndarray, ...]] = []
    for d, q in enumerate(queues):
        for pid, factor, offered in queue_offers(config, q, by_agents=False):
            if pid == IN_HOUSE:
                handlers = [(coverable[g], 0, g, 1.0) for g in np.nonzero(offered)[0].tolist()]
            else:
                handlers = [(offered[how], providers.index(pid), -1, factor)]
            for mask, prov, group, factor_j in handlers:
                per = np.nonzero(mask & (waiting_max[d] > 0))[0]
                k = len(per)
                parts.append((np.full(k, d), per, np.full(k, prov), np.full(k, group),
                              np.full(k, aht[d] * factor_j / (interval_s * occupancy[d]))))
    if parts:
        hq, hp, hprov, hgroup, hagents = (np.concatenate([x[i] for x in parts]) for i in range(5))
    else:
        hq = hp = hprov = hgroup = np.zeros(0, dtype=np.int64)
        hagents = np.zeros(0)
    order = np.lexsort((hgroup, hprov, hp, hq))
    hq, hp, hprov, hgroup, hagents = (a[order] for a in (hq, hp, hprov, hgroup, hagents))
    hq, hp, hprov, hgroup = (a.astype(np.int64) for a in (hq, hp, hprov, hgroup))
    grid = np.arange(n)[:, None] * T + np.arange(T + 1)[None, :]
    ptr = np.searchsorted(hq * T + hp, grid).astype(np.int64)

    eq, ep = np.nonzero(arrived > 0) if soft else (np.zeros(0, np.int64), np.zeros(0, np.int64))

    # within-target columns: arrival periods where the target can bind and some handler works in the window
    wq, ws = np.nonzero((arrived > 0) & (target < deadline)[:, None] & (share > 0)[:, None])
    owner, _cols = _window(ptr, T, h.cyclic, wq, ws, target[wq])
    count = np.bincount(owner, minlength=len(wq))
    reach = count > 0
    wq, ws = wq[reach], ws[reach]
    prev = np.mod(ws - 1, T)
    big_m = np.where((ws > 0) | h.cyclic, backlog_max[wq, prev], 0.0) if len(wq) else np.zeros(0)

    # share rows per queue and week of arrival
    sq, sw, sa = [], [], []
    for d in range(n):
        if not (target[d] < deadline[d] and share[d] > 0):
            continue
        by_week = np.bincount(week_of, weights=arrived[d], minlength=int(week_of.max()) + 1 if T else 0)
        for w in np.nonzero(by_week > 0)[0].tolist():
            sq.append(d)
            sw.append(w)
            sa.append(float(by_week[w]))
    return DeferredSets(
        n_periods=T, cyclic=h.cyclic, queue=np.asarray(codes, dtype=np.int64), deadline=deadline, target=target,
        share=share, aht_s=aht, occupancy=occupancy, arrived=arrived, waiting_max=waiting_max, backlog_max=backlog_max,
        h_queue=hq, h_period=hp, h_prov=hprov, h_group=hgroup, h_agents=hagents.astype(float), h_ptr=ptr,
        e_queue=eq.astype(np.int64), e_period=ep.astype(np.int64),
        w_queue=wq.astype(np.int64), w_period=ws.astype(np.int64), w_big_m=np.asarray(big_m, dtype=float),
        w_week=week_of[ws].astype(np.int64) if len(ws) else np.zeros(0, np.int64),
        share_queue=np.asarray(sq, dtype=np.int64), share_week=np.asarray(sw, dtype=np.int64),
        share_arrived=np.asarray(sa, dtype=float),
    )


def _trailing_sum(values: np.ndarray, length: int, cyclic: bool) -> np.ndarray:
    """out[t] = values[t-length+1] + ... + values[t] (wrapping on a cyclic horizon, from period 0 otherwise); 0 when
    length <= 0."""
    T = len(values)
    if length <= 0:
        return np.zeros(T)
    if cyclic:
        ext = np.concatenate([np.tile(values, -(-length // T)), values])
        c = np.concatenate([[0.0], np.cumsum(ext)])
        end = np.arange(len(ext) - T, len(ext)) + 1
        return c[end] - c[end - length]
    c = np.concatenate([[0.0], np.cumsum(values)])
    end = np.arange(T) + 1
    return c[end] - c[np.maximum(end - length, 0)]


def _window(ptr: np.ndarray, T: int, cyclic: bool, q, start, length) -> tuple[np.ndarray, np.ndarray]:
    """See DeferredSets.window; `ptr` is its h_ptr."""
    q, start, length = (np.asarray(a, dtype=np.int64) for a in (q, start, length))
    owner = np.repeat(np.arange(len(q)), length)
    offset = np.arange(len(owner)) - np.repeat(np.cumsum(length) - length, length)
    u = start[owner] + offset
    keep = np.ones(len(u), dtype=bool) if cyclic else u < T
    owner, u = owner[keep], np.mod(u[keep], T)
    lo = ptr[q[owner], u]
    n = ptr[q[owner], u + 1] - lo
    cols = np.repeat(lo, n) + (np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n))
    return np.repeat(owner, n), cols.astype(np.int64)
