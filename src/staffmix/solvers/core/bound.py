"""A lower bound for long horizons from one small LP per week (Lagrangian decomposition).

The full LP of a 52-week, 6-language instance takes HiGHS 85-110 s (interior
point, 2 threads). Cut into weeks, each LP takes a fraction of a second.
Weeks share only a few things, and each is split so that the sum of the
week LPs stays a valid lower bound of the MIP:

- a shift that runs into the next week appears in both weeks' rows; each
  week gets a copy priced at the share of the shift's periods it covers;
- headcount appears in every week's rows; each week gets a copy, and the
  weekly cost of a head is split over the weeks (weights `mu`, summing to
  the total: first evenly, then concentrated on the weeks that need the
  most heads; every split gives a valid bound and the best is kept);
- the contract binaries get a copy per week, relaxed to [0, 1], each priced
  at that week's fee (so the bound holds for every contract choice);
- the horizon-wide minimum in-house share is left out (a constraint dropped
  from a minimisation only lowers its optimum, so the bound stays valid; the
  rolling plan meets the share week by week).

Variable splitting with costs that add up to the original ones is a
Lagrangian relaxation (copy-equalities dualised), so the sum of the week
optima is a lower bound for any split; it equals the full LP bound at the
best split and is close to it with these simple ones.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np

from staffmix.solvers import highs as hx
from staffmix.solvers.core.blocks import Partition, submodel
from staffmix.solvers.core.matrix import CoreModel

log = logging.getLogger("staffmix.solvers.core")
HEAD_SPLIT_ROUNDS = 8  # subgradient rounds on the headcount split
HEAD_STEP = 1.0
KELLEY_ROUNDS = 25  # evaluations of L(H), at most


@dataclass
class WeekLP:
    block: int
    h: hx.highspy.Highs
    cols: np.ndarray
    base_cost: np.ndarray  # cost of the copies, without headcount and share terms
    heads_pos: np.ndarray  # positions of the headcount copies in cols
    heads_group: np.ndarray  # their groups
    share_pos: np.ndarray  # positions of in-house routing columns in cols
    share_coef: np.ndarray
    # positions of the excess copies of the headcount copies (see _kelley)
    excess_pos: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    value: float = np.nan
    heads: np.ndarray | None = None
    best_heads: np.ndarray | None = None  # heads at the best total so far (the split search may step past it)
    in_house: float = 0.0


@dataclass
class Bound:
    value: float
    weeks: list[WeekLP]
    complete: bool
    cut_short: bool = False  # the first pass over the weeks did not finish: `value` is the sum of those it solved


def shift_fraction(m: CoreModel, part: Partition) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Per block: (x columns, share of their periods in the block)."""
    ix = m.index
    n_per = ix.starts["n_periods"].to_numpy().astype(float)
    blocks = ix.cover_period // part.block_len
    out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    if not len(ix.cover_start):
        return out
    key = blocks * len(n_per) + ix.cover_start
    uniq, counts = np.unique(key, return_counts=True)
    ub, us = uniq // len(n_per), uniq % len(n_per)
    covered = np.bincount(ix.cover_start, minlength=len(n_per)).astype(float)
    frac = counts / np.maximum(covered[us], 1.0)
    for b in np.unique(ub):
        sel = ub == b
        out[int(b)] = (m.cols["x"].start + us[sel], frac[sel])
    return out


def _simplex(v: np.ndarray) -> np.ndarray:
    """Euclidean projection onto {w >= 0, sum w = 1}."""
    u = np.sort(v)[::-1]
    css = np.cumsum(u) - 1.0
    k = np.nonzero(u - css / np.arange(1, len(v) + 1) > 0)[0][-1]
    return np.maximum(v - css[k] / (k + 1), 0.0)


