"""What the simulation of one queue needs, read from a scenario and the plan solved from it.

A `QueueTimeline` is plain numpy arrays over an *extended* run of periods:

    [ warm-up | the horizon | drain ]

- warm-up: for a cyclic horizon (a typical week) the horizon's last day runs
  first, so Monday 00:00 starts with the queue Sunday night left behind. Its
  statistics are discarded. A non-cyclic horizon starts empty.
- drain: periods after the horizon with no new arrivals, so callers still
  waiting at its end are answered (a cyclic horizon wraps to its first day;
  otherwise the last agents stay one period).

Agents per period come from the plan (`Result.staffing.staffed`, whole
agents as the plan's Erlang figures count them: floor(staffed + 1e-6)). A
period without a staffing row has no demand and no planned agents: the
agents of the period before it stay on through it to clear the calls left
waiting (a queue that closes at 20:00 is cleared by the 19:00 agents), and
calls still waiting after that wait for the next staffed period.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from staffmix.errors import StaffmixError
from staffmix.results.result import UNSERVED, Result
from staffmix.scenario.container import Scenario
from staffmix.scenario.schema import IN_HOUSE, Channel

STAFFED_TOL = 1e-6
"""The plan's Erlang figures count floor(staffed + 1e-6) agents; so does the simulation."""


@dataclass(frozen=True)
class QueueTimeline:
    """One queue's arrivals, agents and handling over the extended run (see the module docstring)."""

    queue: str
    model: str
    """'erlang_c', 'erlang_a' (the queue has patience_s) or 'workload' (email: a FIFO backlog, no abandonment)."""
    period_s: float
    within_s: float
    patience_s: float | None
    warmup: int
    """Extended periods before the horizon's first."""
    horizon: int
    """Periods of the horizon; the statistics cover extended periods warmup .. warmup + horizon - 1."""
    contacts: np.ndarray
    """Expected arrivals per extended period (0 in the drain and where there is no demand)."""
    aht_s: np.ndarray
    """The demand row's AHT per extended period (the queue's own, before any vendor factor)."""
    servers: np.ndarray
    """Servers per extended period: agents, or chat slots (agents x concurrency)."""
    factor: np.ndarray
    """AHT factor of the provider answering in each extended period (in-house 1, a vendor its aht_factor)."""
    planned: np.ndarray
    """True where the plan has a staffing row (occupancy counts agent time there only)."""

    @property
    def periods(self) -> int:
        return len(self.servers)


def check_result(scenario: Scenario, result: Result) -> pd.DataFrame:
    """The plan's staffing rows, checked to belong to `scenario`; one clear error naming the first mismatch."""
    from staffmix.model.index_sets import build_index

    if not result.status.has_plan:
        raise StaffmixError(f"result of {result.scenario!r} has no plan (status {result.status}); nothing to simulate")
    if scenario.demand_kind == "required_agents":
        raise StaffmixError(
            f"scenario {scenario.name!r}: demand is given as required agents, not contacts; a simulation needs contacts"
        )
    s = result.staffing
    cfg = scenario.config
    queues = {q.id for q in cfg.queues}
    providers = set(cfg.provider_ids) | {UNSERVED}
    H = cfg.horizon.periods
    where = f"result of {result.scenario!r} does not belong to scenario {scenario.name!r}"
    bad_q = sorted(set(s["queue"]) - queues)
    if bad_q:
        raise StaffmixError(f"{where}: staffing names queue {bad_q[0]!r}, which the scenario does not have")
    bad_p = sorted(set(s["provider"]) - providers)
    if bad_p:
        raise StaffmixError(f"{where}: staffing names provider {bad_p[0]!r}, which the scenario does not have")
    periods = s["period"].to_numpy(dtype=np.int64)
    if len(periods) and (periods.min() < 0 or periods.max() >= H):
        raise StaffmixError(f"{where}: staffing has period {int(periods.max())}, the horizon has {H} periods")
    dup = s.duplicated(["period", "queue"])
    if dup.any():
        r = s[dup].iloc[0]
        raise StaffmixError(
            f"result of {result.scenario!r}: queue {r['queue']!r} has two staffing rows in period {int(r['period'])} "
            "(routing is one provider per queue-period)"
        )
    staffed = pd.to_numeric(s["staffed"], errors="coerce").to_numpy(float)
    bad = ~(np.isfinite(staffed) & (staffed >= 0))
    if bad.any():
        r = s[bad].iloc[0]
        raise StaffmixError(
            f"result of {result.scenario!r}: queue {r['queue']!r} period {int(r['period'])} has staffed "
            f"{float(staffed[bad][0])!r}; it must be a number of agents >= 0"
        )
    starts = cfg.horizon.period_starts()
    given = pd.to_datetime(s["period_start"], utc=True).to_numpy()
    expected = starts.tz_convert("UTC").to_numpy()[periods]
    off = np.flatnonzero(given != expected)
    if off.size:
        i = int(off[0])
        raise StaffmixError(f"{where}: period {int(periods[i])} starts at {s['period_start'].iloc[i]} in the result, "
                            f"at {starts[int(periods[i])]} in the scenario's horizon")
    active = build_index(scenario).base_frame()[["period", "queue", "contacts"]]
    merged = active.merge(s[["period", "queue", "contacts"]], on=["period", "queue"], how="outer",
                          suffixes=("_demand", "_plan"), indicator=True)
    missing = merged[merged["_merge"] != "both"]
    if len(missing):
        r = missing.iloc[0]
        side = "has no staffing row for" if r["_merge"] == "left_only" else "staffs"
        extra = "" if r["_merge"] == "left_only" else ", which has no demand in the scenario"
        raise StaffmixError(f"{where}: the plan {side} queue {r['queue']!r} in period {int(r['period'])}{extra}")
    diff = ~np.isclose(
        merged["contacts_demand"].to_numpy(float), merged["contacts_plan"].to_numpy(float), rtol=1e-9, atol=1e-6
    )
    if diff.any():
        r = merged[diff].iloc[0]
        raise StaffmixError(
            f"{where}: queue {r['queue']!r} period {int(r['period'])} has {r['contacts_plan']:g} contacts "
            f"in the plan, {r['contacts_demand']:g} in the scenario's demand"
        )
    return s


