"""The feedback's shifts per day: one choice of every agent's working days, and how many agents that leaves each day.

A plan's MIP counts agents, not weeks: "shifts starting on a day <= headcount"
and "paid hours in a week <= max_hours_per_week x headcount" let a group of 20
agents, each working five days, start 20 shifts on Friday, 13 on Saturday and
9 on Sunday. No roster has that: with all 20 working Friday, nobody's two days
off in a row (within Monday-Sunday) touches Friday, so Saturday and Sunday are
off for the same agents, while 7 off on Saturday and 11 on Sunday would be
needed. What can be counted per day is only the agents who work that day under
some choice of everybody's days off.

`work_days` makes that choice, group by group, with a small CP-SAT model: one
boolean per agent and day (false on a day the agent can work none of the group's
shifts: unavailability), the days-off rules of the roster model itself
(`model.add_days_off`: per ISO week at most its days less its days off, a block
of consecutive_days_off of them) and its cap on runs of working days
(`model.add_consecutive_caps`, across a cyclic wrap). It maximises the shifts
of the unrostered plan those weeks can work (per day, the smaller of the plan's
starts and the agents working), then the working days themselves. Each day's
count of working agents is that day's cap, `groups[].max_shifts_per_day`.

The plan does not choose the weeks (tours of work days as columns of the MIP
would): the caps follow from the unrostered plan, and among choices that work
as many of its shifts, which days fall short is CP-SAT's pick, not the
cheapest. So the re-solved plan may cost more than the cheapest plan a roster
can work: in tests/test_roster.py's hand instance, +480 where caps short on
Wednesday instead of Monday give +320. (Preferring to keep the busier days
whole gives that +320 there, but +126 EUR more on eu-ecommerce-pci.)

Any plan within those caps has agents for its days: on each day the agents
whose chosen weeks work it take that day's shifts, and an agent given fewer
days than chosen still keeps every days-off rule. What the caps do not carry:
rest between shifts on consecutive days, the cap on runs of nights, windows
of a few hours away, and each agent's hours (the plan counts them per group);
the roster of the re-solved plan says whether those bind.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from staffmix.rostering.agent_rules import can_work
from staffmix.rostering.agents import Agent
from staffmix.rostering.model import add_consecutive_caps, add_days_off
from staffmix.rostering.slots import Calendar, Slot, plan_slots
from staffmix.scenario.schema import DAYS

WORK_LIMIT = 10.0
"""CP-SAT's deterministic time for one group's choice (the same choice on every machine); a choice found in it is
valid whether or not proven the best."""


@dataclass(frozen=True)
class WorkDays:
    """One group's choice: per local day of the horizon, the agents working it and the plan's shifts starting."""

    group: str
    caps: list[int]
    """Agents whose chosen weeks work the day: the day's `max_shifts_per_day`."""
    planned: list[int]
    """Shifts of the group the unrostered plan starts on the day."""
    optimal: bool
    """Proven to work as many of the plan's shifts as any choice can."""

    @property
    def workable(self) -> int:
        """Shifts of the plan the chosen weeks can work (per day the smaller of planned and caps)."""
        return sum(min(p, c) for p, c in zip(self.planned, self.caps, strict=True))


def possible_slots(scenario) -> list[Slot]:
    """Every shift a group may start in the horizon (each template's start hours on its days), once, as slots:
    what an agent's availability on a day is read against."""
    config = scenario.config
    starts = config.horizon.period_starts()
    hour, minute, weekday = (np.asarray(a, dtype=np.int64) for a in (starts.hour, starts.minute, starts.day_of_week))
    rows = []
    for g in config.groups:
        for t in (config.template(t) for t in g.templates):
            days = [DAYS.index(d) for d in t.days]
            ok = (minute == 0) & np.isin(hour, t.start_hours) & np.isin(weekday, days)
            rows += [(g.id, t.id, int(p), 1) for p in np.flatnonzero(ok)]
    return plan_slots(scenario, pd.DataFrame(rows, columns=["group", "template", "start_period", "count"]))


def work_days(
    scenario,
    planned: list[Slot],
    cal: Calendar,
    agents: list[Agent],
    *,
    threads: int | None = None,
    work_limit: float = WORK_LIMIT,
) -> dict[str, WorkDays]:
    """Per group, one choice of its agents' working days that works as many of the `planned` shifts as can be, and
    the agents working each day under it (see the module docstring)."""
    possible = possible_slots(scenario)
    rules = scenario.config.roster
    out = {}
    for g in scenario.config.groups:
        members = [a for a in agents if a.group == g.id]
        per_day = [0] * len(cal.days)
        for s in planned:
            if s.group == g.id:
                per_day[s.day] += s.count
        mine = [s for s in possible if s.group == g.id]
        able = [{s.day for s in mine if can_work(a, s)} for a in members]
        caps, optimal = _choose(cal, rules, able, per_day, threads, work_limit)
        out[g.id] = WorkDays(g.id, caps, per_day, optimal)
    return out


def _choose(
    cal: Calendar, rules, able: list[set[int]], planned: list[int], threads: int | None, work_limit: float
) -> tuple[list[int], bool]:
    """Per day the agents working it under the best choice found of their working days, and whether it is proven
    best. `able[a]`: the days agent a can work some shift of the group on."""
    from ortools.sat.python import cp_model

    n_days = len(cal.days)
    if not able:
        return [0] * n_days, True
    m = cp_model.CpModel()
    works: dict[int, list] = {}
    for a, days in enumerate(able):
        works[a] = [m.new_bool_var(f"w_{a}_{d}") if d in days else 0 for d in range(n_days)]
    by_agent: dict[int, list[int]] = {a: [] for a in works}
    add_days_off(m, cal, works, by_agent, rules, frozenset())
    add_consecutive_caps(m, [], cal, {}, by_agent, works, rules, frozenset({"max_consecutive_nights"}))
    working = [sum(works[a][d] for a in works) for d in range(n_days)]
    covered = []
    for d in range(n_days):
        c = m.new_int_var(0, planned[d], f"covered_{d}")
        m.add(c <= working[d])
        covered.append(c)
    # lexicographic: the plan's shifts worked first, then the working days (a day more never costs a shift worked)
    m.maximize((len(able) * n_days + 1) * sum(covered) + sum(working))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = threads or 1
    solver.parameters.random_seed = 0
    solver.parameters.max_deterministic_time = work_limit
    code = solver.solve(m)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):  # pragma: no cover - all days off is always a choice
        return [0] * n_days, False
    return [int(solver.value(w)) for w in working], code == cp_model.OPTIMAL
