"""Benchmark: rostering 500 named agents over four weeks (issue #24: under 60 s on the project's machine).

The instance is built here, not solved as a plan: four groups of 125 agents,
templates early (06-14), day (09-17), late (14-22) and night (22-06), and a
plan's shifts table made by counting a roster that exists (each agent keeps
one template and works five days a week with two consecutive days off, the
block placed by the agent's number), so the instance is rosterable by
construction; one agent in twenty is not in that roster (cover for absence),
so the plan needs 95 % of the agents' working days, a tight team.
`staffmix.roster` then rosters it from the counts alone, on two CP-SAT
workers with a 45 s limit shared by the four groups: the greedy first roster
covers every shift and keeps the hard rules, so each group starts from a
roster and CP-SAT improves it (before the greedy's repair it found none and
ended `unknown` after 67 s). The roster must come back and pass the
independent checker. `extra_info` holds the status, the objective and bound,
the agents and shifts, and the checker's violations (see docs/roster.md).

Quick mode (STAFFMIX_BENCH_QUICK=1): 40 agents over one week.
"""

from __future__ import annotations

import math

import pandas as pd
from conftest import QUICK

from staffmix.results.result import Result, Status
from staffmix.rostering import Agent, roster
from staffmix.scenario.container import Scenario
from staffmix.scenario.schema import ScenarioConfig
from staffmix.verification.roster_check import verify_roster

AGENTS = 40 if QUICK else 500
WEEKS = 1 if QUICK else 4
GROUPS = 4
TEMPLATES = {"early": 6, "day": 9, "late": 14, "night": 22}
TIME_LIMIT_S = 45.0
"""The whole roster's limit (the groups share it): under the issue's 60 s with the set-up and the breaks."""


def instance() -> tuple[Scenario, Result, list[Agent]]:
    config = ScenarioConfig.model_validate(
        {
            "name": f"roster-{AGENTS}x{WEEKS}w",
            "horizon": {
                "start": "2026-03-02T00:00",
                "periods": 168 * WEEKS,
                "interval_min": 60,
                "timezone": "UTC",
                "cyclic": True,
            },
            "queues": [{"id": "q", "language": "en", "aht_s": 300}],
            "templates": [{"id": t, "length_h": 8, "start_hours": [h]} for t, h in TEMPLATES.items()],
            "groups": [
                {"id": f"g{i}", "languages": ["en"], "rate_per_hour": 10, "templates": list(TEMPLATES)}
                for i in range(GROUPS)
            ],
            "roster": {"max_consecutive_nights": 5},
        }
    )
    scenario = Scenario(
        config=config,
        demand=pd.DataFrame(
            {"period": [0], "queue": ["q"], "contacts": [1.0], "aht_s": [300.0], "required_agents": [math.nan]}
        ),
    )
    counts: dict[tuple[str, str, int], int] = {}
    agents = []
    per_group = AGENTS // GROUPS
    for i in range(AGENTS):
        group, j = f"g{i // per_group}", i % per_group
        template = list(TEMPLATES)[j % 4]
        off = (j // 4) % 6  # the two days off: (off, off + 1) of every week
        agents.append(
            Agent(f"{group}-{j:03d}", group, 40.0, prefers="early" if j % 7 == 0 else "", weekends_off=j % 11 == 0)
        )
        if j % 20 == 19:  # one agent in twenty is cover: the plan needs 95 % of the agents' working days
            continue
        for day in range(7 * WEEKS):
            if day % 7 in (off, off + 1):
                continue
            key = (group, template, day * 24 + TEMPLATES[template])
            counts[key] = counts.get(key, 0) + 1
    shifts = pd.DataFrame(
        [(g, t, p, pd.NaT, n) for (g, t, p), n in counts.items()],
        columns=["group", "template", "start_period", "start", "count"],
    )
    return scenario, Result(status=Status.optimal, scenario=config.name, solver="hand", shifts=shifts), agents


def test_roster_500_agents_four_weeks(benchmark) -> None:
    scenario, plan, agents = instance()
    out = benchmark.pedantic(
        roster,
        args=(scenario, plan, agents),
        kwargs={"time_limit_s": TIME_LIMIT_S, "threads": 2},
        rounds=1,
        iterations=1,
        warmup_rounds=0,
    )
    problems = verify_roster(scenario, plan, out.roster) if out.has_roster else None
    benchmark.extra_info.update(
        status=out.status,
        objective=out.objective,
        bound=out.bound,
        agents=len(agents),
        shifts=int(plan.shifts["count"].sum()),
        weeks=WEEKS,
        checker_violations=None if problems is None else len(problems),
    )
    assert out.status in ("optimal", "feasible"), out.problems  # the instance is rosterable by construction
    assert out.has_roster, out.problems
    assert problems == []
