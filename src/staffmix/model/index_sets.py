"""Every index set of one scenario's model, computed once, as arrays.

The reference model (model/pulp_model.py), the fast core (core/), the pre-solve
diagnosis and the reading of a plan back into tables (results/plan_tables.py) all work
on the `IndexSets` that `build_index` returns; nothing else derives them.
Who may serve what is asked of `eligibility`; how many agents a provider
needs is asked of `requirements.requirement_for` (computed once per distinct
contacts and AHT, and broadcast back).

The sets, in the notation of docs/model.md:

- periods t: `periods` (one row per period: local hour, day, week, ...);
- base rows (q, t) ∈ A: active queue-periods (open, with work), sorted by
  period then queue id: `b_*`;
- requirement rows R[q, t, p]: one per active queue-period and provider
  that may take it, sorted by period, queue, provider: `r_*`, with `r_base`
  the base row each belongs to;
- routing slots: a queue-period (per-period routing) or a queue and local
  weekday-hour-minute (weekly routing); `slot_open[s, p]` when provider p
  may take slot s (in every week of it, for weekly routing);
- shift starts k: `starts` (group, template, start period, cost, ...) and the
  (start, period) pairs each covers;
- cover rows: in-house requirement rows whose slot may go in-house (where
  in-house agents cover the requirement), and the (cover row, group) pairs
  of in-house assignments `a`;
- weeks w: `week_of` each period, the `week_fraction` of a full week each
  covers (the last may be partial), and the horizon's length in weeks.
- service groups: the local days (or ISO weeks) over which a queue's
  service level is measured when it is not measured per period, and the
  level steps of its requirement rows: one more agent above the row's
  lowest level, with the service level it adds (`b_group`, `sg_*`, `m_*`,
  `step_*`; model/service_groups.py).
- deferrable work (queues with `response_within_h`): `deferred`, the
  backlog's sets (model/deferrable_sets.py). Their queue-periods are not base rows.

Codes index `queues`, `providers` (in-house first, then vendor ids sorted),
`groups` and `vendors` (scenario order).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from staffmix.model.deferrable_sets import DeferredSets, build_deferred
from staffmix.model.requirements import EPS, required_per_pair
from staffmix.model.service_groups import level_steps, service_groups
from staffmix.scenario.container import Scenario
from staffmix.scenario.eligibility import group_may_take, hours_open, queue_offers
from staffmix.scenario.schema import DAYS, IN_HOUSE, ScenarioConfig


def period_table(config: ScenarioConfig) -> pd.DataFrame:
    """One row per period: period, period_start (tz-aware), hour, minute, weekday, how (hour of week), day, week,
    week_fraction."""
    h = config.horizon
    starts = h.period_starts()
    period = np.arange(h.periods)
    week = period // h.periods_per_week
    return pd.DataFrame({
        "period": period,
        "period_start": starts,
        "hour": starts.hour.to_numpy(),
        "minute": starts.minute.to_numpy(),
        "weekday": starts.day_of_week.to_numpy(),
        "how": (starts.day_of_week * 24 + starts.hour).to_numpy(),
        "day": starts.strftime("%Y-%m-%d").to_numpy(),
        "week": week,
        "week_fraction": week_fractions(config)[week],
    })


def week_fractions(config: ScenarioConfig) -> np.ndarray:
    """Share of a full week each horizon week covers (the last one may be partial)."""
    h = config.horizon
    return np.bincount(np.arange(h.periods) // h.periods_per_week) / h.periods_per_week


@dataclass(frozen=True, eq=False)
class IndexSets:
    """The index sets of one scenario's model (see the module docstring)."""

    scenario: Scenario
    periods: pd.DataFrame
    queues: list[str]
    providers: list[str]
    groups: list[str]
    vendors: list[str]
    week_of: np.ndarray
    week_fraction: np.ndarray
    # requirement rows R[q, t, p]
    r_period: np.ndarray
    r_queue: np.ndarray
    r_prov: np.ndarray
    r_contacts: np.ndarray
    r_aht: np.ndarray
    r_required: np.ndarray
    r_base: np.ndarray
    # base rows: active queue-periods
    b_period: np.ndarray
    b_queue: np.ndarray
    b_contacts: np.ndarray
    b_required: np.ndarray
    b_slot: np.ndarray
    # routing slots
    slot_key: Sequence[Hashable]
    slot_open: np.ndarray  # bool (n_slots, n_providers)
    # shift starts and what they cover
    starts: pd.DataFrame  # group, template, start_period, n_periods, paid_h, cost, day, week
    s_group: np.ndarray
    s_day: np.ndarray  # code of the local day of the start
    cover_start: np.ndarray  # (start, period) pairs a shift covers
    cover_period: np.ndarray
    coverable: np.ndarray  # bool (n_groups, n_periods): some allowed shift of the group is on duty
    # in-house cover rows and assignments
    pair_ok: np.ndarray  # bool (n_groups, n_queues): the group may answer the queue
    cover_req: np.ndarray  # requirement row of each cover row
    a_cover: np.ndarray  # cover row of each assignment pair
    a_group: np.ndarray  # group of each assignment pair
    # service measured per day or week: groups, their requirement rows and level steps
    b_group: np.ndarray  # service group of each base row, -1 where its queue is measured per period
    sg_queue: np.ndarray  # queue of each service group (a measured queue and one local day or ISO week)
    sg_label: list[str]  # the group's day ("2026-03-02") or ISO week ("2026-W10")
    sg_contacts: np.ndarray  # contacts of the group's active queue-periods
    m_req: np.ndarray  # requirement rows of measured queues, in requirement row order
    m_service: np.ndarray  # service level of each at its lowest level (r_required agents)
    step_req: np.ndarray  # requirement row of each level step (one agent above the one before), row then level order
    step_gain: np.ndarray  # service level the step adds
    # deferrable work: arrivals, backlog, handling columns (model/deferrable_sets.py)
    deferred: DeferredSets

    # ------------------------------------------------------------ sizes and facts
    @property
    def n_slots(self) -> int:
        return len(self.slot_key)

    @property
    def n_weeks(self) -> int:
        """Weeks of the horizon, a partial last week counted as one."""
        return len(self.week_fraction)

    @property
    def horizon_weeks(self) -> float:
        """Length of the horizon in weeks (what weekly fees and per-head costs are charged for)."""
        h = self.scenario.config.horizon
        return h.periods / h.periods_per_week

    @property
    def soft(self) -> bool:
        return self.scenario.config.policy.soft_service_level is not None

    @property
    def period_h(self) -> float:
        return self.scenario.config.horizon.period_h

    @property
    def by_agents(self) -> bool:
        """Demand is given as required agents (no contacts)."""
        return self.scenario.demand_kind == "required_agents"

    @cached_property
    def z_slot(self) -> np.ndarray:
        """Slot of each routing decision (slot, provider) that exists, in slot then provider order."""
        return np.nonzero(self.slot_open)[0]

    @cached_property
    def z_prov(self) -> np.ndarray:
        return np.nonzero(self.slot_open)[1]

    @cached_property
    def req_of(self) -> np.ndarray:
        """(base row, provider) -> requirement row, -1 where the provider may not take it."""
        out = np.full((len(self.b_period), len(self.providers)), -1, dtype=np.int64)
        out[self.r_base, self.r_prov] = np.arange(len(self.r_base))
        return out

    @cached_property
    def cover_of_base(self) -> np.ndarray:
        """Base row -> its cover row, -1 where it cannot go in-house."""
        out = np.full(len(self.b_period), -1, dtype=np.int64)
        out[self.r_base[self.cover_req]] = np.arange(len(self.cover_req))
        return out

    def vendor_rows(self, vendor_index: int) -> np.ndarray:
        """Requirement rows vendor `vendor_index` (scenario order) may take: its requirement rows whose slot is open to
        it."""
        p = self.providers.index(self.vendors[vendor_index])
        rows = np.nonzero(self.r_prov == p)[0]
        return rows[self.slot_open[self.b_slot[self.r_base[rows]], p]]

    @property
    def sg_target(self) -> np.ndarray:
        """Service-level target of each service group (its queue's)."""
        targets = np.array([q.service_level.target for q in self.scenario.config.queues], dtype=float)
        return targets[self.sg_queue] if len(self.sg_queue) else np.zeros(0)

    @property
    def agent_h_per_contact(self) -> np.ndarray:
        """Agent time one contact of each queue takes, hours (AHT; chat divided by its concurrency): what a contact
        answered late beyond a day's target costs at the soft service level's penalty per agent-hour."""
        return np.array([q.aht_s / q.concurrency / 3600.0 for q in self.scenario.config.queues], dtype=float)

    @cached_property
    def r_group(self) -> np.ndarray:
        """Service group of each requirement row, -1 where its queue is measured per period."""
        return self.b_group[self.r_base] if len(self.r_base) else np.zeros(0, dtype=np.int64)

    @cached_property
    def step_rows(self) -> np.ndarray:
        """Requirement rows with level steps (sorted), one per level-choice integer of the model."""
        return np.unique(self.step_req)

    def base_work(self) -> np.ndarray:
        """Work of each base row: contacts, or required agents when demand is given as agents."""
        return self.b_required.astype(float) if self.by_agents else self.b_contacts

    # ------------------------------------------------------------ tables for people
    def requirements_frame(self) -> pd.DataFrame:
        """R[q, t, p]: period, queue, provider, contacts, aht_s (the provider's), required."""
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
        """Active queue-periods: period, queue, contacts, required (at the queue's own AHT)."""
        q = np.asarray(self.queues, dtype=object)
        return pd.DataFrame({
            "period": self.b_period.astype(np.int64),
            "queue": q[self.b_queue],
            "contacts": self.b_contacts,
            "required": self.b_required.astype(np.int64),
        })


