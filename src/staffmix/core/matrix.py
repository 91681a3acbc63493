"""The reference MIP as one sparse matrix: the same variables, rows and costs as `staffmix.model`.

Each `_add_*` step mirrors the `add_*` function of model.py with the same
name and builds its whole family of rows at once from index arrays (COO
triplets), so no Python object is created per variable or coefficient.

Columns, in blocks: z (routing binaries, one per slot and eligible
provider), unserved (soft service level), x (shifts started, integer), a
(productive in-house agents per group, queue and period), u (shortfall, soft
only), heads (integer), y (contract binaries), billed (per vendor and week).

One deliberate difference in bookkeeping, not in mathematics: the reference
creates a[g, q, t] and u[q, t] also for queue-periods whose weekly slot has
no in-house routing variable; those columns appear in no coverage row, so
they are zero in every optimum and are left out here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from staffmix.core.index import CoreIndex

INF = float("inf")


@dataclass
class Block:
    start: int
    size: int

    @property
    def stop(self) -> int:
        return self.start + self.size

    @property
    def slice(self) -> slice:
        return slice(self.start, self.stop)

    def idx(self) -> np.ndarray:
        return np.arange(self.start, self.stop)


@dataclass
class CoreModel:
    """min c'x  s.t.  row_lo <= A x <= row_hi,  col_lo <= x <= col_hi,  x_j integer where integer[j]."""

    index: CoreIndex
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
    n_weeks_h: int
    extra: dict = field(default_factory=dict)

    @property
    def n_cols(self) -> int:
        return len(self.cost)

    @property
    def n_rows(self) -> int:
        return len(self.row_lo)

    def col(self, name: str) -> slice:
        return self.cols[name].slice


class _Rows:
    """Collects row families as COO triplets."""

    def __init__(self) -> None:
        self.n = 0
        self.r: list[np.ndarray] = []
        self.c: list[np.ndarray] = []
        self.v: list[np.ndarray] = []
        self.lo: list[np.ndarray] = []
        self.hi: list[np.ndarray] = []
        self.blocks: dict[str, Block] = {}
        self.capacity_group = np.zeros(0, dtype=np.int64)

    def family(self, name: str, n: int, lo, hi) -> int:
        start = self.n
        self.blocks[name] = Block(start, n)
        self.lo.append(np.broadcast_to(np.asarray(lo, dtype=float), (n,)).copy())
        self.hi.append(np.broadcast_to(np.asarray(hi, dtype=float), (n,)).copy())
        self.n += n
        return start

    def coef(self, rows: np.ndarray, cols: np.ndarray, vals) -> None:
        rows = np.asarray(rows, dtype=np.int64)
        self.r.append(rows)
        self.c.append(np.asarray(cols, dtype=np.int64))
        self.v.append(np.broadcast_to(np.asarray(vals, dtype=float), rows.shape).copy())


