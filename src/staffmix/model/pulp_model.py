"""The reference MIP, built with PuLP objects so it reads like the mathematics.

`build_model` is a table of contents: one `add_*` step per constraint family,
in the order of docs/model.md. Every step reads the index sets (model/index_sets.py),
the same arrays the fast core builds its sparse matrix from; the variables
are kept in lists aligned to those arrays, so the plan reads back into
`PlanValues` (model/plan_values.py) the same way for every backend. The
objective is each column's cost from model/objective.py, as the core's is.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pulp

from staffmix.model.index_sets import IndexSets, build_index
from staffmix.model.objective import column_costs
from staffmix.model.plan_values import PlanValues
from staffmix.model.variables import INF, VARIABLES
from staffmix.scenario.container import Scenario


class Variables:
    """The model's PuLP variables: one list per block of the registry (model/variables.py), read as an
    attribute (`var.z`, `var.handled`, ...) and aligned to its index set; `billed` is vendor-major
    (vendor x n_weeks + week). `zcol` maps (slot, provider) to the position in z, -1 where the provider
    may not take the slot."""

    def __init__(self, ix: IndexSets, blocks: dict[str, list[pulp.LpVariable]]) -> None:
        self.index = ix
        self.blocks = blocks
        self.zcol = np.full(ix.slot_open.shape, -1, dtype=np.int64)
        self.zcol[ix.z_slot, ix.z_prov] = np.arange(len(ix.z_slot))

    def __getattr__(self, name: str) -> list[pulp.LpVariable]:
        try:
            return self.__dict__["blocks"][name]
        except KeyError:
            raise AttributeError(f"the model has no variable block {name!r}") from None

    def values(self) -> PlanValues:
        """The solved values (a variable without one counts 0)."""
        def val(name: str) -> np.ndarray:
            return np.array([v.varValue or 0.0 for v in self.blocks[name]], dtype=float)

        ix = self.index
        return PlanValues.from_blocks(ix, val, level_extra=_per_row(ix.step_rows, ix.step_req, val("level")))


def _per_row(rows: np.ndarray, req: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Agents above the lowest level per row with level steps: the sum of its steps taken."""
    return np.bincount(np.searchsorted(rows, req), weights=values, minlength=len(rows)) if len(rows) else np.zeros(0)


def build_model(scenario: Scenario, index: IndexSets | None = None) -> pulp.LpProblem:
    """The reference MIP as a pulp.LpProblem (write it with .writeLP / .writeMPS for any solver)."""
    return build(index or build_index(scenario))[0]


def build(ix: IndexSets) -> tuple[pulp.LpProblem, Variables]:
    prob = pulp.LpProblem(f"staffmix_{ix.scenario.name}".replace("-", "_"), pulp.LpMinimize)
    var = add_variables(ix)
    add_routing(prob, ix, var)
    add_in_house_coverage(prob, ix, var)
    add_group_capacity(prob, ix, var)
    add_headcount(prob, ix, var)
    add_day_caps(prob, ix, var)
    add_vendor_contracts(prob, ix, var)
    add_vendor_capacity(prob, ix, var)
    add_take_or_pay(prob, ix, var)
    add_policy(prob, ix, var)
    add_service_levels(prob, ix, var)
    add_backlog_flow(prob, ix, var)
    add_deferred_contracts(prob, ix, var)
    add_response_share(prob, ix, var)
    prob += objective(ix, var), "total_cost"
    return prob, var


def objective(ix: IndexSets, var: Variables) -> pulp.LpAffineExpression:
    """The total cost: cost x variable for every column that costs something (model/objective.py: shift pay,
    heads, contract fees, billed hours or contacts, and under a soft service level the penalty on agents short,
    unserved slots, late and unanswered contacts)."""
    terms = []
    for name, costs in column_costs(ix).items():
        block = var.blocks[name]
        terms += [(block[j], float(costs.cost[j])) for j in np.flatnonzero(costs.cost).tolist()]
    return _affine(terms)


