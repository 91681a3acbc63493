"""Better plans until the deadline: fix-and-optimise over the routing decisions.

The hard part of the model is the exclusive routing (z, one provider per
queue-period) against whole shifts; with most routing fixed, HiGHS solves
what is left in a fraction of a second. So, starting from a plan, the core
repeatedly frees a neighbourhood of routing binaries and re-optimises it
with everything that depends on it (shifts, assignments, headcount, billed
hours) while every other routing decision keeps its value:

- a window of days: the routing of every queue in those days, with the
  shifts that start in them or the day before;
- a pair of queues: their routing over the whole horizon, with every shift;
- where the LP relaxation disagrees with the plan (relaxation-induced, as in
  RINS): the routing binaries the plan and the LP do not agree on;
- on horizons up to four weeks, all routing with the shifts fixed (every
  period independent, so quick) and, from the second size on, all shifts
  with the routing fixed.

Each sub-MIP starts from the plan, so it can only improve on it, and gets a
few seconds. A neighbourhood that cannot improve the plan is not tried
again until the plan changes; when none can, the windows grow (two days,
three, ...), so a longer run searches larger neighbourhoods instead of
repeating small ones. Every candidate is checked on the full model (cost
recomputed, rows verified) before it replaces the plan.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np

from staffmix.solvers.core.blocks import column_periods, solve_sub, submodel
from staffmix.solvers.core.matrix import CoreModel
from staffmix.solvers.core.plan import tidy, violation
from staffmix.util import solve_progress as progress

log = logging.getLogger("staffmix.solvers.core")
# Measured on w1-l6 from the same 159,573 plan, 50 s of local search (docs/performance.md):
# gap 1e-4: 158,126; 1e-2: 157,766; 2e-3: 157,644; 12-hour windows and 3 s: 157,810; 4-hour windows and 1 s: 158,456
STEP_S = 2.0  # time for one neighbourhood's MIP, at most
STEP_GAP = 2e-3  # relative gap of one neighbourhood's MIP (proving each to 1e-4 wastes the time)
CHUNK_H = 8.0  # hours in one time window of routing (one shift length of the generators)
WHOLE_MAX_WEEKS = 4  # horizons up to this long also get the whole-horizon routing and shift neighbourhoods
STEP_NODES = 500  # node limit of one neighbourhood's MIP in deterministic mode (no time limit)


@dataclass
class Layout:
    """Where each column lives in time and which queue its routing serves."""

    period: np.ndarray  # period of each column (-1: global)
    z_queue: np.ndarray  # queue of each z column
    is_z: np.ndarray  # routing columns (z and unserved)
    is_local: np.ndarray  # columns tied to a period (x by start, a, u)
    is_global: np.ndarray  # headcount and billed
    day_len: int
    n_days: int
    cyclic: bool


def layout(m: CoreModel) -> Layout:
    ix = m.index
    n = m.n_cols
    period = column_periods(m)
    slot_queue = np.zeros(ix.n_slots, dtype=np.int64)
    np.maximum.at(slot_queue, ix.b_slot, ix.b_queue)
    z_queue = slot_queue[m.z_slot]
    is_z = np.zeros(n, dtype=bool)
    is_z[m.col("z")] = True
    is_z[m.col("unserved")] = True
    is_local = np.zeros(n, dtype=bool)
    for name in ("x", "a", "u"):
        is_local[m.col(name)] = True
    is_global = np.zeros(n, dtype=bool)
    is_global[m.col("heads")] = True
    is_global[m.col("billed")] = True
    horizon = ix.scenario.config.horizon
    day_len = max(1, int(round(CHUNK_H / ix.period_h)))
    n_days = -(-horizon.periods // day_len)
    return Layout(period, z_queue, is_z, is_local, is_global, day_len, n_days, bool(horizon.cyclic))


@dataclass(frozen=True)
class Hood:
    kind: str  # "days", "queues", "lp"
    key: tuple

    @property
    def label(self) -> str:
        return f"{self.kind}{list(self.key)}"


def _free_mask(m: CoreModel, lay: Layout, hood: Hood, v: np.ndarray, lp_x: np.ndarray | None) -> np.ndarray:
    free = lay.is_global.copy()
    if hood.kind == "days":
        first, width = hood.key
        days = (
            (first + np.arange(width)) % lay.n_days if lay.cyclic else np.arange(first, min(first + width, lay.n_days))
        )
        day = np.where(lay.period >= 0, lay.period // lay.day_len, -1)
        in_window = np.isin(day, days)
        before = np.isin(day, (days[0] - 1) % lay.n_days if lay.cyclic else days[0] - 1)
        after = np.isin(day, (days[-1] + 1) % lay.n_days if lay.cyclic else days[-1] + 1)
        free |= lay.is_z & in_window
        free[m.col("x")] |= (in_window | before)[m.col("x")]
        free |= lay.is_local & ~lay.is_z & (in_window | before | after) & ~_is_x(m)
    elif hood.kind == "queues":
        zq = np.zeros(m.n_cols, dtype=bool)
        zq[m.col("z")] = np.isin(lay.z_queue, hood.key)
        free |= zq | (lay.is_local & ~lay.is_z)  # one week at most (see neighbourhoods)
    elif hood.kind == "routing":  # every routing decision, shifts fixed: independent per period, quick
        free |= lay.is_z | (lay.is_local & ~_is_x(m))
    elif hood.kind == "shifts":  # every shift, routing fixed
        free |= lay.is_local & ~lay.is_z
    elif hood.kind == "lp" and lp_x is not None:
        differ = lay.is_z & (np.abs(lp_x - v) > 1e-6)
        free |= differ | (lay.is_local & ~lay.is_z)
    return free


def _is_x(m: CoreModel) -> np.ndarray:
    out = np.zeros(m.n_cols, dtype=bool)
    out[m.col("x")] = True
    return out


def neighbourhoods(m: CoreModel, lay: Layout, width: int, with_lp: bool) -> list[Hood]:
    """Every neighbourhood of the current size, in a fixed order."""
    weekly = m.index.scenario.config.policy.routing == "weekly"  # one routing per slot for every week: no time windows
    hoods = [Hood("days", (d, width)) for d in range(0, lay.n_days)] if lay.is_z.any() and not weekly else []
    Q = len(m.index.queues)
    group = max(1, width)
    short = m.index.scenario.config.horizon.periods <= m.index.scenario.config.horizon.periods_per_week
    if Q > 1 and short:
        qs = list(range(Q))
        hoods += [Hood("queues", tuple(qs[(k + j) % Q] for j in range(min(group, Q)))) for k in range(Q)]
    horizon = m.index.scenario.config.horizon
    if horizon.periods <= WHOLE_MAX_WEEKS * horizon.periods_per_week:
        hoods.insert(0, Hood("routing", ()))
        if width >= 2:
            hoods.append(Hood("shifts", ()))
    if with_lp:
        hoods.insert(0, Hood("lp", ()))
    return hoods


def improve(
    m: CoreModel,
    v: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    threads: int | None,
    deadline: float,
    lp_x: np.ndarray | None = None,
    stop_at: float = -np.inf,
    max_width: int | None = None,
    step_s: float | None = STEP_S,
    step_gap: float = STEP_GAP,
    max_steps: int | None = None,
) -> np.ndarray:
    """A plan at most as costly as `v` (same column bounds `lo`/`hi`, e.g. contracts fixed), improved
    neighbourhood by neighbourhood until `deadline` or until nothing of the largest size helps
    (`max_width` time windows, default: up to the whole horizon). `stop_at`: a cost at which to
    stop (a proven lower bound). `step_s=None`: no time limit on a neighbourhood's MIP but a node
    limit (`STEP_NODES`), and `max_steps` neighbourhoods at most: the same plan on any machine."""
    lay = layout(m)
    Ar = m.A.tocsr()
    best = v.copy()
    best_cost = float(m.cost @ best)
    width = 1
    steps = 0
    overhead = 0.0
    max_width = max(1, lay.n_days if max_width is None else min(max_width, lay.n_days))
    no_relax = np.zeros(m.n_cols, dtype=bool)
    while time.perf_counter() < deadline - 0.05 and best_cost > stop_at + 1e-6:
        hoods = neighbourhoods(m, lay, width, lp_x is not None and width == 1)
        improved = False
        for hood in hoods:
            left = deadline - time.perf_counter()
            if left < 0.5 + overhead or best_cost <= stop_at + 1e-6:
                break
            t_step = time.perf_counter()
            if max_steps is not None and steps >= max_steps:
                return best
            steps += 1
            free = _free_mask(m, lay, hood, best, lp_x)
            sub = submodel(m, Ar, free, no_relax, best, lo, hi)
            limit = None if step_s is None else min(step_s, left - overhead - 0.3)  # HiGHS may run a little late
            ans = solve_sub(
                sub, threads, limit, step_gap, start=best[sub.cols], max_nodes=STEP_NODES if step_s is None else None
            )
            if not ans.has_solution:
                overhead = max(overhead, time.perf_counter() - t_step - ans.seconds)
                continue
            cand = best.copy()
            cand[sub.cols] = ans.x
            cand = tidy(m, cand)
            cost = float(m.cost @ cand)
            if cost < best_cost - 1e-6 * max(1.0, abs(best_cost)) and violation(m, cand) <= 1e-6:
                log.debug("improve %s: %.1f -> %.1f (%.2f s)", hood.label, best_cost, cost, ans.seconds)
                best, best_cost = cand, cost
                progress.incumbent(best_cost)
                improved = True
            # building a neighbourhood and checking its plan take time too (about 0.3 s on 13 weeks):
            # a step is begun only when it can end before the deadline
            overhead = max(overhead, time.perf_counter() - t_step - ans.seconds)
        if not improved:
            if width >= max_width:
                break
            width += 1
    return best


__all__ = ["improve", "layout", "neighbourhoods"]
