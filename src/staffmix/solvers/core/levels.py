"""Issue #14: the level choices of queues whose service level is measured per day or week, as matrix columns.

For such a queue each requirement row (queue, period, provider) may be staffed
at its lowest level (the floor's requirement) or a whole number of agents
above it, up to the ceiling's requirement; the contact-weighted service level
of each day (ISO week) meets the target. `build_matrix` (matrix.py) adds the
level block and calls `add_service_levels` for the rows, the same family as
`model.add_service_levels`. Three formulations are kept, measured against
each other in benchmarks/test_bench_measured.py (docs/service-measures.md):

- steps (LEVELS, the one used): a binary per agent above the lowest level,
  each at most the one below, the first at most the routing;
- choices: a binary per level above the lowest, at most one, when routed;
- increments: an integer per row (agents above the lowest) and a gain
  column under one perspective tangent row per level.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from staffmix.model.index_sets import IndexSets

if TYPE_CHECKING:
    from staffmix.solvers.core.matrix import VendorTerms
    from staffmix.solvers.sparse_rows import Block, RowFamilies

INF = float("inf")
LEVELS = "steps"
"""The formulation of the level choices the core uses (see the module docstring)."""
LEVEL_FORMULATIONS = ("increments", "steps", "choices")


@dataclass
class LevelColumns:
    """The level-choice columns of one formulation: per column its requirement row, the agents and the
    service level one unit of it adds above the row's lowest level, whether it is integer, its upper bound."""

    req: np.ndarray
    agents: np.ndarray
    gain: np.ndarray
    integer: np.ndarray
    hi: np.ndarray


def step_numbers(ix: IndexSets) -> tuple[np.ndarray, np.ndarray]:
    """(k, cumulative gain) of every level step: the k-th agent above its row's lowest level, and the service
    level its row has gained at that level."""
    req = ix.step_req
    start = np.searchsorted(req, req)  # first step of each row (step_req is sorted)
    k = np.arange(len(req)) - start + 1
    cum = np.cumsum(ix.step_gain)
    before = np.where(start > 0, cum[np.maximum(start - 1, 0)], 0.0)
    return k.astype(float), cum - before


def level_columns(ix: IndexSets, formulation: str) -> LevelColumns:
    """The columns that choose each measured queue-period's level, in the given formulation."""
    req, gain = ix.step_req, ix.step_gain
    n = len(req)
    if formulation == "steps":  # one binary per agent above the lowest level
        return LevelColumns(req, np.ones(n), gain, np.ones(n, dtype=bool), np.ones(n))
    k, cum = step_numbers(ix)
    if formulation == "choices":  # one binary per level above the lowest
        return LevelColumns(req, k, cum, np.ones(n, dtype=bool), np.ones(n))
    if formulation != "increments":
        raise ValueError(f"unknown level formulation {formulation!r}; choose one of {', '.join(LEVEL_FORMULATIONS)}")
    rows = ix.step_rows  # one integer (agents above the lowest level) and one gain column per row with steps
    steps = np.bincount(np.searchsorted(rows, req), minlength=len(rows)).astype(float)
    total = np.bincount(np.searchsorted(rows, req), weights=gain, minlength=len(rows))
    m = len(rows)
    return LevelColumns(
        np.concatenate([rows, rows]),
        np.concatenate([np.ones(m), np.zeros(m)]),
        np.concatenate([np.zeros(m), np.ones(m)]),
        np.concatenate([np.ones(m, dtype=bool), np.zeros(m, dtype=bool)]),
        np.concatenate([steps, total]),
    )


def _z_of_rows(ix: IndexSets, zcol: np.ndarray, req: np.ndarray) -> np.ndarray:
    """The routing column of each requirement row (its slot, its provider)."""
    return zcol[ix.b_slot[ix.r_base[req]], ix.r_prov[req]]


def per_period_steps(ix: IndexSets, zcol: np.ndarray, lv: LevelColumns) -> tuple[np.ndarray, np.ndarray] | None:
    """For the steps formulation: (whether each step is needed for its own queue-period to meet the target on its
    own, the routing column of each step's row); None for another formulation.

    A plan that staffs every queue-period of a day-measured queue at its own target meets the day's target too
    (a contact-weighted mean of levels at least the target is at least the target), so tying each needed step
    to its routing (and the others to 0) restricts the model to plans that are feasible, with its level choices
    gone: the heuristic's first plan on day- and week-measured queues (heuristic.pinned)."""
    if len(lv.req) != len(ix.step_req) or not np.array_equal(lv.req, ix.step_req) or not np.all(lv.agents == 1):
        return None
    target = ix.sg_target[ix.r_group[lv.req]]
    k, cum = step_numbers(ix)
    lowest = ix.m_service[np.searchsorted(ix.m_req, lv.req)]
    before = lowest + cum - ix.step_gain  # the row's service level one agent below this step
    return before < target - 1e-9, _z_of_rows(ix, zcol, lv.req)


def reaches_target(ix: IndexSets, lv: LevelColumns) -> bool:
    """Whether every measured queue-period can meet its target on its own (at its highest level): then a plan
    with each at its own target meets every day's (week's) target."""
    if not len(ix.m_req):
        return True
    target = ix.sg_target[ix.r_group[ix.m_req]]
    top = ix.m_service + np.bincount(np.searchsorted(ix.m_req, lv.req), weights=lv.gain, minlength=len(ix.m_req))
    return bool((top >= target - 1e-9).all())


