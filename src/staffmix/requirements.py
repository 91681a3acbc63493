"""Demand + queues + providers -> the requirement table R[q, t, p].

Everything the MIP needs to know before it is built lives here, computed once
with vectorised queueing math: which queue-periods are active, which providers
may take each, and how many agents each provider would need there.
"""

from __future__ import annotations

import math
import numpy as np
import pandas as pd

from staffmix import queueing
from staffmix.eligibility import group_may_take, hours_open, policy_allows, queue_offers
from staffmix.schema import DAYS, IN_HOUSE, Channel, Group, Queue, ScenarioConfig, Vendor
from staffmix.scenario import Scenario

EPS = 1e-9


def period_table(config: ScenarioConfig) -> pd.DataFrame:
    """One row per period: period, period_start (tz-aware), hour, how (hour of week), day, week, week_fraction."""
    h = config.horizon
    starts = h.period_starts()
    n = h.periods
    period = np.arange(n)
    week = period // h.periods_per_week
    week_len = np.bincount(week)
    return pd.DataFrame({
        "period": period,
        "period_start": starts,
        "hour": starts.hour.to_numpy(),
        "minute": starts.minute.to_numpy(),
        "weekday": starts.day_of_week.to_numpy(),
        "how": (starts.day_of_week * 24 + starts.hour).to_numpy(),
        "day": starts.strftime("%Y-%m-%d").to_numpy(),
        "week": week,
        "week_fraction": week_len[week] / h.periods_per_week,
    })


