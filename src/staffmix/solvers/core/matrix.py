"""The reference MIP as one sparse matrix: the same variables, rows and costs as `staffmix.model.pulp_model`.

Each `_add_*` step mirrors the `add_*` function of model/pulp_model.py with the same
name and builds its whole family of rows at once from the index arrays it is
given (COO triplets), so no Python object is created per variable or
coefficient. Both models are built from the same `IndexSets` (model/index_sets.py).

Columns, in blocks: one per variable of the registry (model/variables.py: its
length, bounds and integrality), each in the order of its index set, costed
by model/objective.py (the same costs as the reference's objective); the one
block formulated the core's own way is level (the level choices of queues
measured per day or week: see core/levels.py), whose columns cost nothing.

One addition the reference leaves to the solver: a vendor's routing column
is fixed to 0 where one queue-period alone needs more than its capacity.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from staffmix.model.index_sets import IndexSets
from staffmix.model.objective import column_costs
from staffmix.model.variables import VARIABLES, block_sizes
from staffmix.solvers.core.deferrable_rows import (
    DeferredTerms,
    add_backlog_flow,
    add_deferred_contracts,
    add_response_share,
    deferred_vendor_terms,
)
from staffmix.solvers.core.levels import (
    LEVELS,
    LevelColumns,
    add_service_levels,
    level_columns,
    level_reach,
    vendor_level_terms,
)
from staffmix.solvers.sparse_rows import Block, RowFamilies

INF = float("inf")


@dataclass
class CoreModel:
    """min c'x  s.t.  row_lo <= A x <= row_hi,  col_lo <= x <= col_hi,  x_j integer where integer[j]."""

    index: IndexSets
    cols: dict[str, Block]
    rows: dict[str, Block]
    A: sp.csc_matrix
    cost: np.ndarray
    col_lo: np.ndarray
    col_hi: np.ndarray
    row_lo: np.ndarray
    row_hi: np.ndarray
    integer: np.ndarray  # bool per column
    # column meta data
    z_slot: np.ndarray
    z_prov: np.ndarray
    zcol: np.ndarray  # (n_slots, n_providers) -> column or -1
    a_group: np.ndarray
    a_cover: np.ndarray  # cover row (index into cover_req) of each a column
    cover_req: np.ndarray  # requirement row of each coverage row
    vendor_prov: np.ndarray  # provider code of each vendor (scenario order)
    capacity_group: np.ndarray  # group of each row of the capacity family
    levels: LevelColumns | None = None  # the level-choice columns (block "level") and their formulation
    level_formulation: str = LEVELS
    col_period: dict[str, np.ndarray] = field(default_factory=dict)
    """Period of each column of the deferrable blocks (for week blocks: blocks.partition)."""
    row_period: dict[str, np.ndarray] = field(default_factory=dict)
    """Period of each row of families that link a period to the one before it (the backlog flow): a week block
    leaves out such rows of later weeks, whose columns it holds at their start values (rolling._roll)."""

    @property
    def n_cols(self) -> int:
        return len(self.cost)

    @property
    def n_rows(self) -> int:
        return len(self.row_lo)

    def col(self, name: str) -> slice:
        return self.cols[name].slice


