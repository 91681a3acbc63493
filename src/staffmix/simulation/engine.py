"""One replication of one queue: a discrete-event simulation with ciw.

Why ciw: its server schedules (the number of agents changing period by
period), time-dependent arrivals, reneging (callers who hang up) and
per-customer records are exactly this model, it is a maintained library with
a published test suite, and it runs about 35,000 calls a second here. simpy
would need all of that written by hand on top of its event loop.

One thing ciw does differently from a contact centre, and which is changed
here (`_AgentsStayNode`): at every shift change ciw sends every agent off
duty and brings in the new shift's number of fresh agents, while the busy
ones finish their calls. With hourly periods that is phantom capacity at
every hour (a constant 10 agents behaves like up to 20 for a few minutes
each hour: 68 % answered within 20 s where Erlang C gives 56 %). Here agents
stay across a change: more agents join, fewer means idle agents leave at
once and busy ones after their current call (taking no new one).

All randomness (arrival times, handling work, patience) is drawn up front
from a numpy Generator; ciw replays it, so a seed fixes a replication
exactly, whichever process runs it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import ciw
import numpy as np

from staffmix.simulation.timeline import QueueTimeline

ARRIVALS = ("poisson", "replay")
HANDLING = ("exponential", "lognormal")


class _AgentsStayNode(ciw.Node):
    """A ciw node whose agents stay on through a schedule change (see the module docstring)."""

    def change_shift(self) -> None:
        self.schedule.get_next_shift()
        self.next_shift_change = self.schedule.next_shift_change_date
        self.c = self.schedule.c
        on_duty = [s for s in self.servers if not s.offduty]
        surplus = len(on_duty) - self.c
        if surplus > 0:
            for srvr in sorted(on_duty, key=lambda s: s.busy)[:surplus]:  # idle agents leave first
                srvr.shift_end = self.now
                if srvr.busy:
                    srvr.offduty = True  # leaves after this call (ciw's detatch_server)
                else:
                    self.kill_server(srvr)
        elif surplus < 0:
            need = -surplus
            for srvr in [s for s in self.servers if s.offduty][:need]:  # still on a call: stays after all
                srvr.offduty = False
                need -= 1
            self.add_new_servers(need)
        self.begin_service_if_possible_change_shift()


class _Replay(ciw.dists.Distribution):
    """Hands ciw values drawn beforehand: inter-arrival gaps in order, or a per-caller value by id."""

    def __init__(self, values: np.ndarray, by_id: bool) -> None:
        self.values = values.tolist() + [math.inf]
        self.by_id = by_id
        self.next = 0

    def sample(self, t: float | None = None, ind: Any = None) -> float:  # ind: a ciw.Individual (ciw has no types)
        if self.by_id:
            return self.values[ind.id_number - 1]
        self.next += 1
        return self.values[self.next - 1]


class _Handling(ciw.dists.Distribution):
    """A call's handling time: its own work (AHT x a unit draw) times the factor of whoever answers it."""

    def __init__(self, work_s: np.ndarray, factor: np.ndarray, period_s: float) -> None:
        self.work_s = work_s.tolist()
        self.factor = factor.tolist()
        self.period_s = period_s
        self.last = len(self.factor) - 1

    def sample(self, t: float | None = None, ind: Any = None) -> float:  # ind: a ciw.Individual (ciw has no types)
        e = min(int((t or 0.0) // self.period_s), self.last)  # ciw always passes the time of a service draw
        return self.work_s[ind.id_number - 1] * self.factor[e]


@dataclass(frozen=True)
class Calls:
    """Every call of one replication of one queue, in arrival order (times in seconds from the run's start)."""

    arrival_s: np.ndarray
    period: np.ndarray
    """Extended period of arrival."""
    answered: np.ndarray
    abandoned: np.ndarray
    wait_s: np.ndarray
    """Time in queue: until answered, until hanging up, or until the run ended (neither answered nor abandoned)."""
    start_s: np.ndarray
    """When an agent answered (NaN if never)."""
    handle_s: np.ndarray
    """Handling time of answered calls (NaN otherwise)."""


def unit_draws(rng: np.random.Generator, n: int, handling: str, cv: float) -> np.ndarray:
    """n handling-time multipliers with mean 1: exponential, or lognormal with coefficient of variation `cv`."""
    if handling == "exponential":
        return rng.exponential(1.0, n)
    sigma2 = math.log1p(cv * cv)
    return rng.lognormal(-sigma2 / 2.0, math.sqrt(sigma2), n)


def arrival_times(tl: QueueTimeline, rng: np.random.Generator, arrivals: str) -> tuple[np.ndarray, np.ndarray]:
    """Arrival times and their extended periods: Poisson at each period's rate, or the demand's counts replayed.

    Replayed counts that are not whole (a forecast of 12.4) are rounded up or
    down at random so that their mean is the forecast. Either way the calls of
    a period arrive at independent uniform times within it (which, for Poisson
    counts, is exactly a Poisson process at the period's rate).
    """
    if arrivals == "poisson":
        counts = rng.poisson(tl.contacts)
    else:
        whole = np.floor(tl.contacts)
        counts = (whole + (rng.random(len(whole)) < tl.contacts - whole)).astype(np.int64)
    period = np.repeat(np.arange(len(counts)), counts)
    t = (period + rng.random(len(period))) * tl.period_s
    order = np.argsort(t, kind="stable")
    return t[order], period[order]


def simulate_queue(tl: QueueTimeline, rng: np.random.Generator, arrivals: str = "poisson",
                   handling: str = "exponential", cv: float = 1.0) -> Calls:
    """Run one replication of one queue through ciw and return every call."""
    t, period = arrival_times(tl, rng, arrivals)
    n = len(t)
    work_s = unit_draws(rng, n, handling, cv) * tl.aht_s[period]
    patience = rng.exponential(tl.patience_s, n) if tl.patience_s is not None else None
    end_s = tl.periods * tl.period_s
    answered = np.zeros(n, dtype=bool)
    abandoned = np.zeros(n, dtype=bool)
    wait = np.full(n, np.nan)
    start = np.full(n, np.nan)
    handle = np.full(n, np.nan)
    if n:
        schedule = ciw.Schedule(numbers_of_servers=[int(c) for c in tl.servers],
                                shift_end_dates=[(e + 1) * tl.period_s for e in range(tl.periods)])
        network = ciw.create_network(
            arrival_distributions=[_Replay(np.diff(t, prepend=0.0), by_id=False)],
            service_distributions=[_Handling(work_s, tl.factor, tl.period_s)],
            number_of_servers=[schedule],
            reneging_time_distributions=[_Replay(patience, by_id=True)] if patience is not None else None,
        )
        ciw.seed(0)  # ciw draws nothing here, but breaks exact ties with `random`
        sim = ciw.Simulation(network, node_class=_AgentsStayNode)
        sim.simulate_until_max_time(end_s)
        for r in sim.get_all_records(only=["service", "renege"]):
            i = r.id_number - 1
            wait[i] = r.waiting_time
            if r.record_type == "service":
                answered[i], start[i], handle[i] = True, r.service_start_date, r.service_time
            else:
                abandoned[i] = True
        for ind in sim.nodes[1].all_individuals:  # still there when the run ends
            i = ind.id_number - 1
            if ind.server:
                answered[i], start[i], handle[i] = True, ind.service_start_date, ind.service_time
                wait[i] = ind.service_start_date - ind.arrival_date
            else:
                wait[i] = end_s - ind.arrival_date
    return Calls(arrival_s=t, period=period, answered=answered, abandoned=abandoned, wait_s=wait,
                 start_s=start, handle_s=handle)


def busy_seconds(start_s: np.ndarray, end_s: np.ndarray, period_s: float, periods: int) -> np.ndarray:
    """Agent-seconds spent on calls in each period: the overlap of [start, end) with every period."""
    a = np.clip(start_s / period_s, 0, periods)
    b = np.clip(end_s / period_s, 0, periods)
    i = np.minimum(np.floor(a).astype(np.int64), periods - 1)
    j = np.minimum(np.floor(b).astype(np.int64), periods - 1)
    busy = np.zeros(periods)
    same = i == j
    np.add.at(busy, i[same], b[same] - a[same])
    cross = ~same
    np.add.at(busy, i[cross], i[cross] + 1 - a[cross])
    np.add.at(busy, j[cross], b[cross] - j[cross])
    full = np.zeros(periods + 1)  # whole periods in between, by a difference array
    np.add.at(full, i[cross] + 1, 1.0)
    np.add.at(full, j[cross], -1.0)
    return (busy + np.cumsum(full)[:periods]) * period_s


SUM_COLUMNS = (
    "arrivals",
    "answered",
    "in_time",
    "waited",
    "abandoned",
    "wait_sum_s",
    "handle_sum_s",
    "busy_s",
    "capacity_s",
)
"""Per-period sums of one replication; every figure the tables report is a ratio of two of them."""


def period_sums(tl: QueueTimeline, calls: Calls) -> dict[str, np.ndarray]:
    """The horizon's per-period sums (SUM_COLUMNS) from one replication's calls; calls by arrival period."""
    H, w = tl.horizon, tl.warmup
    keep = (calls.period >= w) & (calls.period < w + H)
    p = calls.period[keep] - w
    ans = calls.answered[keep]
    wait = calls.wait_s[keep]

    def count(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(p[mask], weights=None if weights is None else weights[mask], minlength=H).astype(float)

    done = calls.answered
    busy = busy_seconds(calls.start_s[done], calls.start_s[done] + calls.handle_s[done], tl.period_s, tl.periods)
    capacity = tl.servers * tl.period_s
    planned = tl.planned[w:w + H]
    return {
        "arrivals": count(np.ones(len(p), dtype=bool)),
        "answered": count(ans),
        "in_time": count(ans & (wait <= tl.within_s)),
        "waited": count(wait > 1e-9),
        "abandoned": count(calls.abandoned[keep]),
        "wait_sum_s": count(ans, wait),
        "handle_sum_s": count(ans, calls.handle_s[keep]),
        "busy_s": np.where(planned, busy[w:w + H], 0.0),
        "capacity_s": np.where(planned, capacity[w:w + H], 0.0),
    }
