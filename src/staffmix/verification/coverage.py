"""Rules `no_plan`, `coverage`, `opening_hours`: the plan has exactly one staffing row per active queue-period.

An active queue-period is open and has demand (contacts, or required agents
when demand is given so). A result without a plan must carry no plan tables.
"""

from __future__ import annotations

import math
from collections import Counter

import pandas as pd

from staffmix.verification.tables import Plan, fmt


def check_no_plan(plan: Plan) -> None:
    """A result without a plan (infeasible, no_solution, error) has empty plan tables."""
    for name in ("staffing", "shifts", "headcount", "assignments", "vendors", "costs"):
        df = getattr(plan.result, name, None)
        if isinstance(df, pd.DataFrame) and len(df):
            plan.add(
                "no_plan",
                f"table {name}",
                f"status {plan.result.status} has no plan but the table has {len(df)} row(s)",
            )


def check_coverage(plan: Plan) -> None:
    """Each active queue-period listed once, none other; the contacts match the demand."""
    if "staffing" in plan.broken:
        return
    counts = Counter((r.t, r.q) for r in plan.rows)
    for (t, q), n in sorted(counts.items()):
        if n > 1:
            plan.add("coverage", plan.where(q, t), f"listed {n} times in staffing (exactly once expected)")
    for t, q in sorted(plan.active - counts.keys()):
        plan.add("coverage", plan.where(q, t), "active queue-period (open, with demand) missing from staffing")
    reported: set[tuple[int, str]] = set()
    for r in plan.rows:
        key = (r.t, r.q)
        if key in reported:
            continue
        reported.add(key)
        if key not in plan.active:
            if r.q in plan.deferrable:
                plan.add("deferred_rows", plan.where(r.q, r.t, r.p),
                         "staffing row for a deferrable queue (its contacts belong in the backlog and handled tables)")
            elif not plan.queue_open[r.q][plan.how[r.t]]:
                plan.add("opening_hours", plan.where(r.q, r.t, r.p), "staffing row while the queue is closed")
            else:
                plan.add("coverage", plan.where(r.q, r.t, r.p), "staffing row for a queue-period without demand")
            continue
        c = plan.demand[key][0]
        if plan.kind == "required_agents":
            if not (math.isnan(r.contacts) or abs(r.contacts) <= plan.tol):
                plan.add("coverage", plan.where(r.q, r.t, r.p),
                         f"contacts {fmt(r.contacts)} reported; the demand gives required agents only")
        elif not (math.isfinite(r.contacts) and abs(r.contacts - c) <= plan.tol * max(1.0, abs(c))):
            plan.add("coverage", plan.where(r.q, r.t, r.p),
                     f"contacts {fmt(r.contacts)} differ from the demand's {fmt(c)}")
