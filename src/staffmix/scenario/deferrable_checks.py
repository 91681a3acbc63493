"""Validation of deferrable queues (response_within_h): rules that need the horizon or the demand table.

The schema (scenario/schema.py) checks a deferrable queue on its own: email channel
only, a target no later than its deadline. These checks need more: the
deadline and the target must be whole periods of the horizon (at least one)
and the deadline must fit in the horizon; the demand must give contacts at
the queue's own AHT. `checks.py` runs them with its other rules, in its
style (problems and notes appended to lists, each naming its field).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from staffmix.scenario.schema import ScenarioConfig


def check_deferrable(config: ScenarioConfig, problems: list[str], notes: list[str], prefix: str) -> None:
    """A deferrable queue's deadline and target are whole periods, at least one, and the deadline fits the horizon."""
    h = config.horizon
    horizon_h = h.periods * h.period_h
    for i, q in enumerate(config.queues):
        if q.response_within_h is None:
            continue
        where = f"{prefix}queues[{i}] (id {q.id!r})"
        fields = [("response_within_h", q.response_within_h)]
        if q.response_target is not None:
            fields.append(("response_target.within_h", q.response_target.within_h))
        for name, hours in fields:
            periods = hours * 60.0 / h.interval_min
            if periods < 1 - 1e-9:
                problems.append(f"{where}.{name}: {hours:g} h is shorter than one {h.interval_min}-minute period")
            elif abs(periods - round(periods)) > 1e-9:
                problems.append(f"{where}.{name}: {hours:g} h is not a multiple of the {h.interval_min}-minute period")
        if q.response_within_h > horizon_h + 1e-9:
            problems.append(
                f"{where}.response_within_h: {q.response_within_h:g} h is longer than the horizon "
                f"({h.periods} periods, {horizon_h:g} h); a deadline must fall within it"
            )


def check_deferrable_demand(
    config: ScenarioConfig, demand: pd.DataFrame, problems: list[str], notes: list[str], prefix: str
) -> None:
    """Deferrable queues need contacts (not required agents) at the queue's own AHT: a contact handled hours after
    its period is costed at one AHT per queue."""
    deferrable = [q for q in config.queues if q.deferrable]
    if not deferrable or not len(demand):
        return
    if demand["contacts"].isna().all():
        problems.append(
            f"{prefix}demand gives required agents, but queues {', '.join(q.id for q in deferrable)} are deferrable "
            "(response_within_h): their backlog is counted in contacts; give contacts"
        )
        return
    queues = demand["queue"].astype(object).to_numpy()
    aht = demand["aht_s"].to_numpy(dtype=float)
    for q in deferrable:
        off = (queues == q.id) & ~np.isclose(aht, q.aht_s, rtol=1e-12, atol=0.0)
        if off.any():
            i = int(np.flatnonzero(off)[0])
            problems.append(
                f"{prefix}queue {q.id!r}: {int(off.sum())} rows give an aht_s other than the queue's {q.aht_s:g} "
                f"(e.g. period {demand['period'].iloc[i]}: {aht[i]:g}); a deferrable queue (response_within_h) "
                "uses one AHT, the queue's"
            )