def _solve_weeks(
    weeks: list[WeekLP], head_cost: np.ndarray, mu: np.ndarray, deadline: float | None, project: bool = False
):
    """Sum of the week LPs with headcount priced by `mu`, and the heads each week buys (groups x weeks); cut short
    by the deadline: (None, the sum of the week LPs solved so far). `project`: give up as soon as the weeks
    solved so far, at their pace, say the rest will not fit before the deadline."""
    total = 0.0
    heads = np.zeros(mu.shape)
    started = time.perf_counter()
    for k, wk in enumerate(weeks):
        now = time.perf_counter()
        left = None if deadline is None else deadline - now
        if left is not None and left <= 0:
            return None, total
        if project and left is not None and k and (now - started) / k * (len(weeks) - k) > left:
            return None, total
        c = wk.base_cost.copy()
        if len(wk.heads_pos):
            c[wk.heads_pos] += head_cost[wk.heads_group] * mu[wk.heads_group, wk.block]
        wk.h.changeColsCost(len(c), np.arange(len(c), dtype=np.int32), c)
        ans = hx.run(wk.h, solver="simplex", time_limit=left)
        if ans.status != "optimal":
            return None, total
        wk.value = ans.value
        wk.heads = ans.solution[wk.heads_pos] if len(wk.heads_pos) else np.zeros(0)
        heads[wk.heads_group, wk.block] = wk.heads
        wk.in_house = float(ans.solution[wk.share_pos] @ wk.share_coef) if len(wk.share_pos) else 0.0
        total += wk.value
    return total, heads


def _at_headcount(weeks: list[WeekLP], head_cost: np.ndarray, h_lo: np.ndarray, H: np.ndarray, deadline: float | None):
    """L(H): headcount H for the whole horizon (paid once, c.H), every week free to use up to H and
    to buy more at the full price of a head (so every H is feasible; this only lowers L, and min L
    stays a valid bound); and a subgradient of L at H (c plus the weeks' duals of heads <= H)."""
    total = float(head_cost @ H)
    grad = head_cost.astype(float).copy()
    for wk in weeks:
        left = None if deadline is None else deadline - time.perf_counter()
        if left is not None and left <= 0:
            return None, None
        c = wk.base_cost.copy()
        n = len(c)
        wk.h.changeColsCost(n, np.arange(n, dtype=np.int32), c)
        if len(wk.heads_pos):
            lo = h_lo[wk.heads_group]
            k = len(wk.heads_pos)
            wk.h.changeColsBounds(
                k, wk.heads_pos.astype(np.int32), np.minimum(lo, H[wk.heads_group]), H[wk.heads_group]
            )
            wk.h.changeColsBounds(k, wk.excess_pos.astype(np.int32), np.zeros(k), np.full(k, np.inf))
            wk.h.changeColsCost(k, wk.excess_pos.astype(np.int32), head_cost[wk.heads_group].astype(np.float64))
        ans = hx.run(wk.h, solver="simplex", time_limit=left)
        if ans.status != "optimal":
            log.debug("kelley: week %d %s at headcount %s", wk.block, ans.status, H)
            return None, None
        total += ans.value
        if len(wk.heads_pos):
            rc = np.asarray(wk.h.getSolution().col_dual)[wk.heads_pos]
            np.add.at(grad, wk.heads_group, np.minimum(rc, 0.0))  # dual of the upper bound H (<= 0)
    return total, grad


