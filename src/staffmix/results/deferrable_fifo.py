"""A deferrable queue's plan read first-in-first-out: backlog, waits and contacts within target, per period.

The model (docs/model.md, "Deferrable work") decides how many contacts are
handled in each period; which contacts they are follows from the rule that
the oldest waiting contact is answered first. `read_fifo` turns one queue's
arrivals and handled numbers into what a planner reads: the backlog at the
end of each period, the age of the oldest contact still waiting, how many
of the period's arrivals are handled within target and the longest wait of
any of them. Contacts are fluid (a plan may handle 2.4 in an hour).

Positions: contacts are numbered in arrival order. On a cyclic horizon the
plan repeats, and the backlog before the first period is the least the
handled numbers allow (a solver's backlog may carry more, which could only
make every wait longer); those contacts are the previous cycle's last
arrivals. On a non-cyclic horizon nothing waits before the first period,
and a contact still waiting after the last one has no wait (NaN).

Waits follow the model's convention: a contact arriving in s and handled
in d waited (d - s + 1) periods.

This module serves results/plan_tables.py; the verifier has its own reading
(verification/deferred.py) and shares no code with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from staffmix.model.index_sets import IndexSets

REL_TOL = 1e-6
"""A remainder of at most this share of the largest arrival (and at least 1e-6 contacts) counts as handled: solvers
meet equations to about 1e-7, so 2.9999995 of 3 contacts is all of them."""


@dataclass(frozen=True)
class FifoReading:
    """One queue's plan, period by period (arrays of the horizon's length)."""

    backlog: np.ndarray  # contacts waiting at the end of the period
    oldest_wait_periods: np.ndarray  # periods the oldest waiting contact has waited by the end of the period (0: none)
    within_target: np.ndarray  # contacts arriving in the period handled within `target` periods
    wait_periods: np.ndarray  # longest wait of the period's arrivals, in periods (NaN: none arrive, or never handled)


def read_fifo(admitted: np.ndarray, handled: np.ndarray, cyclic: bool, target: int) -> FifoReading:
    """The FIFO reading of one queue: `admitted` contacts arrive (arrivals less any left unanswered) and `handled`
    are answered in each period; `target` in periods."""
    a = np.maximum(np.asarray(admitted, dtype=float), 0.0)
    h = np.maximum(np.asarray(handled, dtype=float), 0.0)
    T = len(a)
    TOL = REL_TOL * max(1.0, float(a.max(initial=0.0)))
    cum_a, cum_h = np.cumsum(a), np.cumsum(h)
    carry = max(0.0, float(np.max(cum_h - cum_a, initial=0.0))) if cyclic else 0.0
    total = float(cum_a[-1]) if T else 0.0
    backlog = carry + cum_a - cum_h
    # arrival positions over the previous, this and (cyclic) the next cycle; P[i] starts period i - T
    starts = carry + np.concatenate([[0.0], cum_a[:-1]]) if T else np.zeros(0)
    P = np.concatenate([starts - total, starts, starts + total, [carry + 2 * total]])
    # cumulative handled by the end of each period of this and (cyclic) the next cycle
    H2 = np.concatenate([cum_h, cum_h + total]) if cyclic else cum_h
    # the oldest waiting contact at the end of t sits at position cum_h[t]
    arrival_of = np.searchsorted(P, cum_h + TOL, side="right") - 1 - T  # period (may be negative: last cycle)
    oldest = np.where(backlog > TOL, np.arange(T) - arrival_of + 1, 0).astype(float)
    # the last contact of period s sits just below P(s + 1)
    last = starts + a
    done = np.searchsorted(H2, last - TOL, side="left").astype(float)
    done[done >= len(H2)] = np.nan
    wait = np.where(a > TOL, done - np.arange(T) + 1, np.nan)
    end = np.arange(T) + target - 1
    if not cyclic:
        end = np.minimum(end, T - 1)
    reach = H2[np.minimum(end, len(H2) - 1)] if T else np.zeros(0)
    within = np.clip(reach - starts, 0.0, a)
    return FifoReading(np.maximum(backlog, 0.0), oldest, within, wait)




def within_target(ix: IndexSets, handled: np.ndarray, dropped: np.ndarray) -> np.ndarray:
    """(queues x periods) contacts of each arrival period handled within target, read first-in-first-out from a
    plan's handling (one value per IndexSets.deferred handling column) and its unanswered contacts (queues x
    periods): what answering early (solvers/answer_early.py) and the core's share targets (solvers/core/share_later.py)
    both read."""
    D = ix.deferred
    total = np.zeros((D.n_queues, D.n_periods))
    np.add.at(total, (D.h_queue, D.h_period), handled)
    return np.stack([read_fifo(D.arrived[d] - dropped[d], total[d], D.cyclic, int(D.target[d])).within_target
                     for d in range(D.n_queues)]) if D.n_queues else total


__all__ = ["FifoReading", "read_fifo", "within_target"]
