"""Where a plan falls short of what its scenario asks: the one check behind every warning a planner sees.

A queue-period is below target when it is left unserved, staffed below its
requirement (shortfall: the soft service level allows both, at a penalty),
or its achieved service level is under the queue's target. The text summary,
the report's status card, the batch's summary.csv and index page, and the
command line's --strict all read the same count (the KPIs
`below_target_periods` and `min_service_level`, computed here), so they never
disagree. A new kind of target (a service level per day or week) adds its
check to `below_target`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from staffmix.schema import UNSERVED, ScenarioConfig

TOLERANCE = 1e-6
"""Agents of shortfall, or share of service level, below which a miss is round-off, not a miss."""


def below_target(staffing: pd.DataFrame, config: ScenarioConfig) -> np.ndarray:
    """Per row of a plan's staffing table: True when that queue-period misses what the scenario asks of it."""
    if staffing.empty:
        return np.zeros(0, dtype=bool)
    unserved = (staffing["provider"] == UNSERVED).to_numpy()
    short = staffing["shortfall"].to_numpy(dtype=float) > TOLERANCE
    target = staffing["queue"].map({q.id: q.service_level.target for q in config.queues}).to_numpy(dtype=float)
    level = staffing["service_level"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        low = (staffing["contacts"].to_numpy(dtype=float) > 0) & (level < target - TOLERANCE)  # NaN (no contacts given): no
    return unserved | short | low


def lowest_service_level(staffing: pd.DataFrame) -> float | None:
    """The least service level any queue-period with contacts gets (None when there are none, e.g. demand as agents)."""
    if staffing.empty:
        return None
    level = staffing["service_level"].to_numpy(dtype=float)[staffing["contacts"].to_numpy(dtype=float) > 0]
    level = level[~np.isnan(level)]
    return float(level.min()) if len(level) else None
