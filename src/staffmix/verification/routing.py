"""Who takes each queue-period: rules `language`, `certification`, `region`, `window`, `pricing`,
`providers_allowed`, `in_house_queue` (for vendors and, through the assignments, in-house groups)
and `weekly_routing` (one provider per queue and hour of week when the policy asks for it).

Re-derived here from the scenario's fields, deliberately apart from
`staffmix.scenario.eligibility` (the model's rule), so that a bug there cannot hide.
"""

from __future__ import annotations

from collections import defaultdict

from staffmix.results.result import UNSERVED
from staffmix.scenario.schema import DAYS, IN_HOUSE, Queue
from staffmix.verification.tables import Plan


def check_eligibility(plan: Plan) -> None:
    """Every staffing row's provider and every assigned group may take its queue at that period."""
    cache: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for r in plan.rows:
        q = plan.queues[r.q]
        key = (r.q, r.p)
        if key not in cache:
            cache[key] = _static_reasons(plan, q, r.p)
        for rule, msg in cache[key]:
            plan.add(rule, plan.where(r.q, r.t, r.p), msg)
        if r.p in plan.vendors and not plan.vendor_open[r.p][plan.how[r.t]]:
            plan.add("window", plan.where(r.q, r.t, r.p),
                     f"vendor {r.p} is closed at {DAYS[plan.weekday[r.t]]} {plan.hour[r.t]:02d}:{plan.minute[r.t]:02d}")
    gcache: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for _, t, g, qid, agents in plan.assign:
        if agents <= plan.tol:
            continue
        if (g, qid) not in gcache:
            grp = plan.groups[g]
            gcache[(g, qid)] = _fit_reasons(
                plan.queues[qid], grp.languages, grp.certifications, grp.region, f"group {g}"
            )
        for rule, msg in gcache[(g, qid)]:
            plan.add(rule, plan.where(qid, t, IN_HOUSE, group=g), msg)


def _static_reasons(plan: Plan, q: Queue, p: str) -> list[tuple[str, str]]:
    """Eligibility problems of provider p for queue q that do not depend on the period."""
    out: list[tuple[str, str]] = []
    if p == UNSERVED:
        return out
    if p != IN_HOUSE:
        v = plan.vendors[p]
        out += _fit_reasons(q, v.languages, v.certifications, v.region, f"vendor {p}")
        if v.pricing == "per_contact" and plan.kind == "required_agents":
            out.append(("pricing", f"per-contact vendor {p} cannot take demand given as required agents"))
        if q.id in plan.config.policy.in_house_queues:
            out.append(("in_house_queue", f"policy keeps queue {q.id} in-house but it goes to {p}"))
    if q.providers_allowed is not None and p not in q.providers_allowed:
        out.append(("providers_allowed", f"{p} is not among the queue's providers_allowed {q.providers_allowed}"))
    if p in q.providers_forbidden:
        out.append(("providers_allowed", f"{p} is in the queue's providers_forbidden"))
    return out


def _fit_reasons(
    q: Queue, languages: list[str], certifications: list[str], region: str, who: str
) -> list[tuple[str, str]]:
    """(rule, message) for each need of queue `q` a provider with these attributes does not meet."""
    out = []
    if q.language not in languages:
        out.append(("language", f"{who} does not speak {q.language!r} (speaks {languages})"))
    missing = sorted(set(q.certifications) - set(certifications))
    if missing:
        out.append(("certification", f"{who} lacks certification(s) {missing}"))
    if q.regions is not None and region not in q.regions:
        out.append(("region", f"{who} sits in region {region!r}; the queue allows {q.regions}"))
    return out


def check_weekly_routing(plan: Plan) -> None:
    """With weekly routing, a queue goes to one provider at the same local hour of every week."""
    if plan.config.policy.routing != "weekly":
        return
    by_slot: dict[tuple[str, int, int, int], dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for r in plan.rows:
        if r.p == UNSERVED:
            continue
        slot = (r.q, int(plan.weekday[r.t]), int(plan.hour[r.t]), int(plan.minute[r.t]))
        by_slot[slot][r.p].append(r.t)
    for (q, wd, h, m), provs in sorted(by_slot.items()):
        if len(provs) > 1:
            detail = "; ".join(f"{p}: periods {sorted(ts)}" for p, ts in sorted(provs.items()))
            plan.add("weekly_routing", f"queue {q}, {DAYS[wd]} {h:02d}:{m:02d}",
                     f"weekly routing needs one provider at this hour of every week, got {detail}")