def build_timelines(scenario: Scenario, result: Result) -> list[QueueTimeline]:
    """One timeline per queue with demand, in the scenario's queue order."""
    staffing = check_result(scenario, result)
    cfg = scenario.config
    h = cfg.horizon
    H = h.periods
    period_s = h.interval_min * 60.0
    warmup = min(H, h.periods_per_day) if h.cyclic else 0
    drain = min(H, h.periods_per_day) if h.cyclic else 1
    ext = np.arange(-warmup, H + drain)  # horizon period of each extended period (negative: warm-up)
    horizon_of = np.mod(ext, H) if h.cyclic else np.clip(ext, 0, H - 1)
    in_run = ext < H  # arrivals stop at the horizon's end; the drain only clears the queue
    factors = {IN_HOUSE: 1.0, UNSERVED: 1.0} | {v.id: float(v.aht_factor) for v in cfg.vendors}
    demand = scenario.demand.set_index(["queue", "period"])["aht_s"]
    out: list[QueueTimeline] = []
    for q in cfg.queues:
        rows = staffing[staffing["queue"] == q.id]
        if rows.empty:
            continue
        p = rows["period"].to_numpy(dtype=np.int64)
        has_row = np.zeros(H, dtype=bool)
        has_row[p] = True
        contacts_h = np.zeros(H)
        contacts_h[p] = rows["contacts"].to_numpy(float)
        aht_h = np.full(H, float(q.aht_s))
        aht_h[p] = demand.reindex(list(zip([q.id] * len(p), p, strict=True))).to_numpy(float)
        agents_h = np.zeros(H, dtype=np.int64)
        agents_h[p] = np.floor(rows["staffed"].to_numpy(float) + STAFFED_TOL).astype(np.int64)
        factor_h = np.ones(H)
        factor_h[p] = [factors[x] for x in rows["provider"]]
        row_ext = has_row[horizon_of] & (h.cyclic | in_run)
        contacts = np.where(row_ext & in_run, contacts_h[horizon_of], 0.0)
        aht = aht_h[horizon_of]
        agents = np.where(row_ext, agents_h[horizon_of], 0)
        factor = np.where(row_ext, factor_h[horizon_of], 1.0)
        for e in range(1, len(ext)):  # no row: the agents before stay one period to clear the queue
            if not row_ext[e] and row_ext[e - 1]:
                agents[e], factor[e], aht[e] = agents[e - 1], factor[e - 1], aht[e - 1]
        if q.channel == Channel.chat:
            servers = np.floor(agents * q.concurrency + 1e-9).astype(np.int64)
        else:
            servers = agents.astype(np.int64)
        sl = q.service_level
        if q.channel == Channel.email:
            model, patience = "workload", None
        elif sl.patience_s is not None:
            model, patience = "erlang_a", float(sl.patience_s)
        else:
            model, patience = "erlang_c", None
        out.append(QueueTimeline(
            queue=q.id, model=model, period_s=period_s, within_s=float(sl.within_s), patience_s=patience,
            warmup=warmup, horizon=H, contacts=contacts, aht_s=aht, servers=servers, factor=factor, planned=row_ext,
        ))
    return out


def promised(scenario: Scenario, result: Result) -> pd.DataFrame:
    """The plan's own Erlang figures per queue-period, with the abandonment and wait share Erlang gives.

    Columns: period, queue, provider, contacts, staffed, service_level, asa_s,
    occupancy (from the plan), abandon and wait_probability (Erlang A with
    patience, else Erlang C; NaN for email, which Erlang does not queue).
    """
    from staffmix import queueing

    cfg = scenario.config
    period_s = cfg.horizon.interval_min * 60.0
    s = result.staffing.copy()
    s["abandon"] = np.nan
    s["wait_probability"] = np.nan
    factors = {IN_HOUSE: 1.0, UNSERVED: 1.0} | {v.id: float(v.aht_factor) for v in cfg.vendors}
    aht_of = scenario.demand.set_index(["queue", "period"])["aht_s"]
    for q in cfg.queues:
        m = (s["queue"] == q.id).to_numpy()
        if not m.any() or q.channel == Channel.email:
            continue
        rows = s[m]
        aht = aht_of.reindex(list(zip(rows["queue"], rows["period"], strict=True))).to_numpy(float)
        aht = aht * np.array([factors[p] for p in rows["provider"]])
        if q.channel == Channel.chat:
            aht = aht / q.concurrency
        agents = np.floor(rows["staffed"].to_numpy(float) + STAFFED_TOL)
        load = rows["contacts"].to_numpy(float) * aht / period_s
        patience = q.service_level.patience_s
        if patience is not None:
            s.loc[m, "abandon"] = queueing.erlang_a_abandon_probability(agents, load, aht, patience)
            s.loc[m, "wait_probability"] = queueing.erlang_a_wait_probability(agents, load, aht, patience)
        else:
            s.loc[m, "abandon"] = 0.0
            s.loc[m, "wait_probability"] = queueing.wait_probability(agents, load)
    return s


def local_days(scenario: Scenario) -> np.ndarray:
    """The local calendar day (YYYY-MM-DD) of every horizon period."""
    return scenario.config.horizon.period_starts().strftime("%Y-%m-%d").to_numpy()
