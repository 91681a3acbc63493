"""Periods as a planner reads them in a listing: "Sat 08-20, Sun 08-20" instead of one line per hour.

The infeasibility listing of the text summary groups the queue-periods that share a reason; this module
words their times (local period starts) as ranges of hours per day, days capitalised one way.
"""

from __future__ import annotations

import pandas as pd

MAX_RANGES = 8
"""Ranges a listing shows before it says how many more there are."""


def hour_ranges(starts: pd.Series, max_ranges: int = MAX_RANGES) -> str:
    """Local period starts as ranges of start hours per day: "Sat 08-20, Sun 08-20"; a single hour "Mon 03";
    consecutive hours on the same date join one range; beyond `max_ranges`, "and N more"."""
    times = sorted(pd.to_datetime(pd.Series(starts)).tolist())
    ranges: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    for t in times:
        if ranges and t.date() == ranges[-1][1].date() and (t - ranges[-1][1]) <= pd.Timedelta(hours=1):
            ranges[-1] = (ranges[-1][0], t)
        else:
            ranges.append((t, t))
    words = [f"{a:%a %H}" if a == b else f"{a:%a %H}-{b:%H}" for a, b in ranges]
    if len(words) > max_ranges:
        return ", ".join(words[:max_ranges]) + f" and {len(words) - max_ranges} more"
    return ", ".join(words)
