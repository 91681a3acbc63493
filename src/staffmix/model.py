"""The reference MIP, built with PuLP objects so it reads like the mathematics.

`build_model` is a table of contents: one `add_*` step per constraint family,
in the order of docs/model.md. The index sets it works on (`ModelData`) are
computed once in `prepare` and reused by result extraction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp

from staffmix.requirements import (
    base_requirements,
    covered_periods,
    group_queue_pairs,
    period_table,
    requirement_table,
    shift_starts,
    week_fractions,
)
from staffmix.schema import IN_HOUSE
from staffmix.scenario import Scenario

Key = tuple[str, int]  # (queue, period)


@dataclass
class ModelData:
    """Index sets and parameters of one scenario's MIP."""

    scenario: Scenario
    periods: pd.DataFrame
    requirements: pd.DataFrame  # period, queue, provider, contacts, aht_s, required
    base: pd.DataFrame  # period, queue, contacts, required (queue's own AHT), for shortfall
    starts: pd.DataFrame  # group, template, start_period, n_periods, paid_h, cost, day, week
    pairs: list[tuple[str, str]]  # (group, queue) that may be assigned
    week_fraction: np.ndarray
    slot_of: dict[Key, object] = field(default_factory=dict)  # routing slot per queue-period
    slot_providers: dict[object, list[str]] = field(default_factory=dict)

    @property
    def soft(self) -> bool:
        return self.scenario.config.policy.soft_service_level is not None

    @property
    def period_h(self) -> float:
        return self.scenario.config.horizon.period_h


@dataclass
class Variables:
    z: dict[tuple[object, str], pulp.LpVariable]  # (slot, provider) -> routing binary
    unserved: dict[object, pulp.LpVariable]  # slot -> binary (soft service level only)
    x: dict[int, pulp.LpVariable]  # row of starts -> shifts started
    a: dict[tuple[str, str, int], pulp.LpVariable]  # (group, queue, period) -> productive agents
    u: dict[Key, pulp.LpVariable]  # in-house shortfall (soft only)
    heads: dict[str, pulp.LpVariable]
    y: dict[str, pulp.LpVariable]
    billed: dict[tuple[str, int], pulp.LpVariable]  # (vendor, week) -> billed hours or contacts


def prepare(scenario: Scenario, requirements: pd.DataFrame | None = None) -> ModelData:
    """Compute the index sets once (shared by the model and result extraction)."""
    config = scenario.config
    periods = period_table(config)
    req = requirement_table(scenario) if requirements is None else requirements
    data = ModelData(
        scenario=scenario,
        periods=periods,
        requirements=req,
        base=base_requirements(scenario),
        starts=shift_starts(config),
        pairs=group_queue_pairs(config),
        week_fraction=week_fractions(config),
    )
    _routing_slots(data)
    return data


def _routing_slots(data: ModelData) -> None:
    """Per-period routing: one slot per queue-period. Weekly: one per queue and local weekday-hour-minute,
    open only to providers eligible in every week of that slot."""
    weekly = data.scenario.config.policy.routing == "weekly"
    p = data.periods
    key_of_period = list(zip(p["weekday"], p["hour"], p["minute"])) if weekly else None
    providers_by_key: dict[Key, set[str]] = defaultdict(set)
    for per, q, prov in zip(data.requirements["period"], data.requirements["queue"], data.requirements["provider"]):
        providers_by_key[(q, int(per))].add(prov)
    for q, per in zip(data.base["queue"], data.base["period"]):
        key = (q, int(per))
        slot = (q, key_of_period[int(per)]) if weekly else key
        data.slot_of[key] = slot
        provs = providers_by_key.get(key, set())
        if slot in data.slot_providers:
            data.slot_providers[slot] = [x for x in data.slot_providers[slot] if x in provs]
        else:
            data.slot_providers[slot] = sorted(provs, key=lambda x: (x != IN_HOUSE, x))


def build_model(scenario: Scenario, data: ModelData | None = None) -> pulp.LpProblem:
    """The reference MIP as a pulp.LpProblem (write it with .writeLP / .writeMPS for any solver)."""
    return _build(data or prepare(scenario))[0]