def _affine(terms: list[tuple[pulp.LpVariable, float]]) -> pulp.LpAffineExpression:
    """sum of coefficient x variable, adding up repeated variables (pulp.LpAffineExpression(list)
    keeps only the last coefficient of a repeated variable: with weekly routing a slot's variable
    appears once per week in the in-house share, and twice in a week across a DST change)."""
    expr = pulp.LpAffineExpression()
    for variable, coefficient in terms:
        expr.addterm(variable, coefficient)
    return expr


def _label(ix: IndexSets, r: int) -> str:
    """queue_period of requirement row r, for variable and row names."""
    return f"{ix.queues[ix.r_queue[r]]}_{ix.r_period[r]}"


def add_variables(ix: IndexSets) -> Variables:
    """One PuLP variable per column of every block of the registry, with its name, bounds and integrality."""
    blocks: dict[str, list[pulp.LpVariable]] = {}
    for b in VARIABLES:
        lo, hi, integer = b.columns(ix)
        blocks[b.name] = [
            pulp.LpVariable(name, lowBound=low, upBound=None if high == INF else high,
                            cat=pulp.LpInteger if whole else pulp.LpContinuous)
            for name, low, high, whole in zip(b.names(ix), lo.tolist(), hi.tolist(), integer.tolist(), strict=True)
        ]
    return Variables(ix, blocks)


def add_routing(prob: pulp.LpProblem, ix: IndexSets, var: Variables) -> None:
    """Each queue-period (or weekly slot) goes to exactly one eligible provider (or is unserved, soft only)."""
    by_slot: list[list[pulp.LpVariable]] = [[] for _ in range(ix.n_slots)]
    for s, zvar in zip(ix.z_slot.tolist(), var.z, strict=True):
        by_slot[s].append(zvar)
    for s, terms in enumerate(by_slot):
        if ix.soft:
            terms = terms + [var.unserved[s]]
        prob += pulp.lpSum(terms) == 1, f"route_{s}"


def add_in_house_coverage(prob: pulp.LpProblem, ix: IndexSets, var: Variables) -> None:
    """Productive in-house agents assigned to a queue cover its requirement when it is routed in-house."""
    groups_of: list[list[pulp.LpVariable]] = [[] for _ in range(len(ix.cover_req))]
    for c, avar in zip(ix.a_cover.tolist(), var.a, strict=True):
        groups_of[c].append(avar)
    steps = _level_steps_of(ix, var)
    for c, r in enumerate(ix.cover_req.tolist()):
        zvar = var.z[var.zcol[ix.b_slot[ix.r_base[r]], 0]]
        req = float(ix.r_required[r])
        lhs = pulp.lpSum(groups_of[c])
        if ix.soft:
            lhs = lhs + var.u[c]
            prob += var.u[c] <= req * zvar, f"shortfall_cap_{_label(ix, r)}"
        prob += lhs >= req * zvar + pulp.lpSum(steps.get(r, [])), f"cover_{_label(ix, r)}"


def add_group_capacity(prob: pulp.LpProblem, ix: IndexSets, var: Variables) -> None:
    """Assigned productive agents <= (1 - shrinkage) x agents on duty."""
    on_duty: dict[tuple[int, int], list[pulp.LpVariable]] = defaultdict(list)
    for k, t in zip(ix.cover_start.tolist(), ix.cover_period.tolist(), strict=True):
        on_duty[(int(ix.s_group[k]), t)].append(var.x[k])
    assigned: dict[tuple[int, int], list[pulp.LpVariable]] = defaultdict(list)
    a_period = ix.r_period[ix.cover_req[ix.a_cover]]
    for g, t, avar in zip(ix.a_group.tolist(), a_period.tolist(), var.a, strict=True):
        assigned[(g, t)].append(avar)
    D = ix.deferred  # deferrable work handled in-house takes agent time too
    for g, t, hvar, per_contact in zip(
        D.h_group.tolist(), D.h_period.tolist(), var.handled, D.h_agents.tolist(), strict=True
    ):
        if g >= 0:
            assigned[(g, t)].append(per_contact * hvar)
    groups = ix.scenario.config.groups
    for (g, t), a_vars in assigned.items():
        prob += (
            pulp.lpSum(a_vars) <= (1 - groups[g].shrinkage) * pulp.lpSum(on_duty.get((g, t), [])),
            f"capacity_{ix.groups[g]}_{t}",
        )


