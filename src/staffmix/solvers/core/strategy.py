"""Which route to a plan: exact MIPs for models HiGHS handles, week blocks for long horizons.

`run` returns the best plan found (a solution vector of the CoreModel),
its objective and a valid lower bound. The steps, in order:

1. Score every vendor contract choice by its LP relaxation (warm-started);
   the least score is a lower bound. On long horizons the LPs are per week
   (bound.py), and the contract choice is scored on a sample of weeks.
2. A quick integer plan for the best-scored choice (heuristic.py), on the
   whole model or rolling week by week (rolling.py).
3. On one-week models too large for the exact MIP to close
   (`ONE_ROUND_MAX_COLS`), a second plan from the routing of the
   routing-relaxed MIP (guide.py), kept when it is cheaper.
4. On models small enough (`EXACT_MAX_COLS`), local search on that plan
   (improve.py; not in the first round on models of at most `ONE_ROUND_MAX_COLS`, where the MIP closes the gap
   sooner), then one HiGHS MIP over every contract choice cut off at its cost (exact.py); twice, the second
   time with larger neighbourhoods, until the gap is closed or the time is up.
"""

from __future__ import annotations

import time

import numpy as np

from staffmix.scenario.schema import SolverOptions
from staffmix.solvers import highs as hx
from staffmix.solvers.core.contracts import Choice, choices, score
from staffmix.solvers.core.exact import Incumbent, run_joint
from staffmix.solvers.core.guide import relaxed_routing_plan
from staffmix.solvers.core.heuristic import plan, roles, whole
from staffmix.solvers.core.improve import improve
from staffmix.solvers.core.matrix import CoreModel
from staffmix.solvers.core.plan import SearchResult, tidy, violation
from staffmix.util import solve_progress as progress

EXACT_MAX_COLS = 40_000  # up to about 4 weeks x 6 languages; more: week blocks
FIRST_WIDTH = 1  # time windows of the first round of local search: it ends when a pass finds nothing
# up to this size HiGHS can prove the optimum in a minute (2can-split: 1,015 columns, 30-40 s on
# one thread; eu-ecommerce-pci, 2,473 columns, is still at 1.1 % after 60 s); a proof interrupted
# for a second round starts again from scratch, so these get
# one round: local search, then the exact MIPs to the deadline
ONE_ROUND_MAX_COLS = 2_000
GUIDE_ROUTING_SHARE = 0.2  # of the time left after the heuristic: the routing-relaxed MIP (guide.py)
GUIDE_SHIFT_SHARE = 0.15  # and the shift MIP for its routing
NO_CLOCK_STEPS = 30  # neighbourhoods searched per round without a time limit (then the exact MIPs to the end)
EXACT_NODES_PER_UNIT = 20  # deterministic mode: branch-and-bound nodes per unit of work_limit
WORK_LIMIT_EXACT_MAX_COLS = 5_000
"""Deterministic mode: no exact MIP on larger models. A node limit does not bound HiGHS's root (cuts and
heuristics): on the gate's one-week, six-language instance measured per day (14,468 columns) the joint MIP's root
took 200 s at 40 nodes; the plan and the LP bound are what such a run gives, the same on every machine."""


def run(m: CoreModel, opts: SolverOptions, deadline: float | None) -> SearchResult:
    if m.n_cols <= EXACT_MAX_COLS or m.index.scenario.config.policy.routing == "weekly" or not _weeks_hold_groups(m):
        return _small(m, opts, deadline)
    from staffmix.solvers.core.rolling import run_blocks

    return run_blocks(m, opts, deadline)


def scored_choices(
    m: CoreModel, ys: list[np.ndarray], opts: SolverOptions, deadline: float | None
) -> tuple[list[Choice], list[Choice], float] | SearchResult:
    """Every contract choice scored by its LP: (all of them, the LP-feasible ones, the least LP bound), or the
    answer for a model whose LP relaxation is infeasible for every choice."""
    scored = score(m, ys, opts.threads, deadline)
    feasible = [c for c in scored if c.lp < np.inf]
    if not feasible:
        return SearchResult(
            None, None, None, infeasible=True,
            message="the LP relaxation is infeasible for every vendor contract choice",
        )
    return scored, feasible, min(c.lp for c in feasible)


