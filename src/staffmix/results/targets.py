"""Where a plan falls short of what its scenario asks: the one check behind every warning a planner sees.

A queue-period is below target when it is left unserved, staffed below its
requirement (shortfall: the soft service level allows both, at a penalty),
or its achieved service level is under the queue's target. The text summary,
the report's status card, the batch's summary.csv and index page, and the
command line's --strict all read the same count (the KPIs
`below_target_periods` and `min_service_level`, computed here), so they never
disagree. A queue whose service level is measured per day or week (issue
#14) misses in a period under its floor, and in every period of a day (week)
whose contact-weighted level is under the target.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from staffmix.scenario.schema import UNSERVED, Queue, ScenarioConfig

TOLERANCE = 1e-6
"""Agents of shortfall, or share of service level, below which a miss is round-off, not a miss."""


def queue_target(queue: Queue) -> float:
    """The target a queue's service level is read against: its service-level target, or for a deferrable queue
    the share to handle within its response target (all within the deadline when it has none)."""
    if queue.response_within_h is None:
        return float(queue.service_level.target)
    return float(queue.response_target.share) if queue.response_target else 1.0


def below_target(staffing: pd.DataFrame, config: ScenarioConfig) -> np.ndarray:
    """Per row of a plan's staffing table: True when that queue-period misses what the scenario asks of it."""
    if staffing.empty:
        return np.zeros(0, dtype=bool)
    unserved = (staffing["provider"] == UNSERVED).to_numpy()
    short = staffing["shortfall"].to_numpy(dtype=float) > TOLERANCE
    queues = {q.id: q.service_level for q in config.queues}
    target = staffing["queue"].map({q: sl.target for q, sl in queues.items()}).to_numpy(dtype=float)
    measured = staffing["queue"].map({q: sl.measured for q, sl in queues.items()}).to_numpy(dtype=object)
    floor = staffing["queue"].map({q: sl.period_floor for q, sl in queues.items()}).to_numpy(dtype=float)
    contacts = staffing["contacts"].to_numpy(dtype=float)
    level = staffing["service_level"].to_numpy(dtype=float)
    per_period = measured == "period"
    with np.errstate(invalid="ignore"):  # NaN (no contacts given, or no floor): no miss
        low = (contacts > 0) & per_period & (level < target - TOLERANCE)
        # measured per day or week: a period misses when it is under its floor, or when the day (week) it
        # belongs to misses the target on the contact-weighted level
        low |= (contacts > 0) & ~per_period & (level < floor - TOLERANCE)
        low |= ~per_period & _group_misses(staffing, measured, target, contacts, level)
    return unserved | short | low


def _group_misses(staffing: pd.DataFrame, measured: np.ndarray, target: np.ndarray, contacts: np.ndarray,
                  level: np.ndarray) -> np.ndarray:
    """Per row: its queue is measured per day or week and that local day (ISO week) misses the target."""
    out = np.zeros(len(staffing), dtype=bool)
    for kind, fmt in (("day", "%Y-%m-%d"), ("week", "%G-W%V")):
        rows = measured == kind
        if not rows.any():
            continue
        starts = pd.to_datetime(staffing["period_start"])
        key = staffing["queue"].astype(str) + "|" + starts.dt.strftime(fmt)
        weighted = (
            pd.Series(np.where(rows, np.nan_to_num(level) * contacts, 0.0)).groupby(key.to_numpy()).transform("sum")
        )
        volume = pd.Series(np.where(rows, contacts, 0.0)).groupby(key.to_numpy()).transform("sum")
        with np.errstate(invalid="ignore", divide="ignore"):
            day_level = (weighted / volume).to_numpy()
        out |= rows & (volume.to_numpy() > 0) & (day_level < target - TOLERANCE)
    return out


def lowest_service_level(staffing: pd.DataFrame) -> float | None:
    """The least service level any queue-period with contacts gets (None when there are none, e.g. demand as agents)."""
    if staffing.empty:
        return None
    level = staffing["service_level"].to_numpy(dtype=float)[staffing["contacts"].to_numpy(dtype=float) > 0]
    level = level[~np.isnan(level)]
    return float(level.min()) if len(level) else None


def status_line(status: str, below_target_periods: int, unmet_periods: int) -> str:
    """How a solve ended, in words that say when its plan falls short: "optimal" for a plan that meets every
    target; "optimal under the soft service level: 156 periods short" when the soft service level left
    queue-periods short or unserved; "optimal, 12 queue-periods below target" when it staffed them all to
    their requirement and some still miss the target. The status line of the summary and the report's
    status card read it, beside the warning (Result.warnings) from the same counts."""
    if below_target_periods <= 0:
        return str(status)
    if unmet_periods > 0:
        return (
            f"{status} under the soft service level: {unmet_periods:,} period{'s' if unmet_periods != 1 else ''} short"
        )
    return f"{status}, {below_target_periods:,} queue-period{'s' if below_target_periods != 1 else ''} below target"
