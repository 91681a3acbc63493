"""The demand table of a Scenario: one row per (period, queue), in period-major order.

Its columns are schema.DEMAND_COLUMNS: period, queue, contacts (NaN when
demand is given as required agents), aht_s (the queue's AHT unless a row
overrides it), required_agents (NaN unless given directly). The CSV reader,
the CSV writer and variants (which re-lay a base demand on new queues and
periods) all build or print it here, so they agree on its form.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from staffmix.scenario.horizon import Horizon
from staffmix.scenario.schema import ScenarioConfig


def demand_kind(demand: pd.DataFrame) -> Literal["contacts", "required_agents"]:
    """'required_agents' when the table gives required agents (contacts all NaN, at least one row), else 'contacts'."""
    return "required_agents" if len(demand) and demand["contacts"].isna().all() else "contacts"


def densify(
    config: ScenarioConfig,
    period: np.ndarray,
    qidx: np.ndarray,
    contacts: np.ndarray,
    aht: np.ndarray,
    required: np.ndarray,
    kind: str,
) -> tuple[pd.DataFrame, int, list[str]]:
    """The dense demand frame from unique (period, queue index) rows; NaN aht means the queue's default.

    Returns (frame, number of missing pairs, a few missing pairs as text).
    """
    n_p, ids = config.horizon.periods, [q.id for q in config.queues]
    n_q = len(ids)
    n = n_p * n_q
    pos = period.astype(np.int64) * n_q + qidx.astype(np.int64)
    out_contacts = np.zeros(n) if kind == "contacts" else np.full(n, np.nan)
    out_required = np.zeros(n) if kind == "required_agents" else np.full(n, np.nan)
    out_aht = np.tile(np.array([q.aht_s for q in config.queues], dtype=float), n_p)
    if kind == "contacts":
        out_contacts[pos] = contacts
    else:
        out_required[pos] = required
    given = ~np.isnan(aht)
    out_aht[pos[given]] = aht[given]
    demand = pd.DataFrame(
        {
            "period": np.repeat(np.arange(n_p, dtype=np.int64), n_q),
            "queue": pd.Series(np.tile(np.array(ids, dtype=object), n_p), dtype="str"),
            "contacts": out_contacts,
            "aht_s": out_aht,
            "required_agents": out_required,
        }
    )
    present = np.zeros(n, dtype=bool)  # a mask, not np.unique: linear time on millions of rows
    present[pos] = True
    n_missing = n - int(np.count_nonzero(present))
    examples: list[str] = []
    if n_missing:
        missing = np.flatnonzero(~present)[:3]
        labels = period_labels(config.horizon, missing // n_q)
        examples = [f"{lab} {ids[m % n_q]}" for lab, m in zip(labels, missing, strict=True)]
        if n_missing > 3:
            examples.append("...")
    return demand, n_missing, examples


def period_labels(horizon: Horizon, periods: np.ndarray | None = None) -> np.ndarray:
    """Period starts as local wall-clock ISO text; with the UTC offset when the horizon crosses a DST change."""
    grid = horizon.period_starts()
    if periods is not None:
        grid = grid[np.asarray(periods, dtype=np.int64)]
    if _has_dst_change(horizon):
        text = pd.Series(grid.strftime("%Y-%m-%dT%H:%M%z"), dtype=object)
        text = text.str[:-2] + ":" + text.str[-2:]
        return text.to_numpy(dtype=object)
    return np.asarray(grid.strftime("%Y-%m-%dT%H:%M"), dtype=object)


def _has_dst_change(horizon: Horizon) -> bool:
    """Whether the UTC offset changes within the horizon (then period labels carry it)."""
    grid = horizon.period_starts().as_unit("us")
    offsets = grid.tz_localize(None).asi8 - grid.asi8
    return bool(len(offsets)) and bool((offsets != offsets[0]).any())
