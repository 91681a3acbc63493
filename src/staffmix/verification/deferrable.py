"""Deferrable work (queues with response_within_h): rules `deferred_rows`, `deferred_capacity`, `deferred_agents`,
`deferred_flow`, `deadline`, `response_share`, `unanswered` and `backlog`, plus the eligibility rules of whoever
handles it.

Everything is recomputed from the scenario's demand and the result's
`handled` table (and the unanswered contacts the `backlog` table reports):
contacts arrive in cohorts, one per period, wait in a first-in-first-out
line and are handled oldest first, cohort by cohort. On a cyclic horizon
the plan repeats: three cycles are run, the first may idle (it settles the
backlog the plan carries over from the week before, the least its handled
numbers allow) and the second is the one measured. A contact arriving in s
and handled in d waited d - s + 1 periods; it must have waited at most H
(response_within_h in periods), and within target at most K.

This is a different computation from the model side's results/deferrable_fifo.py (cumulative
curves), by design: the two are checked against each other on every plan.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque

import numpy as np

from staffmix.scenario.schema import IN_HOUSE
from staffmix.verification.routing import _static_reasons
from staffmix.verification.tables import Plan, fmt

MAX_REPORTED = 10
"""Late arrival periods reported one by one per queue; the rest are counted in one more violation."""


def check_deferred(plan: Plan) -> None:
    """Who handles deferrable work, with which agents, when (deadline, share target) and what the backlog table says."""
    if "handled" in plan.broken:
        return
    handled_at: dict[str, np.ndarray] = {q: np.zeros(plan.n_periods) for q in plan.deferrable}
    in_house: dict[tuple[int, str], float] = defaultdict(float)
    reported_ih_agents: dict[tuple[int, str], float] = defaultdict(float)
    for _i, t, q, p, handled, agents in plan.handled:
        where = plan.where(q, t, p)
        if q not in plan.deferrable:
            plan.add(
                "deferred_rows", where, f"handled row for queue {q}, which is not deferrable (no response_within_h)"
            )
            continue
        handled_at[q][t] += handled
        for rule, msg in _static_reasons(plan, plan.queues[q], p):
            plan.add(rule, where, msg)
        if p == IN_HOUSE:
            in_house[(t, q)] += handled
            reported_ih_agents[(t, q)] += agents
            continue
        if not plan.vendor_open[p][plan.how[t]]:
            plan.add("window", where, f"vendor {p} is closed then")
        expected = handled * _seconds(plan, q, p) / plan.interval_s
        if abs(agents - expected) > plan.tol * max(1.0, expected):
            plan.add(
                "deferred_agents",
                where,
                f"agents {fmt(agents)}, but {fmt(handled)} contacts x AHT x factor / (period x occupancy) = "
                f"{fmt(expected)}",
            )
    _check_in_house_agents(plan, in_house, reported_ih_agents)
    unanswered = _unanswered(plan)
    for q in plan.deferrable:
        _check_queue(plan, q, plan.arrivals[q], handled_at[q], unanswered[q])


def _seconds(plan: Plan, q: str, p: str) -> float:
    """Agent-seconds one contact of queue q takes provider p: AHT x vendor factor / occupancy cap."""
    queue = plan.queues[q]
    factor = plan.vendors[p].aht_factor if p in plan.vendors else 1.0
    return queue.aht_s * factor / (queue.service_level.max_occupancy or 1.0)


def _check_in_house_agents(plan: Plan, handled: dict, reported: dict) -> None:
    """In-house contacts need the agents assigned to the queue-period (assignments table); the handled table reports
    them."""
    if "assignments" in plan.broken:
        return
    assigned: dict[tuple[int, str], float] = defaultdict(float)
    for _i, t, _g, q, agents in plan.assign:
        if q in plan.deferrable:
            assigned[(t, q)] += agents
    for key in sorted(set(handled) | set(assigned)):
        t, q = key
        need = handled.get(key, 0.0) * _seconds(plan, q, IN_HOUSE) / plan.interval_s
        have = assigned.get(key, 0.0)
        where = plan.where(q, t, IN_HOUSE)
        if have < need - plan.tol * max(1.0, need):
            plan.add("deferred_capacity", where,
                     f"{fmt(handled.get(key, 0.0))} contacts handled in-house need {fmt(need)} productive agents "
                     f"(AHT {fmt(plan.queues[q].aht_s)} s / occupancy), but {fmt(have)} are assigned")
        if abs(reported.get(key, 0.0) - have) > plan.tol * max(1.0, have):
            plan.add(
                "deferred_capacity",
                where,
                f"the handled table reports {fmt(reported.get(key, 0.0))} in-house agents, the assignments {fmt(have)}",
            )


def _unanswered(plan: Plan) -> dict[str, np.ndarray]:
    """Unanswered contacts per deferrable queue and period, as the backlog table reports them (checked here)."""
    out = {q: np.zeros(plan.n_periods) for q in plan.deferrable}
    for _i, t, q, vals in plan.backlog:
        u = vals["unanswered"]
        if q not in out or not math.isfinite(u) or abs(u) <= plan.tol:
            continue
        where = plan.where(q, t)
        if plan.soft is None:
            plan.add("unanswered", where, f"{fmt(u)} contacts left unanswered but the policy has no soft service level")
        elif u < -plan.tol or u > plan.arrivals[q][t] + plan.tol:
            plan.add("unanswered", where, f"{fmt(u)} unanswered of {fmt(plan.arrivals[q][t])} arrived")
        out[q][t] += u
    return out


def _check_queue(plan: Plan, q: str, arrived: np.ndarray, handled: np.ndarray, unanswered: np.ndarray) -> None:
    queue = plan.queues[q]
    H = int(round(queue.deadline_h * 60 / plan.interval_min))
    target = queue.response_target
    K = int(round(target.within_h * 60 / plan.interval_min)) if target else H
    admitted = np.maximum(arrived - unanswered, 0.0)
    scale = max(1.0, float(admitted.max(initial=0.0)))
    tol = plan.tol * scale
    if plan.cyclic and abs(admitted.sum() - handled.sum()) > plan.tol * max(1.0, admitted.sum()):
        plan.add("deferred_flow", f"queue {q}",
                 f"over the cyclic horizon {fmt(handled.sum())} contacts are handled but {fmt(admitted.sum())} arrive "
                 "(answered): the backlog would grow, or handling idle, every cycle")
        return
    run = _cohorts(admitted, handled, plan.cyclic, K, tol)
    for t in np.flatnonzero(run["idle"] > tol):
        plan.add("deferred_flow", plan.where(q, int(t)),
                 f"{fmt(handled[t])} handled but only {fmt(handled[t] - run['idle'][t])} contacts were waiting")
    late = [s for s in range(plan.n_periods) if admitted[s] > tol and not (run["wait"][s] <= H)]
    for s in late[:MAX_REPORTED]:
        w = run["wait"][s]
        when = (
            "never handled"
            if math.isnan(w)
            else f"the last handled {fmt(w * plan.period_h)} h after the start of the period"
        )
        plan.add(
            "deadline",
            plan.where(q, s),
            f"{fmt(admitted[s])} contacts arrive; {when}; deadline {fmt(queue.deadline_h)} h "
            "(first-in-first-out)",
        )
    if len(late) > MAX_REPORTED:
        plan.add("deadline", f"queue {q}", f"{len(late) - MAX_REPORTED} more arrival periods miss the deadline")
    if target is not None and K < H:
        for w in range(plan.n_weeks):
            mine = plan.week == w
            base = float(admitted[mine].sum())
            got = float(run["within"][mine].sum())
            if base > tol and got < target.share * base - tol:
                plan.add(
                    "response_share",
                    f"queue {q}, week {w}",
                    f"{fmt(got)} of {fmt(base)} contacts ({got / base:.2%}) handled within {fmt(target.within_h)} h; "
                    f"target {target.share:.2%} (first-in-first-out)",
                )
    _check_table(plan, q, arrived, handled, unanswered, run)


def _cohorts(arrive: np.ndarray, handle: np.ndarray, cyclic: bool, K: int, tol: float) -> dict[str, np.ndarray]:
    """Cohort by cohort, oldest first: per period the backlog after it, the age of its oldest waiting contact, the
    handling the line could not use (idle), and per arrival period the contacts handled within K and the wait of its
    last."""
    T = len(arrive)
    first = T if cyclic else 0  # the measured cycle
    line: deque[list[float]] = deque()  # [arrival (absolute period), amount]
    out = {k: np.zeros(T) for k in ("backlog", "oldest", "idle", "within")}
    out["wait"] = np.full(T, np.nan)
    # cohorts whose remainder is within `tol` (counted handled; the remainder still goes first)
    done: set[float] = set()
    for k in range((3 if cyclic else 1) * T):
        t = k % T
        measured = first <= k < first + T
        if arrive[t] > 0:
            line.append([k, float(arrive[t])])
            if arrive[t] <= tol:
                done.add(k)  # next to nothing arrives: no wait to report
        left = float(handle[t])
        while left > 0 and line:
            s, amount = line[0]
            take = min(amount, left)
            left -= take
            if first <= s < first + T and k - s + 1 <= K:
                out["within"][int(s) - first] += take
            if amount - take <= tol and s not in done:
                done.add(s)
                if first <= s < first + T:
                    out["wait"][int(s) - first] = k - s + 1
            if amount - take <= 0:
                line.popleft()
            else:
                line[0][1] = amount - take
        if measured:
            out["idle"][t] = left if left > tol else 0.0
            out["backlog"][t] = sum(a for _, a in line)
            waiting = [s for s, a in line if a > tol]
            out["oldest"][t] = k - waiting[0] + 1 if waiting else 0.0
    return out


def _check_table(plan: Plan, q: str, arrived, handled, unanswered, run) -> None:
    """The reported backlog rows of queue q against the recomputed ones."""
    if "backlog" in plan.broken:
        return
    rows = [(i, t, vals) for i, t, qq, vals in plan.backlog if qq == q]
    seen: defaultdict[int, int] = defaultdict(int)
    for _i, t, _v in rows:
        seen[t] += 1
    missing = [t for t in range(plan.n_periods) if not seen[t]]
    if missing:
        plan.add("backlog", f"queue {q}", f"no backlog row for {len(missing)} period(s), first {plan.at(missing[0])}")
    for t in [t for t, n in seen.items() if n > 1]:
        plan.add("backlog", plan.where(q, t), f"listed {seen[t]} times in the backlog table")
    expected = {
        "arrived": arrived,
        "handled": handled,
        "unanswered": unanswered,
        "backlog": run["backlog"],
        "oldest_wait_h": run["oldest"] * plan.period_h,
        "within_target": run["within"],
        "wait_h": run["wait"] * plan.period_h,
    }
    for _i, t, vals in rows:
        for name, values in expected.items():
            got, want = vals[name], float(values[t])
            if math.isnan(want) and math.isnan(got):
                continue
            if math.isnan(want) or math.isnan(got) or abs(got - want) > 1e-5 * max(1.0, abs(want)):
                plan.add("backlog", plan.where(q, t), f"{name} {fmt(got)}, recomputed {fmt(want)}")