def vendor_level_terms(ix: IndexSets, start: int, vendor_prov: np.ndarray, lv: LevelColumns) -> list[VendorTerms]:
    """Per vendor (scenario order): (period, week, level column, agents) of its level columns that add agents."""
    out = []
    for p in vendor_prov:
        j = np.nonzero((ix.r_prov[lv.req] == p) & (lv.agents != 0))[0]
        t = ix.r_period[lv.req[j]]
        out.append((t, ix.week_of[t], start + j, lv.agents[j]))
    return out


def level_reach(ix: IndexSets, provider: int, n_periods: int) -> np.ndarray:
    """Most agents a provider's level choices can add per period: every step of every row it may take."""
    steps = ix.step_req[ix.r_prov[ix.step_req] == provider]
    return np.bincount(ix.r_period[steps], minlength=n_periods).astype(float)


def add_service_levels(ix: IndexSets, cols: dict[str, Block], rows: RowFamilies, hi: np.ndarray, zcol: np.ndarray,
                       lv: LevelColumns, formulation: str) -> None:
    """Day- and week-measured queues: each level column lifts its in-house coverage row; the chosen level is
    linked to its routing; the contact-weighted service level of each service group meets its target
    (soft: contacts short of it are late, priced in model/objective.py, and in-house cover rows have no agent
    shortfall)."""
    start_col = cols["level"].start
    n = len(lv.req)
    # in-house coverage: sum_g a >= R z + agents above the lowest level
    cover = rows.blocks["cover"]
    inh = np.nonzero((ix.r_prov[lv.req] == 0) & (lv.agents != 0))[0]
    rows.coef(cover.start + np.searchsorted(ix.cover_req, lv.req[inh]), start_col + inh, -lv.agents[inh])
    # the level exists only when its row's provider takes the queue-period
    z = _z_of_rows(ix, zcol, lv.req)
    if formulation == "increments":
        m = n // 2
        e, g = np.arange(m), m + np.arange(m)
        link = rows.family("level_link", m, -INF, 0.0)
        rows.coef(link + np.arange(m), start_col + e, 1.0)
        rows.coef(link + np.arange(m), z[e], -lv.hi[e])
        # gain <= G(k) z + D(k+1) (e - k z) for k = 0..K-1: the service level's concave curve through its levels
        k, cum = step_numbers(ix)
        pos = np.searchsorted(ix.step_rows, ix.step_req)
        tangent = rows.family("level_gain", len(k), -INF, 0.0)
        r = tangent + np.arange(len(k))
        below = cum - ix.step_gain  # G(k - 1)
        rows.coef(r, start_col + g[pos], 1.0)
        rows.coef(r, start_col + e[pos], -ix.step_gain)
        rows.coef(r, z[e][pos], ix.step_gain * (k - 1) - below)
    elif formulation == "steps":
        first = np.r_[True, lv.req[1:] != lv.req[:-1]] if n else np.zeros(0, dtype=bool)
        link = rows.family("level_link", n, -INF, 0.0)
        rows.coef(link + np.arange(n), start_col + np.arange(n), 1.0)
        rows.coef(link + np.nonzero(first)[0], z[first], -1.0)
        later = np.nonzero(~first)[0]
        rows.coef(link + later, start_col + later - 1, -1.0)
    else:  # choices: at most one level above the lowest, only when routed
        uniq, which = np.unique(lv.req, return_inverse=True)
        link = rows.family("level_link", len(uniq), -INF, 0.0)
        rows.coef(link + which, start_col + np.arange(n), 1.0)
        rows.coef(link + np.arange(len(uniq)), _z_of_rows(ix, zcol, uniq), -1.0)
    # service level over each day or week: sum_r w_r (SL_r(lowest) z_r + gains) (+ late / contacts) >= target
    G = len(ix.sg_queue)
    sl = rows.family("service_level", G, ix.sg_target, INF)
    if not G:
        return
    share = ix.r_contacts / ix.sg_contacts[np.maximum(ix.r_group, 0)]
    rows.coef(sl + ix.r_group[ix.m_req], _z_of_rows(ix, zcol, ix.m_req), share[ix.m_req] * ix.m_service)
    gains = np.nonzero(lv.gain != 0)[0]
    rows.coef(sl + ix.r_group[lv.req[gains]], start_col + gains, share[lv.req[gains]] * lv.gain[gains])
    soft = ix.scenario.config.policy.soft_service_level
    if soft is not None and G:
        late = cols["late"]
        rows.coef(sl + np.arange(G), late.idx(), 1.0 / ix.sg_contacts)
        measured_cover = np.nonzero(ix.r_group[ix.cover_req] >= 0)[0]
        hi[cols["u"].start + measured_cover] = 0.0  # no agent shortfall on a measured queue: its day misses instead


__all__ = [
    "LEVELS", "LEVEL_FORMULATIONS", "LevelColumns", "add_service_levels", "level_columns", "per_period_steps",
    "reaches_target",
]
