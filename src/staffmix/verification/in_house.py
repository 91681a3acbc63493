"""In-house rules: `shift_template`, `shift_start`, `shift_count`, `in_house_capacity`, `headcount`,
`one_shift_per_day`, `weekly_hours`, `day_cap`.

Shifts are counted per template and start period; agents on duty follow
from them (wrapping around a cyclic horizon), and assigned agents may not
exceed the productive share of those on duty.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from staffmix.scenario.schema import DAYS
from staffmix.verification.tables import Plan, fmt


def check_shifts(plan: Plan) -> None:
    """Each shift is a whole count of a template its group may work, starting when the template allows."""
    for i, g, s, t0, count in plan.shifts:
        where = f"group {g}, template {s}, start {plan.at(t0)}"
        if count < -plan.tol or abs(count - round(count)) > plan.tol:
            plan.add("shift_count", where, f"shifts row {i}: count {fmt(count)} is not a non-negative integer")
        if abs(count) <= plan.tol:
            continue
        if s not in plan.groups[g].templates:
            plan.add(
                "shift_template",
                where,
                f"group {g} may not work template {s} (its templates: {plan.groups[g].templates})",
            )
        tpl = plan.templates[s]
        wd, h, m = DAYS[plan.weekday[t0]], int(plan.hour[t0]), int(plan.minute[t0])
        if wd not in tpl.days:
            plan.add("shift_start", where, f"starts on a {wd}; template {s} starts on {tpl.days} only")
        if h not in tpl.start_hours or m != 0:
            plan.add(
                "shift_start",
                where,
                f"starts at {h:02d}:{m:02d}; template {s} starts at hours {tpl.start_hours} on the hour",
            )


def _shift_periods(plan: Plan, template_id: str, t0: int) -> np.ndarray:
    n = int(round(plan.templates[template_id].length_h * 60 / plan.interval_min))
    idx = t0 + np.arange(n)
    return idx % plan.n_periods if plan.cyclic else idx[idx < plan.n_periods]


def _on_duty(plan: Plan) -> dict[str, np.ndarray]:
    on = {g: np.zeros(plan.n_periods) for g in plan.groups}
    for _, g, s, t0, count in plan.shifts:
        np.add.at(on[g], _shift_periods(plan, s, t0), count)
    return on


def check_capacity(plan: Plan) -> None:
    """Assigned agents never exceed (1 - shrinkage) x agents on duty, per group and period."""
    if plan.broken & {"shifts", "assignments"}:
        return
    on = _on_duty(plan)
    used = {g: np.zeros(plan.n_periods) for g in plan.groups}
    for _, t, g, _q, agents in plan.assign:
        used[g][t] += agents
    for g, grp in plan.groups.items():
        cap = (1.0 - grp.shrinkage) * on[g]
        for t in np.flatnonzero(used[g] > cap + plan.tol).tolist():
            plan.add("in_house_capacity", f"group {g}, {plan.at(int(t))}",
                     f"{fmt(used[g][t])} agents assigned but only {fmt(cap[t])} productive on duty "
                     f"({fmt(on[g][t])} on duty x (1 - shrinkage {grp.shrinkage}))")


def check_headcount(plan: Plan) -> None:
    """Headcount within its bounds; shifts per day and paid hours per week within what the heads can work."""
    if plan.broken & {"shifts", "headcount"}:
        return
    for g, grp in plan.groups.items():
        H = plan.heads.get(g, 0.0)
        where = f"group {g}"
        if H < -plan.tol or abs(H - round(H)) > plan.tol:
            plan.add("headcount", where, f"headcount {fmt(H)} is not a non-negative integer")
        if H < grp.min_headcount - plan.tol:
            plan.add("headcount", where, f"headcount {fmt(H)} below min_headcount {grp.min_headcount}")
        if grp.max_headcount is not None and H > grp.max_headcount + plan.tol:
            plan.add("headcount", where, f"headcount {fmt(H)} above max_headcount {grp.max_headcount}")
    per_day: dict[tuple[str, Any], float] = defaultdict(float)
    per_week: dict[tuple[str, int], float] = defaultdict(float)
    for _, g, s, t0, count in plan.shifts:
        per_day[(g, plan.day[t0])] += count
        per_week[(g, int(plan.week[t0]))] += count * plan.templates[s].paid_h
    for (g, d), n in sorted(per_day.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        H = plan.heads.get(g, 0.0)
        if n > H + plan.tol:
            plan.add("one_shift_per_day", f"group {g}, day {d.isoformat()}",
                     f"{fmt(n)} shifts start this day but the group has {fmt(H)} heads")
    for (g, w), hours in sorted(per_week.items()):
        H = plan.heads.get(g, 0.0)
        limit = H * plan.groups[g].max_hours_per_week * plan.week_frac[w]
        if hours > limit + plan.tol * max(1.0, limit):
            plan.add(
                "weekly_hours",
                f"group {g}, week {w}",
                f"{fmt(hours)} paid hours start this week; at most {fmt(limit)} "
                f"({fmt(H)} heads x {fmt(plan.groups[g].max_hours_per_week)} h x "
                f"week fraction {plan.week_frac[w]:.4g})",
            )


def check_day_caps(plan: Plan) -> None:
    """A group with max_shifts_per_day starts at most that day's number of shifts on each local day of the horizon
    (the days counted here: the distinct local dates of the period starts, in order)."""
    if "shifts" in plan.broken:
        return
    capped = {g: grp.max_shifts_per_day for g, grp in plan.groups.items() if grp.max_shifts_per_day is not None}
    if not capped:
        return
    days = sorted(set(plan.day))
    index = {d: i for i, d in enumerate(days)}
    per_day: dict[tuple[str, int], float] = defaultdict(float)
    for _, g, _s, t0, count in plan.shifts:
        if g in capped:
            per_day[(g, index[plan.day[t0]])] += count
    for (g, d), n in sorted(per_day.items()):
        cap = capped[g][d]
        if n > cap + plan.tol:
            plan.add("day_cap", f"group {g}, day {days[d]:%a} {days[d].isoformat()}",
                     f"{fmt(n)} shifts start this day; max_shifts_per_day allows {cap} (day {d + 1} of {len(days)})")