def _build(data: ModelData) -> tuple[pulp.LpProblem, Variables]:
    prob = pulp.LpProblem(f"staffmix_{data.scenario.name}".replace("-", "_"), pulp.LpMinimize)
    var = add_variables(data)
    cost = CostTerms()
    add_routing(prob, data, var)
    add_in_house_coverage(prob, data, var)
    add_group_capacity(prob, data, var)
    add_headcount(prob, data, var, cost)
    add_vendor_contracts(prob, data, var, cost)
    add_vendor_capacity(prob, data, var)
    add_take_or_pay(prob, data, var, cost)
    add_policy(prob, data, var)
    add_in_house_pay(data, var, cost)
    add_shortfall_penalty(data, var, cost)
    prob += cost.total(), "total_cost"
    return prob, var


class CostTerms:
    """Objective terms collected by component (so results can split the cost)."""

    def __init__(self) -> None:
        self.parts: dict[str, list[tuple[pulp.LpVariable, float]]] = defaultdict(list)

    def add(self, component: str, variable: pulp.LpVariable, coefficient: float) -> None:
        if coefficient:
            self.parts[component].append((variable, coefficient))

    def total(self) -> pulp.LpAffineExpression:
        terms = [t for part in self.parts.values() for t in part]
        return _affine(terms)


def _affine(terms: list[tuple[pulp.LpVariable, float]]) -> pulp.LpAffineExpression:
    """sum of coefficient x variable, adding up repeated variables (pulp.LpAffineExpression(list)
    keeps only the last coefficient of a repeated variable: with weekly routing a slot's variable
    appears once per week in the in-house share, and twice in a week across a DST change)."""
    expr = pulp.LpAffineExpression()
    for variable, coefficient in terms:
        expr.addterm(variable, coefficient)
    return expr


def add_variables(data: ModelData) -> Variables:
    config = data.scenario.config
    z = {}
    unserved = {}
    for i, (slot, provs) in enumerate(data.slot_providers.items()):
        for prov in provs:
            z[(slot, prov)] = pulp.LpVariable(f"z_{i}_{prov}", cat=pulp.LpBinary)
        if data.soft:
            unserved[slot] = pulp.LpVariable(f"unserved_{i}", cat=pulp.LpBinary)
    x = {
        i: pulp.LpVariable(f"x_{g}_{s}_{t}", lowBound=0, cat=pulp.LpInteger)
        for i, (g, s, t) in enumerate(zip(data.starts["group"], data.starts["template"], data.starts["start_period"]))
    }
    ih = data.requirements[data.requirements["provider"] == IN_HOUSE]
    queues_of_group: dict[str, list[str]] = defaultdict(list)
    for g, q in data.pairs:
        queues_of_group[q].append(g)
    a = {}
    u = {}
    for q, t in zip(ih["queue"], ih["period"]):
        for g in queues_of_group[q]:
            a[(g, q, int(t))] = pulp.LpVariable(f"a_{g}_{q}_{t}", lowBound=0)
        if data.soft:
            u[(q, int(t))] = pulp.LpVariable(f"u_{q}_{t}", lowBound=0)
    heads = {
        g.id: pulp.LpVariable(f"heads_{g.id}", lowBound=g.min_headcount, upBound=g.max_headcount, cat=pulp.LpInteger)
        for g in config.groups
    }
    y = {v.id: pulp.LpVariable(f"y_{v.id}", cat=pulp.LpBinary) for v in config.vendors}
    weeks = range(len(data.week_fraction))
    billed = {(v.id, w): pulp.LpVariable(f"billed_{v.id}_{w}", lowBound=0) for v in config.vendors for w in weeks}
    return Variables(z, unserved, x, a, u, heads, y, billed)


def add_routing(prob: pulp.LpProblem, data: ModelData, var: Variables) -> None:
    """Each queue-period (or weekly slot) goes to exactly one eligible provider (or is unserved, soft only)."""
    for i, (slot, provs) in enumerate(data.slot_providers.items()):
        terms = [var.z[(slot, p)] for p in provs]
        if data.soft:
            terms.append(var.unserved[slot])
        prob += pulp.lpSum(terms) == 1, f"route_{i}"


