"""Index sets of the model as numpy arrays, computed once and shared by the matrix build and the plan.

This is `staffmix.model.prepare` without Python loops over periods, shifts or
requirement rows: the same requirement table (row for row, same order), the
same shift starts, the same routing slots, built with array operations. The
Erlang requirement of a queue depends only on (contacts, AHT), so it is
computed once per distinct pair and broadcast back (`requirement_for`, the
same function the reference uses).

`CoreIndex.model_data()` turns the arrays back into a `ModelData` (the
reference's dict-based index sets) for `staffmix.solve.extract_plan` and
`staffmix.solve.diagnose`; it is only called after solving.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from staffmix.model import ModelData
from staffmix.eligibility import group_may_take, hours_open, queue_offers
from staffmix.requirements import EPS, period_table, requirement_for
from staffmix.schema import DAYS, IN_HOUSE
from staffmix.scenario import Scenario


@dataclass
class CoreIndex:
    """Every index set of one scenario, as arrays (codes into `queues`, `providers`, `groups`)."""

    scenario: Scenario
    periods: pd.DataFrame
    queues: list[str]
    providers: list[str]  # in_house first, then vendor ids sorted (the reference's order within a slot)
    groups: list[str]
    vendors: list[str]  # vendor ids in scenario order
    week_of: np.ndarray  # period -> week
    week_fraction: np.ndarray
    # requirement table R[q, t, p], sorted (period, queue, provider) like requirement_table()
    r_period: np.ndarray
    r_queue: np.ndarray
    r_prov: np.ndarray
    r_contacts: np.ndarray
    r_aht: np.ndarray
    r_required: np.ndarray
    r_base: np.ndarray  # row of the base table (the queue-period) each requirement row belongs to
    # base table: active queue-periods, sorted (period, queue)
    b_period: np.ndarray
    b_queue: np.ndarray
    b_contacts: np.ndarray
    b_required: np.ndarray
    b_slot: np.ndarray  # routing slot of each queue-period
    # routing slots: slot x provider eligibility (every week of the slot, for weekly routing)
    slot_key: list[object]
    slot_open: np.ndarray  # bool (n_slots, n_providers)
    # shift starts, in the order of shift_starts()
    starts: pd.DataFrame
    s_group: np.ndarray
    s_day: np.ndarray  # code of the local day
    cover_start: np.ndarray  # (start, period) pairs a shift covers
    cover_period: np.ndarray
    pairs: list[tuple[str, str]]
    pair_ok: np.ndarray  # bool (n_groups, n_queues)
    _model_data: ModelData | None = field(default=None, repr=False)

    @property
    def n_slots(self) -> int:
        return len(self.slot_key)

    @property
    def soft(self) -> bool:
        return self.scenario.config.policy.soft_service_level is not None

    @property
    def period_h(self) -> float:
        return self.scenario.config.horizon.period_h

    def requirements_frame(self) -> pd.DataFrame:
        q = np.asarray(self.queues, dtype=object)
        p = np.asarray(self.providers, dtype=object)
        return pd.DataFrame({
            "period": self.r_period.astype(np.int64),
            "queue": q[self.r_queue],
            "provider": p[self.r_prov],
            "contacts": self.r_contacts,
            "aht_s": self.r_aht,
            "required": self.r_required.astype(np.int64),
        })

    def base_frame(self) -> pd.DataFrame:
        q = np.asarray(self.queues, dtype=object)
        return pd.DataFrame({
            "period": self.b_period.astype(np.int64),
            "queue": q[self.b_queue],
            "contacts": self.b_contacts,
            "required": self.b_required.astype(np.int64),
        })

    def model_data(self) -> ModelData:
        """The reference's ModelData (dicts keyed by ids), for extract_plan and diagnose."""
        if self._model_data is not None:
            return self._model_data
        data = ModelData(
            scenario=self.scenario,
            periods=self.periods,
            requirements=self.requirements_frame(),
            base=self.base_frame(),
            starts=self.starts,
            pairs=self.pairs,
            week_fraction=self.week_fraction,
        )
        qnames = self.queues
        keys = list(zip([qnames[i] for i in self.b_queue.tolist()], self.b_period.tolist()))
        data.slot_of = dict(zip(keys, [self.slot_key[s] for s in self.b_slot.tolist()]))
        provs = self.providers
        rows, cols = np.nonzero(self.slot_open)
        by_slot: list[list[str]] = [[] for _ in range(self.n_slots)]
        for s, p in zip(rows.tolist(), cols.tolist()):
            by_slot[s].append(provs[p])
        data.slot_providers = dict(zip(self.slot_key, by_slot))
        self._model_data = data
        return data


