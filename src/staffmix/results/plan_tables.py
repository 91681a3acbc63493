"""A plan's values -> the Result tables a planner reads, the same way for every backend.

From `PlanValues` (model/plan_values.py) aligned to the `IndexSets` (model/index_sets.py):
routing (the provider of every active queue-period), productive in-house
agents, shifts, the least headcount that works them, vendor hours and bills
per week, the cost by component recomputed from the plan's integers (not
the solver's floats: each column's cost from model/objective.py, the model's own,
times the plan's values as its tables read them), and the service each
queue-period gets from the agents it is staffed with. Headline numbers are
results/kpis.py's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from staffmix.model.index_sets import IndexSets
from staffmix.model.objective import cost_by_component
from staffmix.model.plan_values import PlanValues
from staffmix.model.requirements import achieved_service
from staffmix.results.deferrable_backlog import deferred_tables, deferred_vendor_use
from staffmix.results.kpis import compute_kpis
from staffmix.results.result import COST_COMPONENTS, Result
from staffmix.results.targets import queue_target
from staffmix.scenario.schema import IN_HOUSE, UNSERVED
from staffmix.util.gap import relative_gap


def extract_plan(base: Result, ix: IndexSets, values: PlanValues, bound: float | None) -> Result:
    """`base` (status, timings, message) with the plan's tables, cost and KPIs."""
    period_start = ix.periods["period_start"]
    chosen = chosen_providers(ix, values)  # provider code per base row, -1: unserved

    # assignments: productive in-house agents of each group on in-house queue-periods
    a_base = ix.r_base[ix.cover_req[ix.a_cover]]
    on = (chosen[a_base] == 0) & (values.a > 1e-7)
    queues = np.asarray(ix.queues, dtype=object)
    groups = np.asarray(ix.groups, dtype=object)
    assignments = pd.DataFrame({
        "period": ix.b_period[a_base[on]].astype(np.int64),
        "group": groups[ix.a_group[on]],
        "queue": queues[ix.b_queue[a_base[on]]],
        "agents": values.a[on].astype(float),
    })
    assigned = np.bincount(a_base[on], weights=values.a[on], minlength=len(ix.b_period))
    backlog, handled, deferred_assignments = deferred_tables(ix, values)
    if len(deferred_assignments):
        assignments = pd.concat([assignments, deferred_assignments], ignore_index=True)
    assignments = assignments.sort_values(["period", "group", "queue"]).reset_index(drop=True)

    staffing = _staffing(ix, values, chosen, assigned)

    # shifts and headcount
    counts = np.round(values.x).astype(np.int64) if len(values.x) else np.zeros(0, np.int64)
    shifts = ix.starts.assign(count=counts)[lambda d: d["count"] > 0]
    shifts = shifts.assign(start=period_start.iloc[shifts["start_period"].to_numpy()].to_numpy())[
        ["group", "template", "start_period", "start", "count"]
    ].reset_index(drop=True)
    headcount = least_headcount(ix, shifts)
    vendors = _vendor_weeks(ix, values, staffing, deferred_vendor_use(ix, handled))

    costs = cost_breakdown(ix, values, shifts, headcount, vendors, staffing, backlog)
    total = float(costs["amount"].sum())
    result = base.with_(
        objective=total, bound=bound, gap=relative_gap(total, bound),
        staffing=staffing, shifts=shifts, headcount=headcount, assignments=assignments, vendors=vendors, costs=costs,
        service_targets=service_targets(ix),
    )
    if backlog is not None:
        result = result.with_(backlog=backlog, handled=handled)
    return result.with_(kpis=compute_kpis(result, ix))


