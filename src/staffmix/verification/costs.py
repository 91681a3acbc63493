"""Rules `cost` and `kpis`: the objective, each cost component and kpis['total_cost'] equal the plan's cost recomputed.

In-house pay (paid hours with the night premium for the shift's night
share), headcount cost per week, vendor hours, contacts and fees from the
vendor rows, and the shortfall penalty under a soft service level (agent-hours
short, and the contacts a day- or week-measured queue falls short of its target).
"""

from __future__ import annotations

import math

from staffmix.results.result import COST_COMPONENTS
from staffmix.verification.measured import late_penalty
from staffmix.verification.tables import Plan, fmt, money_close, num


def check_costs(plan: Plan) -> None:
    """The objective, every cost component and kpis['total_cost'] against the recomputed cost."""
    unreadable = plan.broken & {"staffing", "shifts", "headcount", "vendors"}
    if unreadable:
        plan.add("malformed", "objective", f"cost not recomputed: table(s) {', '.join(sorted(unreadable))} unreadable")
        return
    expected = _recomputed_costs(plan)
    total = sum(expected.values())
    obj = num(getattr(plan.result, "objective", None))
    if not math.isfinite(obj):
        plan.add("cost", "objective", f"no finite objective reported; recomputed {fmt(total)}")
    elif not money_close(obj, total):
        plan.add("cost", "objective", f"objective {fmt(obj)} but the plan costs {fmt(total)}")

    df = plan.table("costs", ["component", "amount"])
    if df is not None:
        reported: dict[str, float] = {}
        for comp, amount in df[["component", "amount"]].itertuples(index=False, name=None):
            a = num(amount)
            if comp in reported:
                plan.add("malformed", f"cost component {comp}", "listed twice (summed)")
            if not math.isfinite(a):
                plan.add("malformed", f"cost component {comp}", f"amount {amount!r} is not a finite number")
                a = 0.0
            reported[comp] = reported.get(comp, 0.0) + a
        for comp in COST_COMPONENTS:
            got = reported.get(comp, 0.0)
            if not money_close(got, expected[comp]):
                plan.add("cost", f"cost component {comp}", f"reported {fmt(got)}, recomputed {fmt(expected[comp])}")
        for comp, got in reported.items():
            if comp not in COST_COMPONENTS and abs(got) > 1e-4:
                plan.add("cost", f"cost component {comp}", f"unknown component with amount {fmt(got)}")

    kpis = getattr(plan.result, "kpis", None)
    if isinstance(kpis, dict) and "total_cost" in kpis:
        k = num(kpis["total_cost"])
        ref = obj if math.isfinite(obj) else total
        if not (math.isfinite(k) and money_close(k, ref)):
            plan.add(
                "kpis", "kpis total_cost", f"total_cost {kpis['total_cost']!r} differs from the objective {fmt(ref)}"
            )


def _finite_or_zero(value: float) -> float:
    """A reported number, or 0 where the row left it empty (NaN): a missing fee costs nothing."""
    return value if math.isfinite(value) else 0.0


def _recomputed_costs(plan: Plan) -> dict[str, float]:
    pay = 0.0
    for _, g, s, t0, count in plan.shifts:
        grp, tpl = plan.groups[g], plan.templates[s]
        n = int(round(tpl.length_h * 60 / plan.interval_min))
        start_h = float(plan.hour[t0]) + plan.minute[t0] / 60.0
        night = set(grp.night_hours)
        n_night = sum(1 for i in range(n) if int((start_h + i * plan.interval_min / 60.0) % 24) in night)
        frac = n_night / n if n else 0.0
        pay += count * grp.rate_per_hour * tpl.paid_h * (1.0 + grp.night_premium * frac)
    n_weeks = plan.n_periods * plan.interval_min / (7 * 24 * 60)
    heads = sum(grp.cost_per_head_per_week * plan.heads.get(g, 0.0) * n_weeks for g, grp in plan.groups.items())
    hours = contacts = fees = 0.0
    for _, v, _w, vals in plan.vrows:
        vd = plan.vendors[v]
        if vd.pricing == "per_contact":
            contacts += (vd.price_per_contact or 0.0) * _finite_or_zero(vals["billed_contacts"])
        else:
            hours += (vd.rate_per_hour or 0.0) * _finite_or_zero(vals["billed_hours"])
        fees += _finite_or_zero(vals["fee"])
    penalty = 0.0
    if plan.soft is not None:
        penalty = plan.soft.penalty_per_agent_hour * sum(r.shortfall for r in plan.rows) * plan.period_h
        penalty += late_penalty(plan)  # days (weeks) of measured queues short of their target
        for _i, _t, q, vals in plan.backlog:  # unanswered deferrable contacts: the in-house agent-hours they need
            if q in plan.deferrable and math.isfinite(vals["unanswered"]):
                queue = plan.queues[q]
                need_h = queue.aht_s / 3600.0 / (queue.service_level.max_occupancy or 1.0)
                penalty += plan.soft.penalty_per_agent_hour * vals["unanswered"] * need_h
    return {
        "in_house_pay": pay,
        "in_house_headcount": heads,
        "vendor_hours": hours,
        "vendor_contacts": contacts,
        "vendor_fees": fees,
        "shortfall_penalty": penalty,
    }