def build_matrix(ix: IndexSets, levels: str = LEVELS, share_target: bool = True) -> CoreModel:
    """The model of `ix` as one sparse matrix: columns in blocks, one row family per constraint family.

    `levels` picks the formulation of the level choices (core.levels.LEVEL_FORMULATIONS; all give the same
    optimum). `share_target=False` leaves out deferrable work's share targets (the within and on_time blocks
    and their rows): a relaxation the core tries first (core/__init__.py)."""
    n_providers = len(ix.providers)

    # ---- columns: one block per variable of the registry (model/variables.py), in its order
    lv = level_columns(ix, levels)  # the level choices: the one block the core formulates its own way
    sizes = block_sizes(ix, share_target)
    sizes["level"] = len(lv.req)
    cols: dict[str, Block] = {}
    n = 0
    for name, size in sizes.items():
        cols[name] = Block(n, size)
        n += size
    cost = np.zeros(n)
    lo = np.zeros(n)
    hi = np.full(n, INF)
    integer = np.zeros(n, dtype=bool)
    for b in VARIABLES:
        block = cols[b.name].slice
        if b.name != "level" and cols[b.name].size:
            lo[block], hi[block], integer[block] = b.columns(ix)
    blv = cols["level"]
    integer[blv.slice] = lv.integer
    hi[blv.slice] = lv.hi
    for name, costs in column_costs(ix).items():  # the objective: model/objective.py, for every block
        if cols[name].size == len(costs.cost):
            cost[cols[name].slice] = costs.cost
        elif costs.cost.any():  # pragma: no cover - only blocks that cost nothing differ (level, share targets off)
            raise ValueError(f"block {name}: {len(costs.cost)} costs for {cols[name].size} columns")
    zcol = np.full((ix.n_slots, n_providers), -1, dtype=np.int64)
    zcol[ix.z_slot, ix.z_prov] = cols["z"].start + np.arange(cols["z"].size)
    # the in-house routing column of each cover row
    zih = zcol[ix.b_slot[ix.r_base[ix.cover_req]], 0] if n_providers else np.zeros(0, np.int64)
    D = ix.deferred

    rows = RowFamilies()
    vendor_prov = np.array([ix.providers.index(v) for v in ix.vendors], dtype=np.int64)
    vendor_z = _vendor_terms(ix, zcol, vendor_prov)
    vendor_levels = vendor_level_terms(ix, blv.start, vendor_prov, lv)
    vendor_h = deferred_vendor_terms(ix, cols, vendor_prov)

    _add_routing(ix, cols, rows)
    _add_in_house_coverage(ix, cols, rows, zih)
    capacity_group = _add_group_capacity(ix, cols, rows)
    _add_headcount(ix, cols, rows)
    _add_day_caps(ix, cols, rows)
    _add_vendor_contracts(ix, cols, rows, vendor_z)
    _add_vendor_capacity(ix, cols, rows, hi, vendor_z, vendor_levels, vendor_h)
    _add_take_or_pay(ix, cols, rows, vendor_z, vendor_levels, vendor_h)
    _add_policy(ix, cols, rows, zih)
    add_service_levels(ix, cols, rows, hi, zcol, lv, levels)
    add_backlog_flow(ix, cols, rows)  # deferrable work: core/deferred_rows.py
    add_deferred_contracts(ix, cols, rows)
    if share_target:
        add_response_share(ix, cols, rows)

    row_lo, row_hi = rows.bounds()
    return CoreModel(
        index=ix, cols=cols, rows=rows.blocks, A=rows.matrix(n), cost=cost, col_lo=lo, col_hi=hi,
        row_lo=row_lo, row_hi=row_hi,
        integer=integer, z_slot=ix.z_slot, z_prov=ix.z_prov, zcol=zcol, a_group=ix.a_group, a_cover=ix.a_cover,
        cover_req=ix.cover_req, vendor_prov=vendor_prov, capacity_group=capacity_group,
        levels=lv, level_formulation=levels,
        col_period={
            "handled": D.h_period, "backlog": np.tile(np.arange(D.n_periods, dtype=np.int64), D.n_queues),
            "dropped": D.e_period, **({"within": D.w_period, "on_time": D.w_period} if share_target else {}),
        },
        row_period={"backlog_flow": np.tile(np.arange(D.n_periods, dtype=np.int64), D.n_queues)},
    )


def _add_routing(ix: IndexSets, cols: dict[str, Block], rows: RowFamilies) -> None:
    """Each slot goes to exactly one eligible provider (or is unserved, soft only)."""
    start = rows.family("route", ix.n_slots, 1.0, 1.0)
    rows.coef(start + ix.z_slot, cols["z"].idx(), 1.0)
    if ix.soft:
        rows.coef(start + np.arange(ix.n_slots), cols["unserved"].idx(), 1.0)