def chosen_providers(ix: IndexSets, values: PlanValues) -> np.ndarray:
    """Provider code routed to each base row (-1: unserved): the open provider with the largest routing
    value, the first on a tie; unserved when its own value is larger (soft service level)."""
    n = len(ix.b_period)
    zval = np.full((ix.n_slots, len(ix.providers)), -np.inf)
    zval[ix.z_slot, ix.z_prov] = values.z
    best = np.full(n, -1, dtype=np.int64)
    best_val = values.unserved[ix.b_slot].astype(float) if ix.soft else np.full(n, -1.0)
    for p in range(len(ix.providers)):  # in provider order, so a tie goes to the first
        v = zval[ix.b_slot, p]
        better = v > best_val + 1e-9
        best[better] = p
        best_val[better] = v[better]
    return best


def _staffing(ix: IndexSets, values: PlanValues, chosen: np.ndarray, assigned: np.ndarray) -> pd.DataFrame:
    """One row per active queue-period: provider, contacts, required, staffed, shortfall, and its service."""
    config = ix.scenario.config
    n = len(ix.b_period)
    unserved = chosen < 0
    row = ix.req_of[np.arange(n), np.maximum(chosen, 0)]
    required = np.where(unserved, ix.b_required, ix.r_required[np.maximum(row, 0)]).astype(np.int64)
    in_house = chosen == 0
    vendor_level = required + level_extra(ix, values)[np.maximum(row, 0)]  # a vendor staffs the level chosen
    staffed = np.where(in_house, assigned, np.where(unserved, 0.0, vendor_level.astype(float)))
    shortfall = np.where(unserved, required.astype(float), 0.0)
    if ix.soft and len(values.u):
        cover = ix.cover_of_base
        has = in_house & (cover >= 0)
        shortfall[has] = values.u[cover[has]]
    aht = np.where(unserved, np.nan, ix.r_aht[np.maximum(row, 0)])
    providers = np.asarray(ix.providers + [UNSERVED], dtype=object)
    staffing = pd.DataFrame({
        "period": ix.b_period.astype(np.int64),
        "period_start": ix.periods["period_start"].iloc[ix.b_period].to_numpy(),
        "queue": np.asarray(ix.queues, dtype=object)[ix.b_queue],
        "provider": providers[chosen],  # -1 picks the last: unserved
        "contacts": ix.b_contacts.astype(float),
        "required": required,
        "staffed": staffed.astype(float),
        "shortfall": shortfall.astype(float),
    })
    return _with_service(staffing, aht, config, ix.by_agents)


def level_extra(ix: IndexSets, values: PlanValues) -> np.ndarray:
    """Whole agents above its lowest level chosen for each requirement row (0 where the queue is measured
    per period or the row has one level only)."""
    out = np.zeros(len(ix.r_base), dtype=np.int64)
    if len(values.level_extra):
        out[ix.step_rows] = np.round(values.level_extra).astype(np.int64)
    return out


def _with_service(staffing: pd.DataFrame, aht: np.ndarray, config, by_agents: bool) -> pd.DataFrame:
    """Service level, ASA and occupancy each queue-period gets from its staffed agents (contacts demand only)."""
    n = len(staffing)
    sl, asa, occ = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    if not by_agents:
        interval_s = config.horizon.interval_min * 60.0
        served = (staffing["provider"] != UNSERVED).to_numpy()
        for q in config.queues:
            m = (staffing["queue"] == q.id).to_numpy() & served
            if m.any():
                sl[m], asa[m], occ[m] = achieved_service(
                    q, staffing["staffed"].to_numpy()[m], staffing["contacts"].to_numpy()[m], aht[m], interval_s
                )
        sl[~served], asa[~served], occ[~served] = 0.0, np.inf, np.nan
    return staffing.assign(service_level=sl, asa_s=asa, occupancy=occ)


