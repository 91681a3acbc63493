"""Policy rules: `max_vendors` and `in_house_share`."""

from __future__ import annotations

import math

from staffmix.scenario.schema import IN_HOUSE
from staffmix.verification.tables import Plan, fmt
from staffmix.verification.vendors import contracted_vendors


def check_policy(plan: Plan) -> None:
    """At most policy.max_vendors contracted; in-house share of contacts (or required agent-hours) at least the
    minimum."""
    policy = plan.config.policy
    contracted = contracted_vendors(plan)
    if "staffing" in plan.broken:
        return
    if policy.max_vendors is not None and len(contracted) > policy.max_vendors:
        plan.add(
            "max_vendors",
            "policy",
            f"{len(contracted)} vendors contracted ({', '.join(sorted(contracted))}); at most {policy.max_vendors}",
        )
    if policy.min_in_house_share <= 0:
        return
    weight: dict[tuple[int, str], float] = {}
    for (t, q) in plan.active:
        c, _aht, ra = plan.demand[(t, q)]
        # required agents: weight by the queue's (in-house) required agent-hours
        weight[(t, q)] = math.ceil(ra - 1e-9) * plan.period_h if plan.kind == "required_agents" else c
    total = sum(weight.values())
    in_house_keys = {(r.t, r.q) for r in plan.rows if r.p == IN_HOUSE}
    ih = sum(weight[k] for k in in_house_keys if k in weight)
    # deferrable contacts count where they are handled
    total += sum(float(a.sum()) for a in plan.arrivals.values())
    ih += sum(h for _i, _t, q, p, h, _a in plan.handled if p == IN_HOUSE and q in plan.deferrable)
    need = policy.min_in_house_share * total
    if ih < need - plan.tol * max(1.0, need):
        what = "required agent-hours" if plan.kind == "required_agents" else "contacts"
        plan.add("in_house_share", "policy",
                 f"in-house {what} {fmt(ih)} of {fmt(total)} ({ih / total if total else 0:.4%}); "
                 f"at least {policy.min_in_house_share:.4%} required")
