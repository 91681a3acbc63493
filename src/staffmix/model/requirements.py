"""How many agents a provider needs on a queue, and what service a number of agents gives.

The queueing math (queueing.py) applied to a queue's channel and targets:
voice and chat by Erlang C (Erlang A when callers abandon; chat divides the
AHT by its concurrency), email as workload. `requirement_for` gives the
requirement R of the model (model/index_sets.py calls it once per distinct contacts and
AHT); `achieved_service` reads back the service a plan's staffed agents give.
"""

from __future__ import annotations

import numpy as np

from staffmix import queueing
from staffmix.scenario.schema import Channel, Queue

EPS = 1e-9
"""Slack under a whole number before rounding up (so 3.0000000001 agents is 3)."""


def requirement_for(
    queue: Queue, contacts: np.ndarray, aht_s: np.ndarray, interval_s: float, target: float | None = None
) -> np.ndarray:
    """Agents needed (integers) for each period's contacts at the given AHTs (at `target` instead of the
    queue's own service-level target when given; the caps always hold)."""
    aht = aht_s / queue.concurrency if queue.channel == Channel.chat else aht_s
    sl = queue.service_level
    max_occ = 1.0 if sl.max_occupancy is None else sl.max_occupancy
    if queue.channel == Channel.email:
        load = contacts * aht / interval_s
        return np.ceil(load / max_occ - EPS).astype(np.int64)
    out = queueing.required_agents(
        contacts, aht, interval_s, sl.target if target is None else target, sl.within_s,
        max_occupancy=max_occ, max_asa_s=sl.max_asa_s,
        patience_s=sl.patience_s, max_abandon=sl.max_abandon,
    )
    return np.asarray(out, dtype=np.int64)



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


LEVEL_CEILING_MISS = 0.1
"""The highest level a day- or week-measured queue-period is offered misses at most this share of what the
target allows: 1 - 0.1 x (1 - target) (98 % for an 80 % target). One more agent there adds well under a
tenth of a per cent of that period's contacts answered in time (docs/service-measures.md)."""


def floor_requirement(queue: Queue, contacts: np.ndarray, aht_s: np.ndarray, interval_s: float) -> np.ndarray:
    """The lowest level of a queue whose service level is measured per day or week: the agents its
    `period_floor` needs (with the caps), or without a floor the fewest that keep the queue stable and
    within the caps (target 0)."""
    floor = queue.service_level.period_floor
    return requirement_for(queue, contacts, aht_s, interval_s, target=0.0 if floor is None else floor)


def ceiling_requirement(queue: Queue, contacts: np.ndarray, aht_s: np.ndarray, interval_s: float) -> np.ndarray:
    """The highest level offered to a day- or week-measured queue-period (see LEVEL_CEILING_MISS)."""
    ceiling = 1.0 - LEVEL_CEILING_MISS * (1.0 - queue.service_level.target)
    return requirement_for(queue, contacts, aht_s, interval_s, target=ceiling)


def service_at(
    queue: Queue, agents: np.ndarray, contacts: np.ndarray, aht_s: np.ndarray, interval_s: float
) -> np.ndarray:
    """Service level (share of all offered contacts answered within `within_s`) that `agents` whole agents give."""
    return achieved_service(queue, agents, contacts, aht_s, interval_s)[0]


def required_per_pair(queue: Queue, contacts: np.ndarray, aht: np.ndarray, interval_s: float, lowest: bool = False,
                      rule=None) -> np.ndarray:
    """requirement_for (floor_requirement when `lowest`, or `rule`) on each distinct (contacts, AHT) pair only,
    broadcast back: a year of hours has far fewer distinct pairs than rows, and Erlang is the costly part."""
    if not len(contacts):
        return np.zeros(0, dtype=np.int64)
    pairs = np.stack([contacts, aht], axis=1)
    uniq, inverse = np.unique(pairs, axis=0, return_inverse=True)
    rule = rule or (floor_requirement if lowest else requirement_for)
    req = rule(queue, uniq[:, 0], uniq[:, 1], interval_s)
    return np.asarray(req, dtype=np.int64)[inverse.reshape(-1)]
