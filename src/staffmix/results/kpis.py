"""Headline numbers of a plan, one function per figure: what a planner, a report or a batch summary reads.

Every place that shows a figure calls the function here that computes it, so
the text summary, the report, summary.csv, the simulation and `--json` agree
on the same plan (issue #21):

- `agents`: whole agents at work in each queue-period (a fraction of an agent answers nobody);
- `occupancy`: agent-time weighted: busy agent-time / staffed agent-time over
  the queue-periods with agents, i.e. sum(offered load) / sum(agents) where
  every period has enough agents (a period's busy time is its offered load,
  capped at its agents: the excess queues; Erlang A: the carried load);
- `asa_s`: contact-weighted average speed of answer, infinite when any
  queue-period with contacts has no capacity for them (ASA not reached; the
  headline KPI is then None, with `periods_without_capacity` beside it);
- `answered_mask` / `unanswered_contacts`: contacts nobody answers: those of
  queue-periods left `unserved` or routed to a provider with no whole agent
  there (soft service level), and deferrable contacts left unanswered;
- `compute_kpis`: the headline numbers: cost, cost per contact, the in-house
  share of contacts (answered in-house, of all contacts) and the share of
  night work outsourced, vendors used, unanswered contacts overall and per
  queue, unmet queue-periods and those below target (results/targets.py), the lowest
  service level of any queue-period, the volume-weighted service level of the
  live queues (answered within seconds) and, apart, the share of deferrable
  contacts handled within their response target.

Deferrable contacts count where and when they are handled (night work is
work handled at night). Shares are of the work: contacts, or required agents
when demand is given as agents (then there are no contacts, and `contacts`
and `cost_per_contact` are None).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, overload

import numpy as np
import pandas as pd

from staffmix.results.targets import below_target, lowest_service_level
from staffmix.scenario.schema import IN_HOUSE, UNSERVED

if TYPE_CHECKING:  # kpis sits below results/result.py: the rollups of Result.service call the functions here
    from staffmix.model.index_sets import IndexSets
    from staffmix.results.result import Result

WHOLE_AGENT_TOLERANCE = 1e-6
"""Staffed agents within this of a whole number count as that number (round-off of the solver)."""


def agents(staffing: pd.DataFrame) -> np.ndarray:
    """Whole agents at work per staffing row (a vendor's staffed level, or in-house agents assigned)."""
    return np.floor(staffing["staffed"].to_numpy(dtype=float) + WHOLE_AGENT_TOLERANCE)


def answered_mask(staffing: pd.DataFrame) -> np.ndarray:
    """Per staffing row: True when someone is there to answer its contacts: routed to a provider (not
    `unserved`) with at least one whole agent. A queue-period routed in-house with nobody assigned (the soft
    service level allows it, at a penalty) answers none of its contacts."""
    if staffing.empty:
        return np.zeros(0, dtype=bool)
    return (staffing["provider"] != UNSERVED).to_numpy() & (agents(staffing) > 0)


def unanswered_contacts(staffing: pd.DataFrame, backlog: pd.DataFrame) -> dict[str, float]:
    """Contacts nobody answers, per queue (every queue with contacts, 0 included): the contacts of queue-periods
    without an answering agent (answered_mask) and deferrable contacts the backlog leaves unanswered."""
    out: dict[str, float] = {}
    if not staffing.empty:
        contacts = staffing["contacts"].to_numpy(dtype=float)
        has = ~np.isnan(contacts) & (contacts > 0)
        lost = np.where(has & ~answered_mask(staffing), contacts, 0.0)
        for q, v in pd.Series(lost[has]).groupby(staffing["queue"].to_numpy()[has], sort=False).sum().items():
            out[str(q)] = float(v)
    if not backlog.empty:
        for q, v in backlog.groupby("queue", sort=False)["unanswered"].sum().items():
            out[str(q)] = out.get(str(q), 0.0) + float(v)
    return out


@overload
def occupancy(staffing: pd.DataFrame, keys: None = None) -> float | None: ...
@overload
def occupancy(staffing: pd.DataFrame, keys: list[str]) -> pd.Series: ...
def occupancy(staffing: pd.DataFrame, keys: list[str] | None = None) -> float | None | pd.Series:
    """Occupancy, agent-time weighted: busy agent-time / staffed agent-time over the queue-periods with agents
    (whole agents; each row's busy time is its occupancy x agents, its offered load capped at the agents).
    With `keys`, a Series per group (NaN where a group has no agents); without, a number (None: no agents)."""
    n = agents(staffing)
    occ = staffing["occupancy"].to_numpy(dtype=float)
    ok = (n > 0) & ~np.isnan(occ)
    frame = pd.DataFrame({"_busy": np.where(ok, occ * n, 0.0), "_agents": np.where(ok, n, 0.0)})
    if not keys:
        total = float(frame["_agents"].sum())
        return float(frame["_busy"].sum()) / total if total > 0 else None
    g = frame.groupby([staffing[k].to_numpy() for k in keys], sort=False).sum()
    return (g["_busy"] / g["_agents"].where(g["_agents"] > 0)).rename("occupancy")


@overload
def asa_s(staffing: pd.DataFrame, keys: None = None) -> float | None: ...
@overload
def asa_s(staffing: pd.DataFrame, keys: list[str]) -> pd.Series: ...
def asa_s(staffing: pd.DataFrame, keys: list[str] | None = None) -> float | None | pd.Series:
    """Average speed of answer (s), weighted by contacts; infinite when any queue-period with contacts has no
    capacity for them (unserved, nobody there, or fewer agents than the load: its waits grow without end).
    Email (workload, no ASA) has none: NaN per group, None overall."""
    asa = staffing["asa_s"].to_numpy(dtype=float)
    contacts = staffing["contacts"].to_numpy(dtype=float)
    has = ~np.isnan(contacts) & (contacts > 0) & ~np.isnan(asa)
    frame = pd.DataFrame({
        "_wait": np.where(has & np.isfinite(asa), asa * np.where(has, contacts, 0.0), 0.0),
        "_contacts": np.where(has, contacts, 0.0),
        "_stuck": (has & np.isinf(asa)).astype(float),
    })
    if not keys:
        total = float(frame["_contacts"].sum())
        if total <= 0:
            return None
        return float("inf") if frame["_stuck"].sum() > 0 else float(frame["_wait"].sum()) / total
    g = frame.groupby([staffing[k].to_numpy() for k in keys], sort=False).sum()
    out = g["_wait"] / g["_contacts"].where(g["_contacts"] > 0)
    return out.where(g["_stuck"] == 0, np.inf).rename("asa_s")


def periods_without_capacity(staffing: pd.DataFrame) -> dict[str, int]:
    """Per queue: queue-periods with contacts whose ASA is infinite (no capacity for their load)."""
    if staffing.empty:
        return {}
    asa = staffing["asa_s"].to_numpy(dtype=float)
    contacts = staffing["contacts"].to_numpy(dtype=float)
    stuck = (contacts > 0) & np.isinf(asa)
    counts = pd.Series(stuck.astype(int)).groupby(staffing["queue"].to_numpy(), sort=False).sum()
    return {str(q): int(v) for q, v in counts.items()}

DEFAULT_NIGHT_HOURS = frozenset({22, 23, 0, 1, 2, 3, 4, 5})
"""Night hours when no group names its own."""


def compute_kpis(result: Result, ix: IndexSets) -> dict[str, Any]:
    """The KPIs of `result`, a plan for the scenario of `ix`."""
    s = result.staffing
    work = s["required" if ix.by_agents else "contacts"].to_numpy(dtype=float)
    total_work = float(work.sum())
    # only work someone answers counts for a provider (demand as agents: every row routed to a provider)
    answered = answered_mask(s) if not ix.by_agents else (s["provider"] != UNSERVED).to_numpy()
    in_house = float(work[(s["provider"] == IN_HOUSE).to_numpy() & answered].sum())
    night_hours: set[int] = set()
    for g in ix.scenario.config.groups:
        night_hours |= set(g.night_hours)
    night_hours = night_hours or set(DEFAULT_NIGHT_HOURS)
    hours = ix.periods["hour"].to_numpy()[s["period"].to_numpy()] if len(s) else np.zeros(0, int)
    night = np.isin(hours, list(night_hours))
    night_work = float(work[night].sum())
    night_vendor = float(work[night & answered & ~s["provider"].isin([IN_HOUSE, UNSERVED]).to_numpy()].sum())
    unmet = int(((s["shortfall"] > 1e-6) | (s["provider"] == UNSERVED)).sum())
    unanswered_periods = 0
    deferred_share = None
    if not result.backlog.empty:  # deferrable work: contacts count where, and at which hour, they are handled
        h = result.handled
        handled = h["handled"].to_numpy(dtype=float)
        at_night = np.isin(ix.periods["hour"].to_numpy()[h["period"].to_numpy(dtype=np.int64)], list(night_hours))
        arrived = float(result.backlog["arrived"].sum())
        total_work += arrived
        in_house += float(handled[(h["provider"] == IN_HOUSE).to_numpy()].sum())
        night_work += float(handled[at_night].sum())
        night_vendor += float(handled[at_night & (h["provider"] != IN_HOUSE).to_numpy()].sum())
        unanswered_periods = int((result.backlog["unanswered"] > 1e-6).sum())
        unmet += unanswered_periods
        deferred_share = float(result.backlog["within_target"].sum()) / arrived if arrived else None
    total_contacts = None if ix.by_agents else total_work
    lost = {} if ix.by_agents else unanswered_contacts(s, result.backlog)
    kpis: dict[str, Any] = {
        "total_cost": result.objective,
        "contacts": total_contacts,
        "cost_per_contact": (
            result.objective / total_contacts if total_contacts and result.objective is not None else None
        ),
        "in_house_share": in_house / total_work if total_work else None,
        "night_share_outsourced": night_vendor / night_work if night_work else None,
        "vendors_used": sorted((set(s["provider"][answered]) | set(result.handled["provider"])) - {IN_HOUSE, UNSERVED}),
        "unmet_periods": unmet,
        # below target: the staffing's queue-periods (results/targets.py) and deferrable queue-periods with contacts
        # left unanswered (soft service level)
        "below_target_periods": int(below_target(s, ix.scenario.config).sum()) + unanswered_periods,
        "min_service_level": lowest_service_level(s),
    }
    if total_contacts is not None:
        kpis["unanswered_contacts"] = float(sum(lost.values()))
        kpis["answered_share"] = 1.0 - kpis["unanswered_contacts"] / total_contacts if total_contacts else None
    live = service_rollup_overall(s)
    kpis["service_level"] = live
    kpis["occupancy"] = occupancy(s) if not ix.by_agents else None
    asa = asa_s(s) if not ix.by_agents else None
    # ASA not reached (a period without capacity): None, as JSON and summary.json hold it, with the count beside
    kpis["asa_s"] = None if asa is None or np.isinf(asa) else asa
    kpis["periods_without_capacity"] = None if ix.by_agents else int(sum(periods_without_capacity(s).values()))
    kpis["deferred_within_target"] = deferred_share
    for _, row in result.service("queue").iterrows():
        kpis[f"service_level.{row['queue']}"] = float(row["service_level"])
    for q, v in lost.items():
        kpis[f"unanswered.{q}"] = v
    return kpis


def service_rollup_overall(staffing: pd.DataFrame) -> float | None:
    """The volume-weighted service level of the live queues (answered within seconds: phone, chat, email
    handled in the hour), without deferrable work, whose share within its response target is a measure of
    its own (`deferred_within_target`): one figure per measure."""
    contacts = staffing["contacts"].to_numpy(dtype=float)
    level = staffing["service_level"].to_numpy(dtype=float)
    ok = ~np.isnan(contacts) & (contacts > 0) & ~np.isnan(level)
    total = float(contacts[ok].sum())
    return float((level[ok] * contacts[ok]).sum()) / total if total > 0 else None
