"""Why there is no plan: the pre-solve diagnosis and the explanation of a proven infeasibility.

Before any backend runs, `presolve_diagnosis` lists the queue-periods no
provider can serve at all (nobody speaks the language at that hour, no
certified provider is open, policy rules every one out, or, with weekly
routing, no single provider can take the hour in every week), each with
its reason in words. When a backend instead proves the model infeasible,
`explain_infeasible` re-solves it with an elastic service level (shortfall
allowed at a huge price) and lists where the plan stays short. `solve`
runs both once, for every backend.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from staffmix.model.index_sets import IndexSets
from staffmix.results.result import Result, Status, Termination, empty_table
from staffmix.scenario.container import Scenario
from staffmix.scenario.eligibility import holds_certifications, in_region, policy_allows, speaks
from staffmix.scenario.schema import IN_HOUSE, UNSERVED, Queue, ScenarioConfig, SoftServiceLevel, SolverOptions

ELASTIC_PENALTY_PER_AGENT_HOUR = 1e6
"""Price of shortfall in the elastic re-solve: above any wage, so shortfall appears only where nothing else helps."""


def presolve_diagnosis(ix: IndexSets) -> pd.DataFrame:
    """Queue-periods no provider can serve (hard service level only): queue, period, period_start, reason."""
    if ix.soft:
        return empty_table("diagnosis")
    config = ix.scenario.config
    period_start = ix.periods["period_start"]
    how = ix.periods["how"].to_numpy()
    missing = np.nonzero(ix.req_of.max(axis=1) < 0)[0] if len(ix.b_period) else np.zeros(0, np.int64)
    rows = []
    reasons: dict[tuple[int, int], str] = {}
    for b in missing.tolist():  # in period order: the first period of a (queue, hour of week) words its reason
        q, t = int(ix.b_queue[b]), int(ix.b_period[b])
        key = (q, int(how[t]))
        if key not in reasons:
            on_duty = {ix.groups[g] for g in np.nonzero(ix.coverable[:, t])[0]}
            reasons[key] = _reason(config, config.queues[q], key[1], ix.by_agents, on_duty)
        rows.append((ix.queues[q], t, period_start.iloc[t], reasons[key]))
    columns = ["queue", "period", "period_start", "reason"]
    diagnosis = pd.DataFrame(rows, columns=columns).sort_values(["period", "queue"]).reset_index(drop=True)
    # weekly routing: hours some provider can take in some weeks, but no single one in every week
    unrouted = ~ix.slot_open[ix.b_slot].any(axis=1) if len(ix.b_period) else np.zeros(0, dtype=bool)
    unrouted[missing] = False
    weekly = [
        (
            ix.queues[ix.b_queue[b]],
            int(ix.b_period[b]),
            period_start.iloc[int(ix.b_period[b])],
            "weekly routing: no single provider can take this hour in every week",
        )
        for b in np.nonzero(unrouted)[0].tolist()
    ]
    if weekly:
        diagnosis = pd.concat([diagnosis, pd.DataFrame(weekly, columns=columns)], ignore_index=True)
    deferred = _deferred_diagnosis(ix)
    if len(deferred):
        diagnosis = pd.concat([diagnosis, pd.DataFrame(deferred, columns=columns)], ignore_index=True)
    return diagnosis if len(diagnosis) else empty_table("diagnosis")


def _deferred_diagnosis(ix: IndexSets) -> list[tuple]:
    """Deferrable contacts that nobody may handle before their deadline: (queue, period, period_start, reason)."""
    D = ix.deferred
    q, s = np.nonzero(D.arrived > 0)
    if not len(q):
        return []
    owner, _cols = D.window(q, s, D.deadline[q])
    reachable = np.bincount(owner, minlength=len(q)) > 0
    period_start = ix.periods["period_start"]
    out = []
    for d, t in zip(q[~reachable].tolist(), s[~reachable].tolist(), strict=True):
        queue = ix.scenario.config.queues[int(D.queue[d])]
        end = t + int(D.deadline[d])  # the deadline: the start of this period
        # one wording per queue (the row's period_start is the arrival), so a listing groups its arrivals
        by = "the horizon's end comes first; " if not D.cyclic and end >= D.n_periods else ""
        out.append((queue.id, t, period_start.iloc[t],
                    f"nobody who may handle it works between its arrival and its deadline ({by}response within "
                    f"{queue.response_within_h:g} h)"))
    return out


def _reason(config: ScenarioConfig, q: Queue, how: int, by_agents: bool, on_duty: set[str]) -> str:
    """Why nobody can take queue `q` at hour of week `how`, in the words a planner acts on (the hour is the
    row's period_start: the words leave it out, so a listing groups the hours a reason holds for)."""
    when = "at these hours"
    speakers = [g for g in config.groups if speaks(g, q) and g.id in on_duty] + [
        v for v in config.vendors if speaks(v, q) and how in v.open_hours_of_week()
    ]
    if not speakers:
        return f"nobody who speaks '{q.language}' works {when}"
    if q.certifications:
        speakers = [p for p in speakers if holds_certifications(p, q)]
        if not speakers:
            return f"no provider holding {', '.join(q.certifications)} and speaking '{q.language}' is open {when}"
    if q.regions is not None and not [p for p in speakers if in_region(p, q)]:
        return f"no eligible provider in region {', '.join(q.regions)} is open {when}"
    vendor_ids = {v.id for v in config.vendors}
    if not [p for p in speakers if policy_allows(config, q, p.id if p.id in vendor_ids else IN_HOUSE)]:
        return f"policy rules out every provider able to serve it {when}"
    if by_agents:
        return f"only per-contact vendors could serve it {when}, but demand gives required agents, not contacts"
    return f"no eligible provider is open {when}"


def infeasible_result(ix: IndexSets, opts: SolverOptions, diagnosis: pd.DataFrame, build_s: float) -> Result:
    """The Result of a scenario the pre-solve diagnosis rules out, with the diagnosis and a one-line message."""
    n = len(diagnosis)
    first = diagnosis.iloc[0]
    return Result(
        status=Status.infeasible,
        termination=Termination.infeasible,
        scenario=ix.scenario.name,
        solver=opts.backend,
        build_s=build_s,
        options=opts.model_dump(),
        diagnosis=diagnosis,
        message=f"{n} queue-period{'s' if n > 1 else ''} no provider can serve; first: queue {first['queue']} at "
                f"{first['period_start']}: {first['reason']}",
    )


def with_explanation(result: Result, scenario: Scenario, opts: SolverOptions, solve: Callable[..., Result]) -> Result:
    """An infeasible result with the queue-periods that stay short (when that is what makes it infeasible)."""
    diagnosis = explain_infeasible(scenario, opts, solve)
    if diagnosis.empty:
        return result
    n = diagnosis["queue"].nunique()
    return result.with_(diagnosis=diagnosis, message=(
        f"no plan meets every rule: {len(diagnosis)} queue-periods in {n} queue{'s' if n > 1 else ''} "
        f"stay short even at any cost (first: {diagnosis['queue'].iloc[0]} at {diagnosis['period_start'].iloc[0]}); "
        "headcount, weekly hours, shifts per day (max_shifts_per_day), vendor capacity or policy limits are too tight"))


def explain_infeasible(scenario: Scenario, opts: SolverOptions, solve: Callable[..., Result]) -> pd.DataFrame:
    """Where an infeasible scenario falls short: re-solve it (with `solve`, the same backend and options)
    with a huge soft service-level penalty and list the queue-periods left short. Empty when that does not
    explain it (e.g. a policy rule)."""
    policy = scenario.config.policy.model_copy(
        update={"soft_service_level": SoftServiceLevel(penalty_per_agent_hour=ELASTIC_PENALTY_PER_AGENT_HOUR)})
    elastic = Scenario(
        config=scenario.config.model_copy(update={"policy": policy}), demand=scenario.demand, source=scenario.source
    )
    result = solve(
        elastic,
        backend=opts.backend,
        time_limit_s=opts.time_limit_s,
        mip_gap=opts.mip_gap,
        threads=opts.threads,
        work_limit=opts.work_limit,
    )
    if not result.status.has_plan:
        return empty_table("diagnosis")
    unmet = result.unmet
    reason = [
        "left unserved: no capacity can be bought for it" if p == UNSERVED
        else f"{short:.2f} agents short of {req}: in-house capacity "
        "(headcount, weekly hours, shifts, shifts per day) runs out"
        for p, short, req in zip(unmet["provider"], unmet["shortfall"], unmet["required"], strict=True)
    ]
    out = pd.DataFrame(
        {"queue": unmet["queue"], "period": unmet["period"], "period_start": unmet["period_start"], "reason": reason}
    )
    b = result.backlog
    dropped = b[b["unanswered"] > 1e-6] if len(b) else b
    if len(dropped):  # deferrable contacts no plan can handle in time (issue #13)
        out = pd.concat([out, pd.DataFrame({
            "queue": dropped["queue"], "period": dropped["period"], "period_start": dropped["period_start"],
            "reason": [f"{u:.2f} of {a:g} contacts cannot be handled within the response target: capacity runs out"
                       for u, a in zip(dropped["unanswered"], dropped["arrived"], strict=True)],
        })], ignore_index=True)
    short_days = _days_short(result)
    return pd.concat([out, short_days], ignore_index=True) if len(short_days) else out


def _days_short(result: Result) -> pd.DataFrame:
    """Issue #14: days (weeks) of queues measured so that stay below their target in the elastic plan, each
    listed at its first period."""
    columns = ["queue", "period", "period_start", "reason"]
    targets = result.service_targets
    rows = []
    for measure in ("day", "week"):
        queues = set(targets.loc[targets["measured"] == measure, "queue"]) if len(targets) else set()
        if not queues:
            continue
        s = result.staffing[result.staffing["queue"].isin(queues)]
        label = s["period_start"].dt.strftime("%Y-%m-%d" if measure == "day" else "%G-W%V")
        first = s.assign(_label=label).groupby(["queue", "_label"])[["period", "period_start"]].first()
        for _, r in result.service(measure).iterrows():
            if r["queue"] in queues and r["service_level"] < r["target"] - 1e-6:
                period, start = first.loc[(r["queue"], r[measure])]
                rows.append(
                    (
                        r["queue"],
                        int(period),
                        start,
                        f"the {measure} {r[measure]} reaches {r['service_level']:.1%} of its {r['target']:.1%} target "
                        "even at any cost: in-house capacity (headcount, weekly hours, shifts, shifts per day) "
                        "runs out",
                    )
                )
    return pd.DataFrame(rows, columns=columns)
