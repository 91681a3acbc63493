"""Among plans of the same cost, answer deferrable contacts as early as possible.

The model prices agents and vendor hours, not waiting: once shifts are paid
for, answering an email at 09:00 or at 15:00 costs the same, and a solver
returns either. A planner reads the first as the plan. So after every solve
with deferrable work, `answer_early` keeps everything the plan pays for
fixed (shifts, routing, contracts, the other queues' assignments, unanswered
contacts, the share-target binaries) and solves one linear program over the
deferrable handling alone:

    minimise   the sum of the backlog over all periods (contact-periods waiting)
    subject to the backlog flow and deadlines, as in the model;
               in-house handling within the productive agent-time the plan's
               shifts leave free;
               each vendor's deferrable work per period within its spare
               capacity, and per week at most what the plan already uses
               (so no bill grows);
               the in-house contacts at least the plan's (min_in_house_share);
               the share target with the plan's binaries.

The plan itself satisfies every row, so the program is feasible and the cost
cannot rise; if HiGHS does not prove an optimum the plan is kept as it was.
This runs for every backend alike (solvers/dispatch.py), before the plan is read back.
"""

from __future__ import annotations

import numpy as np

from staffmix.model.index_sets import IndexSets
from staffmix.model.plan_values import PlanValues
from staffmix.results.deferrable_fifo import within_target
from staffmix.solvers.sparse_rows import RowFamilies

SLACK = 1e-7
"""Room for the solver's round-off in the plan's own values, only where using it cannot shorten the backlog (the
backlog's upper bound, the share rows); capacity and usage rows are taken at the plan's own values instead."""


def answer_early(ix: IndexSets, values: PlanValues, share_target: bool = True) -> PlanValues:
    """`values` with the deferrable handling re-timed as early as the paid-for capacity allows (module docstring).

    The share target keeps the plan's binaries (read from its FIFO share when the plan has none: a plan of the
    core's relaxation without them); `share_target=False` leaves it out."""
    D = ix.deferred
    n_h, n_b, n_w = len(D.h_queue), D.n_backlog, len(D.w_queue) if share_target else 0
    if not n_h or len(values.handled) != n_h:
        return values
    h0 = np.maximum(values.handled, 0.0)
    dropped = np.zeros((D.n_queues, D.n_periods))
    if len(values.dropped):
        dropped[D.e_queue, D.e_period] = values.dropped
    rows = RowFamilies()
    n_cols = n_h + n_b + n_w
    within_hi = np.zeros(0)  # upper bounds of the share target's within columns (with the plan's binaries)
    cols_b = n_h + np.arange(n_b)

    # backlog flow (unanswered fixed): b[t] - b[t-1] + handled = arrivals - unanswered
    q = np.repeat(np.arange(D.n_queues), D.n_periods)
    t = np.tile(np.arange(D.n_periods), D.n_queues)
    rhs = (D.arrived - dropped).reshape(-1)
    r = rows.family("backlog_flow", n_b, rhs, rhs)
    rows.coef(r + np.arange(n_b), cols_b, 1.0)
    prev, exists = D.previous_backlog(q, t)
    rows.coef(r + np.nonzero(exists)[0], n_h + prev[exists], -1.0)
    rows.coef(r + D.backlog_col(D.h_queue, D.h_period), np.arange(n_h), 1.0)

    # in-house: per group and period, within what the plan's shifts leave after its other assignments
    ih = np.nonzero(D.h_group >= 0)[0]
    if len(ih):
        free = _free_in_house(ix, values)
        key = D.h_group[ih] * D.n_periods + D.h_period[ih]
        uniq, inv = np.unique(key, return_inverse=True)
        used = np.bincount(inv, weights=D.h_agents[ih] * h0[ih])
        cap = np.maximum(free.reshape(-1)[uniq], used)
        r = rows.family("in_house_capacity", len(uniq), -np.inf, cap)
        rows.coef(r + inv, ih, D.h_agents[ih])
        if ix.scenario.config.policy.min_in_house_share > 0:
            r = rows.family("in_house_share", 1, float(h0[ih].sum()), np.inf)
            rows.coef(np.full(len(ih), r), ih, 1.0)

    # vendors: no more per week than the plan uses (no bill grows), within spare capacity per period
    config = ix.scenario.config
    for vi, v in enumerate(config.vendors):
        p = ix.providers.index(v.id)
        c = np.nonzero(D.h_prov == p)[0]
        if not len(c):
            continue
        amount = np.ones(len(c)) if v.pricing == "per_contact" else D.h_agents[c]
        weeks = ix.week_of[D.h_period[c]]
        uw, inv = np.unique(weeks, return_inverse=True)
        used = np.bincount(inv, weights=amount * h0[c])
        r = rows.family(f"billed_{v.id}", len(uw), -np.inf, used)
        rows.coef(r + inv, c, amount)
        cap = v.capacity_contacts if v.pricing == "per_contact" else v.capacity_agents
        if cap is not None:
            other = _vendor_other_use(ix, values, vi, v.pricing == "per_contact")
            ut, inv = np.unique(D.h_period[c], return_inverse=True)
            used = np.bincount(inv, weights=amount * h0[c])
            r = rows.family(f"capacity_{v.id}", len(ut), -np.inf, np.maximum(cap - other[ut], used))
            rows.coef(r + inv, c, amount)

    # the share target with the plan's binaries
    if n_w:
        delta = np.round(values.on_time) if len(values.on_time) == n_w else _on_time(ix, h0, dropped)
        cols_w = n_h + n_b + np.arange(n_w)
        arrived = D.arrived[D.w_queue, D.w_period]
        within_hi = np.minimum(arrived * delta, arrived - dropped[D.w_queue, D.w_period])
        r = rows.family("within_fifo", n_w, -np.inf, D.w_big_m * (1 - delta) + SLACK)
        rows.coef(r + np.arange(n_w), cols_w, 1.0)
        owner, hc = D.window(D.w_queue, D.w_period, D.target[D.w_queue])
        rows.coef(r + owner, hc, -1.0)
        prev, exists = D.previous_backlog(D.w_queue, D.w_period)
        rows.coef(r + np.nonzero(exists)[0], n_h + prev[exists], 1.0)
        key = D.share_queue * (ix.n_weeks + 1) + D.share_week
        answered = D.share_arrived - np.array(
            [
                dropped[d][ix.week_of == w].sum()
                for d, w in zip(D.share_queue.tolist(), D.share_week.tolist(), strict=True)
            ]
        )
        r = rows.family("response_share", len(key), D.share[D.share_queue] * answered - SLACK, np.inf)
        rows.coef(r + np.searchsorted(key, D.w_queue * (ix.n_weeks + 1) + D.w_week), cols_w, 1.0)

    lo = np.zeros(n_cols)
    hi = np.concatenate([D.waiting_max[D.h_queue, D.h_period], D.backlog_max.reshape(-1) + 10 * SLACK,
                         within_hi])
    if len(values.y):  # vendors not contracted handle nothing
        off = np.array(
            [values.y[ix.vendors.index(ix.providers[p])] < 0.5 if p > 0 else False for p in D.h_prov.tolist()]
        )
        hi[:n_h][off] = 0.0
    hi[:n_h] = np.maximum(hi[:n_h], h0)
    cost = np.concatenate([np.zeros(n_h), np.ones(n_b), np.zeros(n_w)])
    x = _solve_lp(rows, cost, lo, hi)
    if x is None:
        return values
    return values.replace(handled=np.maximum(x[:n_h], 0.0), backlog=np.maximum(x[n_h:n_h + n_b], 0.0),
                   within=x[n_h + n_b:] if n_w else values.within)


