"""A second start for local search: routing from the routing-relaxed MIP, then the shift MIP.

Where the difficulty of this model lives is the exclusive routing; whole
shifts cost little (on w1-l6 the MIP with shifts relaxed and routing binary
is 2-3 % above the LP, the one with routing relaxed and shifts integer
0.03 %). So HiGHS on the MIP with shifts and headcount made continuous,
routing kept binary, finds good routings much faster than on the full MIP;
with that routing fixed, a MIP over the shifts (cut off at the plan of
`heuristic._shifts_given_routing`, the rounding box) turns it into a plan.

Measured on w1-l6 (one thread, busy machine): routing-relaxed MIP 12 s ->
routing; shift MIP 10 s -> 157,275; then 35 s of local search -> 156,235,
where local search alone from the heuristic's plan (159,573) reaches about
157,700 in the same minute.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

import numpy as np

from staffmix.solvers import highs as hx
from staffmix.solvers.core.blocks import solve_sub
from staffmix.solvers.core.heuristic import _shifts_given_routing, roles, whole
from staffmix.solvers.core.matrix import CoreModel
from staffmix.solvers.core.plan import tidy, violation

log = logging.getLogger("staffmix.solvers.core")
GAP = 2e-3


def relaxed_routing_plan(
    m: CoreModel,
    lo: np.ndarray,
    hi: np.ndarray,
    threads: int | None,
    routing_s: float | None,
    shift_s: float | None,
    max_nodes: int | None = None,
) -> np.ndarray | None:
    """A plan (full vector, tidy) for the column bounds `lo`/`hi`, or None. `routing_s`/`shift_s`: time for
    each MIP (None: none, then `max_nodes` bounds each, the same on any machine)."""
    r = roles(m)
    route = r.route & m.integer
    shift = r.shift & m.integer
    integer = m.integer.copy()
    integer[r.shift] = False
    integer[r.heads] = False
    h = hx.new_highs(threads)
    hx.pass_model(h, m.A, m.cost, lo, hi, m.row_lo, m.row_hi, integer)
    if max_nodes is not None:
        h.setOptionValue("mip_max_nodes", int(max_nodes))
    relaxed = hx.run(h, time_limit=routing_s, mip_gap=GAP, mip=True)
    if not relaxed.has_solution:
        log.debug("guide: routing-relaxed MIP %s, no plan", relaxed.status)
        return None
    z = np.round(relaxed.solution[route])
    sub = whole(m, lo, hi)
    box = _shifts_given_routing(sub, route, shift, z, threads, None, None)
    best = None if box is None else tidy(m, box)
    if best is not None and violation(m, best) > 1e-6:
        best = None
    lo2, hi2 = lo.copy(), hi.copy()
    lo2[route] = z
    hi2[route] = z
    t0 = time.perf_counter()
    ans = solve_sub(replace(sub, lo=lo2, hi=hi2), threads, shift_s, GAP, start=best,
                    max_nodes=max_nodes if shift_s is None else None)
    if ans.has_solution:
        cand = tidy(m, ans.solution)
        if violation(m, cand) <= 1e-6 and (best is None or m.cost @ cand < m.cost @ best - 1e-6):
            best = cand
    log.debug("guide: routing-relaxed %.1f (bound %s) -> plan %s in %.1f s + %.1f s", relaxed.objective, relaxed.bound,
              None if best is None else round(float(m.cost @ best), 2), relaxed.seconds, time.perf_counter() - t0)
    return best


__all__ = ["relaxed_routing_plan"]