def _small(m: CoreModel, opts: SolverOptions, deadline: float | None) -> SearchResult:
    ys = choices(m)
    if ys is None:
        return _monolithic(m, opts, deadline)
    progress.phase("bound", f"LP relaxation of {len(ys)} vendor contract choice{'s' if len(ys) != 1 else ''}")
    found = scored_choices(m, ys, opts, deadline)
    if isinstance(found, SearchResult):
        return found
    scored, feasible, lp_bound = found
    progress.bound(lp_bound)
    progress.phase("plan", "heuristic, then exact MIPs")
    incumbent = None
    r = roles(m)
    by = m.cols["y"]
    best = feasible[0]
    if best.lp > -np.inf:
        lo, hi = m.col_lo.copy(), m.col_hi.copy()
        lo[by.slice] = best.y
        hi[by.slice] = best.y
        weeks = len(m.index.week_fraction)
        if weeks > 1 and m.index.scenario.config.policy.routing == "per_period" and _weeks_hold_groups(m):
            # the heuristic's MIPs grow faster than linearly: plan week by week
            from staffmix.solvers.core.blocks import partition
            from staffmix.solvers.core.rolling import _roll

            share = None if deadline is None else time.perf_counter() + 0.4 * (deadline - time.perf_counter())
            v = _roll(m, partition(m, m.index.scenario.config.horizon.periods_per_week), best.y, r, opts.threads, share)
        else:
            # day or week service on a larger model without a clock (a work limit, or none): each queue-period at
            # its own target first (heuristic.pinned), as the level choices leave the routing step's MIP without a
            # bound on its time (w1-l6-day: over 100 s); local search and the exact MIP free them afterwards
            levels = bool(m.cols["level"].size)
            v = plan(m, whole(m, lo, hi), r, opts.threads, deadline,
                     pin=levels and deadline is None and m.n_cols > WORK_LIMIT_EXACT_MAX_COLS)
            if v is None and levels:
                v = plan(m, whole(m, lo, hi), r, opts.threads, deadline, iterations=1, pin=True)
        if v is not None:
            v = tidy(m, v)
            if violation(m, v) <= 1e-6:
                incumbent = Incumbent(v, float(m.cost @ v), best.y)
                progress.incumbent(incumbent.objective)
        if m.n_cols > ONE_ROUND_MAX_COLS and weeks <= 1 and deadline is not None:
            # one week: on four (w4-l6) the routing-relaxed MIP's routing was 5 % worse than the rolling plan
            incumbent = _guided(m, best.y, incumbent, opts, deadline)
    incumbent, bound, settled = _improve_and_prove(m, scored, incumbent, lp_bound, opts, deadline)
    if incumbent is None:
        if settled and bound == np.inf:  # every contract choice's MIP proved infeasible
            return SearchResult(None, None, None, infeasible=True, message="the solver proved the model infeasible")
        return SearchResult(
            None, None, lp_bound if np.isfinite(lp_bound) else None, message="no plan found in the time limit"
        )
    v = tidy(m, incumbent.v)
    return SearchResult(v, float(m.cost @ v), max(bound, lp_bound) if np.isfinite(lp_bound) else bound)


def _improve_and_prove(m: CoreModel, scored, incumbent: Incumbent | None, lp_bound: float, opts: SolverOptions,
                       deadline: float | None) -> tuple[Incumbent | None, float, bool]:
    """Local search on the plan (improve.py), then the exact MIPs, in two rounds.

    Round 1: neighbourhoods of up to `FIRST_WIDTH` time windows (at most half of the time), then
    the exact MIPs (up to 30 % of what is left). Round 2, when the gap is still open: every
    neighbourhood size (60 % of what is left), then the exact MIPs to the deadline. On w1-l6 the
    exact MIPs improve neither plan nor bound much after their first seconds (bound 152,900 after
    5 s, 153,080 after 30 s; LP 152,330), while local search gains about 1 % a minute. So a longer
    time limit buys larger neighbourhoods and a longer proof; without a time limit, round 1's
    exact MIPs run to the end, and so do they on models of at most `ONE_ROUND_MAX_COLS` columns
    (after 15 % of the time of local search: 2can-split needs 35-45 s of exact MIP to prove its optimum on a busy
    machine).
    Each round's bound is valid, and the best is kept."""
    bound = -np.inf
    one_round = m.n_cols <= ONE_ROUND_MAX_COLS
    for round_ in (1, 2):
        if incumbent is not None and not (one_round and round_ == 1):
            now = time.perf_counter()
            share = (0.15 if one_round else 0.5) if round_ == 1 else 0.6
            lns_end = np.inf if deadline is None else now + share * max(deadline - now, 0.0)
            lo, hi = _fixed_contracts(m, incumbent.y)
            stop = lp_bound / (1.0 - opts.mip_gap) if np.isfinite(lp_bound) and opts.mip_gap < 1 else -np.inf
            # no clock and no work limit: node-limited steps, NO_CLOCK_STEPS of them (the same plan every run)
            work = (
                _work(opts)
                if deadline is not None or opts.work_limit
                else {"step_s": None, "max_steps": NO_CLOCK_STEPS}
            )
            v = improve(m, incumbent.v, lo, hi, opts.threads, lns_end, lp_x=_lp_x(scored, incumbent.y),
                        stop_at=max(stop, bound / (1.0 - opts.mip_gap) if np.isfinite(bound) else -np.inf),
                        max_width=FIRST_WIDTH if round_ == 1 else None, **work)
            incumbent = Incumbent(v, float(m.cost @ v), incumbent.y)
        exact_end = deadline
        if deadline is not None and round_ == 1 and not one_round:
            exact_end = time.perf_counter() + 0.3 * max(deadline - time.perf_counter(), 0.0)
        max_nodes = None if not opts.work_limit else opts.work_limit * EXACT_NODES_PER_UNIT
        before = None if incumbent is None else incumbent.objective
        if opts.work_limit and m.n_cols > WORK_LIMIT_EXACT_MAX_COLS:
            return incumbent, lp_bound if incumbent is None else min(lp_bound, incumbent.objective), False
        incumbent, b, settled = run_joint(m, scored, incumbent, opts.mip_gap, opts.threads, exact_end, max_nodes)
        if (
            round_ == 1
            and deadline is not None
            and not settled
            and incumbent is not None
            and (before is None or incumbent.objective < before - 1e-6)
        ):
            exact_end = deadline  # the exact MIPs found a better plan than local search: they get the rest
            incumbent, b2, settled = run_joint(m, scored, incumbent, opts.mip_gap, opts.threads, exact_end, max_nodes)
            b = max(b, b2)
            bound = max(bound, b)
            best = incumbent.objective if incumbent is not None else np.inf  # run_joint keeps a plan it is given
            return incumbent, min(bound, best), settled or bound >= best * (1.0 - opts.mip_gap) - 1e-9
        bound = max(bound, b)
        if incumbent is not None:
            bound = min(bound, incumbent.objective)
        closed = incumbent is not None and bound >= incumbent.objective * (1.0 - opts.mip_gap) - 1e-9
        if settled or closed or deadline is None or deadline - time.perf_counter() < 1.0:
            return incumbent, bound, settled or closed
    return incumbent, bound, False


