"""The index sets of queues whose service level is measured per day or week (issue #14), for model/index_sets.py.

A service group is one such queue and one local day (or ISO week of the
local calendar) of `horizon.timezone`; its base rows are weighed by their
contacts. Each requirement row of such a queue may be staffed at its lowest
level (the floor's requirement) or one more agent at a time up to the
ceiling's: a level step, with the service level it adds. The reference
model (model.add_service_levels), the core (core/levels.py) and the
verifier all read these sets from `IndexSets`; nothing else derives them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from staffmix.model.requirements import ceiling_requirement, required_per_pair, service_at
from staffmix.scenario.schema import ScenarioConfig

__all__ = ["level_steps", "service_groups"]


def service_groups(config: ScenarioConfig, periods: pd.DataFrame, b_period: np.ndarray, b_queue: np.ndarray,
                    b_contacts: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray]:
    """(group of each base row or -1, queue of each group, its day or ISO week, its contacts).

    One group per queue measured per day (week) and local day (ISO week of the local calendar) of
    `horizon.timezone` with active queue-periods; groups in queue order, then in time.
    """
    b_group = np.full(len(b_period), -1, dtype=np.int64)
    measured = [qi for qi, q in enumerate(config.queues) if q.service_level.aggregated]
    if not measured or not len(b_period):
        return b_group, np.zeros(0, dtype=np.int64), [], np.zeros(0)
    day = periods["day"].to_numpy(dtype=object)
    week = periods["period_start"].dt.strftime("%G-W%V").to_numpy(dtype=object)
    queues: list[int] = []
    labels: list[str] = []
    contacts: list[np.ndarray] = []
    for qi in measured:
        rows = np.nonzero(b_queue == qi)[0]
        label = (day if config.queues[qi].service_level.measured == "day" else week)[b_period[rows]]
        uniq, first, inverse = np.unique(label, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")  # in time: by first period
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        b_group[rows] = len(labels) + rank[inverse.reshape(-1)]
        labels += [str(x) for x in uniq[order]]
        queues += [qi] * len(uniq)
        contacts.append(np.bincount(rank[inverse.reshape(-1)], weights=b_contacts[rows], minlength=len(uniq)))
    return b_group, np.array(queues, dtype=np.int64), labels, np.concatenate(contacts)


def level_steps(config: ScenarioConfig, r: dict[str, np.ndarray], b_group: np.ndarray, routable: np.ndarray,
                 per_contact: np.ndarray, interval_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(measured requirement rows, the service level at each one's lowest level, step rows, step gains).

    Measured rows are the requirement rows of queues measured per day or week whose routing slot is open
    to their provider (the ones a plan can choose).

    A requirement row of a queue measured per day or week may be staffed at its lowest level (its
    `required`, the floor's requirement) or any whole number of agents above it up to the ceiling's
    requirement; each agent above the lowest is a step with the service level it adds. A per-contact
    vendor's row has one level only: the full requirement it staffs by itself.
    """
    m_req = np.nonzero((b_group[r["base"]] >= 0) & routable)[0] if len(r["base"]) else np.zeros(0, dtype=np.int64)
    m_service = np.zeros(len(m_req))
    step_req, step_gain = [], []
    for qi, q in enumerate(config.queues):
        rows = m_req[r["queue"][m_req] == qi]
        if not len(rows):
            continue
        contacts, aht, low = r["contacts"][rows], r["aht"][rows], r["required"][rows]
        high = np.maximum(required_per_pair(q, contacts, aht, interval_s, rule=ceiling_requirement), low)
        high[per_contact[rows]] = low[per_contact[rows]]
        # the service level at every level low..high of every row, one vectorised call
        n = high - low + 1
        owner = np.repeat(np.arange(len(rows)), n)
        level = low[owner] + np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
        sl = service_at(q, level.astype(float), contacts[owner], aht[owner], interval_s)
        first = np.cumsum(n) - n
        m_service[np.searchsorted(m_req, rows)] = sl[first]
        steps = np.ones(len(sl), dtype=bool)
        steps[first] = False
        step_req.append(rows[owner[steps]])
        step_gain.append(sl[steps] - sl[np.nonzero(steps)[0] - 1])
    step_req_all = np.concatenate(step_req) if step_req else np.zeros(0, dtype=np.int64)
    gains = np.concatenate(step_gain) if step_gain else np.zeros(0)
    order = np.argsort(step_req_all, kind="stable")  # rows in requirement row order, levels ascending within
    return m_req.astype(np.int64), m_service, step_req_all[order].astype(np.int64), gains[order]