def add_headcount(prob: pulp.LpProblem, ix: IndexSets, var: Variables) -> None:
    """At most one shift per agent per day, at most the contract's weekly hours per agent."""
    s = ix.starts
    for gi, g in enumerate(ix.scenario.config.groups):
        H = var.heads[gi]
        mine = s[s["group"] == g.id]
        for day, rows in mine.groupby("day"):
            prob += pulp.lpSum(var.x[i] for i in rows.index) <= H, f"one_shift_per_day_{g.id}_{day}"
        for week, rows in mine.groupby("week"):
            frac = ix.week_fraction[int(week)]  # type: ignore[arg-type]  # pandas-stubs: a groupby key is any scalar
            prob += (
                pulp.lpSum(p * var.x[i] for i, p in zip(rows.index, rows["paid_h"], strict=True))
                <= g.max_hours_per_week * frac * H,
                f"weekly_hours_{g.id}_{week}",
            )


def add_day_caps(prob: pulp.LpProblem, ix: IndexSets, var: Variables) -> None:
    """A group with max_shifts_per_day: the shifts starting on each local day at most that day's number (the agents
    who can work it)."""
    s = ix.starts
    for gi, g in enumerate(ix.scenario.config.groups):
        if g.max_shifts_per_day is None:
            continue
        mine = np.nonzero(ix.s_group == gi)[0]
        for day in np.unique(ix.s_day[mine]).tolist():
            rows = mine[ix.s_day[mine] == day]
            cap = g.shift_cap(day)
            prob += pulp.lpSum(var.x[i] for i in rows.tolist()) <= cap, f"day_cap_{g.id}_{s['day'].iloc[rows[0]]}"


def _vendor_terms(ix: IndexSets, var: Variables, vi: int) -> list[tuple[int, int, pulp.LpVariable, float]]:
    """(period, week, routing var, amount) for each requirement row vendor `vi` may take; amount is
    agents (per agent-hour pricing) or contacts (per contact)."""
    p = ix.providers.index(ix.vendors[vi])
    per_contact = ix.scenario.config.vendors[vi].pricing == "per_contact"
    out = []
    for r in ix.vendor_rows(vi).tolist():
        t = int(ix.r_period[r])
        amount = float(ix.r_contacts[r] if per_contact else ix.r_required[r])
        out.append((t, int(ix.week_of[t]), var.z[var.zcol[ix.b_slot[ix.r_base[r]], p]], amount))
    return out


def _deferred_vendor_terms(
    ix: IndexSets, var: Variables, vi: int
) -> list[tuple[int, int, pulp.LpVariable, float, float]]:
    """(period, week, handled var, amount per contact, most contacts) of each handling column of vendor `vi`; amount is
    agents (per agent-hour pricing) or 1 contact (per contact)."""
    D = ix.deferred
    p = ix.providers.index(ix.vendors[vi])
    per_contact = ix.scenario.config.vendors[vi].pricing == "per_contact"
    out = []
    for c in np.nonzero(D.h_prov == p)[0].tolist():
        t = int(D.h_period[c])
        amount = 1.0 if per_contact else float(D.h_agents[c])
        out.append((t, int(ix.week_of[t]), var.handled[c], amount, float(D.waiting_max[D.h_queue[c], t])))
    return out


