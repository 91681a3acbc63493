"""The feedback solve: when a plan cannot be rostered, solve it again within the agents' limits, so plan and
roster agree.

The plan's MIP has, per group, "shifts starting on a day <= headcount", "paid
hours in a week <= max_hours_per_week x headcount" and, when set, "shifts
starting on local day d <= max_shifts_per_day[d]". Feeding back the agents
means bounding those by what agents.csv and the roster rules allow:

- headcount at most the group's agents (and its minimum no higher);
- weekly hours per head at most the largest contract x (1 + hours_tolerance_share)
  and at most (7 - days_off_per_week) shifts of the group's longest paid template;
- shifts per day at most the agents who work that day under one choice of
  every agent's working days (work_days.py): days off per ISO week, the block
  of consecutive_days_off, the cap on runs of working days, whole days an agent
  is away. Headcount alone cannot say this: eu-ecommerce-pci's first feedback
  plan started 20 shifts on Friday with 20 agents, 13 on Saturday and 9 on
  Sunday, which two days off in a row make impossible (5 shifts short a group).

All are scenario changes (`with_changes`), validated like any what-if, so the
reference model, the core and `verify` read them with no code of their own here.

What this does not feed back: rest between shifts on consecutive days, the cap
on runs of nights, windows of a few hours an agent is away, and each agent's
own hours (days off when a group mixes long and short shifts: ten 4-hour
shifts fill 40 hours as five 8-hour ones do). The re-solved plan is rostered
again and the result says whether it now rosters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from staffmix.rostering.agents import Agent

if TYPE_CHECKING:
    from staffmix.results.result import Result
    from staffmix.rostering.table import RosterResult


@dataclass(frozen=True)
class Feedback:
    """The re-solved plan, its roster, the changes fed back and the cost against the unrostered plan."""

    changes: dict
    """The scenario changes fed back (`scenario.with_changes(changes)`)."""
    lines: list[str]
    """The changes in words, one a group."""
    result: Result
    """The re-solved plan (a staffmix Result)."""
    roster: RosterResult
    """Its roster (a RosterResult)."""
    cost_before: float | None
    cost_after: float | None
    notes: list[str] = field(default_factory=list)

    @property
    def extra_cost(self) -> float | None:
        if self.cost_before is None or self.cost_after is None:
            return None
        return self.cost_after - self.cost_before

    def summary(self, currency: str | None = None) -> str:
        unit = f" {currency}" if currency else ""
        out = ["feedback solve: the plan again, within the agents' limits"]
        out += [f"  {line}" for line in self.lines]
        if self.cost_after is None:
            out.append(f"  the re-solved plan ended {self.result.status}: no plan within these limits")
        else:
            extra = self.cost_after - (self.cost_before or 0.0)
            share = f" ({extra / self.cost_before:+.1%})" if self.cost_before else ""
            out.append(
                f"  plan cost {self.cost_before:,.2f}{unit} -> {self.cost_after:,.2f}{unit}: "
                f"{extra:+,.2f}{unit}{share} "
                "for a plan within the agents' headcount, weekly hours and working days"
            )
            out.append(f"  its roster: {self.roster.status}")
        out += [f"  {n}" for n in self.notes]
        return "\n".join(out)


def feedback_changes(
    scenario, agents: list[Agent], result=None, *, threads: int | None = None
) -> tuple[dict, list[str]]:
    """The group limits agents.csv implies, as scenario changes, and the same in words. With `result` (the
    unrostered plan), also the shifts per day (work_days.py), chosen to work as many of its shifts as can be."""
    rules = scenario.config.roster
    groups: dict[str, dict] = {}
    lines = []
    days = _work_days(scenario, result, agents, threads) if result is not None else {}
    for g in scenario.config.groups:
        mine = [a for a in agents if a.group == g.id]
        n = len(mine)
        heads = n if g.max_headcount is None else min(g.max_headcount, n)
        hours = max((a.contract_h_per_week for a in mine), default=0.0) * (1 + rules.hours_tolerance_share)
        hours = min(g.max_hours_per_week, hours) if hours > 0 else g.max_hours_per_week
        longest = max((scenario.config.template(t).paid_h for t in g.templates), default=0.0)
        if longest > 0:  # days off: at most (7 - days_off) shifts a week, none paid more than the longest template
            hours = min(hours, (7 - rules.days_off_per_week) * longest)
        change = {
            "max_headcount": heads,
            "min_headcount": min(g.min_headcount, heads),
            "max_hours_per_week": round(hours, 4),
        }
        groups[g.id] = change
        lines.append(
            f"group {g.id}: headcount at most {heads} (its agents in agents.csv), paid hours per head and week at most "
            f"{hours:g} (contracts x (1 + {rules.hours_tolerance_share:g}), "
            f"{7 - rules.days_off_per_week} shifts of at most {longest:g} h)"
        )
        if g.id in days:
            w = days[g.id]
            given = g.max_shifts_per_day or w.caps  # a cap the scenario sets already stays
            caps = [min(c, b) for c, b in zip(w.caps, given, strict=True)]
            change["max_shifts_per_day"] = caps
            runs = rules.max_consecutive_work_days
            lines.append(
                f"  shifts per day at most {_numbers(caps)} (one choice of its agents' working days under "
                f"days_off_per_week {rules.days_off_per_week}, consecutive_days_off {rules.consecutive_days_off}"
                f"{'' if runs is None else f', max_consecutive_work_days {runs}'} and the days they are away; "
                f"the unrostered plan starts {_numbers(w.planned)}: {w.workable:,} of its {sum(w.planned):,} "
                f"shifts fit{'' if w.optimal else ', the best choice found'})"
            )
    return {"groups": groups}, lines


def _work_days(scenario, result, agents: list[Agent], threads: int | None) -> dict:
    from staffmix.rostering.slots import calendar, plan_slots
    from staffmix.rostering.work_days import work_days

    return work_days(scenario, plan_slots(scenario, result.shifts), calendar(scenario), agents, threads=threads)


def _numbers(values: list[int], shown: int = 14) -> str:
    """Per-day numbers as text, the first `shown` of a long horizon and how many more."""
    text = ", ".join(str(v) for v in values[:shown])
    return text if len(values) <= shown else f"{text}, ... ({len(values)} days)"


def feedback_solve(
    scenario,
    result,
    agents: list[Agent],
    *,
    time_limit_s: float | None = None,
    threads: int | None = None,
    work_limit: float | None = None,
    roster_work_limit: float | None = None,
    progress=None,
) -> Feedback:
    """Re-solve the plan with the agents' limits fed back, roster the new plan, and compare the costs."""
    from staffmix.rostering import roster
    from staffmix.solvers.dispatch import solve

    changes, lines = feedback_changes(scenario, agents, result, threads=threads)
    fed = scenario.with_changes(changes)
    kwargs = {"progress": progress}
    if time_limit_s is not None:
        kwargs["time_limit_s"] = time_limit_s
    if work_limit is not None:
        kwargs["work_limit"] = work_limit
    new = solve(fed, **kwargs)
    notes: list[str] = []
    if not new.status.has_plan:
        from staffmix.rostering.table import RosterResult

        return Feedback(
            changes, lines, new, RosterResult(str(new.status), scenario.name), result.objective, None, notes
        )
    again = roster(fed, new, agents, time_limit_s=time_limit_s, threads=threads, work_limit=roster_work_limit)
    if again.status == "unknown":
        notes.append(
            "no roster of the re-solved plan found within the time limit (none proven impossible either): "
            "give the roster more time (--time-limit) or threads"
        )
    elif not again.has_roster:
        notes.append(
            "the re-solved plan still does not roster: the limits left (rest between days, runs of nights, hours "
            "an agent is away, each agent's hours with short shifts) are not in the plan's model; see the problems "
            "above"
        )
    return Feedback(changes, lines, new, again, result.objective, new.objective, notes)