def _vendor_weeks(ix: IndexSets, values: PlanValues, staffing: pd.DataFrame, deferred: pd.DataFrame) -> pd.DataFrame:
    """Per vendor and week it is contracted or used: used and billed hours (or contacts), fee, cost.
    `deferred` (backlog.deferred_vendor_use) adds the hours and contacts of deferrable work."""
    config = ix.scenario.config
    period_h = ix.period_h
    # (vendor, week) -> (agent-hours, contacts) of its deferrable handling
    deferred_rows = deferred[["vendor", "week", "hours", "contacts"]].itertuples(index=False, name=None)
    extra = {(str(v), int(w)): (float(h), float(c)) for v, w, h, c in deferred_rows}
    rows = []
    for vi, v in enumerate(config.vendors):
        used = values.y[vi] > 0.5
        mine = staffing[staffing["provider"] == v.id]
        week_of = ix.week_of[mine["period"].to_numpy()]
        for w in range(ix.n_weeks):
            in_w = week_of == w
            used_hours = float(mine["staffed"].to_numpy()[in_w].sum() * period_h)
            used_contacts = float(mine["contacts"].to_numpy()[in_w].sum())
            if (v.id, w) in extra:
                used_hours += extra[(v.id, w)][0]
                used_contacts += extra[(v.id, w)][1]
            if not used and used_hours == 0 and used_contacts == 0:
                continue
            billed = float(values.billed[vi, w])
            fee = v.fee_per_week * float(ix.week_fraction[w]) if used else 0.0
            if v.pricing == "per_contact":
                billed_h, billed_c = 0.0, max(billed, used_contacts)
                cost = v.unit_price * billed_c + fee
            else:
                billed_h, billed_c = max(billed, used_hours), 0.0
                cost = v.unit_price * billed_h + fee
            rows.append((v.id, w, used_hours, billed_h, used_contacts, billed_c, fee, cost))
    return pd.DataFrame(
        rows,
        columns=["vendor", "week", "used_hours", "billed_hours", "used_contacts", "billed_contacts", "fee", "cost"],
    )


def least_headcount(ix: IndexSets, shifts: pd.DataFrame) -> pd.DataFrame:
    """The fewest heads per group that can work the plan's shifts: its minimum, one shift per head per
    day, weekly paid hours within the contract. The solver's own value is only an upper bound when
    heads are unpriced, and a planner reads this column as "people to employ"."""
    config = ix.scenario.config
    starts = ix.starts.loc[:, ["group", "template", "start_period", "day", "week", "paid_h"]]
    plan = starts.merge(
        shifts[["group", "template", "start_period", "count"]], on=["group", "template", "start_period"]
    )
    rows = []
    for g in config.groups:
        mine = plan[plan["group"] == g.id]
        need = g.min_headcount
        if len(mine):
            need = max(need, int(mine.groupby("day")["count"].sum().max()))
            hours = (mine["paid_h"] * mine["count"]).groupby(mine["week"]).sum()
            limit = g.max_hours_per_week * ix.week_fraction[hours.index.to_numpy(dtype=np.int64)]
            need = max(need, int(np.ceil((hours.to_numpy() / limit).max() - 1e-6)))
        rows.append((g.id, need))
    return pd.DataFrame(rows, columns=["group", "headcount"])