def add_vendor_contracts(prob: pulp.LpProblem, ix: IndexSets, var: Variables) -> None:
    """A vendor takes work only when contracted (its weekly fee: model/objective.py)."""
    for vi, v in enumerate(ix.scenario.config.vendors):
        y = var.y[vi]
        p = ix.providers.index(v.id)
        for zi in np.nonzero(ix.z_prov == p)[0].tolist():
            prob += var.z[zi] <= y, f"contract_{v.id}_{var.z[zi].name}"


def add_vendor_capacity(prob: pulp.LpProblem, ix: IndexSets, var: Variables) -> None:
    """Agents (or contacts) a vendor puts on our queues per period stay within its capacity."""
    for vi, v in enumerate(ix.scenario.config.vendors):
        cap = v.capacity_contacts if v.pricing == "per_contact" else v.capacity_agents
        if cap is None:
            continue
        by_period: dict[int, list[tuple[pulp.LpVariable, float]]] = defaultdict(list)
        most: dict[int, float] = defaultdict(float)  # the most the vendor could be asked for in the period
        for t, _w, zvar, amount in _vendor_terms(ix, var, vi) + _vendor_level_terms(ix, var, vi):
            by_period[t].append((zvar, amount))
            most[t] += amount
        for t, _w, hvar, amount, largest in _deferred_vendor_terms(ix, var, vi):
            by_period[t].append((hvar, amount))
            most[t] += amount * largest
        for t, terms in by_period.items():
            if most[t] > cap:
                prob += _affine(terms) <= cap * var.y[vi], f"vendor_capacity_{v.id}_{t}"


def add_take_or_pay(prob: pulp.LpProblem, ix: IndexSets, var: Variables) -> None:
    """Billed = max(used, weekly minimum if contracted); billed hours or contacts are priced in model/objective.py."""
    for vi, v in enumerate(ix.scenario.config.vendors):
        per_contact = v.pricing == "per_contact"
        scale = 1.0 if per_contact else ix.period_h
        minimum = v.min_contacts_per_week if per_contact else v.min_hours_per_week
        by_week: dict[int, list[tuple[pulp.LpVariable, float]]] = defaultdict(list)
        for _t, w, zvar, amount in _vendor_terms(ix, var, vi) + _vendor_level_terms(ix, var, vi):
            by_week[w].append((zvar, amount * scale))
        for _t, w, hvar, amount, _largest in _deferred_vendor_terms(ix, var, vi):
            by_week[w].append((hvar, amount * scale))
        for w, frac in enumerate(ix.week_fraction):
            billed = var.billed[vi * ix.n_weeks + w]
            if by_week.get(w):
                prob += billed >= _affine(by_week[w]), f"billed_used_{v.id}_{w}"
            if minimum:
                prob += billed >= minimum * frac * var.y[vi], f"billed_minimum_{v.id}_{w}"


def add_policy(prob: pulp.LpProblem, ix: IndexSets, var: Variables) -> None:
    """Maximum number of vendors; minimum in-house share of contacts (of required agents if no contacts)."""
    policy = ix.scenario.config.policy
    if policy.max_vendors is not None and var.y:
        prob += pulp.lpSum(var.y) <= policy.max_vendors, "max_vendors"
    if policy.min_in_house_share > 0:
        weight = ix.base_work()
        terms = [
            (var.z[var.zcol[ix.b_slot[ix.r_base[r]], 0]], float(weight[ix.r_base[r]])) for r in ix.cover_req.tolist()
        ]
        D = ix.deferred  # deferrable contacts count where they are handled
        terms += [(hvar, 1.0) for hvar, g in zip(var.handled, D.h_group.tolist(), strict=True) if g >= 0]
        total = float(weight.sum()) + float(D.arrived.sum())
        prob += _affine(terms) >= policy.min_in_house_share * total, "min_in_house_share"


# ---------------------------------------------------------------- service measured per day or week


