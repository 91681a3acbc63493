"""Benchmark: simulating a week of the bundled 2can-split plan (issue #15: 20 replications under 30 s on 2 cores).

The plan is solved once per session with the scenario's own backend (core)
and is not part of the timing. `staffmix.simulate` is timed end to end:
timelines, replications in parallel worker processes (one per CPU, started
fresh each round: their start-up is part of the time), statistics and
tables. `extra_info` holds the replications, the calls simulated and the
overall simulated service level with its 95 % interval beside the plan's
promise.

Quick mode (STAFFMIX_BENCH_QUICK=1): 4 replications, one round, and a 20 s
solve limit.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from conftest import QUICK

from staffmix import load_scenario, simulate, solve

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "2can-split"
REPLICATIONS = 4 if QUICK else 20
ROUNDS = 1 if QUICK else 3


@cache
def plan():
    scenario = load_scenario(SCENARIO)
    result = solve(scenario, time_limit_s=20.0 if QUICK else None)
    assert result.status.has_plan, result.message
    return scenario, result


def test_simulate_2can_split_week(benchmark) -> None:
    scenario, result = plan()
    sim = benchmark.pedantic(simulate, args=(scenario, result), kwargs={"replications": REPLICATIONS, "seed": 0},
                             rounds=ROUNDS, iterations=1, warmup_rounds=0)
    overall = sim.overall.iloc[0]
    benchmark.extra_info.update(
        replications=sim.replications,
        calls_simulated=sim.calls_simulated,
        plan_status=str(result.status),
        service_level=round(float(overall["service_level"]), 4),
        service_level_lo=round(float(overall["service_level_lo"]), 4),
        service_level_hi=round(float(overall["service_level_hi"]), 4),
        promised_service_level=round(float(overall["promised_service_level"]), 4),
        asa_s=round(float(overall["asa_s"]), 2),
        promised_asa_s=round(float(overall["promised_asa_s"]), 2),
        queue_days_below_target=int(sim.by_day["below_target"].sum()),
    )
    assert sim.replications == REPLICATIONS
    assert 0.0 <= overall["service_level_lo"] <= overall["service_level"] <= overall["service_level_hi"] <= 1.0