def build_matrix(ix: CoreIndex) -> CoreModel:
    config = ix.scenario.config
    T = config.horizon.periods
    P = len(ix.providers)
    G = len(ix.groups)
    V = len(ix.vendors)
    W = len(ix.week_fraction)
    soft = ix.soft

    # ---- columns
    cols: dict[str, Block] = {}
    n = 0

    def block(name: str, size: int) -> Block:
        nonlocal n
        cols[name] = Block(n, size)
        n += size
        return cols[name]

    z_slot, z_prov = np.nonzero(ix.slot_open)
    bz = block("z", len(z_slot))
    zcol = np.full((ix.n_slots, P), -1, dtype=np.int64)
    zcol[z_slot, z_prov] = bz.start + np.arange(bz.size)
    bun = block("unserved", ix.n_slots if soft else 0)
    bx = block("x", len(ix.starts))
    # coverage rows: in-house requirement rows whose slot has an in-house routing variable
    ih_rows = np.nonzero(ix.r_prov == 0)[0]
    zih = zcol[ix.b_slot[ix.r_base[ih_rows]], 0] if len(ix.providers) else np.zeros(0, np.int64)
    cover_req = ih_rows[zih >= 0]
    zih = zih[zih >= 0]
    a_c, a_g = np.nonzero(ix.pair_ok[:, ix.r_queue[cover_req]].T)  # row-major: cover row, then group
    ba = block("a", len(a_g))
    bu = block("u", len(cover_req) if soft else 0)
    bh = block("heads", G)
    by = block("y", V)
    bb = block("billed", V * W)

    cost = np.zeros(n)
    lo = np.zeros(n)
    hi = np.full(n, INF)
    integer = np.zeros(n, dtype=bool)
    hi[bz.slice] = 1.0
    integer[bz.slice] = True
    hi[bun.slice] = 1.0
    integer[bun.slice] = True
    integer[bx.slice] = True
    integer[bh.slice] = True
    hi[by.slice] = 1.0
    integer[by.slice] = True

    rows = _Rows()
    vendor_prov = np.array([ix.providers.index(v) for v in ix.vendors], dtype=np.int64)
    ctx = dict(ix=ix, cols=cols, rows=rows, cost=cost, lo=lo, hi=hi, zcol=zcol, cover_req=cover_req, zih=zih,
               a_g=a_g, a_c=a_c, vendor_prov=vendor_prov, T=T, W=W, G=G, V=V)

    _add_routing(**ctx)
    _add_in_house_coverage(**ctx)
    _add_group_capacity(**ctx)
    _add_headcount(**ctx)
    vendor_z = _vendor_terms(ix, zcol, vendor_prov)
    _add_vendor_contracts(vendor_z=vendor_z, **ctx)
    _add_vendor_capacity(vendor_z=vendor_z, **ctx)
    _add_take_or_pay(vendor_z=vendor_z, **ctx)
    _add_policy(**ctx)
    _add_in_house_pay(**ctx)
    _add_shortfall_penalty(**ctx)

    r = np.concatenate(rows.r) if rows.r else np.zeros(0, np.int64)
    c = np.concatenate(rows.c) if rows.c else np.zeros(0, np.int64)
    v = np.concatenate(rows.v) if rows.v else np.zeros(0)
    A = sp.csc_matrix((v, (r, c)), shape=(rows.n, n))
    A.sum_duplicates()
    return CoreModel(
        index=ix, cols=cols, rows=rows.blocks, A=A, cost=cost, col_lo=lo, col_hi=hi,
        row_lo=np.concatenate(rows.lo) if rows.lo else np.zeros(0),
        row_hi=np.concatenate(rows.hi) if rows.hi else np.zeros(0),
        integer=integer, z_slot=z_slot, z_prov=z_prov, zcol=zcol, a_group=a_g, a_cover=a_c,
        cover_req=cover_req, vendor_prov=vendor_prov, n_weeks_h=W,
        extra={"capacity_group": rows.capacity_group},
    )


def _add_routing(ix, cols, rows, zcol, **_):
    """Each slot goes to exactly one eligible provider (or is unserved, soft only)."""
    start = rows.family("route", ix.n_slots, 1.0, 1.0)
    z = cols["z"]
    z_slot = np.nonzero(ix.slot_open)[0]
    rows.coef(start + z_slot, z.idx(), 1.0)
    if ix.soft:
        rows.coef(start + np.arange(ix.n_slots), cols["unserved"].idx(), 1.0)


def _add_in_house_coverage(ix, cols, rows, cover_req, zih, a_c, **_):
    """sum_g a[g,q,t] (+ u) >= R[q,t,in_house] z[q,t,in_house]; soft: u <= R z."""
    nc = len(cover_req)
    req = ix.r_required[cover_req].astype(float)
    start = rows.family("cover", nc, 0.0, INF)
    rows.coef(start + a_c, cols["a"].idx(), 1.0)
    rows.coef(start + np.arange(nc), zih, -req)
    if ix.soft:
        rows.coef(start + np.arange(nc), cols["u"].idx(), 1.0)
        cap = rows.family("shortfall_cap", nc, -INF, 0.0)
        rows.coef(cap + np.arange(nc), cols["u"].idx(), 1.0)
        rows.coef(cap + np.arange(nc), zih, -req)