def add_in_house_coverage(prob: pulp.LpProblem, data: ModelData, var: Variables) -> None:
    """Productive in-house agents assigned to a queue cover its requirement when it is routed in-house."""
    ih = data.requirements[data.requirements["provider"] == IN_HOUSE]
    groups_of: dict[tuple[str, int], list[str]] = defaultdict(list)
    for g, q, t in var.a:
        groups_of[(q, t)].append(g)
    for q, t, r in zip(ih["queue"], ih["period"], ih["required"]):
        key = (q, int(t))
        zvar = var.z.get((data.slot_of[key], IN_HOUSE))
        if zvar is None:  # weekly slot where in-house is not eligible every week
            continue
        lhs = pulp.lpSum(var.a[(g, q, int(t))] for g in groups_of[key])
        if data.soft:
            lhs = lhs + var.u[key]
            prob += var.u[key] <= float(r) * zvar, f"shortfall_cap_{q}_{t}"
        prob += lhs >= float(r) * zvar, f"cover_{q}_{t}"


def add_group_capacity(prob: pulp.LpProblem, data: ModelData, var: Variables) -> None:
    """Assigned productive agents <= (1 - shrinkage) x agents on duty."""
    h = data.scenario.config.horizon
    on_duty: dict[tuple[str, int], list[pulp.LpVariable]] = defaultdict(list)
    for i, (g, t0, n) in enumerate(zip(data.starts["group"], data.starts["start_period"], data.starts["n_periods"])):
        for t in covered_periods(int(t0), int(n), h.periods, h.cyclic):
            on_duty[(g, t)].append(var.x[i])
    assigned: dict[tuple[str, int], list[pulp.LpVariable]] = defaultdict(list)
    for (g, q, t), v in var.a.items():
        assigned[(g, t)].append(v)
    shrink = {g.id: g.shrinkage for g in data.scenario.config.groups}
    for (g, t), a_vars in assigned.items():
        prob += (
            pulp.lpSum(a_vars) <= (1 - shrink[g]) * pulp.lpSum(on_duty.get((g, t), [])),
            f"capacity_{g}_{t}",
        )


def add_headcount(prob: pulp.LpProblem, data: ModelData, var: Variables, cost: CostTerms) -> None:
    """At most one shift per agent per day, at most the contract's weekly hours per agent."""
    config = data.scenario.config
    n_weeks = config.horizon.periods * config.horizon.interval_min / (7 * 24 * 60)
    s = data.starts
    for g in config.groups:
        H = var.heads[g.id]
        cost.add("in_house_headcount", H, g.cost_per_head_per_week * n_weeks)
        mine = s[s["group"] == g.id]
        for day, rows in mine.groupby("day"):
            prob += pulp.lpSum(var.x[i] for i in rows.index) <= H, f"one_shift_per_day_{g.id}_{day}"
        for week, rows in mine.groupby("week"):
            frac = data.week_fraction[int(week)]
            prob += (
                pulp.lpSum(p * var.x[i] for i, p in zip(rows.index, rows["paid_h"])) <= g.max_hours_per_week * frac * H,
                f"weekly_hours_{g.id}_{week}",
            )


def _vendor_terms(data: ModelData, var: Variables, vendor_id: str, per_contact: bool) -> list[tuple[int, int, pulp.LpVariable, float]]:
    """(period, week, routing var, amount) for each queue-period the vendor may take;
    amount is agents (per agent-hour pricing) or contacts (per contact)."""
    r = data.requirements[data.requirements["provider"] == vendor_id]
    week = data.periods["week"].to_numpy()
    out = []
    for q, t, req, contacts in zip(r["queue"], r["period"], r["required"], r["contacts"]):
        zvar = var.z.get((data.slot_of[(q, int(t))], vendor_id))
        if zvar is not None:
            out.append((int(t), int(week[int(t)]), zvar, float(contacts if per_contact else req)))
    return out


def add_vendor_contracts(prob: pulp.LpProblem, data: ModelData, var: Variables, cost: CostTerms) -> None:
    """A vendor takes work only when contracted; a contract costs its weekly fee."""
    n_weeks = float(data.week_fraction.sum())
    for v in data.scenario.config.vendors:
        y = var.y[v.id]
        cost.add("vendor_fees", y, v.fee_per_week * n_weeks)
        for (slot, prov), zvar in var.z.items():
            if prov == v.id:
                prob += zvar <= y, f"contract_{v.id}_{zvar.name}"