def _on_time(ix: IndexSets, handled: np.ndarray, dropped: np.ndarray) -> np.ndarray:
    """The share-target binaries a plan's FIFO reading implies: 1 where some of the period's contacts are within
    target."""
    D = ix.deferred
    within = within_target(ix, handled, dropped)[D.w_queue, D.w_period]
    return (within > 1e-7).astype(float)


def share_targets_met(ix: IndexSets, values: PlanValues) -> bool:
    """Whether the plan's FIFO share within target reaches every queue's target in every week of arrival."""
    D = ix.deferred
    dropped = np.zeros((D.n_queues, D.n_periods))
    if len(values.dropped):
        dropped[D.e_queue, D.e_period] = values.dropped
    within = within_target(ix, np.maximum(values.handled, 0.0), dropped)
    for d, w in zip(D.share_queue.tolist(), D.share_week.tolist(), strict=True):
        mine = ix.week_of == w
        answered = float((D.arrived[d] - dropped[d])[mine].sum())
        if float(within[d][mine].sum()) < D.share[d] * answered - 1e-6 * max(1.0, answered):
            return False
    return True


def _free_in_house(ix: IndexSets, values: PlanValues) -> np.ndarray:
    """(groups x periods) productive agents on duty in the plan less its assignments to queues that are not
    deferrable."""
    T = len(ix.periods)
    on_duty = np.zeros((len(ix.groups), T))
    if len(ix.cover_start):
        np.add.at(on_duty, (ix.s_group[ix.cover_start], ix.cover_period), np.round(values.x)[ix.cover_start])
    shrink = np.array([g.shrinkage for g in ix.scenario.config.groups]).reshape(-1, 1)
    free = (1.0 - shrink) * on_duty if len(ix.groups) else on_duty
    if len(ix.a_group):
        np.subtract.at(free, (ix.a_group, ix.r_period[ix.cover_req][ix.a_cover]), values.a)
    return free


def _vendor_other_use(ix: IndexSets, values: PlanValues, vi: int, per_contact: bool) -> np.ndarray:
    """Per period: the agents (or contacts) vendor `vi` gives the plan's routed queue-periods, at the level the
    plan staffs them (the lowest, plus the agents above it a day- or week-measured queue-period chose)."""
    T = len(ix.periods)
    p = ix.providers.index(ix.vendors[vi])
    zval = np.zeros(ix.slot_open.shape)
    zval[ix.z_slot, ix.z_prov] = values.z
    r = ix.vendor_rows(vi)
    amount = ix.r_contacts[r] if per_contact else ix.r_required[r].astype(float)
    use = np.bincount(ix.r_period[r], weights=amount * np.round(zval[ix.b_slot[ix.r_base[r]], p]), minlength=T)
    if not per_contact and len(values.level_extra):
        mine = ix.r_prov[ix.step_rows] == p
        use += np.bincount(ix.r_period[ix.step_rows[mine]], weights=np.round(values.level_extra[mine]), minlength=T)
    return use


def _solve_lp(rows: RowFamilies, cost: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray | None:
    """The LP's optimal values, through the one HiGHS driver (solvers/highs.py: seeded, quiet, one thread);
    None unless HiGHS proves an optimum."""
    from staffmix.solvers import highs as hx  # highspy loads only when there is deferrable work to re-time

    A = rows.matrix(len(cost))
    row_lo, row_hi = rows.bounds()
    h = hx.new_highs(threads=1)
    hx.pass_model(h, A, cost, lo, hi, row_lo, row_hi, None)
    answer = hx.run(h)
    return answer.x if answer.ok else None


__all__ = ["answer_early", "share_targets_met"]