def cost_breakdown(
    ix: IndexSets,
    values: PlanValues,
    shifts: pd.DataFrame,
    headcount: pd.DataFrame,
    vendors: pd.DataFrame,
    staffing: pd.DataFrame,
    backlog: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The objective by component, recomputed from the plan's integers (not the solver's floats): each column's
    cost (model/objective.py, the objective's own) times the plan's value as its tables read it (`plan_columns`)."""
    amounts = cost_by_component(ix, plan_columns(ix, values, shifts, headcount, vendors, staffing, backlog))
    return pd.DataFrame({"component": list(COST_COMPONENTS), "amount": amounts.astype(float)})


def plan_columns(
    ix: IndexSets,
    values: PlanValues,
    shifts: pd.DataFrame,
    headcount: pd.DataFrame,
    vendors: pd.DataFrame,
    staffing: pd.DataFrame,
    backlog: pd.DataFrame | None = None,
) -> dict[str, np.ndarray]:
    """The plan's value of every column that can cost something, as the tables a planner reads give it:
    x the shifts table's whole counts; heads the least headcount that works them; y a contract (the solver's
    binary, rounded: as the vendors table's fee); billed the vendors table's billed hours or contacts (at least what
    the plan uses); under a soft service level, u the agent shortfall of each in-house cover row and unserved each
    slot left open (staffing), late the contacts each service group is short of (from the service its staffing
    gives), dropped the deferrable contacts left unanswered (backlog)."""
    config = ix.scenario.config
    keys = ["group", "template", "start_period"]
    counts = ix.starts[keys].merge(shifts[[*keys, "count"]], on=keys, how="left")["count"]
    heads = dict(zip(headcount["group"], headcount["headcount"], strict=True))
    billed = np.zeros((len(config.vendors), ix.n_weeks))
    row = {v.id: vi for vi, v in enumerate(config.vendors)}
    per_contact = np.array([v.pricing == "per_contact" for v in config.vendors], dtype=bool)
    for v, w, hours, contacts in vendors[["vendor", "week", "billed_hours", "billed_contacts"]].itertuples(
        index=False, name=None
    ):
        vi = row[str(v)]
        billed[vi, int(w)] = contacts if per_contact[vi] else hours
    out = {
        "x": counts.fillna(0).to_numpy(dtype=float),
        "heads": np.array([heads[g.id] for g in config.groups], dtype=float),
        "y": (values.y > 0.5).astype(float),
        "billed": billed.reshape(-1),
    }
    D = ix.deferred
    if ix.soft:  # staffing rows are in base row order
        base = ix.r_base[ix.cover_req]
        provider = staffing["provider"].to_numpy()
        shortfall = staffing["shortfall"].to_numpy(dtype=float)
        out["u"] = np.where(provider[base] == IN_HOUSE, shortfall[base], 0.0)
        unserved = np.zeros(ix.n_slots)
        unserved[ix.b_slot[provider == UNSERVED]] = 1.0
        out["unserved"] = unserved
        out["late"] = late_contacts(ix, staffing)
        unanswered = np.zeros((D.n_queues, D.n_periods))
        if backlog is not None:  # rows per deferrable queue (IndexSets.deferred order) and period
            unanswered = backlog["unanswered"].to_numpy(dtype=float).reshape(D.n_queues, D.n_periods)
        out["dropped"] = unanswered[D.e_queue, D.e_period]
    else:  # no such columns, or they cost nothing
        out.update(u=np.zeros(0), unserved=np.zeros(0), late=np.zeros(0), dropped=np.zeros(len(D.e_queue)))
    return out


def service_targets(ix: IndexSets) -> pd.DataFrame:
    """Each queue's target, over what it is measured, and its period floor (the Result's service_targets);
    a deferrable queue is measured by its response share ("response")."""
    queues = ix.scenario.config.queues
    return pd.DataFrame(
        {
            "queue": [q.id for q in queues],
            "measured": ["response" if q.response_within_h is not None else q.service_level.measured for q in queues],
            "target": [queue_target(q) for q in queues],
            "period_floor": [
                np.nan if q.service_level.period_floor is None else float(q.service_level.period_floor) for q in queues
            ],
        }
    )


def late_contacts(ix: IndexSets, staffing: pd.DataFrame) -> np.ndarray:
    """Per service group (a day or week of a queue measured so): contacts short of its target, from the
    service level each queue-period's staffing gives (staffing rows are in base row order)."""
    grouped = ix.b_group >= 0
    answered = staffing["contacts"].to_numpy(dtype=float) * staffing["service_level"].to_numpy(dtype=float)
    got = np.bincount(ix.b_group[grouped], weights=answered[grouped], minlength=len(ix.sg_queue))
    return np.maximum(ix.sg_target * ix.sg_contacts - got, 0.0)

