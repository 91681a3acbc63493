"""Long horizons: a Lagrangian bound from week LPs, then a rolling plan week by week.

1. Bound: one LP per week (bound.py), valid for every contract choice.
2. Contracts: each choice scored by the same week LPs with y fixed, on a
   sample of weeks spread over the horizon (all weeks when there are few).
3. Plan: weeks in order, each a small model over its own columns (routing,
   shifts starting in it, assignments, billed hours) with earlier weeks
   fixed, so shifts spilling over from the previous week count as on duty.
   Headcount and billed hours are shared: each week may raise them and pays
   for what it adds. The horizon-wide minimum in-house share becomes one
   target per week, proportional to the week's contacts. Each week's model
   is solved by the heuristic of heuristic.py (HiGHS on the week MIP itself
   is far too slow, see docs/performance.md).
4. Time left: local search over the routing of the whole horizon, time
   window by time window (improve.py).
"""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np

from staffmix.scenario.schema import SolverOptions
from staffmix.solvers import highs as hx
from staffmix.solvers.core.blocks import GLOBAL, Partition, partition, solve_sub, submodel
from staffmix.solvers.core.bound import lagrangian_bound
from staffmix.solvers.core.contracts import choices
from staffmix.solvers.core.heuristic import plan, roles
from staffmix.solvers.core.improve import improve
from staffmix.solvers.core.matrix import CoreModel
from staffmix.solvers.core.plan import SearchResult, tidy, violation
from staffmix.util import solve_progress as progress

log = logging.getLogger("staffmix.solvers.core")
SAMPLE_WEEKS = 6
BOUND_SHARE = 0.3  # of the time limit, at most
SCORE_SHARE = 0.1
FULL_WEEK_S = 2.5  # below this budget per week: one round of the fast heuristic
FAST_WEEK_S = 0.8  # what a week of the fast heuristic takes (1 week, 6 languages, this machine)
LATE_WEEK_S = 5.0  # what a week whose quick plan failed in its share may still take (a fast week: 0.5-1.2 s)
POLISH_WEEK_S = 2.5  # what a week of the second roll takes (w13-l6: 2.2-2.5 s); begun only with this much a week left


def initial_values(m: CoreModel, lo: np.ndarray) -> np.ndarray:
    """Start values: every column at its lower bound, billed at each contracted vendor's weekly minimum."""
    v = lo.copy()
    b = m.rows.get("billed_minimum")
    if b is not None and b.size:
        R = m.A.tocsr()[b.start:b.stop]
        y, bb = m.cols["y"], m.cols["billed"]
        need = R[:, y.slice] @ v[y.slice]
        coo = R[:, bb.slice].tocoo()
        v[bb.start + coo.col] = np.maximum(v[bb.start + coo.col], need[coo.row])
    return v