def build_index(scenario: Scenario) -> CoreIndex:
    config = scenario.config
    h = config.horizon
    T = h.periods
    interval_s = h.interval_min * 60.0
    periods = period_table(config)
    queues = [q.id for q in config.queues]
    groups = [g.id for g in config.groups]
    vendors = [v.id for v in config.vendors]
    providers = [IN_HOUSE] + sorted(vendors)
    prov_code = {p: i for i, p in enumerate(providers)}
    week_of = (np.arange(T) // h.periods_per_week).astype(np.int64)
    week_fraction = np.bincount(week_of) / h.periods_per_week
    how = periods["how"].to_numpy()

    starts, s_group, s_day, cover_start, cover_period = _shift_starts(scenario, periods)
    coverable = np.zeros((len(groups), T), dtype=bool)
    if len(cover_start):
        coverable[s_group[cover_start], cover_period] = True
    for gi, g in enumerate(config.groups):
        if g.max_headcount == 0:
            coverable[gi] = False

    # active demand, in demand row order (as active_demand does)
    d = scenario.demand
    d_period = d["period"].to_numpy()
    d_queue = pd.Index(queues).get_indexer(d["queue"])
    by_agents = scenario.demand_kind == "required_agents"
    work = (d["required_agents"] if by_agents else d["contacts"]).fillna(0).to_numpy(dtype=float)
    in_range = (d_period >= 0) & (d_period < T) & (d_queue >= 0)
    queue_open = np.zeros((len(queues), 168), dtype=bool)
    for qi, q in enumerate(config.queues):
        queue_open[qi] = hours_open(q)
    keep = np.zeros(len(d), dtype=bool)
    keep[in_range] = queue_open[d_queue[in_range], how[d_period[in_range]]]
    keep &= work > 0
    a_period = d_period[keep].astype(np.int64)
    a_queue = d_queue[keep].astype(np.int64)
    a_contacts = d["contacts"].to_numpy(dtype=float)[keep]
    a_aht = d["aht_s"].to_numpy(dtype=float)[keep]
    a_given = d["required_agents"].to_numpy(dtype=float)[keep]

    # base table: (period, queue) sorted (queue ids compared as strings, like sort_values)
    qrank = np.argsort(np.argsort(np.asarray(queues, dtype=object)))  # lexicographic rank of each queue code
    border = np.lexsort((qrank[a_queue], a_period))
    b_period, b_queue = a_period[border], a_queue[border]
    b_contacts = a_contacts[border]
    b_required = np.zeros(len(border), dtype=np.int64)
    base_of_active = np.empty(len(border), dtype=np.int64)
    base_of_active[border] = np.arange(len(border))

    # requirement rows per queue and provider
    fr_period, fr_queue, fr_prov, fr_contacts, fr_aht, fr_req, fr_base = [], [], [], [], [], [], []
    for qi, q in enumerate(config.queues):
        rows = np.nonzero(a_queue == qi)[0]
        if not len(rows):
            continue
        per = a_period[rows]
        contacts, aht, given = a_contacts[rows], a_aht[rows], a_given[rows]
        if by_agents:
            b_required[base_of_active[rows]] = np.ceil(given - EPS)
        else:
            b_required[base_of_active[rows]] = _required_unique(q, contacts, aht, interval_s)
        for pid, factor, offered in queue_offers(config, q, by_agents):
            mask = coverable[offered].any(axis=0)[per] if pid == IN_HOUSE else offered[how[per]]
            if not mask.any():
                continue
            if by_agents:
                req = np.ceil(given[mask] * factor - EPS).astype(np.int64)
            else:
                req = _required_unique(q, contacts[mask], aht[mask] * factor, interval_s)
            n = int(mask.sum())
            fr_period.append(per[mask])
            fr_queue.append(np.full(n, qi, dtype=np.int64))
            fr_prov.append(np.full(n, prov_code[pid], dtype=np.int64))
            fr_contacts.append(contacts[mask])
            fr_aht.append(aht[mask] * factor)
            fr_req.append(req)
            fr_base.append(base_of_active[rows[mask]])
    cat = lambda parts, dt: np.concatenate(parts).astype(dt) if parts else np.zeros(0, dtype=dt)  # noqa: E731
    r_period, r_queue, r_prov = cat(fr_period, np.int64), cat(fr_queue, np.int64), cat(fr_prov, np.int64)
    r_contacts, r_aht, r_required, r_base = cat(fr_contacts, float), cat(fr_aht, float), cat(fr_req, np.int64), cat(fr_base, np.int64)
    prank = np.argsort(np.argsort(np.asarray(providers, dtype=object)))
    rorder = np.lexsort((prank[r_prov], qrank[r_queue], r_period))
    r_period, r_queue, r_prov = r_period[rorder], r_queue[rorder], r_prov[rorder]
    r_contacts, r_aht, r_required, r_base = r_contacts[rorder], r_aht[rorder], r_required[rorder], r_base[rorder]

    # routing slots
    present = np.zeros((len(b_period), len(providers)), dtype=bool)
    present[r_base, r_prov] = True
    weekly = config.policy.routing == "weekly"
    if weekly:
        wd = periods["weekday"].to_numpy()[b_period]
        hr = periods["hour"].to_numpy()[b_period]
        mi = periods["minute"].to_numpy()[b_period]
        code = ((b_queue * 7 + wd) * 24 + hr) * 60 + mi
        _, first, inverse = np.unique(code, return_index=True, return_inverse=True)
        # number the slots in order of first appearance (the reference's dict order)
        order = np.argsort(first, kind="stable")
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        b_slot = rank[inverse]
        n_slots = len(order)
        slot_open = np.ones((n_slots, len(providers)), dtype=bool)
        np.logical_and.at(slot_open, b_slot, present)
        fb = first[order]
        slot_key = [
            (queues[q], (int(a), int(b), int(c)))
            for q, a, b, c in zip(b_queue[fb].tolist(), wd[fb].tolist(), hr[fb].tolist(), mi[fb].tolist())
        ]
    else:
        b_slot = np.arange(len(b_period), dtype=np.int64)
        slot_open = present
        slot_key = list(zip([queues[q] for q in b_queue.tolist()], b_period.tolist()))

    pair_ok = np.array([[group_may_take(config, g, q) for q in config.queues] for g in config.groups],
                       dtype=bool).reshape(len(groups), len(queues))
    pairs = [(groups[gi], queues[qi]) for gi, qi in zip(*np.nonzero(pair_ok))]
    return CoreIndex(
        scenario=scenario, periods=periods, queues=queues, providers=providers, groups=groups, vendors=vendors,
        week_of=week_of, week_fraction=week_fraction,
        r_period=r_period, r_queue=r_queue, r_prov=r_prov, r_contacts=r_contacts, r_aht=r_aht,
        r_required=r_required, r_base=r_base,
        b_period=b_period, b_queue=b_queue, b_contacts=b_contacts, b_required=b_required, b_slot=b_slot,
        slot_key=slot_key, slot_open=slot_open,
        starts=starts, s_group=s_group, s_day=s_day, cover_start=cover_start, cover_period=cover_period,
        pairs=pairs, pair_ok=pair_ok,
    )


def _required_unique(queue, contacts: np.ndarray, aht: np.ndarray, interval_s: float) -> np.ndarray:
    """requirement_for on each distinct (contacts, AHT) pair only, broadcast back."""
    if not len(contacts):
        return np.zeros(0, dtype=np.int64)
    pairs = np.stack([contacts, aht], axis=1)
    uniq, inverse = np.unique(pairs, axis=0, return_inverse=True)
    req = requirement_for(queue, uniq[:, 0], uniq[:, 1], interval_s)
    return np.asarray(req, dtype=np.int64)[inverse.reshape(-1)]


def _shift_starts(scenario: Scenario, periods: pd.DataFrame):
    """shift_starts() (same rows, same order) plus the (start, period) pairs each shift covers."""
    config = scenario.config
    h = config.horizon
    T = h.periods
    minute = periods["minute"].to_numpy()
    hour = periods["hour"].to_numpy()
    weekday = periods["weekday"].to_numpy()
    day_codes, day_uniques = pd.factorize(periods["day"])
    week = periods["week"].to_numpy()
    cols: dict[str, list] = {k: [] for k in ("group", "template", "start_period", "n_periods", "paid_h", "cost", "week", "g")}
    step_h = h.interval_min / 60.0
    for gi, g in enumerate(config.groups):
        night = set(g.night_hours)
        for tid in g.templates:
            t = config.template(tid)
            n = int(round(t.length_h * 60 / h.interval_min))
            day_ok = np.isin(weekday, [DAYS.index(d) for d in t.days]) & (minute == 0)
            for start_hour in t.start_hours:
                night_frac = sum(1 for i in range(n) if int(math.floor(start_hour + i * step_h)) % 24 in night) / n
                cost = g.rate_per_hour * t.paid_h * (1 + g.night_premium * night_frac)
                sel = np.nonzero(day_ok & (hour == start_hour))[0]
                k = len(sel)
                cols["group"].append(np.full(k, g.id, dtype=object))
                cols["template"].append(np.full(k, tid, dtype=object))
                cols["start_period"].append(sel.astype(np.int64))
                cols["n_periods"].append(np.full(k, n, dtype=np.int64))
                cols["paid_h"].append(np.full(k, t.paid_h, dtype=float))
                cols["cost"].append(np.full(k, cost, dtype=float))
                cols["week"].append(week[sel].astype(np.int64))
                cols["g"].append(np.full(k, gi, dtype=np.int64))
    cat = {k: (np.concatenate(v) if v else np.zeros(0)) for k, v in cols.items()}
    sp = cat["start_period"].astype(np.int64)
    starts = pd.DataFrame({
        "group": cat["group"].astype(object) if len(sp) else np.zeros(0, dtype=object),
        "template": cat["template"].astype(object) if len(sp) else np.zeros(0, dtype=object),
        "start_period": sp,
        "n_periods": cat["n_periods"].astype(np.int64),
        "paid_h": cat["paid_h"].astype(float),
        "cost": cat["cost"].astype(float),
        "day": np.asarray(day_uniques, dtype=object)[day_codes[sp]] if len(sp) else np.zeros(0, dtype=object),
        "week": cat["week"].astype(np.int64),
    })
    s_group = cat["g"].astype(np.int64)
    s_day = day_codes[sp].astype(np.int64) if len(sp) else np.zeros(0, dtype=np.int64)
    n_per = starts["n_periods"].to_numpy()
    cover_start = np.repeat(np.arange(len(sp)), n_per)
    offset = np.arange(len(cover_start)) - np.repeat(np.cumsum(n_per) - n_per, n_per)
    cover_period = sp[cover_start] + offset
    if h.cyclic:
        cover_period %= T
    else:
        inside = cover_period < T
        cover_start, cover_period = cover_start[inside], cover_period[inside]
    return starts, s_group, s_day, cover_start.astype(np.int64), cover_period.astype(np.int64)
