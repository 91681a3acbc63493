"""Breaks placed inside the rostered shifts, so that no period loses more agents to breaks than the plan's
shrinkage assumed.

The plan counts (1 - shrinkage) of a group's on-duty agents as productive in
every period; a break is part of that shrinkage. So the break minutes of a
group in a period may not exceed shrinkage x agents on duty x the period's
minutes (rounded down). Who takes which break does not change these sums,
only how many shifts of each slot take their break at each offset, so breaks
are placed by counts first (a small CP-SAT model: breaks as central in their
window as the budget allows) and then handed to the slot's agents in order.

Where no placement fits the budget (one agent on duty in an hour cannot take a
30-minute break within 30 % shrinkage), the excess is kept as small as
possible and reported period by period: the plan's assumption does not hold there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from staffmix.errors import ScenarioError
from staffmix.rostering.slots import Calendar, Slot

if TYPE_CHECKING:
    from ortools.sat.python.cp_model import IntVar, LinearExprT

STEP_MIN = 15
"""Break start offsets are tried on this grid (minutes after the shift starts)."""
EXCESS_WEIGHT = 10_000
"""Objective points per break minute over a period's shrinkage budget (far above centrality)."""


@dataclass(frozen=True)
class BreakPlan:
    """Per slot the break offsets (minutes after the shift's start) of its shifts, and the periods over budget."""

    offsets: dict[int, list[int]]
    """Slot index -> one offset per planned shift, ascending (empty when its template has no break)."""
    length_min: dict[int, int]
    over_budget: list[tuple[str, int, int, int]]
    """(group, period, break minutes, budget minutes) where breaks exceed the shrinkage the plan assumed."""


def break_options(slot: Slot, rule, length_h: float, template_id: str) -> list[int]:
    """Offsets a break of this template may start at (minutes after the shift starts), on STEP_MIN's grid."""
    if rule.latest_end_h > length_h:
        raise ScenarioError(
            f"scenario.yaml: templates.{template_id}.rest_break.latest_end_h: {rule.latest_end_h} h "
            f"is past the end of the {length_h} h shift"
        )
    first, last = int(rule.earliest_h * 60), int(rule.latest_end_h * 60) - rule.length_min
    return list(range(first, last + 1, STEP_MIN)) or [first]


def period_overlaps(start_min: int, length_min: int, cal: Calendar) -> dict[int, int]:
    """Period -> minutes of [start, start + length) inside it (wrapped on a cyclic horizon, cut otherwise)."""
    out: dict[int, int] = {}
    n_periods = cal.horizon_min // cal.interval_min
    m = start_min
    while m < start_min + length_min:
        p_end = (m // cal.interval_min + 1) * cal.interval_min
        take = min(p_end, start_min + length_min) - m
        p = m // cal.interval_min
        if cal.cyclic:
            p %= n_periods
        if p < n_periods:
            out[p] = out.get(p, 0) + take
        m += take
    return out


def place_breaks(
    scenario, slots: list[Slot], cal: Calendar, threads: int | None = None, time_limit_s: float | None = 30.0
) -> BreakPlan:
    """Break offsets per slot within each period's shrinkage budget as far as possible (see the module docstring)."""
    from ortools.sat.python import cp_model

    config = scenario.config
    templates = {t.id: t for t in config.templates}
    shrinkage = {g.id: g.shrinkage for g in config.groups}
    on_duty: dict[tuple[str, int], int] = {}
    for s in slots:
        for p in period_overlaps(s.start_min, s.end_min - s.start_min, cal):
            on_duty[s.group, p] = on_duty.get((s.group, p), 0) + s.count
    m = cp_model.CpModel()
    n: dict[tuple[int, int], IntVar] = {}
    load: dict[tuple[str, int], list] = {}
    objective: list[LinearExprT] = []
    lengths: dict[int, int] = {}
    for k, s in enumerate(slots):
        t = templates[s.template]
        if t.rest_break is None:
            continue
        lengths[k] = t.rest_break.length_min
        options = break_options(s, t.rest_break, t.length_h, t.id)
        middle = (options[0] + options[-1]) / 2
        for o in options:
            n[k, o] = m.new_int_var(0, s.count, "")
            objective.append(int(abs(o - middle)) // STEP_MIN * n[k, o])
            for p, minutes in period_overlaps(s.start_min + o, t.rest_break.length_min, cal).items():
                load.setdefault((s.group, p), []).append(minutes * n[k, o])
        m.add(sum(n[k, o] for o in options) == s.count)
    budgets = {}
    for (g, p), terms in load.items():
        budgets[g, p] = int(shrinkage[g] * on_duty.get((g, p), 0) * cal.interval_min + 1e-9)
        excess = m.new_int_var(0, 10**7, "")
        m.add(sum(terms) - budgets[g, p] <= excess)
        objective.append(EXCESS_WEIGHT * excess)
    if not n:
        return BreakPlan({}, {}, [])
    m.minimize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = threads or 1
    solver.parameters.random_seed = 0
    if time_limit_s is not None:
        solver.parameters.max_time_in_seconds = float(time_limit_s)
    code = solver.solve(m)
    offsets: dict[int, list[int]] = {}
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        for (k, o), var in sorted(n.items()):
            offsets.setdefault(k, []).extend([o] * solver.value(var))
    else:  # no placement in time: the middle of each window, reported against the budget below
        for k in lengths:
            t = templates[slots[k].template]
            options = break_options(slots[k], t.rest_break, t.length_h, t.id)
            offsets[k] = [options[len(options) // 2]] * slots[k].count
    used: dict[tuple[str, int], int] = {}
    for k, offs in offsets.items():
        for o in offs:
            for p, minutes in period_overlaps(slots[k].start_min + o, lengths[k], cal).items():
                used[slots[k].group, p] = used.get((slots[k].group, p), 0) + minutes
    over = [(g, p, minutes, budgets[g, p]) for (g, p), minutes in sorted(used.items()) if minutes > budgets[g, p]]
    return BreakPlan(offsets, lengths, over)