def add_vendor_capacity(prob: pulp.LpProblem, data: ModelData, var: Variables) -> None:
    """Agents (or contacts) a vendor puts on our queues per period stay within its capacity."""
    for v in data.scenario.config.vendors:
        per_contact = v.pricing == "per_contact"
        cap = v.capacity_contacts if per_contact else v.capacity_agents
        if cap is None:
            continue
        by_period: dict[int, list[tuple[pulp.LpVariable, float]]] = defaultdict(list)
        for t, _w, zvar, amount in _vendor_terms(data, var, v.id, per_contact):
            by_period[t].append((zvar, amount))
        for t, terms in by_period.items():
            if sum(a for _, a in terms) > cap:
                prob += _affine(terms) <= cap * var.y[v.id], f"vendor_capacity_{v.id}_{t}"


def add_take_or_pay(prob: pulp.LpProblem, data: ModelData, var: Variables, cost: CostTerms) -> None:
    """Billed = max(used, weekly minimum if contracted), priced per agent-hour or per contact."""
    for v in data.scenario.config.vendors:
        per_contact = v.pricing == "per_contact"
        scale = 1.0 if per_contact else data.period_h
        minimum = v.min_contacts_per_week if per_contact else v.min_hours_per_week
        price = v.price_per_contact if per_contact else v.rate_per_hour
        by_week: dict[int, list[tuple[pulp.LpVariable, float]]] = defaultdict(list)
        for _t, w, zvar, amount in _vendor_terms(data, var, v.id, per_contact):
            by_week[w].append((zvar, amount * scale))
        for w, frac in enumerate(data.week_fraction):
            billed = var.billed[(v.id, w)]
            cost.add("vendor_contacts" if per_contact else "vendor_hours", billed, float(price))
            if by_week.get(w):
                prob += billed >= _affine(by_week[w]), f"billed_used_{v.id}_{w}"
            if minimum:
                prob += billed >= minimum * frac * var.y[v.id], f"billed_minimum_{v.id}_{w}"


def add_policy(prob: pulp.LpProblem, data: ModelData, var: Variables) -> None:
    """Maximum number of vendors; minimum in-house share of contacts (of required agent-hours if no contacts)."""
    policy = data.scenario.config.policy
    if policy.max_vendors is not None and var.y:
        prob += pulp.lpSum(var.y.values()) <= policy.max_vendors, "max_vendors"
    if policy.min_in_house_share > 0:
        weight_col = "required" if data.scenario.demand_kind == "required_agents" else "contacts"
        total = float(data.base[weight_col].sum())
        ih = data.requirements[data.requirements["provider"] == IN_HOUSE]
        weight = dict(zip(zip(ih["queue"], ih["period"]), data.base.set_index(["queue", "period"])[weight_col].reindex(list(zip(ih["queue"], ih["period"]))).to_numpy()))
        terms = []
        for (q, t), w in weight.items():
            zvar = var.z.get((data.slot_of[(q, int(t))], IN_HOUSE))
            if zvar is not None:
                terms.append((zvar, float(w)))
        prob += _affine(terms) >= policy.min_in_house_share * total, "min_in_house_share"


def add_in_house_pay(data: ModelData, var: Variables, cost: CostTerms) -> None:
    """Each shift started costs its paid hours at the group's rate, night hours with the premium."""
    for i, c in zip(data.starts.index, data.starts["cost"]):
        cost.add("in_house_pay", var.x[i], float(c))


def add_shortfall_penalty(data: ModelData, var: Variables, cost: CostTerms) -> None:
    """Soft service level: each agent-hour short of the requirement costs the penalty."""
    soft = data.scenario.config.policy.soft_service_level
    if soft is None:
        return
    per_agent = soft.penalty_per_agent_hour * data.period_h
    for key, u in var.u.items():
        cost.add("shortfall_penalty", u, per_agent)
    base = dict(zip(zip(data.base["queue"], data.base["period"]), data.base["required"]))
    slot_req: dict[object, float] = defaultdict(float)
    for key, slot in data.slot_of.items():
        slot_req[slot] += float(base[key])
    for slot, zvar in var.unserved.items():
        cost.add("shortfall_penalty", zvar, per_agent * slot_req[slot])
