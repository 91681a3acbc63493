"""Rules `day_service` and `period_floor`: queues whose service level is measured over a day or a week.

For such a queue (`service_level.measured: day` or `week`) the target holds
for the contact-weighted service level over each local day (or ISO week of
the local calendar) of the horizon's time zone, not in every period; no
served period may fall below `period_floor`. Both are recomputed here from
the plan's staffing alone: each queue-period's whole agents
(floor(staffed)) give its service level by Erlang C (Erlang A when callers
abandon, counting every offered contact, abandoned ones as failures), at the
provider's AHT (its AHT factor; chat divided by its concurrency). Unserved
queue-periods count as 0 with their contacts. Under a soft service level a
day or week may miss its target: the contacts short of it are priced (see
`late_contacts`), and `cost` checks that price.
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict
from typing import Any

import numpy as np

from staffmix.results.result import UNSERVED
from staffmix.scenario.schema import Queue
from staffmix.verification.tables import Plan, fmt


def measure_key(plan: Plan, q: Queue, t: int) -> str:
    """The day ('2026-03-02') or ISO week ('2026-W10') of period t over which queue q is measured."""
    if q.service_level.measured == "day":
        return plan.day[t].isoformat()
    year, week, _ = plan.starts[t].isocalendar()
    return f"{year}-W{week:02d}"


def row_service(plan: Plan) -> dict[tuple[int, str], float]:
    """Service level of every staffing row of a measured queue, (period, queue) -> share answered in time."""
    try:
        from staffmix import queueing
    except Exception as exc:  # noqa: BLE001 - a missing module must not stop verify
        warnings.warn(f"staffmix.verify: staffmix.queueing unavailable ({exc}); day service levels not checked",
                      RuntimeWarning, stacklevel=4)
        return {}
    out: dict[tuple[int, str], float] = {}
    for r in plan.rows:
        q = plan.queues[r.q]
        if not q.service_level.aggregated or (r.t, r.q) not in plan.active:
            continue
        if r.p == UNSERVED:
            out[(r.t, r.q)] = 0.0
            continue
        out[(r.t, r.q)] = _service(queueing, plan, q, r.t, r.p, r.staffed)
    return out


def _service(queueing: Any, plan: Plan, q: Queue, t: int, provider: str, staffed: float) -> float:
    c, aht, _ = plan.demand[(t, q.id)]
    base = aht if math.isfinite(aht) and aht > 0 else q.aht_s
    eff = base * (plan.vendors[provider].aht_factor if provider in plan.vendors else 1.0)
    if q.channel == "chat":
        eff /= q.concurrency
    agents = math.floor(staffed + 1e-6)
    load = c * eff / plan.interval_s
    sl = q.service_level
    if sl.patience_s is not None:
        return float(queueing.erlang_a_service_level(agents, load, eff, sl.patience_s, sl.within_s))
    return float(queueing.service_level(agents, load, eff, sl.within_s))


def measured_groups(plan: Plan, service: dict[tuple[int, str], float]) -> dict[tuple[str, str], tuple[float, float]]:
    """(queue, day or week) -> (contacts of its active queue-periods, contacts answered in time)."""
    out: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for t, qid in plan.active:
        q = plan.queues[qid]
        if not q.service_level.aggregated:
            continue
        c = plan.demand[(t, qid)][0]
        acc = out[(qid, measure_key(plan, q, t))]
        acc[0] += c
        acc[1] += c * service.get((t, qid), 0.0)  # a missing row (reported by coverage) answers nobody
    return {k: (v[0], v[1]) for k, v in out.items()}


def late_contacts(plan: Plan, service: dict[tuple[int, str], float] | None = None) -> dict[tuple[str, str], float]:
    """Contacts a measured day or week falls short of its target by (target x contacts - answered in time), where
    positive."""
    service = row_service(plan) if service is None else service
    out = {}
    for (qid, key), (contacts, answered) in measured_groups(plan, service).items():
        short = plan.queues[qid].service_level.target * contacts - answered
        if short > 0:
            out[(qid, key)] = short
    return out


def late_penalty(plan: Plan) -> float:
    """What the late contacts of measured queues cost under a soft service level: each at the penalty per
    agent-hour for the agent time one contact takes (AHT, chat divided by its concurrency)."""
    if plan.soft is None or not any(q.service_level.aggregated for q in plan.queues.values()):
        return 0.0
    total = 0.0
    for (qid, _key), short in late_contacts(plan).items():
        q = plan.queues[qid]
        total += short * q.aht_s / q.concurrency / 3600.0
    return plan.soft.penalty_per_agent_hour * total


def check_measured_service(plan: Plan) -> None:
    """Each measured day or week meets its target (hard service level); no served period below its floor."""
    if "staffing" in plan.broken or not any(q.service_level.aggregated for q in plan.queues.values()):
        return
    service = row_service(plan)
    if plan.soft is None:
        for (qid, key), (contacts, answered) in sorted(measured_groups(plan, service).items()):
            target = plan.queues[qid].service_level.target
            level = answered / contacts if contacts else 1.0
            if level < target - plan.tol:
                q = plan.queues[qid]
                plan.add("day_service", f"queue {qid}, {q.service_level.measured} {key}",
                         f"service level {level:.4%} over {fmt(contacts)} contacts is below the target {target:.4%} "
                         f"(answered within {q.service_level.within_s:g} s, recomputed from the staffing)")
    for r in plan.rows:
        floor = plan.queues[r.q].service_level.period_floor
        sl = service.get((r.t, r.q))
        if floor is None or sl is None or r.p == UNSERVED:
            continue
        if sl < floor - plan.tol:
            plan.add(
                "period_floor",
                plan.where(r.q, r.t, r.p),
                f"service level {sl:.4%} with {fmt(math.floor(r.staffed + 1e-6))} agents "
                f"is below the floor {floor:.4%}",
            )


def vendor_level_ok(plan: Plan, staffed: float, required: float) -> bool:
    """A vendor on a measured queue staffs a whole number of agents, at least its lowest level."""
    return abs(staffed - round(staffed)) <= plan.tol and staffed >= required - plan.tol and bool(np.isfinite(staffed))