def week_fractions(config: ScenarioConfig) -> np.ndarray:
    """Share of a full week each horizon week covers (the last one may be partial)."""
    h = config.horizon
    return np.bincount(np.arange(h.periods) // h.periods_per_week) / h.periods_per_week


def active_demand(scenario: Scenario) -> pd.DataFrame:
    """Demand rows of open queue-periods with work: period, queue, contacts, aht_s, required_agents, how."""
    config = scenario.config
    periods = period_table(config)
    d = scenario.demand.merge(periods[["period", "how"]], on="period", how="left")
    open_mask = np.zeros(len(d), dtype=bool)
    for q in config.queues:
        rows = (d["queue"] == q.id).to_numpy()
        open_mask |= rows & hours_open(q)[d["how"].to_numpy()]
    work = d["required_agents"] if scenario.demand_kind == "required_agents" else d["contacts"]
    return d[open_mask & (work.fillna(0).to_numpy() > 0)].reset_index(drop=True)


def requirement_for(queue: Queue, contacts: np.ndarray, aht_s: np.ndarray, interval_s: float) -> np.ndarray:
    """Agents needed (integers) for each period's contacts at the given AHTs."""
    aht = aht_s / queue.concurrency if queue.channel == Channel.chat else aht_s
    sl = queue.service_level
    max_occ = 1.0 if sl.max_occupancy is None else sl.max_occupancy
    if queue.channel == Channel.email:
        load = contacts * aht / interval_s
        return np.ceil(load / max_occ - EPS).astype(np.int64)
    out = queueing.required_agents(
        contacts, aht, interval_s, sl.target, sl.within_s,
        max_occupancy=max_occ, max_asa_s=sl.max_asa_s,
        patience_s=sl.patience_s, max_abandon=sl.max_abandon,
    )
    return np.asarray(out, dtype=np.int64)


def base_requirements(scenario: Scenario) -> pd.DataFrame:
    """Every active queue-period with the agents it needs at the queue's own AHT.

    Columns: period, queue, contacts, required. This is the work to be
    routed; a soft service level prices shortfall against it.
    """
    config = scenario.config
    interval_s = config.horizon.interval_min * 60.0
    active = active_demand(scenario)
    required = np.zeros(len(active), dtype=np.int64)
    for q in config.queues:
        rows = (active["queue"] == q.id).to_numpy()
        if not rows.any():
            continue
        if scenario.demand_kind == "required_agents":
            required[rows] = np.ceil(active["required_agents"].to_numpy(dtype=float)[rows] - EPS)
        else:
            required[rows] = requirement_for(
                q, active["contacts"].to_numpy(dtype=float)[rows], active["aht_s"].to_numpy(dtype=float)[rows], interval_s
            )
    out = active[["period", "queue", "contacts"]].copy()
    out["required"] = required
    return out.sort_values(["period", "queue"], kind="stable").reset_index(drop=True)


def achieved_service(
    queue: Queue, staffed: np.ndarray, contacts: np.ndarray, aht_s: np.ndarray, interval_s: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Service level, ASA (s) and occupancy delivered by `staffed` whole agents.

    Email is workload, not a queue: its service level is the share of the
    period's work the staff can handle (capped at 1) and its ASA is undefined.
    """
    agents = np.floor(np.asarray(staffed, dtype=float) + 1e-6)
    aht = aht_s / queue.concurrency if queue.channel == Channel.chat else np.asarray(aht_s, dtype=float)
    load = queueing.offered_load(np.asarray(contacts, dtype=float), aht, interval_s)
    load = np.asarray(load, dtype=float)
    occ = np.where(agents > 0, np.minimum(load / np.maximum(agents, 1e-12), 1.0), np.where(load > 0, 1.0, 0.0))
    sl = queue.service_level
    if queue.channel == Channel.email:
        max_occ = 1.0 if sl.max_occupancy is None else sl.max_occupancy
        handled = np.where(load > 0, np.minimum(agents * max_occ / np.maximum(load, 1e-12), 1.0), 1.0)
        return handled, np.full(len(agents), np.nan), occ
    if sl.patience_s is not None:
        level = queueing.erlang_a_service_level(agents, load, aht, sl.patience_s, sl.within_s)
        asa = queueing.erlang_a_asa_s(agents, load, aht, sl.patience_s)
        occ = np.asarray(queueing.erlang_a_occupancy(agents, load, aht, sl.patience_s), dtype=float)  # carried load
    else:
        level = queueing.service_level(agents, load, aht, sl.within_s)
        asa = queueing.asa_s(agents, load, aht)
    return np.asarray(level, dtype=float), np.asarray(asa, dtype=float), occ


def requirement_table(scenario: Scenario) -> pd.DataFrame:
    """R[q, t, p] for every active queue-period and every eligible provider.

    Columns: period, queue, provider, contacts, aht_s, required (int).
    `aht_s` is the provider's (queue AHT x vendor factor). In-house is listed
    when at least one group fits the queue; which groups may serve it is
    `group_queue_pairs`.
    """
    config = scenario.config
    interval_s = config.horizon.interval_min * 60.0
    active = active_demand(scenario)
    by_agents = scenario.demand_kind == "required_agents"
    coverable = coverable_periods(config)
    frames: list[pd.DataFrame] = []
    for q in config.queues:
        rows = active[active["queue"] == q.id]
        if rows.empty:
            continue
        contacts = rows["contacts"].to_numpy(dtype=float)
        aht = rows["aht_s"].to_numpy(dtype=float)
        given = rows["required_agents"].to_numpy(dtype=float)
        for provider, factor, mask in queue_offers(config, q, by_agents):
            if provider == IN_HOUSE:
                fitting = [g.id for g, fits in zip(config.groups, mask) if fits]
                open_mask = np.logical_or.reduce([coverable[g] for g in fitting])[rows["period"].to_numpy()]
            else:
                open_mask = mask[rows["how"].to_numpy()]
            if not open_mask.any():
                continue
            if by_agents:
                req = np.ceil(given[open_mask] * factor - EPS).astype(np.int64)
            else:
                req = requirement_for(q, contacts[open_mask], aht[open_mask] * factor, interval_s)
            frames.append(pd.DataFrame({
                "period": rows["period"].to_numpy()[open_mask],
                "queue": q.id,
                "provider": provider,
                "contacts": contacts[open_mask],
                "aht_s": aht[open_mask] * factor,
                "required": req,
            }))
    if not frames:
        return pd.DataFrame({
            "period": pd.Series(dtype=np.int64), "queue": pd.Series(dtype=object),
            "provider": pd.Series(dtype=object), "contacts": pd.Series(dtype=float),
            "aht_s": pd.Series(dtype=float), "required": pd.Series(dtype=np.int64),
        })
    return pd.concat(frames, ignore_index=True).sort_values(["period", "queue", "provider"], kind="stable").reset_index(drop=True)


def group_queue_pairs(config: ScenarioConfig) -> list[tuple[str, str]]:
    """(group, queue) pairs where the group may answer the queue."""
    return [
        (g.id, q.id)
        for g in config.groups
        for q in config.queues
        if group_may_take(config, g, q)
    ]


def shift_starts(config: ScenarioConfig) -> pd.DataFrame:
    """Every allowed (group, template, start_period) with the periods it covers and its cost.

    Columns: group, template, start_period, n_periods, paid_h, cost, day, week.
    A shift covers start_period .. start_period + n_periods - 1, wrapping
    modulo the horizon when it is cyclic, cut at its end otherwise.
    """
    h = config.horizon
    periods = period_table(config)
    rows = []
    for g in config.groups:
        night = set(g.night_hours)
        for tid in g.templates:
            t = config.template(tid)
            n = int(round(t.length_h * 60 / h.interval_min))
            day_idx = [DAYS.index(d) for d in t.days]
            ok = periods[(periods["minute"] == 0) & periods["hour"].isin(t.start_hours) & periods["weekday"].isin(day_idx)]
            for start_hour in t.start_hours:
                step_h = h.interval_min / 60.0
                night_frac = sum(1 for i in range(n) if int(math.floor(start_hour + i * step_h)) % 24 in night) / n
                cost = g.rate_per_hour * t.paid_h * (1 + g.night_premium * night_frac)
                sel = ok[ok["hour"] == start_hour]
                for p, day, week in zip(sel["period"], sel["day"], sel["week"]):
                    rows.append((g.id, tid, int(p), n, t.paid_h, cost, day, int(week)))
    return pd.DataFrame(rows, columns=["group", "template", "start_period", "n_periods", "paid_h", "cost", "day", "week"])


def coverable_periods(config: ScenarioConfig) -> dict[str, np.ndarray]:
    """Per group, the periods some allowed shift could cover (none if max_headcount is 0)."""
    h = config.horizon
    out = {g.id: np.zeros(h.periods, dtype=bool) for g in config.groups}
    starts = shift_starts(config)
    for g in config.groups:
        if g.max_headcount == 0:
            continue
        for p, n in zip(starts.loc[starts["group"] == g.id, "start_period"], starts.loc[starts["group"] == g.id, "n_periods"]):
            out[g.id][covered_periods(int(p), int(n), h.periods, h.cyclic)] = True
    return out


def covered_periods(start_period: int, n_periods: int, horizon_periods: int, cyclic: bool) -> list[int]:
    if cyclic:
        return [(start_period + i) % horizon_periods for i in range(n_periods)]
    return list(range(start_period, min(start_period + n_periods, horizon_periods)))


def unserviceable(scenario: Scenario, requirements: pd.DataFrame | None = None) -> pd.DataFrame:
    """Active queue-periods that no provider can take, with the reason (the pre-solve diagnosis)."""
    config = scenario.config
    req = requirement_table(scenario) if requirements is None else requirements
    active = active_demand(scenario)
    served = set(zip(req["period"], req["queue"]))
    # a boolean array, not a list: an empty list would select no columns of an empty frame
    missing = active[np.array([(p, q) not in served for p, q in zip(active["period"], active["queue"])], dtype=bool)]
    periods = period_table(config)
    coverable = coverable_periods(config)
    out = []
    for (qid, how), grp in missing.groupby(["queue", "how"], sort=False):
        first = int(grp["period"].iloc[0])
        on_duty = {g for g, mask in coverable.items() if mask[first]}
        reason = _reason(config, config.queue(qid), int(how), scenario.demand_kind, on_duty)
        for p in grp["period"]:
            out.append((qid, int(p), periods["period_start"].iloc[int(p)], reason))
    return pd.DataFrame(out, columns=["queue", "period", "period_start", "reason"]).sort_values(["period", "queue"]).reset_index(drop=True)


def _reason(config: ScenarioConfig, q: Queue, how: int, demand_kind: str, on_duty: set[str]) -> str:
    when = f"{DAYS[how // 24]} {how % 24:02d}:00"
    speakers = [g.id for g in config.groups if q.language in g.languages and g.id in on_duty] + [
        v.id for v in config.vendors if q.language in v.languages and how in v.open_hours_of_week()
    ]
    if not speakers:
        return f"nobody who speaks '{q.language}' works {when}"
    if q.certifications:
        certified = [
            p for p in speakers
            if set(q.certifications) <= set(_provider(config, p).certifications)
        ]
        if not certified:
            return f"no provider holding {', '.join(q.certifications)} and speaking '{q.language}' is open {when}"
        speakers = certified
    if q.regions is not None and not [p for p in speakers if _provider(config, p).region in q.regions]:
        return f"no eligible provider in region {', '.join(q.regions)} is open {when}"
    allowed = [p for p in speakers if policy_allows(config, q, p if p in {v.id for v in config.vendors} else IN_HOUSE)]
    if not allowed:
        return f"policy rules out every provider able to serve it {when}"
    if demand_kind == "required_agents":
        return f"only per-contact vendors could serve it {when}, but demand gives required agents, not contacts"
    return f"no eligible provider is open {when}"


def _provider(config: ScenarioConfig, pid: str) -> Group | Vendor:
    for g in config.groups:
        if g.id == pid:
            return g
    return next(v for v in config.vendors if v.id == pid)