def _guided(
    m: CoreModel, y: np.ndarray, incumbent: Incumbent | None, opts: SolverOptions, deadline: float | None
) -> Incumbent | None:
    """The plan from the routing-relaxed MIP (guide.py), when it beats the heuristic's: 20 % of the
    time for the routing, 15 % for the shifts. Only under a time limit (in deterministic mode its
    node-limited MIPs took 50-70 s on eu-ecommerce-pci and changed nothing)."""
    if deadline is None:  # only under a time limit (above)
        return incumbent
    lo, hi = _fixed_contracts(m, y)
    left = max(deadline - time.perf_counter(), 0.0)
    if left < 2.0:
        return incumbent
    routing_s, shift_s = GUIDE_ROUTING_SHARE * left, GUIDE_SHIFT_SHARE * left
    v = relaxed_routing_plan(m, lo, hi, opts.threads, routing_s, shift_s)
    if v is not None and (incumbent is None or m.cost @ v < incumbent.objective - 1e-6):
        progress.incumbent(float(m.cost @ v))
        return Incumbent(v, float(m.cost @ v), y)
    return incumbent


def _work(opts: SolverOptions) -> dict:
    """Local search in deterministic mode: node-limited steps, `work_limit` of them."""
    return {} if not opts.work_limit else {"step_s": None, "max_steps": int(opts.work_limit)}


def _fixed_contracts(m: CoreModel, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = m.col_lo.copy(), m.col_hi.copy()
    by = m.cols["y"]
    lo[by.slice] = y
    hi[by.slice] = y
    return lo, hi


def _lp_x(scored, y: np.ndarray) -> np.ndarray | None:
    for c in scored:
        if np.array_equal(c.y, y):
            return c.lp_x
    return None


def _weeks_hold_groups(m: CoreModel) -> bool:
    """Issue #14: week blocks keep every day or week a queue's service level is measured over whole (else the
    whole model is planned at once)."""
    from staffmix.solvers.core.blocks import groups_fit_blocks

    return groups_fit_blocks(m, m.index.scenario.config.horizon.periods_per_week)


def _monolithic(m: CoreModel, opts: SolverOptions, deadline: float | None) -> SearchResult:
    """Too many vendors to enumerate contracts: one HiGHS MIP on the whole model."""
    progress.phase("plan", "one HiGHS MIP")
    h = hx.model_highs(m, opts.threads, relax=False)
    if opts.work_limit:
        h.setOptionValue("mip_max_nodes", int(opts.work_limit) * EXACT_NODES_PER_UNIT)
    left = None if deadline is None else deadline - time.perf_counter()
    ans = hx.run(h, time_limit=left, mip_gap=opts.mip_gap, mip=True)
    if ans.status == "infeasible":
        return SearchResult(None, None, None, infeasible=True, message="the solver proved the model infeasible")
    if not ans.has_solution:
        return SearchResult(None, None, ans.bound, message="no plan found in the time limit")
    v = tidy(m, ans.solution)
    return SearchResult(v, float(m.cost @ v), ans.bound)
