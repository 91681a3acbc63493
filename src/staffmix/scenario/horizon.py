"""When a plan runs: the horizon of scenario.yaml (start, periods, period length, time zone, cyclic).

Part of the scenario schema (schema.py imports it into ScenarioConfig); kept apart because the time zone
check is the one part of the schema that reads files (the zone database) and needs guarding.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
from pydantic import Field, field_validator, model_validator

from staffmix.scenario.frozen import FrozenModel

_ZONE_KEY = re.compile(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*")
"""An IANA zone name: path segments of letters, digits, '_', '+', '-' (no '.', so no '..' and no file names)."""
_MAX_ZONE_CHARS = 64  # the longest IANA name has 32


def _loads_as_zone(key: str) -> bool:
    try:
        ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a directory, a name too long for the file system
        return False
    return True


class Horizon(FrozenModel):
    """When the plan runs: the periods it divides time into."""

    start: dt.datetime
    """First period's start, local wall-clock time in `timezone` (e.g. 2026-01-05T00:00)."""
    periods: int = Field(gt=0, le=52 * 7 * 24 * 4)
    """Number of planning periods."""
    interval_min: Literal[15, 30, 60] = 60
    """Length of one period in minutes."""
    timezone: str = "UTC"
    """IANA time-zone name (e.g. Europe/Berlin); hours of day and days of week are read in it."""
    cyclic: bool = True
    """True: the horizon repeats, so shifts running past its end wrap to its start (a typical week). False: they are
    cut at the end."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        # The shape is checked before any file is opened: zoneinfo reads the key as a path (in the
        # system zone folder or the tzdata package), so a directory ('Europe'), an over-long name or a
        # NUL byte would otherwise escape as a raw OSError that depends on which database is installed.
        if not (len(v) <= _MAX_ZONE_CHARS and _ZONE_KEY.fullmatch(v)) or not _loads_as_zone(v):
            shown = v if len(v) <= 60 else f"{v[:40]}... ({len(v):,} characters)"
            raise ValueError(f"unknown time zone {shown!r} (use an IANA name such as 'Europe/Berlin')")
        return v

    @field_validator("start")
    @classmethod
    def _on_boundary(cls, v: dt.datetime) -> dt.datetime:
        if v.tzinfo is not None:
            raise ValueError("give start as local wall-clock time without an offset; set `timezone` instead")
        if v.second or v.microsecond or v.minute % 15:
            raise ValueError("start must fall on a quarter hour")
        return v

    @model_validator(mode="after")
    def _start_matches_interval(self) -> Horizon:
        if self.start.minute % self.interval_min:
            raise ValueError(f"start {self.start:%H:%M} is not on a {self.interval_min}-minute boundary")
        # dates must stay representable in every time zone (a day of margin for UTC offsets)
        first, last = dt.datetime(1, 1, 2), dt.datetime(9999, 12, 30)
        if self.start < first or self.start > last - dt.timedelta(minutes=self.periods * self.interval_min):
            raise ValueError(
                f"the horizon ({self.periods:,} periods of {self.interval_min} min from {self.start:%Y-%m-%dT%H:%M}) "
                f"must lie between {first.date().isoformat()} and {last.date().isoformat()}"
            )
        return self

    @property
    def period_h(self) -> float:
        return self.interval_min / 60.0

    @property
    def periods_per_day(self) -> int:
        return 24 * 60 // self.interval_min

    @property
    def periods_per_week(self) -> int:
        return 7 * self.periods_per_day

    def period_starts(self) -> pd.DatetimeIndex:
        """Period starts as time-zone-aware timestamps (absolute time; hours of day follow the local clock)."""
        start = pd.Timestamp(self.start).tz_localize(self.timezone, ambiguous=False, nonexistent="shift_forward")
        return pd.date_range(start, periods=self.periods, freq=f"{self.interval_min}min")

    def local_days(self) -> list[dt.date]:
        """The local dates (in `timezone`) the periods start on, in order: a period, and a shift, belongs to the day
        of its start."""
        return list(dict.fromkeys(self.period_starts().date))
