"""The model's index sets computed a second way, to check staffmix.model.index_sets against.

Written from docs/model.md with plain Python loops and pandas, one queue,
provider, group and shift at a time, sharing no code with staffmix's index
builder or eligibility rules: who may serve a queue is re-derived here from
the scenario's fields. Only the Erlang requirement of a queue-period comes
from staffmix (`requirement_for`: tests/test_queueing.py checks it against
published tables and brute force).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from staffmix.model.requirements import requirement_for
from staffmix.scenario.schema import DAYS, IN_HOUSE

EPS = 1e-9


def _open(windows, how: int) -> bool:
    if windows is None:
        return True
    for w in windows:
        end = w.end_hour if w.end_hour > w.start_hour else w.end_hour + 24
        for day in w.days:
            base = DAYS.index(day) * 24
            if any((base + h) % 168 == how for h in range(w.start_hour, end)):
                return True
    return False


def _allowed(config, q, provider: str) -> bool:
    if q.id in config.policy.in_house_queues and provider != IN_HOUSE:
        return False
    if q.providers_allowed is not None and provider not in q.providers_allowed:
        return False
    return provider not in q.providers_forbidden


def _fits(p, q) -> bool:
    return (q.language in p.languages and all(c in p.certifications for c in q.certifications)
            and (q.regions is None or p.region in q.regions))


def periods(config) -> pd.DataFrame:
    starts = config.horizon.period_starts()
    return pd.DataFrame({
        "period": range(len(starts)), "hour": starts.hour, "minute": starts.minute, "weekday": starts.day_of_week,
        "how": starts.day_of_week * 24 + starts.hour, "day": starts.strftime("%Y-%m-%d"),
        "week": np.arange(len(starts)) // config.horizon.periods_per_week,
    })


def shift_starts(config) -> pd.DataFrame:
    """group, template, start_period, n_periods, paid_h, cost, day, week: one row per allowed start."""
    h = config.horizon
    per = periods(config)
    rows = []
    for g in config.groups:
        for tid in g.templates:
            t = config.template(tid)
            n = int(round(t.length_h * 60 / h.interval_min))
            for start_hour in t.start_hours:
                night = sum(
                    1 for i in range(n) if int(math.floor(start_hour + i * h.interval_min / 60)) % 24 in g.night_hours
                )
                cost = g.rate_per_hour * t.paid_h * (1 + g.night_premium * night / n)
                for p in per.itertuples(index=False):
                    if p.minute == 0 and p.hour == start_hour and DAYS[p.weekday] in t.days:
                        rows.append((g.id, tid, int(p.period), n, t.paid_h, cost, p.day, int(p.week)))
    return pd.DataFrame(
        rows, columns=["group", "template", "start_period", "n_periods", "paid_h", "cost", "day", "week"]
    )


def covered(config, start_period: int, n: int) -> list[int]:
    T = config.horizon.periods
    if config.horizon.cyclic:
        return [(start_period + i) % T for i in range(n)]
    return [t for t in range(start_period, start_period + n) if t < T]


def requirements(scenario) -> pd.DataFrame:
    """R[q, t, p]: period, queue, provider, contacts, aht_s, required; sorted by period, queue id, provider id."""
    config = scenario.config
    interval_s = config.horizon.interval_min * 60.0
    per = periods(config)
    by_agents = scenario.demand_kind == "required_agents"
    starts = shift_starts(config)
    on_duty: dict[str, set[int]] = {g.id: set() for g in config.groups}
    for g, t0, n in zip(starts["group"], starts["start_period"], starts["n_periods"], strict=True):
        on_duty[g].update(covered(config, int(t0), int(n)))
    rows = []
    erlang: dict[tuple, list[int]] = {}  # (queue, provider's target) -> rows whose Erlang requirement is computed below
    for d in scenario.demand.to_dict("records"):
        q = config.queue(d["queue"])
        t = int(d["period"])
        how = int(per["how"].iloc[t])
        work = d["required_agents"] if by_agents else d["contacts"]
        if not _open(q.open_hours, how) or not (work > 0) or q.response_within_h is not None:
            continue  # deferrable queues have a backlog, not requirement rows
        offers = []
        groups = [g for g in config.groups if _fits(g, q) and g.max_headcount != 0 and t in on_duty[g.id]]
        if groups and _allowed(config, q, IN_HOUSE):
            offers.append((IN_HOUSE, 1.0))
        for v in config.vendors:
            if (
                _fits(v, q)
                and _allowed(config, q, v.id)
                and _open(v.windows, how)
                and not (by_agents and v.pricing == "per_contact")
            ):
                offers.append((v.id, v.aht_factor))
        for provider, factor in offers:
            if by_agents:
                req = math.ceil(d["required_agents"] * factor - EPS)
            else:
                req = -1  # filled in below
                erlang.setdefault((q.id, _lowest_target(config, q, provider)), []).append(len(rows))
            rows.append((t, q.id, provider, d["contacts"], d["aht_s"] * factor, req))
    # staffmix's Erlang requirement of each row, one vectorised call per queue and target (element by element
    # the same numbers as one call a row, in a fraction of the time)
    for (qid, target), at in erlang.items():
        need = requirement_for(
            config.queue(qid),
            np.array([rows[i][3] for i in at]),
            np.array([rows[i][4] for i in at]),
            interval_s,
            target=target,
        )
        for i, n in zip(at, need, strict=True):
            rows[i] = rows[i][:5] + (int(n),)
    out = pd.DataFrame(rows, columns=["period", "queue", "provider", "contacts", "aht_s", "required"])
    out = out.sort_values(["period", "queue", "provider"], kind="stable")
    return out.astype({"period": np.int64, "required": np.int64, "contacts": float, "aht_s": float}).reset_index(
        drop=True
    )


def _lowest_target(config, q, provider: str) -> float | None:
    """Measured per day or week: the lowest level is what the period floor needs (0: a stable queue), except for a
    per-contact vendor, which staffs the full requirement; measured per period: the target (None)."""
    sl = q.service_level
    per_contact = any(v.id == provider and v.pricing == "per_contact" for v in config.vendors)
    if sl.measured == "period" or per_contact:
        return None
    return 0.0 if sl.period_floor is None else sl.period_floor


def level_steps(scenario, req: pd.DataFrame | None = None, slots: dict | None = None) -> pd.DataFrame:
    """Every level step of a day- or week-measured queue: period, queue, provider, agents (the level reached), gain
    (the service level that agent adds), one level at a time from each requirement row's lowest level up to the
    ceiling's requirement (1 - 0.1 x (1 - target)); sorted like the requirement rows, levels ascending. Rows whose
    routing slot is closed to their provider have none. `req` and `slots`: this scenario's `requirements` and
    `routing_slots`, when the caller has them already (computed here otherwise)."""
    from staffmix import queueing

    config = scenario.config
    interval_s = config.horizon.interval_min * 60.0
    out: list[tuple] = []
    if all(q.service_level.measured == "period" for q in config.queues):
        return pd.DataFrame(out, columns=["period", "queue", "provider", "agents", "gain"])  # no level steps
    req = requirements(scenario) if req is None else req
    slots = routing_slots(scenario, req) if slots is None else slots
    for rec in req.itertuples(index=False):
        q = config.queue(rec.queue)
        sl = q.service_level
        if sl.measured == "period" or _lowest_target(config, q, rec.provider) is None:
            continue
        if rec.provider not in slots[(rec.queue, rec.period)][1]:
            continue
        aht = rec.aht_s / q.concurrency
        top = int(requirement_for(q, np.array([rec.contacts]), np.array([rec.aht_s]), interval_s,
                                  target=1 - 0.1 * (1 - sl.target))[0])
        def service(n: int, rec=rec, aht: float = aht, sl=sl) -> float:  # bound now: defined in a loop
            load = rec.contacts * aht / interval_s
            if sl.patience_s is not None:
                return float(queueing.erlang_a_service_level(n, load, aht, sl.patience_s, sl.within_s))
            return float(queueing.service_level(n, load, aht, sl.within_s))
        for n in range(rec.required + 1, top + 1):
            out.append((rec.period, rec.queue, rec.provider, n, service(n) - service(n - 1)))
    return pd.DataFrame(out, columns=["period", "queue", "provider", "agents", "gain"])


def service_groups(scenario) -> dict[tuple[str, str], float]:
    """(queue, local day or ISO week) -> contacts of its active queue-periods, for queues measured so."""
    config = scenario.config
    starts = config.horizon.period_starts()
    out: dict[tuple[str, str], float] = {}
    for d in scenario.demand.to_dict("records"):
        q = config.queue(d["queue"])
        t = int(d["period"])
        how = int(starts[t].day_of_week * 24 + starts[t].hour)
        if q.service_level.measured == "period" or not _open(q.open_hours, how) or not d["contacts"] > 0:
            continue
        iso = starts[t].isocalendar()
        label = starts[t].strftime("%Y-%m-%d") if q.service_level.measured == "day" else f"{iso[0]}-W{iso[1]:02d}"
        out[(q.id, label)] = out.get((q.id, label), 0.0) + float(d["contacts"])
    return out


def routing_slots(scenario, req: pd.DataFrame | None = None) -> dict[tuple[str, int], tuple[object, list[str]]]:
    """(queue, period) of every active queue-period -> (its slot, the providers that may take the slot).

    Weekly routing: one slot per queue and local weekday-hour-minute, open to
    the providers that may take it in every week. `req`: this scenario's `requirements`, when the caller has it."""
    config = scenario.config
    per = periods(config)
    req = requirements(scenario) if req is None else req
    base = req.groupby(["queue", "period"], sort=False)["provider"].apply(list).to_dict()
    # active queue-periods that no provider may take have a slot too (with no provider)
    active = {(d["queue"], int(d["period"])) for d in scenario.demand.to_dict("records")
              if _open(config.queue(d["queue"]).open_hours, int(per["how"].iloc[int(d["period"])]))
              and ((d["required_agents"] if scenario.demand_kind == "required_agents" else d["contacts"]) > 0)
              and config.queue(d["queue"]).response_within_h is None}
    weekly = config.policy.routing == "weekly"
    slot_of = {}
    for q, t in active:
        p = per.iloc[t]
        slot_of[(q, t)] = (q, (int(p["weekday"]), int(p["hour"]), int(p["minute"]))) if weekly else (q, t)
    providers: dict[object, set[str]] = {}
    for key, slot in slot_of.items():
        here = set(base.get(key, []))
        providers[slot] = here if slot not in providers else providers[slot] & here
    return {key: (slot, sorted(providers[slot], key=lambda x: (x != IN_HOUSE, x))) for key, slot in slot_of.items()}