def build_index(scenario: Scenario) -> IndexSets:
    """The index sets of `scenario`'s model."""
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
    week_fraction = week_fractions(config)
    week_of = periods["week"].to_numpy().astype(np.int64)
    how = periods["how"].to_numpy()

    starts, s_group, s_day, cover_start, cover_period = _shift_starts(config, periods)
    coverable = np.zeros((len(groups), T), dtype=bool)
    if len(cover_start):
        coverable[s_group[cover_start], cover_period] = True
    for gi, g in enumerate(config.groups):
        if g.max_headcount == 0:
            coverable[gi] = False

    # active demand, in demand row order: open queue-periods with work
    d = scenario.demand
    d_period = d["period"].to_numpy()
    d_queue = pd.Index(queues).get_indexer(pd.Index(d["queue"]))
    by_agents = scenario.demand_kind == "required_agents"
    work = (d["required_agents"] if by_agents else d["contacts"]).fillna(0).to_numpy(dtype=float)
    in_range = (d_period >= 0) & (d_period < T) & (d_queue >= 0)
    queue_open = np.array([hours_open(q) for q in config.queues], dtype=bool).reshape(len(queues), 168)
    keep = np.zeros(len(d), dtype=bool)
    keep[in_range] = queue_open[d_queue[in_range], how[d_period[in_range]]]
    keep &= work > 0
    # deferrable queues' contacts go to their backlog (model/deferrable_sets.py), not to base rows
    deferrable = np.array([q.deferrable for q in config.queues], dtype=bool)
    is_deferred = keep & deferrable[np.where(d_queue >= 0, d_queue, 0)]
    deferred = build_deferred(
        config, periods["week"].to_numpy().astype(np.int64), how,
        (d_period[is_deferred].astype(np.int64), d_queue[is_deferred].astype(np.int64), work[is_deferred]),
        coverable, providers,
    )
    keep &= ~is_deferred
    a_period = d_period[keep].astype(np.int64)
    a_queue = d_queue[keep].astype(np.int64)
    a_contacts = d["contacts"].to_numpy(dtype=float)[keep]
    a_aht = d["aht_s"].to_numpy(dtype=float)[keep]
    a_given = d["required_agents"].to_numpy(dtype=float)[keep]

    # base rows: sorted by period, then queue id as text
    qrank = np.argsort(np.argsort(np.asarray(queues, dtype=object)))
    border = np.lexsort((qrank[a_queue], a_period))
    b_period, b_queue = a_period[border], a_queue[border]
    b_contacts = a_contacts[border]
    b_required = np.zeros(len(border), dtype=np.int64)
    base_of_active = np.empty(len(border), dtype=np.int64)
    base_of_active[border] = np.arange(len(border))

    per_contact = {v.id for v in config.vendors if v.pricing == "per_contact"}
    # requirement rows, per queue and provider that may take it
    parts: dict[str, list[np.ndarray]] = {
        k: [] for k in ("period", "queue", "prov", "contacts", "aht", "required", "base")
    }
    for qi, q in enumerate(config.queues):
        rows = np.nonzero(a_queue == qi)[0]
        if not len(rows):
            continue
        per = a_period[rows]
        contacts, aht, given = a_contacts[rows], a_aht[rows], a_given[rows]
        measured = q.service_level.aggregated
        if by_agents:
            b_required[base_of_active[rows]] = np.ceil(given - EPS)
        else:
            b_required[base_of_active[rows]] = required_per_pair(q, contacts, aht, interval_s, lowest=measured)
        for pid, factor, offered in queue_offers(config, q, by_agents):
            mask = coverable[offered].any(axis=0)[per] if pid == IN_HOUSE else offered[how[per]]
            if not mask.any():
                continue
            if by_agents:
                req = np.ceil(given[mask] * factor - EPS).astype(np.int64)
            else:
                # a per-contact vendor's level is its own: it staffs the queue's full requirement
                lowest = measured and pid not in per_contact
                req = required_per_pair(q, contacts[mask], aht[mask] * factor, interval_s, lowest=lowest)
            n = int(mask.sum())
            parts["period"].append(per[mask])
            parts["queue"].append(np.full(n, qi, dtype=np.int64))
            parts["prov"].append(np.full(n, prov_code[pid], dtype=np.int64))
            parts["contacts"].append(contacts[mask])
            parts["aht"].append(aht[mask] * factor)
            parts["required"].append(req)
            parts["base"].append(base_of_active[rows[mask]])
    dtypes = {
        "period": np.int64,
        "queue": np.int64,
        "prov": np.int64,
        "contacts": float,
        "aht": float,
        "required": np.int64,
        "base": np.int64,
    }
    r = {k: (np.concatenate(v).astype(dtypes[k]) if v else np.zeros(0, dtype=dtypes[k])) for k, v in parts.items()}
    prank = np.argsort(np.argsort(np.asarray(providers, dtype=object)))
    rorder = np.lexsort((prank[r["prov"]], qrank[r["queue"]], r["period"]))
    r = {k: v[rorder] for k, v in r.items()}

    b_slot, slot_key, slot_open = _routing_slots(
        config, periods, queues, len(providers), b_period, b_queue, r["base"], r["prov"]
    )

    pair_ok = np.array([[group_may_take(config, g, q) for q in config.queues] for g in config.groups],
                       dtype=bool).reshape(len(groups), len(queues))
    # cover rows: in-house requirement rows whose slot may go in-house; assignments: (cover row, group that may answer)
    ih_rows = np.nonzero(r["prov"] == 0)[0]
    cover_req = ih_rows[slot_open[b_slot[r["base"][ih_rows]], 0]] if len(providers) else np.zeros(0, np.int64)
    a_cover, a_group = np.nonzero(pair_ok[:, r["queue"][cover_req]].T)  # row-major: cover row, then group
    b_group, sg_queue, sg_label, sg_contacts = service_groups(config, periods, b_period, b_queue, b_contacts)
    vendor_code = np.array([p in per_contact for p in providers], dtype=bool)
    routable = slot_open[b_slot[r["base"]], r["prov"]] if len(r["base"]) else np.zeros(0, dtype=bool)
    m_req, m_service, step_req, step_gain = level_steps(
        config, r, b_group, routable, vendor_code[r["prov"]], interval_s
    )
    return IndexSets(
        scenario=scenario, periods=periods, queues=queues, providers=providers, groups=groups, vendors=vendors,
        week_of=week_of, week_fraction=week_fraction,
        r_period=r["period"], r_queue=r["queue"], r_prov=r["prov"], r_contacts=r["contacts"], r_aht=r["aht"],
        r_required=r["required"], r_base=r["base"],
        b_period=b_period, b_queue=b_queue, b_contacts=b_contacts, b_required=b_required, b_slot=b_slot,
        slot_key=slot_key, slot_open=slot_open,
        starts=starts, s_group=s_group, s_day=s_day, cover_start=cover_start, cover_period=cover_period,
        coverable=coverable, pair_ok=pair_ok,
        cover_req=cover_req.astype(np.int64), a_cover=a_cover.astype(np.int64), a_group=a_group.astype(np.int64),
        b_group=b_group, sg_queue=sg_queue, sg_label=sg_label, sg_contacts=sg_contacts,
        m_req=m_req, m_service=m_service, step_req=step_req, step_gain=step_gain,
        deferred=deferred,
    )


