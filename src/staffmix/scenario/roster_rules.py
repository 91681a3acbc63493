"""The roster's part of the scenario schema: the labour rules (`roster:` in scenario.yaml) and a shift's break.

Kept beside `schema.py` (which imports both models) so the schema module stays
readable; like it, this imports nothing of staffmix but the frozen base model.
The rules are read by `staffmix.roster` (the CP-SAT roster) and, independently,
by `staffmix.verification.roster_check` (the roster checker).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from staffmix.scenario.frozen import FrozenModel


class ShiftBreak(FrozenModel):
    """A break inside every shift of a template: how long, and the window it must lie in (hours after the shift
    starts)."""

    length_min: Annotated[int, Field(ge=5, le=120, multiple_of=5)] = 30
    """Break length in minutes (a multiple of 5)."""
    earliest_h: Annotated[float, Field(ge=0.0, le=16.0)] = 2.0
    """The break starts at the earliest this many hours after the shift starts."""
    latest_end_h: Annotated[float, Field(gt=0.0, le=16.0)] = 6.0
    """The break ends at the latest this many hours after the shift starts."""

    @model_validator(mode="after")
    def _fits(self) -> ShiftBreak:
        if self.earliest_h * 60 + self.length_min > self.latest_end_h * 60:
            raise ValueError(
                f"a {self.length_min}-minute break cannot start at {self.earliest_h} h and end by {self.latest_end_h} h"
            )
        return self


class Fairness(FrozenModel):
    """How evenly nights and weekend shifts are shared within a group (a term of the roster's objective)."""

    weight: Annotated[float, Field(ge=0.0, le=1000.0)] = 1.0
    """Cost of one night or weekend shift between the agent of a group with most and the one with fewest;
    0: no fairness term."""


class RosterRules(FrozenModel):
    """The labour rules a roster of named agents honours (`staffmix roster`); every agent of every group."""

    min_rest_h: Annotated[float, Field(ge=0.0, le=48.0)] = 11.0
    """Least rest between the end of one shift and the start of the agent's next (11 h: the EU Working Time
    Directive)."""
    days_off_per_week: Annotated[int, Field(ge=0, le=7)] = 2
    """Days without a shift start in every ISO week (Monday-Sunday); a partial week at the horizon's ends asks for
    its share."""
    consecutive_days_off: Annotated[int, Field(ge=0, le=7)] = 2
    """How many of the week's days off must fall on consecutive days (within the week); 0 or 1: no such rule."""
    max_consecutive_work_days: Annotated[int, Field(ge=1, le=31)] | None = 6
    """Most days in a row with a shift start; None: no cap (a cyclic horizon counts across its wrap)."""
    max_consecutive_nights: Annotated[int, Field(ge=1, le=31)] | None = 4
    """Most night shifts in a row (a night shift has at least half its hours in the group's night_hours);
    None: no cap."""
    hours_tolerance_share: Annotated[float, Field(ge=0.0, le=1.0)] = 0.1
    """Paid hours over the horizon stay within contract x weeks x (1 +/- this share): above is forbidden, below is
    allowed at a cost and reported (a plan may need fewer hours than the agents are contracted for)."""
    fairness: Fairness = Field(default_factory=Fairness)
    """How evenly nights and weekends are shared."""

    @model_validator(mode="after")
    def _days(self) -> RosterRules:
        if self.consecutive_days_off > self.days_off_per_week:
            raise ValueError(
                f"consecutive_days_off {self.consecutive_days_off} exceeds days_off_per_week {self.days_off_per_week}"
            )
        return self