def group_queue_pairs(config) -> list[tuple[str, str]]:
    return [(g.id, q.id) for g in config.groups for q in config.queues if _fits(g, q) and _allowed(config, q, IN_HOUSE)]


def deferred_handling(scenario) -> list[tuple[str, int, str]]:
    """(queue, period, handler) of every deferrable handling column: a group (by id) with a shift on duty, or a vendor
    open, that may take the queue, in a period where something can be waiting (an arrival within the last H periods);
    sorted by queue (scenario order), period, then groups before vendors (vendors by id)."""
    config = scenario.config
    h = config.horizon
    T = h.periods
    per = periods(config)
    starts = shift_starts(config)
    on_duty: dict[str, set[int]] = {g.id: set() for g in config.groups}
    for g, t0, n in zip(starts["group"], starts["start_period"], starts["n_periods"], strict=True):
        on_duty[g].update(covered(config, int(t0), int(n)))
    arrivals = {}
    for d in scenario.demand.to_dict("records"):
        q = config.queue(d["queue"])
        if (
            q.response_within_h is not None
            and _open(q.open_hours, int(per["how"].iloc[int(d["period"])]))
            and d["contacts"] > 0
        ):
            arrivals[(q.id, int(d["period"]))] = d["contacts"]
    out = []
    for q in config.queues:
        if q.response_within_h is None:
            continue
        H = int(round(q.response_within_h * 60 / h.interval_min))
        for t in range(T):
            recent = [(t - k) % T if h.cyclic else t - k for k in range(H)]
            if not any(arrivals.get((q.id, s), 0) > 0 for s in recent if s >= 0):
                continue
            how = int(per["how"].iloc[t])
            for g in config.groups:
                if _fits(g, q) and _allowed(config, q, IN_HOUSE) and g.max_headcount != 0 and t in on_duty[g.id]:
                    out.append((q.id, t, g.id))
            for v in sorted(config.vendors, key=lambda v: v.id):
                if _fits(v, q) and _allowed(config, q, v.id) and _open(v.windows, how):
                    out.append((q.id, t, v.id))
    return out
