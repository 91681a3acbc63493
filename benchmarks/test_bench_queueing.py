"""Benchmark: required agents for a year of hourly periods on 10 queues (87,600 rows).

Loads span 0 to 2,000 Erlangs (a daily and weekly demand shape per queue,
scaled so the busiest queue peaks at 2,000 Erlangs), with a mix of AHTs,
80/20 to 90/30 targets and, on some queues, occupancy and ASA caps. The data
come from a seeded numpy generator, so every run times the same work.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from staffmix.queueing import required_agents_table

HOURS_PER_YEAR = 8760
QUEUES = 10
INTERVAL_S = 3600.0
MAX_LOAD_ERLANG = 2000.0


def year_of_hourly_demand(seed: int = 20240601) -> pd.DataFrame:
    """One row per queue and hour: contacts, AHT and the queue's targets (seeded, reproducible)."""
    rng = np.random.default_rng(seed)
    hour = np.arange(HOURS_PER_YEAR)
    hour_of_day, day_of_week = hour % 24, (hour // 24) % 7
    daily = np.clip(np.sin(np.pi * (hour_of_day - 6) / 14), 0.0, None) ** 1.5  # 06:00-20:00 hump
    weekly = np.where(day_of_week < 5, 1.0, 0.45)
    frames = []
    peaks = np.linspace(MAX_LOAD_ERLANG / QUEUES, MAX_LOAD_ERLANG, QUEUES)  # queue q peaks at peaks[q] Erlangs
    for q in range(QUEUES):
        aht_s = rng.choice([150.0, 240.0, 360.0, 600.0])
        shape = (0.03 + daily) * weekly / 1.03
        load = np.clip(peaks[q] * shape * rng.lognormal(0.0, 0.12, HOURS_PER_YEAR), 0.0, MAX_LOAD_ERLANG)
        load[rng.random(HOURS_PER_YEAR) < 0.02] = 0.0  # closed hours
        frames.append(
            pd.DataFrame(
                {
                    "queue": f"q{q}",
                    "hour": hour,
                    "contacts": np.round(load * INTERVAL_S / aht_s),
                    "aht_s": aht_s,
                    "target_sl": rng.choice([0.8, 0.85, 0.9]),
                    "within_s": rng.choice([20.0, 30.0]),
                    "max_occupancy": 0.88 if q % 3 == 0 else np.nan,
                    "max_asa_s": 30.0 if q % 4 == 1 else np.nan,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def test_required_agents_year_hourly_10_queues(benchmark):
    df = year_of_hourly_demand()
    load = df["contacts"] * df["aht_s"] / INTERVAL_S
    assert len(df) == HOURS_PER_YEAR * QUEUES
    assert load.min() == 0.0 and 1900.0 < load.max() <= MAX_LOAD_ERLANG + 1.0

    agents = benchmark(required_agents_table, df, INTERVAL_S)

    assert agents.index.equals(df.index)
    assert (agents[load > 0] > load[load > 0]).all() and (agents[load == 0] == 0).all()
    benchmark.extra_info["rows"] = len(df)
    benchmark.extra_info["total_agents"] = int(agents.sum())
    benchmark.extra_info["max_load_erlang"] = round(float(load.max()), 1)
