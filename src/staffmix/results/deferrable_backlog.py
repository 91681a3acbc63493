"""Deferrable work's plan values -> the `backlog` and `handled` tables, and its share of the other tables.

results/plan_tables.py calls `deferred_tables` for every plan: from the handled numbers
(PlanValues.handled, aligned to IndexSets.deferred) it builds

- `handled`: per period, queue and provider, the contacts handled and the
  agents they occupy (in-house: productive agents, summed over groups;
  vendors: the agents they staff for it);
- `backlog`: per deferrable queue and period, the arrivals, handled and
  unanswered contacts, and the first-in-first-out reading (results/deferrable_fifo.py) of the
  handled numbers: backlog, age of the oldest contact waiting, contacts of
  the period handled within target, their longest wait (hours);
- the in-house agents per group, queue and period, for the assignments table.

The solver's own backlog values are not read: the backlog is recomputed
from the handled numbers, the way `verify` does with its own code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from staffmix.model.index_sets import IndexSets
from staffmix.model.plan_values import PlanValues
from staffmix.results.deferrable_fifo import read_fifo

EPS = 1e-7


def deferred_tables(ix: IndexSets, values: PlanValues) -> tuple[pd.DataFrame | None, pd.DataFrame, pd.DataFrame]:
    """(backlog, handled, in-house assignments) of the plan's deferrable work (without any: no backlog table, and
    empty tables)."""
    D = ix.deferred
    starts = ix.periods["period_start"]
    queues = np.asarray(ix.queues, dtype=object)
    providers = np.asarray(ix.providers, dtype=object)
    groups = np.asarray(ix.groups, dtype=object)
    h = np.asarray(values.handled, dtype=float) if len(values.handled) else np.zeros(len(D.h_queue))
    h = np.where(h > EPS, h, 0.0)
    agents = h * D.h_agents
    on = h > 0

    # handled: per period, queue, provider (groups summed into in-house)
    hd = pd.DataFrame({
        "period": D.h_period[on], "queue": queues[D.queue[D.h_queue[on]]], "provider": providers[D.h_prov[on]],
        "handled": h[on], "agents": agents[on],
    })
    handled = hd.groupby(["period", "queue", "provider"], sort=True, as_index=False)[["handled", "agents"]].sum()
    handled.insert(
        1,
        "period_start",
        starts.iloc[handled["period"].to_numpy()].to_numpy() if len(handled) else starts.iloc[:0].to_numpy(),
    )
    handled = handled[["period", "period_start", "queue", "provider", "handled", "agents"]].reset_index(drop=True)

    ih = on & (D.h_group >= 0)
    assignments = pd.DataFrame({
        "period": D.h_period[ih].astype(np.int64), "group": groups[D.h_group[ih]],
        "queue": queues[D.queue[D.h_queue[ih]]], "agents": agents[ih],
    })

    # backlog: per deferrable queue and period, read FIFO
    T = D.n_periods
    total = np.zeros((D.n_queues, T))
    np.add.at(total, (D.h_queue, D.h_period), h)
    dropped = np.zeros((D.n_queues, T))
    if len(values.dropped):
        np.add.at(dropped, (D.e_queue, D.e_period), np.where(values.dropped > EPS, values.dropped, 0.0))
    frames = []
    for d in range(D.n_queues):
        reading = read_fifo(D.arrived[d] - dropped[d], total[d], D.cyclic, int(D.target[d]))
        frames.append(pd.DataFrame({
            "period": np.arange(T, dtype=np.int64), "period_start": starts.to_numpy(), "queue": queues[D.queue[d]],
            "arrived": D.arrived[d], "handled": total[d], "unanswered": dropped[d], "backlog": reading.backlog,
            "oldest_wait_h": reading.oldest_wait_periods * ix.period_h, "within_target": reading.within_target,
            "wait_h": reading.wait_periods * ix.period_h,
        }))
    backlog = pd.concat(frames, ignore_index=True) if frames else None
    return backlog, handled, assignments


def deferred_vendor_use(ix: IndexSets, handled: pd.DataFrame) -> pd.DataFrame:
    """Per vendor and week: agent-hours and contacts of its deferrable handling (columns vendor, week, hours,
    contacts)."""
    v = handled[handled["provider"].isin(ix.vendors)]
    return pd.DataFrame({
        "vendor": v["provider"].to_numpy(), "week": ix.week_of[v["period"].to_numpy(dtype=np.int64)],
        "hours": v["agents"].to_numpy(dtype=float) * ix.period_h, "contacts": v["handled"].to_numpy(dtype=float),
    }).groupby(["vendor", "week"], as_index=False).sum()


__all__ = ["deferred_tables", "deferred_vendor_use"]
