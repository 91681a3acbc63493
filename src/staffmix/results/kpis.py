"""Headline numbers of a plan: what a planner or a batch summary reads first.

Cost, cost per contact, the in-house share and the share of night work
outsourced, vendors used, unmet queue-periods and those below target
(results/targets.py), the lowest service level of any queue-period, and the
volume-weighted service level overall and per queue. Deferrable contacts
count where and when they are handled (night work is work handled at night),
and their service level is the share handled within target. Shares are of the work: contacts, or
required agents when demand is given as agents (then there are no contacts,
and `contacts` and `cost_per_contact` are None).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from staffmix.model.index_sets import IndexSets
from staffmix.results.result import Result
from staffmix.scenario.schema import IN_HOUSE, UNSERVED
from staffmix.results.targets import below_target, lowest_service_level

DEFAULT_NIGHT_HOURS = frozenset({22, 23, 0, 1, 2, 3, 4, 5})
"""Night hours when no group names its own."""


def compute_kpis(result: Result, ix: IndexSets) -> dict[str, Any]:
    """The KPIs of `result`, a plan for the scenario of `ix`."""
    s = result.staffing
    work = s["required" if ix.by_agents else "contacts"].to_numpy(dtype=float)
    total_work = float(work.sum())
    in_house = float(work[(s["provider"] == IN_HOUSE).to_numpy()].sum())
    night_hours: set[int] = set()
    for g in ix.scenario.config.groups:
        night_hours |= set(g.night_hours)
    night_hours = night_hours or set(DEFAULT_NIGHT_HOURS)
    hours = ix.periods["hour"].to_numpy()[s["period"].to_numpy()] if len(s) else np.zeros(0, int)
    night = np.isin(hours, list(night_hours))
    night_work = float(work[night].sum())
    night_vendor = float(work[night & ~s["provider"].isin([IN_HOUSE, UNSERVED]).to_numpy()].sum())
    unmet = int(((s["shortfall"] > 1e-6) | (s["provider"] == UNSERVED)).sum())
    unanswered = 0
    if not result.backlog.empty:  # deferrable work: contacts count where, and at which hour, they are handled
        h = result.handled
        handled = h["handled"].to_numpy(dtype=float)
        at_night = np.isin(ix.periods["hour"].to_numpy()[h["period"].to_numpy(dtype=np.int64)], list(night_hours))
        total_work += float(result.backlog["arrived"].sum())
        in_house += float(handled[(h["provider"] == IN_HOUSE).to_numpy()].sum())
        night_work += float(handled[at_night].sum())
        night_vendor += float(handled[at_night & (h["provider"] != IN_HOUSE).to_numpy()].sum())
        unanswered = int((result.backlog["unanswered"] > 1e-6).sum())
        unmet += unanswered
    total_contacts = None if ix.by_agents else total_work
    kpis: dict[str, Any] = {
        "total_cost": result.objective,
        "contacts": total_contacts,
        "cost_per_contact": (
            result.objective / total_contacts if total_contacts and result.objective is not None else None
        ),
        "in_house_share": in_house / total_work if total_work else None,
        "night_share_outsourced": night_vendor / night_work if night_work else None,
        "vendors_used": sorted((set(s["provider"]) | set(result.handled["provider"])) - {IN_HOUSE, UNSERVED}),
        "unmet_periods": unmet,
        # below target: the staffing's queue-periods (results/targets.py) and deferrable queue-periods with contacts
        # left unanswered (soft service level)
        "below_target_periods": int(below_target(s, ix.scenario.config).sum()) + unanswered,
        "min_service_level": lowest_service_level(s),
    }
    overall = result.service("overall")
    kpis["service_level"] = float(overall["service_level"].iloc[0]) if len(overall) else None
    for _, row in result.service("queue").iterrows():
        kpis[f"service_level.{row['queue']}"] = float(row["service_level"])
    return kpis
