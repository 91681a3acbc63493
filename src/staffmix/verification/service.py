"""Rules `requirement`, `understaffed`, `shortfall`, `in_house_staffed`: each queue-period gets the agents its service
level needs.

For a queue measured per day or week the requirement is its lowest level
(what its period floor needs, or a stable queue within the caps); a vendor
then staffs any whole number of agents from there up (a per-contact vendor
its full requirement), and the day's service is measured.py's.

The requirement is recomputed from the queue's data: Erlang C / A
(`staffmix.queueing`, the only mathematics shared with the model) for voice
and chat, workload over the period at the allowed occupancy for email, the
given number for demand as required agents; a vendor's AHT factor applies.
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict
from typing import Any

import numpy as np

from staffmix.results.result import UNSERVED
from staffmix.scenario.schema import IN_HOUSE, Channel, Queue
from staffmix.verification.measured import vendor_level_ok
from staffmix.verification.tables import Plan, Row, fmt


def check_service(plan: Plan) -> None:
    """Staffed plus shortfall covers the requirement; shortfall only under a soft service level; in-house staffed =
    assigned."""
    assigned = _assigned_by_queue_period(plan)
    tol = plan.tol
    for r in plan.rows:
        where = plan.where(r.q, r.t, r.p)
        if r.shortfall < -tol:
            plan.add("shortfall", where, f"negative shortfall {fmt(r.shortfall)}")
        if plan.soft is None:
            if r.p == UNSERVED:
                plan.add("shortfall", where, "left unserved but the policy has no soft service level")
            elif r.shortfall > tol:
                plan.add("shortfall", where, f"shortfall {fmt(r.shortfall)} but the policy has no soft service level")
        if r.p == UNSERVED:
            if r.staffed > tol:
                plan.add("understaffed", where, f"unserved but reports {fmt(r.staffed)} staffed (nobody serves it)")
            if r.shortfall < r.required - tol:
                plan.add("understaffed", where,
                         f"unserved: shortfall {fmt(r.shortfall)} below the requirement {fmt(r.required)}")
            continue
        if r.staffed + r.shortfall < r.required - tol:
            plan.add("understaffed", where,
                     f"staffed {fmt(r.staffed)} + shortfall {fmt(r.shortfall)} < required {fmt(r.required)}")
        if r.p == IN_HOUSE:
            if "assignments" in plan.broken:
                continue
            a = assigned.get((r.t, r.q), 0.0)
            if abs(r.staffed - a) > tol:
                plan.add("in_house_staffed", where,
                         f"staffed {fmt(r.staffed)} but {fmt(a)} agents are assigned to this queue-period")
        elif _chooses_level(plan, r.q, r.p):
            if not vendor_level_ok(plan, r.staffed, r.required):
                plan.add(
                    "requirement",
                    where,
                    f"a vendor on a queue measured per {plan.queues[r.q].service_level.measured} staffs a whole number "
                    f"of agents from its lowest level up: staffed {fmt(r.staffed)}, lowest level {fmt(r.required)}",
                )
        elif abs(r.staffed - r.required) > tol:
            plan.add("requirement", where,
                     f"a vendor staffs exactly its requirement: staffed {fmt(r.staffed)} != required {fmt(r.required)}")


def _chooses_level(plan: Plan, queue: str, provider: str) -> bool:
    """The plan chooses this provider's staffing level: a queue measured per day or week, served in-house or by
    a vendor billing agent-hours (a per-contact vendor staffs its own requirement for the full target)."""
    if not plan.queues[queue].service_level.aggregated:
        return False
    return provider not in plan.vendors or plan.vendors[provider].pricing != "per_contact"


def _assigned_by_queue_period(plan: Plan) -> dict[tuple[int, str], float]:
    out: dict[tuple[int, str], float] = defaultdict(float)
    for _, t, _g, q, agents in plan.assign:
        out[(t, q)] += agents
    return out


def check_requirements(plan: Plan) -> None:
    """Every reported requirement equals the one recomputed from the queue's data."""
    # (queue, provider, at its lowest level) -> (row, contacts, effective AHT in seconds)
    need_queueing: dict[tuple[str, str, bool], list[tuple[Row, float, float]]] = defaultdict(list)
    for r in plan.rows:
        key = (r.t, r.q)
        if key not in plan.active:
            continue  # already reported by coverage
        q = plan.queues[r.q]
        p = IN_HOUSE if r.p == UNSERVED else r.p  # unserved: requirement at the queue's own AHT
        factor = plan.vendors[p].aht_factor if p in plan.vendors else 1.0
        c, aht, ra = plan.demand[key]
        if plan.kind == "required_agents":
            _compare_requirement(plan, r, math.ceil(ra * factor - 1e-9))
            continue
        base = aht if math.isfinite(aht) and aht > 0 else q.aht_s
        eff = base * factor
        if q.channel == Channel.chat:
            eff /= q.concurrency
        if q.channel == Channel.email:
            occ = q.service_level.max_occupancy or 1.0
            _compare_requirement(plan, r, math.ceil(c * eff / plan.interval_s / occ - 1e-9))
        else:
            need_queueing[(r.q, p, _chooses_level(plan, r.q, p))].append((r, c, eff))
    if not need_queueing:
        return
    try:
        from staffmix import queueing
    except Exception as exc:  # noqa: BLE001 - a missing module must not stop verify
        warnings.warn(
            f"staffmix.verify: staffmix.queueing unavailable ({type(exc).__name__}: {exc}); "
            "voice and chat requirements were not recomputed",
            RuntimeWarning,
            stacklevel=4,
        )
        return
    for (qid, _p, lowest), items in need_queueing.items():
        q = plan.queues[qid]
        contacts = np.array([c for _, c, _ in items], dtype=float)
        aht_s = np.array([a for _, _, a in items], dtype=float)
        # measured per day or week: the lowest level, what the period floor (or a stable queue) needs
        target = (q.service_level.period_floor or 0.0) if lowest else q.service_level.target
        expected = _erlang_requirements(queueing, q, contacts, aht_s, plan.interval_s, target)
        for (r, _c, _a), e in zip(items, expected, strict=True):
            if isinstance(e, str):
                plan.add("requirement", plan.where(r.q, r.t, r.p), f"cannot recompute the requirement: {e}")
            else:
                _compare_requirement(plan, r, e)