def _kelley(weeks: list[WeekLP], head_cost: np.ndarray, h_lo: np.ndarray, h_hi: np.ndarray, heads0: np.ndarray,
            deadline: float | None) -> float:
    """A lower bound from Kelley's cutting planes on the convex function L(H) of `_at_headcount`.

    min over H of L(H) is the Lagrangian bound at the best headcount split (the LP relaxation's value
    up to the other copies); each evaluation gives a cut L(H_k) + g_k (H - H_k) below L, and the
    least value of the cuts' maximum is a valid bound at every iteration. A point with headcount
    high enough that no week is short of heads has gradient c > 0 and closes the model from above."""
    from scipy.optimize import linprog

    G = len(head_cost)
    finite_hi = np.where(np.isfinite(h_hi), h_hi, np.inf)
    points = [np.clip(heads0, h_lo, finite_hi), np.clip(2.0 * heads0 + 10.0, h_lo, finite_hi)]
    cuts: list[tuple[float, np.ndarray, np.ndarray]] = []
    bound = -np.inf
    for _ in range(KELLEY_ROUNDS):
        if not points:
            break
        H = points.pop(0)
        value, grad = _at_headcount(weeks, head_cost, h_lo, H, deadline)
        if value is None:
            break
        cuts.append((value, grad, H))
        if points:
            continue
        # min t  s.t.  t >= L_k + g_k (H - H_k),  h_lo <= H <= h_hi
        A = np.array([np.concatenate([g, [-1.0]]) for _, g, _ in cuts])
        b = np.array([g @ Hk - v for v, g, Hk in cuts])
        res = linprog(
            np.concatenate([np.zeros(G), [1.0]]),
            A_ub=A,
            b_ub=b,
            bounds=[(float(h_lo[g]), None if not np.isfinite(h_hi[g]) else float(h_hi[g])) for g in range(G)]
            + [(None, None)],
            method="highs",
        )
        if res.status != 0:
            break
        bound = max(bound, float(res.fun))
        log.debug("kelley: %d cuts, bound %.1f, best L %.1f", len(cuts), bound, min(v for v, _, _ in cuts))
        best_upper = min(v for v, _, _ in cuts)
        if best_upper - bound <= 1e-6 * max(1.0, abs(best_upper)):
            break
        points.append(np.asarray(res.x[:G]))
    for wk in weeks:  # the week models as they were: headcount copies free again
        if len(wk.heads_pos):
            k = len(wk.heads_pos)
            wk.h.changeColsBounds(k, wk.heads_pos.astype(np.int32), h_lo[wk.heads_group], h_hi[wk.heads_group])
            wk.h.changeColsBounds(k, wk.excess_pos.astype(np.int32), np.zeros(k), np.zeros(k))
    return bound


