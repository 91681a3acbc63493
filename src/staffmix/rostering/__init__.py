"""Rosters of named agents: who works each in-house shift of a plan, under the labour rules (issue #24).

`roster(scenario, result, agents)` takes a plan's shifts table (how many
shifts of each group and template start when) and the agents of agents.csv,
and gives each shift to a named agent of its group with OR-Tools CP-SAT:
minimum rest, days off per ISO week (some consecutive), caps on runs of
working days and nights, contracted hours within a tolerance, preferences
and fairness as far as they go (roster/model.py); then breaks inside the
shifts within the plan's shrinkage (breaks.py). When the plan cannot be
rostered it says which group, which days, how many shifts and which rule
binds (explain.py), and `feedback.py` re-solves the plan with the agents'
limits fed back. The roster is checked independently by
`staffmix.verification.roster_check`.
"""

from __future__ import annotations

import time
from pathlib import Path

from staffmix.errors import StaffmixError
from staffmix.rostering.agents import Agent, agents_path, load_agents
from staffmix.rostering.table import RosterResult
from staffmix.util import solve_progress as progress_events

__all__ = ["Agent", "RosterResult", "load_agents", "roster"]


def roster(
    scenario,
    result,
    agents: list[Agent] | str | Path | None = None,
    *,
    time_limit_s: float | None = None,
    threads: int | None = None,
    work_limit: float | None = None,
    progress=None,
    explain: bool = True,
) -> RosterResult:
    """Roster the in-house shifts of `result` (a plan of `scenario`) to named agents.

    agents: a list of `Agent`, a path to an agents.csv, or None for the agents.csv beside scenario.yaml.
    time_limit_s / work_limit: wall-clock seconds, or CP-SAT's deterministic time (the same roster on any
    machine) for the search; threads: CP-SAT workers (default 1, deterministic). progress: a callable
    taking `staffmix.util.solve_progress.SolveProgress` events, as `solve` does. explain: when infeasible, re-solve
    to say how many shifts the rules leave unworked and which rule binds.
    """
    from staffmix.rostering.breaks import place_breaks
    from staffmix.rostering.explain import (
        binding_rules,
        counting_shortages,
        unworked_by_day,
    )
    from staffmix.rostering.model import solve_by_group
    from staffmix.rostering.slots import calendar, plan_slots
    from staffmix.rostering.table import roster_tables

    if not result.status.has_plan:
        raise StaffmixError(f"scenario {scenario.name}: the plan's solve ended {result.status}; no shifts to roster")
    if agents is None or isinstance(agents, (str, Path)):
        agents = load_agents(agents_path(scenario, agents), scenario)
    started = time.perf_counter()
    rules = scenario.config.roster
    slots = plan_slots(scenario, result.shifts)
    cal = calendar(scenario)
    with progress_events.listening(progress):
        shortages = counting_shortages(slots, cal, agents, rules)
        problems = [s.text for s in shortages]
        binds: list[str] = []
        if not shortages:
            progress_events.phase("roster", f"CP-SAT, {len(agents)} agents, {sum(s.count for s in slots):,} shifts")
            out = solve_by_group(
                slots, cal, agents, rules, time_limit_s=time_limit_s, threads=threads, work_limit=work_limit
            )
        else:
            out = None
        if out is None or out.status == "infeasible":
            status = "infeasible"
            if explain:
                progress_events.phase("explain", "shifts the rules leave unworked, and the rule that binds")
                partial = solve_by_group(
                    slots,
                    cal,
                    agents,
                    rules,
                    report=False,
                    partial=True,
                    time_limit_s=time_limit_s,
                    threads=threads,
                    work_limit=work_limit,
                )
                if partial.status in ("optimal", "feasible") and partial.uncovered:
                    worked = sum(s.count for s in slots) - sum(partial.uncovered.values())
                    lost, total = sum(partial.uncovered.values()), sum(s.count for s in slots)
                    if partial.status == "optimal":
                        problems.append(
                            f"the rules leave {lost} of {total} planned shifts unworked at best "
                            f"({worked} can be rostered):"
                        )
                    else:
                        problems.append(
                            f"the best partial roster found in the time limit leaves {lost} of {total} planned shifts "
                            f"unworked (fewer may be possible; {worked} rostered):"
                        )
                    problems += ["  " + line for line in unworked_by_day(slots, cal, partial.uncovered)]
                if not shortages:
                    binds, sentence = binding_rules(slots, cal, agents, rules, time_limit_s, threads, work_limit)
                    problems.append(sentence)
            if not problems:
                problems.append("the rules admit no roster of these shifts")
            return RosterResult(
                status, scenario.name, solve_s=time.perf_counter() - started, problems=problems, binding_rules=binds
            )
        if not out.works:
            if out.status in ("optimal", "feasible"):  # nothing to roster (a plan without in-house shifts)
                pass
            else:
                why = (
                    "stopped at the time limit before finding a roster"
                    if out.status == "unknown"
                    else "CP-SAT rejected the model"
                )
                return RosterResult(out.status, scenario.name, solve_s=time.perf_counter() - started, problems=[why])
        progress_events.phase("breaks", "within the plan's shrinkage per period")
        breaks = place_breaks(scenario, slots, cal, threads=threads, time_limit_s=time_limit_s)
        roster_table, hours, warnings = roster_tables(scenario, slots, cal, agents, out.works, breaks, rules)
    return RosterResult(
        out.status,
        scenario.name,
        objective=out.objective,
        bound=out.bound,
        solve_s=time.perf_counter() - started,
        warnings=warnings,
        roster=roster_table,
        agent_hours=hours,
    )