def _compare_requirement(plan: Plan, r: Row, expected: float) -> None:
    if not math.isfinite(expected):
        plan.add("requirement", plan.where(r.q, r.t, r.p),
                 f"no finite number of agents meets the service level, yet required {fmt(r.required)} is reported")
    elif abs(r.required - expected) > plan.tol:
        plan.add("requirement", plan.where(r.q, r.t, r.p),
                 f"required {fmt(r.required)} but the queue data give {fmt(expected)}")


def _erlang_requirements(queueing: Any, q: Queue, contacts: np.ndarray, aht: np.ndarray, interval_s: float,
                         target: float) -> list[Any]:
    """Required agents per row for `target` (and the queue's caps) from staffmix.queueing (vectorised, falling
    back to scalar calls)."""
    sl = q.service_level
    kw = dict(
        max_occupancy=1.0 if sl.max_occupancy is None else sl.max_occupancy,
        max_asa_s=sl.max_asa_s,
        patience_s=sl.patience_s,
        max_abandon=sl.max_abandon,
    )
    try:
        r = np.asarray(queueing.required_agents(contacts, aht, interval_s, target, sl.within_s, **kw), dtype=float)
        if r.shape == contacts.shape:
            return [float(x) for x in r]
    except Exception:  # noqa: BLE001 - fall back to one call per row
        pass
    out: list[Any] = []
    cache: dict[tuple[float, float], Any] = {}
    for c, a in zip(contacts, aht, strict=True):
        key = (float(c), float(a))
        if key not in cache:
            try:
                cache[key] = float(
                    np.asarray(queueing.required_agents(key[0], key[1], interval_s, target, sl.within_s, **kw))
                )
            except Exception as exc:  # noqa: BLE001 - reported as this row's problem; verify goes on
                cache[key] = f"staffmix.queueing.required_agents failed: {type(exc).__name__}: {exc}"
        out.append(cache[key])
    return out
