"""The plan's in-house shifts as the roster sees them: one slot per (group, template, start) with its count and times.

A slot knows its absolute start and end (minutes from the horizon's start, so
rest is measured in real time across a DST change), its local start and end
(what an agent reads), the local day it starts on, and whether it is a night
shift (at least half its hours in the group's night_hours) or a weekend shift
(starting on Saturday or Sunday). The days of the horizon and their ISO weeks
are listed once here, for the model, the diagnosis and the tables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from staffmix.errors import ScenarioError


@dataclass(frozen=True)
class Slot:
    """Shifts of one group and template starting in one period: `count` of them are planned."""

    group: str
    template: str
    start_period: int
    count: int
    start_min: int
    """Start, minutes from the horizon's start."""
    end_min: int
    """End, minutes from the horizon's start (may pass the horizon's end; a cyclic horizon wraps it)."""
    paid_min: int
    local_start: dt.datetime
    local_end: dt.datetime
    day: int
    """Index of the local day it starts on (into `Calendar.days`)."""
    night: bool
    weekend: bool
    early: bool
    """Starts before noon (what an agent who prefers early shifts wants)."""


@dataclass(frozen=True)
class Calendar:
    """The horizon's local days, their ISO weeks, its length and whether it wraps."""

    days: list[dt.date]
    weeks: list[tuple[int, int]]
    """ISO (year, week) of each day."""
    horizon_min: int
    cyclic: bool
    interval_min: int

    def week_days(self) -> dict[tuple[int, int], list[int]]:
        """ISO week -> indexes of its days in the horizon, in order."""
        out: dict[tuple[int, int], list[int]] = {}
        for i, w in enumerate(self.weeks):
            out.setdefault(w, []).append(i)
        return out

    @property
    def horizon_weeks(self) -> float:
        return self.horizon_min / (7 * 24 * 60)


def calendar(scenario) -> Calendar:
    h = scenario.config.horizon
    starts = h.period_starts().tz_localize(None)
    days = sorted({ts.date() for ts in starts})
    return Calendar(
        days, [tuple(d.isocalendar())[:2] for d in days], h.periods * h.interval_min, h.cyclic, h.interval_min
    )


def plan_slots(scenario, shifts: pd.DataFrame) -> list[Slot]:
    """The plan's shifts table (group, template, start_period, count) as slots, in a stable order."""
    config = scenario.config
    h = config.horizon
    starts = h.period_starts()
    cal = calendar(scenario)
    day_index = {d: i for i, d in enumerate(cal.days)}
    groups = {g.id: g for g in config.groups}
    templates = {t.id: t for t in config.templates}
    out = []
    for row in shifts.sort_values(["group", "start_period", "template"]).to_dict("records"):
        count = round(float(row["count"]))
        if count <= 0:
            continue
        group_id, template_id = str(row["group"]), str(row["template"])
        if group_id not in groups or template_id not in templates:
            raise ScenarioError(
                f"the plan's shifts table names group {group_id!r} / template {template_id!r}, "
                "which the scenario does not have: was the result solved from another scenario?"
            )
        t, g = templates[template_id], groups[group_id]
        p = int(row["start_period"])
        length_min = round(t.length_h * 60)
        start_ts = starts[p]
        end_ts = start_ts + pd.Timedelta(minutes=length_min)
        local_start = start_ts.tz_localize(None).to_pydatetime()
        local_end = end_ts.tz_convert(start_ts.tz).tz_localize(None).to_pydatetime()
        night_h = set(g.night_hours)
        hours = [(local_start + dt.timedelta(minutes=m)).hour for m in range(0, length_min, 60)]
        out.append(
            Slot(
                group_id,
                template_id,
                p,
                count,
                p * h.interval_min,
                p * h.interval_min + length_min,
                round(t.paid_h * 60),
                local_start,
                local_end,
                day_index[local_start.date()],
                night=2 * sum(hr in night_h for hr in hours) >= len(hours),
                weekend=local_start.weekday() >= 5,
                early=local_start.hour < 12,
            )
        )
    return out
