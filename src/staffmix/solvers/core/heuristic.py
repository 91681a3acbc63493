"""An integer plan for one (sub-)model with the contracts fixed: route given shifts, shifts given routing.

HiGHS alone is slow on this model even for a single week: exclusive routing
(z) and integer shifts (x) together give it a large search tree and weak
cuts. Each of the two halves, with the other fixed, is easy:

1. LP relaxation -> fractional shifts x*.
2. Route given shifts: x fixed at round(x*); a MIP over the routing binaries
   only, where in-house capacity may be exceeded (only in hours a shift of
   this model can still reach) through a slack priced at `SLACK_PRICE` x the
   group's cost of one productive agent-period, so a queue-period goes
   in-house beyond the rounded shifts only when that would still pay after
   rounding a shift up. With x fixed every period is independent, and HiGHS
   solves it in about a second per week. `fast=True` first solves its LP,
   fixes the routing the LP already decides and branches on the rest only
   (about 0.4 s a week, about 1 % worse).
3. Shifts given routing: routing fixed; the LP gives x', then a MIP with
   each shift count between floor(x') and ceil(x') (near-unimodular interval
   structure: solved in milliseconds); if that box is too tight, the lower
   bound alone.
4. Repeat 2-3 from the new shifts while it improves.

Measured on the 1-week, 6-language generator instance: 4.7 % above the LP
bound in 2.5 s (6.8 % in 0.8 s with `fast`), where HiGHS's own MIP reaches
6.2 % after 300 s and CBC finds no plan in 300 s (docs/performance.md).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from staffmix.solvers.core.blocks import Sub, solve_sub
from staffmix.solvers.core.levels import per_period_steps, reaches_target
from staffmix.solvers.core.matrix import CoreModel

log = logging.getLogger("staffmix.solvers.core")
SLACK_PRICE = 3.0  # x the cost of one productive in-house agent-period (1.3, 2 and 5 measured worse)
SUB_GAP = 1e-3
DEFERRABLE_BLOCKS = ("handled", "backlog", "dropped", "within", "on_time")


@dataclass
class Roles:
    """Column masks of the full model."""

    route: np.ndarray  # z and unserved
    shift: np.ndarray  # x
    heads: np.ndarray
    deferrable: np.ndarray  # deferrable work's handling, backlog and the rest of its columns (issue #13)


def roles(m: CoreModel) -> Roles:
    n = m.n_cols
    route = np.zeros(n, dtype=bool)
    route[m.col("z")] = True
    route[m.col("unserved")] = True
    # issue #14: a day- or week-measured queue-period's level is chosen with its routing (the integer ones;
    # `plan` keeps only integer route columns)
    route[m.col("level")] = True
    shift = np.zeros(n, dtype=bool)
    shift[m.col("x")] = True
    heads = np.zeros(n, dtype=bool)
    heads[m.col("heads")] = True
    deferrable = np.zeros(n, dtype=bool)
    for name in DEFERRABLE_BLOCKS:
        deferrable[m.col(name)] = True
    return Roles(route, shift, heads, deferrable)


def whole(m: CoreModel, lo: np.ndarray, hi: np.ndarray) -> Sub:
    """The full model as a Sub (with the given column bounds)."""
    return Sub(
        cols=np.arange(m.n_cols), rows=np.arange(m.n_rows), A=m.A, cost=m.cost, lo=lo, hi=hi,
        row_lo=m.row_lo, row_hi=m.row_hi, integer=m.integer.copy(),
    )


MIN_STEP_S = 1.0  # every HiGHS call gets at least this long, whatever the deadline says


def _left(deadline: float | None) -> float | None:
    return None if deadline is None else max(deadline - time.perf_counter(), MIN_STEP_S)


def pinned(m: CoreModel, sub: Sub) -> tuple[Sub, sp.csr_matrix] | None:
    """`sub` with each day- or week-measured queue-period staffed at its own target (levels.per_period_steps):
    (the restricted Sub, P with sub values = P @ restricted values); None when `sub` has no level columns.

    A needed step's column is merged into its routing column (the step is taken exactly when the row's provider
    is), the other steps are dropped (0). The restricted model has no level choices left, so the route and
    shift steps below are as quick as on a queue measured per period."""
    lv = m.levels
    bl = m.cols["level"]
    if lv is None or not bl.size:
        return None
    in_sub = (sub.cols >= bl.start) & (sub.cols < bl.stop)
    if not in_sub.any():
        return None
    steps = per_period_steps(m.index, m.zcol, lv)
    if steps is None:
        return None
    needed, zc = steps
    pos = np.full(m.n_cols, -1, dtype=np.int64)
    pos[sub.cols] = np.arange(len(sub.cols))
    step = sub.cols[in_sub] - bl.start
    z_pos = pos[zc[step]]
    keep = ~in_sub
    merge = needed[step] & (z_pos >= 0)
    # a needed step whose routing lies outside the sub-model keeps its own column; the steps not needed are 0
    keep[np.nonzero(in_sub)[0][needed[step] & (z_pos < 0)]] = True
    new_of = np.full(len(sub.cols), -1, dtype=np.int64)
    new_of[keep] = np.arange(int(keep.sum()))
    rows_p = np.concatenate([np.nonzero(keep)[0], np.nonzero(in_sub)[0][merge]])
    cols_p = np.concatenate([new_of[keep], new_of[z_pos[merge]]])
    P = sp.csr_matrix((np.ones(len(rows_p)), (rows_p, cols_p)), shape=(len(sub.cols), int(keep.sum())))
    # the level links now read z <= z, and every day's (week's) service row holds when each of its queue-periods
    # reaches the target on its own: both leave the restricted model, unless a queue-period cannot reach it
    rows = np.ones(len(sub.rows), dtype=bool)
    if reaches_target(m.index, lv):
        for name in ("level_link", "service_level"):
            b = m.rows[name]
            rows &= ~((sub.rows >= b.start) & (sub.rows < b.stop))
    A = (sub.A @ P).tocsr()[rows].tocsc()
    restricted = Sub(
        cols=sub.cols[keep], rows=sub.rows[rows], A=A, cost=P.T @ sub.cost, lo=sub.lo[keep],
        hi=sub.hi[keep], row_lo=sub.row_lo[rows], row_hi=sub.row_hi[rows], integer=sub.integer[keep],
    )
    return restricted, P


def plan(
    m: CoreModel,
    sub: Sub,
    r: Roles,
    threads: int | None,
    deadline: float | None,
    iterations: int = 3,
    extra: list | None = None,
    fast: bool = False,
    pin: bool = False,
) -> np.ndarray | None:
    """Values for `sub.cols` of an integer plan, or None when none was found in time.

    `pin`, with day- or week-measured queues: the plan of the model restricted to each queue-period at its own
    target (`pinned`) when there is one. The level choices make the route step's MIP slow (a 52-week,
    6-language instance measured per day found no plan for its first week in 1 s a week); pinned, a week takes
    what a week measured per period takes, and the plan costs more (13 weeks: 2,021,459 against 1,902,547), so
    the callers pin when time is short or when the full form found nothing."""
    restricted = pinned(m, sub) if pin else None
    if restricted is not None:
        x = plan(m, restricted[0], r, threads, deadline, iterations, extra, fast, pin=False)
        if x is not None:
            return restricted[1] @ x
    cols = sub.cols
    own_int = sub.integer
    route = r.route[cols] & own_int
    shift = r.shift[cols] & own_int
    heads = r.heads[cols]
    lp = solve_sub(replace(sub, integer=np.zeros(len(cols), dtype=bool)), threads, _left(deadline), 0.0, extra=extra)
    if not lp.has_solution:
        return None
    best, best_cost = None, np.inf
    x_shift = np.round(np.maximum(lp.solution[shift], 0.0))
    for it in range(iterations):
        if it and deadline is not None and time.perf_counter() >= deadline:
            break
        # fast: deferrable work handled as the LP handles it while routing (it links a week's periods through the
        # backlog; held, every period is routed on its own again); free again when the shifts are chosen
        held = (r.deferrable[cols], lp.solution) if fast and it == 0 and r.deferrable[cols].any() else None
        z = _route_given_shifts(m, sub, route, shift, heads, x_shift, threads, deadline, extra, restrict=fast,
                                held=held)
        if z is None:
            break
        sol = _shifts_given_routing(sub, route, shift, z, threads, deadline, extra)
        if sol is None:
            break
        cost = float(sub.cost @ sol)
        log.debug("heuristic: LP %.1f, plan %.1f", lp.objective, cost)
        if cost < best_cost - 1e-6:
            best, best_cost = sol, cost
            x_shift = np.round(sol[shift])
        else:
            break
    return best


def _route_given_shifts(
    m, sub, route, shift, heads, x_shift, threads, deadline, extra, restrict=False, held=None
) -> np.ndarray | None:
    """Routing binaries with the shifts fixed and priced in-house overflow."""
    ix = m.index
    cap = m.rows["capacity"]
    in_cap = (sub.rows >= cap.start) & (sub.rows < cap.stop)
    # overflow only where a shift of this model can still add capacity (not in hours that only
    # shifts of an earlier, fixed block reach)
    reachable = np.asarray((sub.A[:, np.nonzero(shift)[0]] != 0).sum(axis=1)).ravel() > 0
    cap_rows = np.nonzero(in_cap & reachable)[0]
    groups = m.capacity_group[sub.rows[cap_rows] - cap.start]
    config = ix.scenario.config
    unit = (
        np.array([g.rate_per_hour * ix.period_h / (1.0 - g.shrinkage) for g in config.groups])
        if config.groups
        else np.zeros(0)
    )
    price = SLACK_PRICE * unit[groups] if len(groups) else np.zeros(0)
    k = len(cap_rows)
    slack = sp.csc_matrix((-np.ones(k), (cap_rows, np.arange(k))), shape=(sub.A.shape[0], k))
    A = sp.hstack([sub.A, slack], format="csc")
    lo = np.concatenate([sub.lo, np.zeros(k)])
    hi = np.concatenate([sub.hi, np.full(k, np.inf)])
    lo[: len(sub.cols)][shift] = x_shift
    hi[: len(sub.cols)][shift] = x_shift
    if held is not None:  # columns held at given values (mask, values of every column of `sub`)
        mask, value = held
        lo[: len(sub.cols)][mask] = np.clip(value[mask], sub.lo[mask], sub.hi[mask])
        hi[: len(sub.cols)][mask] = lo[: len(sub.cols)][mask]
    integer = np.concatenate([route, np.zeros(k, dtype=bool)])
    s2 = Sub(
        cols=np.concatenate([sub.cols, -1 - np.arange(k)]),
        rows=sub.rows,
        A=A,
        cost=np.concatenate([sub.cost, price]),
        lo=lo,
        hi=hi,
        row_lo=sub.row_lo,
        row_hi=sub.row_hi,
        integer=integer,
    )
    if restrict:
        # fix the routing binaries the LP already decides; branch only on the fractional ones
        lp = solve_sub(
            replace(s2, integer=np.zeros(len(integer), dtype=bool)), threads, _left(deadline), 0.0, extra=extra
        )
        if lp.has_solution:
            zpos = np.nonzero(np.concatenate([route, np.zeros(k, dtype=bool)]))[0]
            z = lp.solution[zpos]
            decided = np.abs(z - np.round(z)) <= 1e-6
            lo[zpos[decided]] = np.round(z[decided])
            hi[zpos[decided]] = np.round(z[decided])
            hi[zpos[~decided & (z <= 1e-6)]] = 0.0
            s2 = replace(s2, lo=lo, hi=hi)
    ans = solve_sub(s2, threads, _left(deadline), SUB_GAP, extra=extra)
    if not ans.has_solution:
        log.debug("route given shifts: %s after %.2f s", ans.status, ans.seconds)
        return None
    return np.round(ans.solution[: len(sub.cols)][route])


def _shifts_given_routing(sub, route, shift, z, threads, deadline, extra) -> np.ndarray | None:
    lo, hi = sub.lo.copy(), sub.hi.copy()
    lo[route] = z
    hi[route] = z
    fixed = replace(sub, lo=lo, hi=hi)
    lp = solve_sub(
        replace(fixed, integer=np.zeros(len(sub.cols), dtype=bool)), threads, _left(deadline), 0.0, extra=extra
    )
    if not lp.has_solution:
        log.debug("shifts given routing: LP %s", lp.status)
        return None
    xs = np.maximum(lp.solution[shift], 0.0)
    for upper in (True, False):
        lo2, hi2 = lo.copy(), hi.copy()
        lo2[shift] = np.floor(xs + 1e-6)
        if upper:
            hi2[shift] = np.ceil(xs - 1e-6)
        ans = solve_sub(replace(fixed, lo=lo2, hi=hi2), threads, _left(deadline), SUB_GAP, extra=extra)
        if ans.has_solution:
            return ans.x
    return None


__all__ = ["Roles", "plan", "roles", "whole"]