def _add_in_house_coverage(ix: IndexSets, cols: dict[str, Block], rows: RowFamilies, zih: np.ndarray) -> None:
    """sum_g a[g,q,t] (+ u) >= R[q,t,in_house] z[q,t,in_house]; soft: u <= R z."""
    nc = len(ix.cover_req)
    req = ix.r_required[ix.cover_req].astype(float)
    start = rows.family("cover", nc, 0.0, INF)
    rows.coef(start + ix.a_cover, cols["a"].idx(), 1.0)
    rows.coef(start + np.arange(nc), zih, -req)
    if ix.soft:
        rows.coef(start + np.arange(nc), cols["u"].idx(), 1.0)
        cap = rows.family("shortfall_cap", nc, -INF, 0.0)
        rows.coef(cap + np.arange(nc), cols["u"].idx(), 1.0)
        rows.coef(cap + np.arange(nc), zih, -req)


def _add_group_capacity(ix: IndexSets, cols: dict[str, Block], rows: RowFamilies) -> np.ndarray:
    """Assigned productive agents <= (1 - shrinkage) x agents on duty, per group and period with assignments.
    Returns the group of each capacity row."""
    n_periods = len(ix.periods)
    a_period = ix.r_period[ix.cover_req][ix.a_cover]
    code = ix.a_group * n_periods + a_period
    D = ix.deferred  # deferrable work handled in-house takes agent time too
    ih = np.nonzero(D.h_group >= 0)[0]
    hcode = D.h_group[ih] * n_periods + D.h_period[ih]
    uniq = np.unique(np.concatenate([code, hcode]))
    a_row = np.searchsorted(uniq, code)
    start = rows.family("capacity", len(uniq), -INF, 0.0)
    rows.coef(start + a_row, cols["a"].idx(), 1.0)
    rows.coef(start + np.searchsorted(uniq, hcode), cols["handled"].start + ih, D.h_agents[ih])
    if len(ix.cover_start) and len(uniq):
        g = ix.s_group[ix.cover_start]
        xcode = g * n_periods + ix.cover_period
        pos = np.minimum(np.searchsorted(uniq, xcode), len(uniq) - 1)
        hit = uniq[pos] == xcode
        shrink = np.array([grp.shrinkage for grp in ix.scenario.config.groups])
        rows.coef(start + pos[hit], cols["x"].start + ix.cover_start[hit], -(1.0 - shrink[g[hit]]))
    return (uniq // n_periods).astype(np.int64)


def _add_headcount(ix: IndexSets, cols: dict[str, Block], rows: RowFamilies) -> None:
    """At most one shift per agent per day, at most the contract's weekly hours per agent (the heads' bounds: the
    registry, model/variables.py)."""
    config = ix.scenario.config
    bh = cols["heads"]
    x = cols["x"]
    n_days = int(ix.s_day.max()) + 1 if len(ix.s_day) else 0
    day_code = ix.s_group * max(n_days, 1) + ix.s_day
    uniq, day_row = np.unique(day_code, return_inverse=True)
    start = rows.family("one_shift_per_day", len(uniq), -INF, 0.0)
    rows.coef(start + day_row, x.idx(), 1.0)
    rows.coef(start + np.arange(len(uniq)), bh.start + uniq // max(n_days, 1), -1.0)
    n_weeks = ix.n_weeks
    wcode = ix.s_group * n_weeks + ix.starts["week"].to_numpy()
    uniq, week_row = np.unique(wcode, return_inverse=True)
    start = rows.family("weekly_hours", len(uniq), -INF, 0.0)
    rows.coef(start + week_row, x.idx(), ix.starts["paid_h"].to_numpy())
    ug, uw = uniq // n_weeks, uniq % n_weeks
    max_h = np.array([g.max_hours_per_week for g in config.groups])
    rows.coef(start + np.arange(len(uniq)), bh.start + ug, -(max_h[ug] * ix.week_fraction[uw]) if len(ug) else 0.0)


def _add_day_caps(ix: IndexSets, cols: dict[str, Block], rows: RowFamilies) -> None:
    """A group with max_shifts_per_day: shifts starting on each local day <= that day's number."""
    groups = ix.scenario.config.groups
    capped = np.array([g.max_shifts_per_day is not None for g in groups], dtype=bool)
    mine = np.nonzero(capped[ix.s_group])[0] if len(ix.s_group) else np.zeros(0, dtype=np.int64)
    n_days = int(ix.s_day.max()) + 1 if len(ix.s_day) else 1
    uniq, day_row = np.unique(ix.s_group[mine] * n_days + ix.s_day[mine], return_inverse=True)
    caps = np.array([groups[c // n_days].shift_cap(c % n_days) for c in uniq.tolist()], dtype=float)
    start = rows.family("day_cap", len(uniq), -INF, caps)
    rows.coef(start + day_row.reshape(-1), cols["x"].start + mine, 1.0)


VendorTerms = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""(period, week, z column, amount) of each requirement row a vendor may take."""


def _vendor_terms(ix: IndexSets, zcol: np.ndarray, vendor_prov: np.ndarray) -> list[VendorTerms]:
    """Per vendor (scenario order): its VendorTerms; amount is agents (per agent-hour pricing) or contacts (per
    contact)."""
    out = []
    for vi, (v, p) in enumerate(zip(ix.scenario.config.vendors, vendor_prov, strict=True)):
        r = ix.vendor_rows(vi)
        zc = zcol[ix.b_slot[ix.r_base[r]], p]
        amount = ix.r_contacts[r] if v.pricing == "per_contact" else ix.r_required[r].astype(float)
        out.append((ix.r_period[r], ix.week_of[ix.r_period[r]], zc, amount))
    return out


def _add_vendor_contracts(
    ix: IndexSets, cols: dict[str, Block], rows: RowFamilies, vendor_z: list[VendorTerms]
) -> None:
    """A vendor takes work only when contracted (z <= y)."""
    by = cols["y"]
    z_of = [np.unique(zc) for (_t, _w, zc, _a) in vendor_z]
    start = rows.family("contract", sum(len(z) for z in z_of), -INF, 0.0)
    k = start
    for vi, zs in enumerate(z_of):
        m = len(zs)
        rows.coef(k + np.arange(m), zs, 1.0)
        rows.coef(k + np.arange(m), np.full(m, by.start + vi), -1.0)
        k += m


def _add_vendor_capacity(
    ix: IndexSets,
    cols: dict[str, Block],
    rows: RowFamilies,
    hi: np.ndarray,
    vendor_z: list[VendorTerms],
    vendor_levels: list[VendorTerms],
    vendor_h: list[DeferredTerms],
) -> None:
    """Agents (or contacts) a vendor puts on our queues per period <= capacity x y, where the offer can exceed it
    (counting every level a day- or week-measured queue-period may be staffed at, and deferrable handling at
    the most it can reach)."""
    by = cols["y"]
    n_periods = len(ix.periods)
    parts = []
    for vi, (v, (t, _w, zc, amount), (th, _wh, hc, ah, most)) in enumerate(
        zip(ix.scenario.config.vendors, vendor_z, vendor_h, strict=True)
    ):
        cap = v.capacity_contacts if v.pricing == "per_contact" else v.capacity_agents
        if cap is None:
            continue
        load = (
            np.bincount(t, weights=amount, minlength=n_periods)
            + level_reach(ix, ix.providers.index(v.id), n_periods)
            + np.bincount(th, weights=ah * most, minlength=n_periods)
        )
        tight = np.nonzero(load > cap)[0]
        # A queue-period needing more than the whole capacity can never go to the vendor: fix z = 0
        # (implied by the row for binary z; it closes most of the LP's exclusive-routing gap).
        hi[zc[amount > cap + 1e-9]] = 0.0
        parts.append((vi, cap, np.concatenate([t, th]), np.concatenate([zc, hc]), np.concatenate([amount, ah]), tight))
    start = rows.family("vendor_capacity", sum(len(p[5]) for p in parts), -INF, 0.0)
    k = start
    for vi, cap, t, zc, amount, tight in parts:
        row_of = np.full(n_periods, -1, dtype=np.int64)
        row_of[tight] = k + np.arange(len(tight))
        sel = row_of[t] >= 0
        rows.coef(row_of[t[sel]], zc[sel], amount[sel])
        lt, _lw, lc, la = vendor_levels[vi]
        sel = row_of[lt] >= 0
        rows.coef(row_of[lt[sel]], lc[sel], la[sel])
        rows.coef(k + np.arange(len(tight)), np.full(len(tight), by.start + vi), -float(cap))
        k += len(tight)


def _add_take_or_pay(
    ix: IndexSets,
    cols: dict[str, Block],
    rows: RowFamilies,
    vendor_z: list[VendorTerms],
    vendor_levels: list[VendorTerms],
    vendor_h: list[DeferredTerms],
) -> None:
    """billed[v,w] >= used and >= minimum x week fraction x y (billed hours or contacts: priced in model/objective.py).
    Used counts the level each day- or week-measured queue-period is staffed at, and deferrable handling."""
    by, bb = cols["y"], cols["billed"]
    n_weeks = ix.n_weeks
    used_parts, min_parts = [], []
    for vi, (v, (_t, w, zc, amount), (_th, wh, hc, ah, _most)) in enumerate(
        zip(ix.scenario.config.vendors, vendor_z, vendor_h, strict=True)
    ):
        _lt, lw, lc, la = vendor_levels[vi]
        w, zc, amount = np.concatenate([w, lw, wh]), np.concatenate([zc, lc, hc]), np.concatenate([amount, la, ah])
        per_contact = v.pricing == "per_contact"
        scale = 1.0 if per_contact else ix.period_h
        minimum = v.min_contacts_per_week if per_contact else v.min_hours_per_week
        used_parts.append((vi, w, zc, amount * scale, np.unique(w)))
        if minimum:
            min_parts.append((vi, minimum))
    start = rows.family("billed_used", sum(len(p[4]) for p in used_parts), -INF, 0.0)
    k = start
    for vi, w, zc, amt, weeks in used_parts:
        row_of = np.full(n_weeks, -1, dtype=np.int64)
        row_of[weeks] = k + np.arange(len(weeks))
        rows.coef(row_of[w], zc, amt)
        rows.coef(k + np.arange(len(weeks)), bb.start + vi * n_weeks + weeks, -1.0)
        k += len(weeks)
    start = rows.family("billed_minimum", len(min_parts) * n_weeks, -INF, 0.0)
    for j, (vi, minimum) in enumerate(min_parts):
        r = start + j * n_weeks + np.arange(n_weeks)
        rows.coef(r, np.full(n_weeks, by.start + vi), minimum * ix.week_fraction)
        rows.coef(r, bb.start + vi * n_weeks + np.arange(n_weeks), -1.0)


def _add_policy(ix: IndexSets, cols: dict[str, Block], rows: RowFamilies, zih: np.ndarray) -> None:
    """Maximum number of vendors; minimum in-house share of contacts (of required agents if no contacts)."""
    policy = ix.scenario.config.policy
    n_vendors = len(ix.vendors)
    if policy.max_vendors is not None and n_vendors:
        start = rows.family("max_vendors", 1, -INF, float(policy.max_vendors))
        rows.coef(np.full(n_vendors, start), cols["y"].idx(), 1.0)
    if policy.min_in_house_share > 0:
        weight = ix.base_work()
        D = ix.deferred  # deferrable contacts count where they are handled
        total = float(weight.sum()) + float(D.arrived.sum())
        start = rows.family("min_in_house_share", 1, policy.min_in_house_share * total, INF)
        rows.coef(np.full(len(zih), start), zih, weight[ix.r_base[ix.cover_req]])
        ih = np.nonzero(D.h_group >= 0)[0]
        rows.coef(np.full(len(ih), start), cols["handled"].start + ih, 1.0)


__all__ = ["Block", "CoreModel", "build_matrix"]