def _routing_slots(
    config: ScenarioConfig, periods: pd.DataFrame, queues: list[str], n_providers: int,
    b_period: np.ndarray, b_queue: np.ndarray, r_base: np.ndarray, r_prov: np.ndarray,
) -> tuple[np.ndarray, Sequence[Hashable], np.ndarray]:
    """(slot of each base row, slot keys, slot x provider openness).

    Per-period routing: one slot per queue-period. Weekly routing: one per
    queue and local weekday-hour-minute, open only to providers that may take
    it in every week; slots are numbered in order of first appearance.
    """
    present = np.zeros((len(b_period), n_providers), dtype=bool)
    present[r_base, r_prov] = True
    if config.policy.routing != "weekly":
        slot_key = list(zip([queues[q] for q in b_queue.tolist()], b_period.tolist(), strict=True))
        return np.arange(len(b_period), dtype=np.int64), slot_key, present
    wd = periods["weekday"].to_numpy()[b_period]
    hr = periods["hour"].to_numpy()[b_period]
    mi = periods["minute"].to_numpy()[b_period]
    code = ((b_queue * 7 + wd) * 24 + hr) * 60 + mi
    _, first, inverse = np.unique(code, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    b_slot = rank[inverse]
    slot_open = np.ones((len(order), n_providers), dtype=bool)
    np.logical_and.at(slot_open, b_slot, present)
    fb = first[order]
    slot_key = [
        (queues[q], (int(a), int(b), int(c)))
        for q, a, b, c in zip(b_queue[fb].tolist(), wd[fb].tolist(), hr[fb].tolist(), mi[fb].tolist(), strict=True)
    ]
    return b_slot, slot_key, slot_open


def _shift_starts(config: ScenarioConfig, periods: pd.DataFrame):
    """Every allowed (group, template, start period) with its cost, and the (start, period) pairs it covers.

    A shift covers start_period .. start_period + n_periods - 1, wrapping
    modulo the horizon when it is cyclic, cut at its end otherwise. Night
    hours are paid at the group's premium, pro rata over the shift.
    """
    h = config.horizon
    T = h.periods
    minute = periods["minute"].to_numpy()
    hour = periods["hour"].to_numpy()
    weekday = periods["weekday"].to_numpy()
    day_codes, day_uniques = pd.factorize(periods["day"])
    week = periods["week"].to_numpy()
    cols: dict[str, list] = {
        k: [] for k in ("group", "template", "start_period", "n_periods", "paid_h", "cost", "week", "g")
    }
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