def _level_steps_of(ix: IndexSets, var: Variables) -> dict[int, list[pulp.LpVariable]]:
    """Requirement row -> its level steps, lowest first (queues measured per day or week)."""
    out: dict[int, list[pulp.LpVariable]] = defaultdict(list)
    for r, v in zip(ix.step_req.tolist(), var.level, strict=True):
        out[r].append(v)
    return out


def _vendor_level_terms(ix: IndexSets, var: Variables, vi: int) -> list[tuple[int, int, pulp.LpVariable, float]]:
    """(period, week, level step, 1 agent) for each level step of a requirement row vendor `vi` may take."""
    p = ix.providers.index(ix.vendors[vi])
    out = []
    for r, v in zip(ix.step_req.tolist(), var.level, strict=True):
        if ix.r_prov[r] == p:
            t = int(ix.r_period[r])
            out.append((t, int(ix.week_of[t]), v, 1.0))
    return out


def add_service_levels(prob: pulp.LpProblem, ix: IndexSets, var: Variables) -> None:
    """Queues measured per day or week: a queue-period's level steps are taken in order and only when its
    provider takes it; the contact-weighted service level over each day (week) meets the target. Under a soft
    service level a day may fall short (each late contact costs its agent time), and in-house queue-periods
    of such queues have no agent shortfall (a day misses instead)."""
    steps = _level_steps_of(ix, var)
    for r, taken in steps.items():
        zvar = var.z[var.zcol[ix.b_slot[ix.r_base[r]], ix.r_prov[r]]]
        prob += taken[0] <= zvar, f"level_{taken[0].name}"
        for below, above in zip(taken, taken[1:], strict=False):
            prob += above <= below, f"level_{above.name}"
    terms: list[list[tuple[pulp.LpVariable, float]]] = [[] for _ in ix.sg_queue]
    for r, sl0 in zip(ix.m_req.tolist(), ix.m_service.tolist(), strict=True):
        g = int(ix.r_group[r])
        share = float(ix.r_contacts[r] / ix.sg_contacts[g])
        terms[g].append((var.z[var.zcol[ix.b_slot[ix.r_base[r]], ix.r_prov[r]]], share * sl0))
    for r, v, gain in zip(ix.step_req.tolist(), var.level, ix.step_gain.tolist(), strict=True):
        g = int(ix.r_group[r])
        terms[g].append((v, float(ix.r_contacts[r] / ix.sg_contacts[g]) * gain))
    soft = ix.scenario.config.policy.soft_service_level
    targets = ix.sg_target
    for g, (q, label) in enumerate(zip(ix.sg_queue.tolist(), ix.sg_label, strict=True)):
        if soft is not None:
            terms[g].append((var.late[g], 1.0 / float(ix.sg_contacts[g])))
        prob += _affine(terms[g]) >= float(targets[g]), f"service_level_{ix.queues[q]}_{label}"
    if soft is not None:
        for c, r in enumerate(ix.cover_req.tolist()):
            if ix.r_group[r] >= 0:
                var.u[c].upBound = 0  # a measured queue's day misses its target instead


# ---------------------------------------------------------------- deferrable work


def add_backlog_flow(prob: pulp.LpProblem, ix: IndexSets, var: Variables) -> None:
    """Deferrable work: b[q,t] = b[q,t-1] + A[q,t] - handled (- unanswered); b[q,-1] = b[q,P-1] on a cyclic horizon,
    0 otherwise. The deadline is the bound b[q,t] <= B[q,t] (the variables' upper bounds)."""
    D = ix.deferred
    out: dict[tuple[int, int], list[tuple[pulp.LpVariable, float]]] = defaultdict(list)
    for d, t, hvar in zip(D.h_queue.tolist(), D.h_period.tolist(), var.handled, strict=True):
        out[(d, t)].append((hvar, 1.0))
    for d, t, evar in zip(D.e_queue.tolist(), D.e_period.tolist(), var.dropped, strict=True):
        out[(d, t)].append((evar, 1.0))
    for d in range(D.n_queues):
        q = ix.queues[D.queue[d]]
        for t in range(D.n_periods):
            terms = [(var.backlog[int(D.backlog_col(d, t))], 1.0)] + out[(d, t)]
            if D.cyclic or t > 0:
                terms.append((var.backlog[int(D.backlog_col(d, t - 1))], -1.0))
            prob += _affine(terms) == float(D.arrived[d, t]), f"backlog_flow_{q}_{t}"


