"""Validation of a group's `max_shifts_per_day` against the horizon: one number for every local day it touches.

The schema (scenario/schema.py) checks each number (a whole number, at least
0); only the horizon says how many days there are (its local days in
`horizon.timezone`, the first being the day it starts on), so the count is
checked here, with the other rules that span tables (`checks.py` runs it).
"""

from __future__ import annotations

import datetime as dt

from staffmix.scenario.schema import ScenarioConfig


def check_day_caps(config: ScenarioConfig, problems: list[str], notes: list[str], prefix: str) -> None:
    """A group's max_shifts_per_day has exactly one number per local day of the horizon."""
    capped = [(i, g) for i, g in enumerate(config.groups) if g.max_shifts_per_day is not None]
    if not capped:
        return
    days = config.horizon.local_days()
    for i, g in capped:
        caps = g.max_shifts_per_day or []
        if len(caps) != len(days):
            span = _day(days[0]) if len(days) == 1 else f"{_day(days[0])} to {_day(days[-1])}"
            problems.append(
                f"{prefix}groups[{i}] (id {g.id!r}).max_shifts_per_day: {len(caps)} number{_s(len(caps))} given, "
                f"but the horizon has {len(days)} local day{_s(len(days))} ({span}); give one number per day, in order"
            )


def _day(d: dt.date) -> str:
    return f"{d:%a} {d.isoformat()}"


def _s(n: int) -> str:
    return "" if n == 1 else "s"
