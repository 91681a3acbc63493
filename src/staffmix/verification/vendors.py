"""Vendor rules: `vendor_capacity`, `vendor_usage`, `take_or_pay`, `vendor_fee`, `vendor_weeks`, and `cost` per
vendor-week.

A vendor is contracted when it takes any staffing row or bills anything; a
contracted vendor has one row per week of the horizon, bills at least its
weekly minimum (times the week's fraction) and pays its weekly fee.
"""

from __future__ import annotations

import math
from collections import defaultdict

from staffmix.scenario.schema import Vendor
from staffmix.verification.tables import Plan, fmt, money_close, num


def contracted_vendors(plan: Plan) -> set[str]:
    """Vendors that take any staffing row or bill anything (hours, contacts or a fee)."""
    out = {r.p for r in plan.rows if r.p in plan.vendors}
    out |= {p for _i, _t, _q, p, handled, _a in plan.handled if p in plan.vendors and handled > plan.tol}
    for _, v, _w, vals in plan.vrows:
        if any(num(vals[k]) > plan.tol for k in ("billed_hours", "billed_contacts", "fee")):
            out.add(v)
    return out


def check_vendors(plan: Plan) -> None:
    """Capacity per period, and usage, billing, fee and cost per vendor-week."""
    if plan.broken & {"staffing", "vendors"}:
        return
    tol = plan.tol
    contracted = contracted_vendors(plan)
    used_h: dict[tuple[str, int], float] = defaultdict(float)
    used_c: dict[tuple[str, int], float] = defaultdict(float)
    per_period_agents: dict[tuple[str, int], float] = defaultdict(float)
    per_period_contacts: dict[tuple[str, int], float] = defaultdict(float)
    for r in plan.rows:
        if r.p not in plan.vendors:
            continue
        c = r.contacts if math.isfinite(r.contacts) else 0.0
        w = int(plan.week[r.t])
        # billed for the agents it staffs: its requirement, or the level chosen on a day- or week-measured queue
        used_h[(r.p, w)] += (r.staffed if plan.queues[r.q].service_level.aggregated else r.required) * plan.period_h
        used_c[(r.p, w)] += c
        per_period_agents[(r.p, r.t)] += r.staffed
        per_period_contacts[(r.p, r.t)] += c
    for _i, t, _q, p, handled, agents in plan.handled:  # deferrable work: the agents it takes, the contacts handled
        if p not in plan.vendors:
            continue
        w = int(plan.week[t])
        used_h[(p, w)] += agents * plan.period_h
        used_c[(p, w)] += handled
        per_period_agents[(p, t)] += agents
        per_period_contacts[(p, t)] += handled

    # capacity per period
    for (v, t), n in sorted(per_period_agents.items()):
        vd = plan.vendors[v]
        if vd.pricing == "per_agent_hour" and vd.capacity_agents is not None and n > vd.capacity_agents + tol:
            plan.add("vendor_capacity", f"vendor {v}, {plan.at(t)}",
                     f"{fmt(n)} agents on our queues; capacity {fmt(vd.capacity_agents)}")
    for (v, t), n in sorted(per_period_contacts.items()):
        vd = plan.vendors[v]
        if vd.pricing == "per_contact" and vd.capacity_contacts is not None and n > vd.capacity_contacts + tol:
            plan.add("vendor_capacity", f"vendor {v}, {plan.at(t)}",
                     f"{fmt(n)} contacts; capacity {fmt(vd.capacity_contacts)}")

    # the weekly rows
    rows_by_key: dict[tuple[str, int], list[dict[str, float]]] = defaultdict(list)
    for _, v, w, vals in plan.vrows:
        rows_by_key[(v, w)].append(vals)
    for (v, w), lst in sorted(rows_by_key.items()):
        where = f"vendor {v}, week {w}"
        if not 0 <= w < plan.n_weeks:
            plan.add("vendor_weeks", where, f"week {w} is outside the horizon's weeks 0..{plan.n_weeks - 1}")
            continue
        if len(lst) > 1:
            plan.add("vendor_weeks", where, f"{len(lst)} rows for one vendor-week (first one checked)")
        _check_vendor_week(plan, plan.vendors[v], w, lst[0], v in contracted, used_h[(v, w)], used_c[(v, w)])
    for v in sorted(contracted):
        missing = [w for w in range(plan.n_weeks) if (v, w) not in rows_by_key]
        if missing:
            plan.add("vendor_weeks", f"vendor {v}", f"contracted but no vendors row for week(s) {missing}")


def _check_vendor_week(plan: Plan, vd: Vendor, w: int, vals: dict[str, float], contracted: bool,
                       used_hours: float, used_contacts: float) -> None:
    where = f"vendor {vd.id}, week {w}"

    def g(k: str) -> float:
        return vals[k] if math.isfinite(vals[k]) else 0.0

    def near(a: float, b: float) -> bool:
        return abs(a - b) <= plan.tol * max(1.0, abs(b))

    per_contact = vd.pricing == "per_contact"
    frac = float(plan.week_frac[w])
    # usage: the pricing's own measure strictly; the other one when reported (not 0 / NaN)
    for col, recomputed, own in (
        ("used_hours", used_hours, not per_contact),
        ("used_contacts", used_contacts, per_contact),
    ):
        reported = vals[col]
        if not own and (not math.isfinite(reported) or abs(reported) <= plan.tol):
            continue
        if not near(g(col), recomputed):
            plan.add("vendor_usage", where,
                     f"{col} {fmt(g(col))} but the staffing rows routed to {vd.id} give {fmt(recomputed)}")
    # take-or-pay
    if contracted:
        if per_contact:
            minimum = max(used_contacts, vd.min_contacts_per_week * frac)
            billed, col = g("billed_contacts"), "billed_contacts"
        else:
            minimum = max(used_hours, vd.min_hours_per_week * frac)
            billed, col = g("billed_hours"), "billed_hours"
        if billed < minimum - plan.tol * max(1.0, minimum):
            plan.add("take_or_pay", where,
                     f"{col} {fmt(billed)} below max(used, weekly minimum x {frac:.4g}) = {fmt(minimum)}")
    # fee and cost of the row
    fee_expected = vd.fee_per_week * frac if contracted else 0.0
    if not near(g("fee"), fee_expected):
        plan.add("vendor_fee", where,
                 f"fee {fmt(g('fee'))}, expected {fmt(fee_expected)} "
                 f"({'fee_per_week x week fraction' if contracted else 'not contracted'})")
    charge = (
        (vd.price_per_contact or 0.0) * g("billed_contacts")
        if per_contact
        else (vd.rate_per_hour or 0.0) * g("billed_hours")
    )
    if not money_close(g("cost"), charge + g("fee")):
        plan.add("cost", where, f"cost {fmt(g('cost'))}, expected {fmt(charge + g('fee'))} (billed x price + fee)")