def add_deferred_contracts(prob: pulp.LpProblem, ix: IndexSets, var: Variables) -> None:
    """A vendor handles deferrable work only when contracted: handled <= W[q,t] x y."""
    D = ix.deferred
    vendor_of = {ix.providers.index(v): vi for vi, v in enumerate(ix.vendors)}
    for c in np.nonzero(D.h_prov > 0)[0].tolist():
        hvar = var.handled[c]
        prob += (
            hvar <= float(D.waiting_max[D.h_queue[c], D.h_period[c]]) * var.y[vendor_of[int(D.h_prov[c])]],
            f"deferred_contract_{hvar.name}",
        )


def add_response_share(prob: pulp.LpProblem, ix: IndexSets, var: Variables) -> None:
    """Share target under FIFO, exactly (docs/model.md): w <= A delta (and <= A - e), w <= x + M (1 - delta) with
    x = handled in s .. s+K-1 minus the backlog before s; per queue and week of arrival,
    sum w >= share x (arrivals - unanswered)."""
    D = ix.deferred
    owner, cols = D.window(D.w_queue, D.w_period, D.target[D.w_queue])
    in_window: dict[int, list[pulp.LpVariable]] = defaultdict(list)
    for i, c in zip(owner.tolist(), cols.tolist(), strict=True):
        in_window[i].append(var.handled[c])
    dropped_of = {(d, t): evar for d, t, evar in zip(D.e_queue.tolist(), D.e_period.tolist(), var.dropped, strict=True)}
    prev, has_prev = D.previous_backlog(D.w_queue, D.w_period)
    for i, (d, s, m) in enumerate(zip(D.w_queue.tolist(), D.w_period.tolist(), D.w_big_m.tolist(), strict=True)):
        w, delta, q = var.within[i], var.on_time[i], ix.queues[D.queue[d]]
        prob += w - float(D.arrived[d, s]) * delta <= 0, f"within_on_time_{q}_{s}"
        if (d, s) in dropped_of:
            prob += w + dropped_of[(d, s)] <= float(D.arrived[d, s]), f"within_answered_{q}_{s}"
        x = pulp.lpSum(in_window[i]) - (var.backlog[int(prev[i])] if has_prev[i] else 0)
        prob += (w - x + m * delta if m else w - x) <= m, f"within_fifo_{q}_{s}"
        if m:  # valid for every plan (W_s <= handled in the window); it tightens the relaxation of the row above
            prob += w - pulp.lpSum(in_window[i]) <= 0, f"within_window_{q}_{s}"
    rows: dict[tuple[int, int], list[tuple[pulp.LpVariable, float]]] = defaultdict(list)
    for i, (d, wk) in enumerate(zip(D.w_queue.tolist(), D.w_week.tolist(), strict=True)):
        rows[(d, wk)].append((var.within[i], 1.0))
    week_of = ix.week_of
    for d, t, evar in zip(D.e_queue.tolist(), D.e_period.tolist(), var.dropped, strict=True):
        if D.share[d] > 0 and D.target[d] < D.deadline[d]:
            rows[(d, int(week_of[t]))].append((evar, float(D.share[d])))
    for d, wk, arrived in zip(D.share_queue.tolist(), D.share_week.tolist(), D.share_arrived.tolist(), strict=True):
        prob += _affine(rows[(d, wk)]) >= float(D.share[d]) * arrived, f"response_share_{ix.queues[D.queue[d]]}_{wk}"
