"""Why a plan cannot be rostered: the counting bounds that fail, the shifts left unworked, and the rule that binds.

Three necessary conditions are counted before any search, per group:

- per day: shifts planned <= agents who can work one of that day's shifts
  (one shift per agent per day; unavailability);
- per ISO week: shifts planned <= the agents' working days (the week's days
  minus `days_off_per_week`, fewer when unavailable);
- over the horizon: paid hours planned <= the agents' contracts x weeks x (1 + tolerance).

When they hold and the CP-SAT model is still infeasible (rest, consecutive
days off, caps on runs of days or nights combine), `explain` re-solves with
shifts allowed to go unworked (so it says which days lose how many) and
without one rule at a time (so it says which rule binds).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from staffmix.rostering.agent_rules import can_work, required_days_off
from staffmix.rostering.agents import Agent
from staffmix.rostering.model import RULES, solve_by_group
from staffmix.rostering.slots import Calendar, Slot


@dataclass(frozen=True)
class Shortage:
    """One counting bound a plan breaks: which group and days, shifts planned against what the agents can work."""

    group: str
    where: str
    """The day (Thu 2026-03-05), ISO week (2026-W10) or "the horizon"."""
    planned: float
    available: float
    rule: str
    text: str

    @property
    def short(self) -> float:
        return self.planned - self.available


def _day(d) -> str:
    return f"{d:%a} {d.isoformat()}"


def counting_shortages(slots: list[Slot], cal: Calendar, agents: list[Agent], rules) -> list[Shortage]:
    """Every per-day, per-week and horizon bound the plan breaks, group by group."""
    out: list[Shortage] = []
    for group in sorted({s.group for s in slots}):
        mine = [s for s in slots if s.group == group]
        members = [a for a in agents if a.group == group]
        if not members:
            n = sum(s.count for s in mine)
            out.append(
                Shortage(
                    group,
                    "the horizon",
                    n,
                    0,
                    "agents",
                    f"group {group}: {n} shifts planned and no agent of the group in agents.csv",
                )
            )
            continue
        able_on: list[set[str]] = [set() for _ in cal.days]
        planned_on = [0] * len(cal.days)
        for s in mine:
            planned_on[s.day] += s.count
            for a in members:
                if can_work(a, s):
                    able_on[s.day].add(a.id)
        for d, planned in enumerate(planned_on):
            if planned > len(able_on[d]):
                away = len(members) - len(able_on[d])
                why = f"; {away} of its {len(members)} agents unavailable" if away else ""
                out.append(
                    Shortage(
                        group,
                        _day(cal.days[d]),
                        planned,
                        len(able_on[d]),
                        "one shift per agent per day",
                        f"group {group}, {_day(cal.days[d])}: {planned} shifts planned, "
                        f"{len(able_on[d])} agents can work "
                        f"that day ({planned - len(able_on[d])} short; one shift per agent per day{why})",
                    )
                )
        for (year, week), days in cal.week_days().items():
            off = required_days_off(rules, len(days))
            planned = sum(planned_on[d] for d in days)
            capacity = sum(min(sum(a.id in able_on[d] for d in days), len(days) - off) for a in members)
            if planned > capacity:
                out.append(
                    Shortage(
                        group,
                        f"{year}-W{week:02d}",
                        planned,
                        capacity,
                        "days_off_per_week",
                        f"group {group}, ISO week {year}-W{week:02d} "
                        f"({_day(cal.days[days[0]])} to {_day(cal.days[days[-1]])}): "
                        f"{planned} shifts planned, at most {capacity} from its {len(members)} agents "
                        f"({len(days) - off} working days each of {len(days)} "
                        f"under days_off_per_week {rules.days_off_per_week}, "
                        f"fewer when unavailable; {planned - capacity} short)",
                    )
                )
        planned_h = sum(s.count * s.paid_min for s in mine) / 60
        limit_h = sum(a.contract_h_per_week for a in members) * cal.horizon_weeks * (1 + rules.hours_tolerance_share)
        if planned_h > limit_h + 1e-6:
            out.append(
                Shortage(
                    group,
                    "the horizon",
                    planned_h,
                    limit_h,
                    "hours_tolerance_share",
                    f"group {group}: {planned_h:,.1f} paid hours planned, "
                    f"the {len(members)} agents' contracts allow at most "
                    f"{limit_h:,.1f} (x {1 + rules.hours_tolerance_share:g}, hours_tolerance_share; "
                    f"{math.ceil(planned_h - limit_h - 1e-9):,} hours short)",
                )
            )
    return out


def unworked_by_day(slots: list[Slot], cal: Calendar, uncovered: dict[int, int]) -> list[str]:
    """The shifts a partial roster leaves unworked, one line per group and day."""
    per: dict[tuple[str, int], list[str]] = {}
    for k, n in sorted(uncovered.items()):
        s = slots[k]
        per.setdefault((s.group, s.day), []).append(f"{n} x {s.template} {s.local_start:%H:%M}")
    lines = []
    for (g, d), parts in sorted(per.items()):
        n = sum(int(p.split(" x ")[0]) for p in parts)
        lines.append(f"group {g}, {_day(cal.days[d])}: {n} shift{'s' if n != 1 else ''} unworked ({', '.join(parts)})")
    return lines


def binding_rules(
    slots: list[Slot],
    cal: Calendar,
    agents: list[Agent],
    rules,
    time_limit_s: float | None,
    threads: int | None,
    work_limit: float | None,
) -> tuple[list[str], str]:
    """The rules without which the roster exists (each dropped alone), and a sentence saying so."""
    binds = []
    for rule in RULES:
        out = solve_by_group(
            slots,
            cal,
            agents,
            rules,
            time_limit_s=time_limit_s,
            threads=threads,
            work_limit=work_limit,
            relax=frozenset({rule}),
            report=False,
        )
        if out.status in ("optimal", "feasible"):
            binds.append(rule)
    if binds:
        return binds, "dropping any one of these rules alone makes it rosterable: " + ", ".join(binds)
    return binds, "no single rule: several bind together (dropping any one alone does not make it rosterable)"