def lagrangian_bound(
    m: CoreModel, part: Partition, threads: int | None, deadline: float | None, floor: bool = False,
    project: bool = False,
) -> Bound:
    """The Lagrangian bound of the module docstring. `floor`: of a further relaxation, for day- and week-measured
    queues under a time limit: the service rows over days and weeks left out, so every level choice stays at the
    lowest (the floor's requirement) and leaves the week LPs. The level columns make each week LP several times
    slower (1 week x 6 languages measured per day: 2.75 s against 0.67 s for the floor's, LP 138,957 against
    124,170), too slow for 13 or 52 weeks within a minute; a constraint dropped only lowers the optimum, so the
    bound stays valid, if weaker.

    A first pass the deadline cuts short still proves the sum of the week LPs it solved: every cost and every
    column is non-negative, so each week LP left out is at least 0 (`Bound.cut_short`). `project`: the first pass
    gives up early when the pace of its first weeks says it cannot finish (rolling.run_blocks then takes the floor
    relaxation with the time left)."""
    ix = m.index
    Ar = m.A.tocsr()
    W = part.n_blocks
    bh, by, bx = m.cols["heads"], m.cols["y"], m.cols["x"]
    config = ix.scenario.config
    fees = np.array([v.fee_per_week for v in config.vendors], dtype=float)
    week_frac = np.zeros(W)
    T = config.horizon.periods
    np.add.at(week_frac, np.arange(T) // part.block_len, 1.0 / config.horizon.periods_per_week)
    frac_of = shift_fraction(m, part)
    share_row = m.rows.get("min_in_house_share")
    row_mask = np.ones(m.n_rows, dtype=bool)
    share_cols = share_coef = np.zeros(0)
    share_total = 0.0
    if share_row is not None and share_row.size:
        row_mask[share_row.start] = False
        r = Ar[share_row.start]
        share_cols, share_coef = r.indices, r.data
        share_total = float(m.row_lo[share_row.start])
    lo, hi = m.col_lo.copy(), m.col_hi.copy()
    if floor:
        hi[m.col("level")] = 0.0
        for name in ("service_level", "level_link"):
            family = m.rows[name]
            row_mask[family.start:family.stop] = False
    weeks: list[WeekLP] = []
    complete = True
    for b in range(W):
        own = part.col_block == b
        anchor_rows = np.unique(m.A[:, np.nonzero(own)[0]].indices)
        anchor_rows = anchor_rows[row_mask[anchor_rows]]
        touched = np.zeros(m.n_cols, dtype=bool)
        touched[np.unique(Ar[anchor_rows].indices)] = True
        touched |= own
        sub = submodel(
            m, Ar, touched, np.ones(m.n_cols, dtype=bool), np.zeros(m.n_cols), lo, hi, row_mask=row_mask, anchor=own
        )
        cost = np.zeros(m.n_cols)
        plain = own.copy()
        plain[bx.slice] = False
        cost[plain] = m.cost[plain]
        if b in frac_of:
            xc, fr = frac_of[b]
            cost[xc] = m.cost[xc] * fr
        cost[by.slice] = fees * week_frac[b]
        bb = m.cols["billed"]
        if bb.size and part.block_len == config.horizon.periods_per_week:
            mine = bb.start + np.arange(len(config.vendors)) * m.index.n_weeks + b
            cost[mine] = m.cost[mine]
        c = cost[sub.cols]
        ylo, yhi = sub.lo.copy(), sub.hi.copy()
        pos = {int(j): i for i, j in enumerate(sub.cols)}
        heads_group = np.array([g for g in range(bh.size) if bh.start + g in pos], dtype=np.int64)
        heads_pos = np.array([pos[bh.start + g] for g in heads_group], dtype=np.int64)
        sel = (
            np.array([j in pos for j in share_cols.tolist()], dtype=bool)
            if len(share_cols)
            else np.zeros(0, dtype=bool)
        )
        share_pos = (
            np.array([pos[int(j)] for j in share_cols[sel]], dtype=np.int64)
            if len(share_cols)
            else np.zeros(0, np.int64)
        )
        h = hx.new_highs(threads)
        hx.pass_model(h, sub.A, c, ylo, yhi, sub.row_lo, sub.row_hi, None)
        # one "excess" copy per headcount copy (same column, off until _kelley): heads beyond H at a price
        for p in heads_pos.tolist():
            col = sub.A[:, p]
            h.addCol(0.0, 0.0, 0.0, col.nnz, col.indices.astype(np.int32), col.data.astype(np.float64))
        excess_pos = len(sub.cols) + np.arange(len(heads_pos), dtype=np.int64)
        weeks.append(
            WeekLP(
                b,
                h,
                sub.cols,
                c,
                heads_pos,
                heads_group,
                share_pos,
                share_coef[sel] if len(share_cols) else np.zeros(0),
                excess_pos=excess_pos,
            )
        )
    head_cost = m.cost[bh.slice]
    G = bh.size
    mu = np.full((G, W), 1.0 / W)  # each group's headcount cost split over the weeks, evenly at first
    best, best_heads = -np.inf, None
    cut_short = False
    step = HEAD_STEP / W
    for attempt in range(HEAD_SPLIT_ROUNDS if G and head_cost.sum() > 0 and W > 1 else 1):
        total, heads = _solve_weeks(weeks, head_cost, mu, deadline, project=project and attempt == 0)
        if total is None:
            complete = complete and attempt > 0
            if attempt == 0:  # the weeks solved, each at least 0 (see above)
                best, cut_short = float(heads), True
            break
        if total > best:
            best, best_heads = total, heads
            for wk in weeks:
                wk.best_heads = wk.heads
        else:
            step *= 0.5
        # subgradient step: more of the headcount cost on the weeks that need the most heads
        g = heads - heads.mean(axis=1, keepdims=True)
        scale = np.maximum(np.abs(g).max(axis=1, keepdims=True), 1e-9)
        mu = np.array([_simplex(mu[k] + step * g[k] / scale[k]) for k in range(G)])
    for wk in weeks:
        if wk.best_heads is not None:
            wk.heads = wk.best_heads
    if (
        best_heads is not None
        and G
        and head_cost.sum() > 0
        and W > 1
        and (deadline is None or time.perf_counter() < deadline)
    ):
        h_lo, h_hi = m.col_lo[bh.slice], m.col_hi[bh.slice]
        kelley = _kelley(weeks, head_cost, h_lo, h_hi, best_heads.max(axis=1), deadline)
        log.debug("bound: subgradient split %.1f, Kelley on headcount %.1f", best, kelley)
        best = max(best, kelley)
    if share_total > 0 and best > -np.inf:
        in_house = sum(wk.in_house for wk in weeks)
        if in_house < share_total - 1e-6:
            complete = False  # the share row binds: pi = 0 keeps the bound valid but weaker
    return Bound(best, weeks, complete, cut_short)


__all__ = ["Bound", "lagrangian_bound"]