def _add_group_capacity(ix, cols, rows, cover_req, a_g, a_c, T, **_):
    """Assigned productive agents <= (1 - shrinkage) x agents on duty, per group and period with assignments."""
    a_period = ix.r_period[cover_req][a_c]
    code = a_g * T + a_period
    uniq, a_row = np.unique(code, return_inverse=True)
    start = rows.family("capacity", len(uniq), -INF, 0.0)
    rows.capacity_group = (uniq // T).astype(np.int64)
    rows.coef(start + a_row, cols["a"].idx(), 1.0)
    if len(ix.cover_start) and len(uniq):
        g = ix.s_group[ix.cover_start]
        xcode = g * T + ix.cover_period
        pos = np.searchsorted(uniq, xcode)
        pos = np.minimum(pos, len(uniq) - 1)
        hit = uniq[pos] == xcode
        shrink = np.array([grp.shrinkage for grp in ix.scenario.config.groups])
        rows.coef(start + pos[hit], cols["x"].start + ix.cover_start[hit], -(1.0 - shrink[g[hit]]))


def _add_headcount(ix, cols, rows, cost, lo, hi, G, **_):
    """At most one shift per agent per day, at most the contract's weekly hours per agent; headcount cost."""
    config = ix.scenario.config
    h = config.horizon
    n_weeks = h.periods * h.interval_min / (7 * 24 * 60)
    bh = cols["heads"]
    for gi, g in enumerate(config.groups):
        cost[bh.start + gi] = g.cost_per_head_per_week * n_weeks
        lo[bh.start + gi] = g.min_headcount
        hi[bh.start + gi] = INF if g.max_headcount is None else g.max_headcount
    x = cols["x"]
    n_days = int(ix.s_day.max()) + 1 if len(ix.s_day) else 0
    day_code = ix.s_group * max(n_days, 1) + ix.s_day
    uniq, day_row = np.unique(day_code, return_inverse=True)
    start = rows.family("one_shift_per_day", len(uniq), -INF, 0.0)
    rows.coef(start + day_row, x.idx(), 1.0)
    rows.coef(start + np.arange(len(uniq)), bh.start + uniq // max(n_days, 1), -1.0)
    W = len(ix.week_fraction)
    week = ix.starts["week"].to_numpy()
    wcode = ix.s_group * W + week
    uniq, week_row = np.unique(wcode, return_inverse=True)
    start = rows.family("weekly_hours", len(uniq), -INF, 0.0)
    rows.coef(start + week_row, x.idx(), ix.starts["paid_h"].to_numpy())
    ug, uw = uniq // W, uniq % W
    max_h = np.array([g.max_hours_per_week for g in config.groups])
    rows.coef(start + np.arange(len(uniq)), bh.start + ug, -(max_h[ug] * ix.week_fraction[uw]) if len(ug) else 0.0)


def _vendor_terms(ix: CoreIndex, zcol: np.ndarray, vendor_prov: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Per vendor (scenario order): (period, week, z column, amount) of each requirement row it may take;
    amount is agents (per agent-hour pricing) or contacts (per contact)."""
    out = []
    for v, p in zip(ix.scenario.config.vendors, vendor_prov):
        rows = np.nonzero(ix.r_prov == p)[0]
        zc = zcol[ix.b_slot[ix.r_base[rows]], p]
        rows, zc = rows[zc >= 0], zc[zc >= 0]
        amount = ix.r_contacts[rows] if v.pricing == "per_contact" else ix.r_required[rows].astype(float)
        out.append((ix.r_period[rows], ix.week_of[ix.r_period[rows]], zc, amount))
    return out


def _add_vendor_contracts(ix, cols, rows, cost, vendor_z, **_):
    """A vendor takes work only when contracted (z <= y); a contract costs its weekly fee."""
    n_weeks = float(ix.week_fraction.sum())
    by = cols["y"]
    z_of = [np.unique(zc) for (_t, _w, zc, _a) in vendor_z]
    total = sum(len(z) for z in z_of)
    start = rows.family("contract", total, -INF, 0.0)
    k = start
    for vi, (v, zs) in enumerate(zip(ix.scenario.config.vendors, z_of)):
        cost[by.start + vi] = v.fee_per_week * n_weeks
        m = len(zs)
        rows.coef(k + np.arange(m), zs, 1.0)
        rows.coef(k + np.arange(m), np.full(m, by.start + vi), -1.0)
        k += m


def _add_vendor_capacity(ix, cols, rows, hi, vendor_z, T, **_):
    """Agents (or contacts) a vendor puts on our queues per period <= capacity x y, where the offer can exceed it."""
    by = cols["y"]
    parts = []
    for vi, (v, (t, _w, zc, amount)) in enumerate(zip(ix.scenario.config.vendors, vendor_z)):
        cap = v.capacity_contacts if v.pricing == "per_contact" else v.capacity_agents
        if cap is None:
            continue
        load = np.bincount(t, weights=amount, minlength=T)
        tight = np.nonzero(load > cap)[0]
        parts.append((vi, cap, t, zc, amount, tight))
    total = sum(len(p[5]) for p in parts)
    start = rows.family("vendor_capacity", total, -INF, 0.0)
    k = start
    for vi, cap, t, zc, amount, tight in parts:
        # A queue-period needing more than the whole capacity can never go to the vendor: fix z = 0
        # (implied by the row for binary z; it closes most of the LP's exclusive-routing gap).
        hi[zc[amount > cap + 1e-9]] = 0.0
        row_of = np.full(T, -1, dtype=np.int64)
        row_of[tight] = k + np.arange(len(tight))
        sel = row_of[t] >= 0
        rows.coef(row_of[t[sel]], zc[sel], amount[sel])
        rows.coef(k + np.arange(len(tight)), np.full(len(tight), by.start + vi), -float(cap))
        k += len(tight)


def _add_take_or_pay(ix, cols, rows, cost, vendor_z, W, **_):
    """billed[v,w] >= used and >= minimum x week fraction x y; billed priced per agent-hour or per contact."""
    by, bb = cols["y"], cols["billed"]
    used_parts, min_parts = [], []
    for vi, (v, (_t, w, zc, amount)) in enumerate(zip(ix.scenario.config.vendors, vendor_z)):
        per_contact = v.pricing == "per_contact"
        scale = 1.0 if per_contact else ix.period_h
        minimum = v.min_contacts_per_week if per_contact else v.min_hours_per_week
        price = v.price_per_contact if per_contact else v.rate_per_hour
        cost[bb.start + vi * W: bb.start + (vi + 1) * W] = float(price)
        weeks = np.unique(w)
        used_parts.append((vi, w, zc, amount * scale, weeks))
        if minimum:
            min_parts.append((vi, minimum))
    start = rows.family("billed_used", sum(len(p[4]) for p in used_parts), -INF, 0.0)
    k = start
    for vi, w, zc, amt, weeks in used_parts:
        row_of = np.full(W, -1, dtype=np.int64)
        row_of[weeks] = k + np.arange(len(weeks))
        rows.coef(row_of[w], zc, amt)
        rows.coef(k + np.arange(len(weeks)), bb.start + vi * W + weeks, -1.0)
        k += len(weeks)
    start = rows.family("billed_minimum", len(min_parts) * W, -INF, 0.0)
    for j, (vi, minimum) in enumerate(min_parts):
        r = start + j * W + np.arange(W)
        rows.coef(r, np.full(W, by.start + vi), minimum * ix.week_fraction)
        rows.coef(r, bb.start + vi * W + np.arange(W), -1.0)


def _add_policy(ix, cols, rows, zcol, cover_req, zih, V, **_):
    """Maximum number of vendors; minimum in-house share of contacts (of required agent-hours if no contacts)."""
    policy = ix.scenario.config.policy
    if policy.max_vendors is not None and V:
        start = rows.family("max_vendors", 1, -INF, float(policy.max_vendors))
        rows.coef(np.full(V, start), cols["y"].idx(), 1.0)
    if policy.min_in_house_share > 0:
        weight = ix.b_required.astype(float) if ix.scenario.demand_kind == "required_agents" else ix.b_contacts
        total = float(weight.sum())
        start = rows.family("min_in_house_share", 1, policy.min_in_house_share * total, INF)
        ih_rows = np.nonzero(ix.r_prov == 0)[0]
        zc = zcol[ix.b_slot[ix.r_base[ih_rows]], 0]
        sel = zc >= 0
        rows.coef(np.full(int(sel.sum()), start), zc[sel], weight[ix.r_base[ih_rows[sel]]])


def _add_in_house_pay(ix, cols, cost, **_):
    """Each shift started costs its paid hours at the group's rate, night hours with the premium."""
    cost[cols["x"].slice] = ix.starts["cost"].to_numpy()


def _add_shortfall_penalty(ix, cols, cost, **_):
    """Soft service level: each agent-hour short costs the penalty; an unserved slot costs its whole requirement."""
    soft = ix.scenario.config.policy.soft_service_level
    if soft is None:
        return
    per_agent = soft.penalty_per_agent_hour * ix.period_h
    cost[cols["u"].slice] = per_agent
    slot_req = np.bincount(ix.b_slot, weights=ix.b_required.astype(float), minlength=ix.n_slots)
    cost[cols["unserved"].slice] = per_agent * slot_req


__all__ = ["Block", "CoreModel", "build_matrix"]