def share_targets(m: CoreModel, part: Partition):
    """The min-in-house-share row as one target per block: (row mask without it, [(cols, coefs, target)])."""
    b = m.rows.get("min_in_house_share")
    if b is None or not b.size:
        return None
    r = b.start
    row = m.A.tocsr()[r]
    cols, coef = row.indices, row.data
    ix = m.index
    share = ix.scenario.config.policy.min_in_house_share
    weight = ix.b_required.astype(float) if ix.scenario.demand_kind == "required_agents" else ix.b_contacts
    total = np.bincount(ix.b_period // part.block_len, weights=weight, minlength=part.n_blocks)
    # deferrable contacts count towards the share too (issue #13): each block's by arrival
    T = ix.scenario.config.horizon.periods
    total = total + np.bincount(
        np.arange(T) // part.block_len, weights=ix.deferred.arrived.sum(axis=0), minlength=part.n_blocks
    )
    blocks = part.col_block[cols]
    mask = np.ones(m.n_rows, dtype=bool)
    mask[r] = False
    return mask, [(cols[blocks == k], coef[blocks == k], share * float(total[k])) for k in range(part.n_blocks)]


def run_blocks(m: CoreModel, opts: SolverOptions, deadline: float | None):

    t0 = time.perf_counter()
    total = None if deadline is None else deadline - t0
    ix = m.index
    part = partition(m, ix.scenario.config.horizon.periods_per_week)
    # the rolling plan needs about FAST_WEEK_S a week whatever the limit: the bound and the
    # contract scores get what is left of their shares, so the plan finishes in time
    plan_s = FAST_WEEK_S * part.n_blocks
    bound_s: float | None = None
    score_s: float | None = None
    if total is not None:
        spare = max(total - plan_s, 0.1 * total)
        bound_s = min(BOUND_SHARE * total, 0.75 * spare)
        score_s = min(SCORE_SHARE * total, 0.25 * spare)
    bound_deadline = None if bound_s is None else t0 + bound_s
    # day- and week-measured service under a time limit: the full week LPs first, giving up as soon as their pace
    # says the first pass cannot finish in the bound's time, then the week LPs of the floor relaxation (quick, see
    # lagrangian_bound) with the time left; the better bound is kept, and the heads of every week LP solved (the
    # floor's alone are too few to start the plan from: 13 weeks x 6 languages per day cost 2,701,273 from no
    # heads, 2,255,176 from the floor's). 13 weeks: the full pass fits (bound 1,721,143 against the floor's
    # 1,538,523); 52 weeks: it does not.
    levels = deadline is not None and bool(m.cols["level"].size)
    progress.phase("bound", f"Lagrangian bound from {part.n_blocks} week LPs")
    bnd = lagrangian_bound(m, part, opts.threads, bound_deadline, project=levels)
    floor = None
    if levels and bnd.cut_short:
        progress.phase("bound", f"Lagrangian bound from {part.n_blocks} week LPs, day and week service at its floor")
        floor = lagrangian_bound(m, part, opts.threads, bound_deadline, floor=True)
    values = [b.value for b in (bnd, floor) if b is not None and np.isfinite(b.value)]
    lower = max(values) if values else None
    progress.bound(lower)

    ys = choices(m)
    if ys is None:  # too many vendors to enumerate: contract every vendor the week LPs use
        ys = [np.ones(m.cols["y"].size)]
    score_deadline = None if score_s is None else time.perf_counter() + score_s
    order = _score_sample(m, bnd, ys, opts.threads, score_deadline)
    r = roles(m)
    progress.phase("plan", f"rolling plan, {part.n_blocks} weeks")
    why: list[str] = []
    for attempt, y in enumerate(order):
        left = None if deadline is None else deadline - time.perf_counter()
        if attempt and left is not None and left <= 0:
            break
        heads = _peak_heads(m, bnd, floor)
        v = _roll(m, part, y, r, opts.threads, deadline, heads=heads, why=why)
        if v is None:
            continue
        v = tidy(m, v)
        if violation(m, v) <= 1e-6:
            progress.incumbent(float(m.cost @ v))
            v = _polish(m, part, y, r, opts.threads, deadline, heads, v)
            if opts.work_limit or (deadline is not None and deadline - time.perf_counter() > 1.0):
                # time left after the second roll: local search over the routing (improve.py)
                lo, hi = m.col_lo.copy(), m.col_hi.copy()
                lo[m.col("y")] = y
                hi[m.col("y")] = y
                stop = lower / (1.0 - opts.mip_gap) if lower is not None and opts.mip_gap < 1 else -np.inf
                work: dict[str, Any] = {"step_s": None, "max_steps": int(opts.work_limit)} if opts.work_limit else {}
                v = improve(m, v, lo, hi, opts.threads, np.inf if deadline is None else deadline, stop_at=stop, **work)
            late = "" if deadline is None else _late(deadline, part.n_blocks)
            return SearchResult(v, float(m.cost @ v), lower, message=late)
    tried = f"{len(why)} of {len(order)} contract choices" if len(why) < len(order) else "every contract choice"
    reason = f"; {why[0]}" if why else ""
    return SearchResult(None, None, lower, message=f"no plan found: the rolling plan stopped for {tried}{reason}")


def _late(deadline: float, weeks: int) -> str:
    """Why a rolling plan ended after its deadline: every week needs a plan, so the weeks left at the deadline are
    still planned, each in its quickest form."""
    over = time.perf_counter() - deadline
    if over <= 0.5:
        return ""
    return f"the rolling plan of {weeks} weeks needed {over:.1f} s more than its share of the time limit"


def _polish(m: CoreModel, part: Partition, y, r, threads, deadline, heads, v: np.ndarray) -> np.ndarray:
    """Time left after a quick rolling plan: roll again with the full heuristic (two rounds a
    week), abandoned at the deadline; keep whichever plan is cheaper."""
    if deadline is None or deadline - time.perf_counter() < POLISH_WEEK_S * part.n_blocks:
        return v  # not enough time for a whole second roll: the time goes to local search instead
    w = _roll(m, part, y, r, threads, deadline, heads=heads, full=True)
    if w is None:
        return v
    w = tidy(m, w)
    if violation(m, w) <= 1e-6 and float(m.cost @ w) < float(m.cost @ v) - 1e-6:
        log.debug("polish: %.1f -> %.1f", float(m.cost @ v), float(m.cost @ w))
        return w
    return v


def _score_sample(m: CoreModel, bnd, ys: list[np.ndarray], threads, deadline) -> list[np.ndarray]:
    """Contract choices ordered by the sum of their week LPs over a sample of weeks.

    Scored most vendors first (the most permissive choice is the likeliest to have a plan); a
    choice whose LPs are infeasible is dropped, one the deadline left unscored is kept after the
    scored ones, most vendors first."""
    weeks = bnd.weeks
    ys = sorted(ys, key=lambda y: (-y.sum(), tuple(-y)))
    if len(ys) == 1 or not weeks:
        return ys
    n = len(weeks)
    pick = sorted({int(round(k * (n - 1) / max(1, SAMPLE_WEEKS - 1))) for k in range(min(SAMPLE_WEEKS, n))})
    by = m.cols["y"]
    scores = []
    for y in ys:
        s = 0.0
        for k in pick:
            left = None if deadline is None else deadline - time.perf_counter()
            if left is not None and left <= 0:
                s = np.nan
                break
            wk = weeks[k]
            pos = np.nonzero((wk.cols >= by.start) & (wk.cols < by.stop))[0]
            yv = y[wk.cols[pos] - by.start]
            wk.h.changeColsBounds(len(pos), pos.astype(np.int32), yv, yv)
            ans = hx.run(wk.h, solver="simplex", time_limit=left)
            wk.h.changeColsBounds(len(pos), pos.astype(np.int32), np.zeros(len(pos)), np.ones(len(pos)))
            if ans.status == "infeasible":
                s = np.inf
                break
            if ans.status != "optimal":
                s = np.nan
                break
            s += ans.value
        scores.append(s)
    scored = sorted((sc, i) for i, sc in enumerate(scores) if np.isfinite(sc))
    unscored = [i for i, sc in enumerate(scores) if np.isnan(sc)]
    return [ys[i] for _, i in scored] + [ys[i] for i in unscored]


def _peak_heads(m: CoreModel, *bounds) -> np.ndarray | None:
    """Headcount the week LPs need at their peak, per group (rounded up), over every week LP solved."""
    G = m.cols["heads"].size
    weeks = [wk for b in bounds if b is not None for wk in b.weeks]
    if not G or not weeks:
        return None
    peak = np.zeros(G)
    for wk in weeks:
        if wk.heads is not None and len(wk.heads):
            np.maximum.at(peak, wk.heads_group, wk.heads)
    return np.ceil(peak - 1e-6)


def _roll(m: CoreModel, part: Partition, y: np.ndarray, r, threads, deadline, heads: np.ndarray | None = None,
          blocks: range | None = None, full: bool = False, why: list[str] | None = None) -> np.ndarray | None:
    """Weeks in order. Headcount starts at the week LPs' peak: those heads are paid for the whole
    horizon anyway, so early weeks use them freely instead of buying vendor hours (tidy() drops the
    heads no week uses)."""
    lo, hi = m.col_lo.copy(), m.col_hi.copy()
    by = m.cols["y"]
    lo[by.slice] = y
    hi[by.slice] = y
    Ar = m.A.tocsr()
    value = initial_values(m, lo)
    bh = m.cols["heads"]
    if heads is not None and bh.size:
        value[bh.slice] = np.clip(np.maximum(value[bh.slice], heads), lo[bh.slice], hi[bh.slice])
    glob = part.col_block == GLOBAL
    targets = share_targets(m, part)
    row_mask = targets[0] if targets else None
    row_block = _linking_row_blocks(m, part)
    no_relax = np.zeros(m.n_cols, dtype=bool)
    blocks = range(part.n_blocks) if blocks is None else blocks
    for i, k in enumerate(blocks):
        own = part.col_block == k
        if not own.any():
            continue
        lo_k = lo.copy()
        lo_k[glob] = np.maximum(lo[glob], value[glob])
        mask_k = row_mask
        if row_block is not None:  # rows of later blocks that link back to this one: their columns are not planned yet
            mask_k = (np.ones(m.n_rows, dtype=bool) if row_mask is None else row_mask) & ~(row_block > k)
        sub = submodel(m, Ar, own | glob, no_relax, value, lo_k, hi, row_mask=mask_k, anchor=own)
        extra = [(c, v, t, np.inf) for c, v, t in [targets[1][k]]] if targets else None
        week_deadline = None
        if deadline is not None:  # past the deadline the remaining weeks still get a quick plan
            left = max(deadline - time.perf_counter(), 0.0)
            week_deadline = time.perf_counter() + left / (len(blocks) - i)
        per_week = None if week_deadline is None else week_deadline - time.perf_counter()
        fast = per_week is not None and per_week < FULL_WEEK_S and not full
        if full and deadline is not None and time.perf_counter() + POLISH_WEEK_S >= deadline:
            return None  # a second pass gives up before the deadline; the first plan stands
        # day- and week-measured queues: with a second or so a week, each queue-period at its own target
        # (heuristic.pinned); with more, the level choices too, pinned only if that finds no plan
        x = plan(m, sub, r, threads, week_deadline, iterations=1 if fast else 2, extra=extra, fast=fast, pin=fast)
        if x is None:  # fall back to HiGHS on the week's MIP
            log.debug("week %d: heuristic found no plan, HiGHS on the week", k)
            left = None if week_deadline is None else max(week_deadline - time.perf_counter(), 0.5)
            ans = solve_sub(sub, threads, left, 1e-3, extra=extra)
            x = ans.solution if ans.has_solution else None
            if x is None and week_deadline is not None:
                # then the quickest form with `LATE_WEEK_S` more: a plan that ends late, and says so (_late), is
                # worth more than none (13 weeks x 6 languages with email under load lost every plan to one week
                # that had half a second)
                x = plan(m, sub, r, threads, time.perf_counter() + LATE_WEEK_S, iterations=1, extra=extra, fast=True,
                         pin=True)
            if x is None:
                if why is not None:
                    given = "" if left is None else f" in {left:.1f} s"
                    why.append(f"week {k + 1} has no plan ({ans.status}{given}) after weeks 1-{k} were fixed"
                               if k else f"week 1 has no plan ({ans.status}{given})")
                return None
        keep = own[sub.cols] | glob[sub.cols]
        value[sub.cols[keep]] = x[keep]
        log.debug("week %d planned (%.2f s left)", k, -1.0 if deadline is None else deadline - time.perf_counter())
    return value


def _linking_row_blocks(m: CoreModel, part: Partition) -> np.ndarray | None:
    """Block of each row in a family that links a period to the one before (CoreModel.row_period: the backlog flow of
    deferrable work, issue #13), -1 for other rows; None without such rows. A block leaves out the linking rows of
    later blocks: their columns sit at start values that are no plan (a backlog equation would force them)."""
    if not any(len(per) for per in m.row_period.values()):
        return None
    out = np.full(m.n_rows, -1, dtype=np.int64)
    for name, per in m.row_period.items():
        b = m.rows[name]
        out[b.start:b.stop] = per // part.block_len
    return out
