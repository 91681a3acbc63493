"""The Scenario: a validated configuration (schema.py) plus its demand table.

What a solve, a check or a report takes. Variants and other what-ifs give new
Scenarios (`Scenario.variant`, merged by variants.py); a Scenario is never
changed in place. `validate(scenario)` runs every check on one built in code.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict

from staffmix.checks import check_config, check_demand
from staffmix.demand import demand_kind
from staffmix.errors import ScenarioError
from staffmix.messages import cap_problems
from staffmix.schema import ScenarioConfig
from staffmix.variants import apply_variant, variant_problems


class Scenario(BaseModel):
    """A validated configuration plus its demand table.

    `demand` has one row per (period, queue) with columns
    period (int, 0-based index into the horizon), queue (str),
    contacts (float, NaN when demand was given as required agents),
    aht_s (float, the queue's AHT unless the row overrides it),
    required_agents (float, NaN unless given directly).
    Missing rows mean zero contacts.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    config: ScenarioConfig
    demand: pd.DataFrame
    source: str | None = None
    """Folder the scenario was read from, for messages."""

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def demand_kind(self) -> Literal["contacts", "required_agents"]:
        return demand_kind(self.demand)

    def __eq__(self, other: object) -> bool:
        """Same configuration and equal demand (NaN equal to NaN); where it was read from does not count."""
        if not isinstance(other, Scenario):
            return NotImplemented
        return self.config == other.config and self.demand.equals(other.demand)

    __hash__ = None  # type: ignore[assignment]  # holds a DataFrame: a value, not a key

    def __repr__(self) -> str:
        c, h = self.config, self.config.horizon

        def n(count: int, what: str) -> str:
            return f"{count} {what}{'' if count == 1 else 's'}"

        parts = [
            f"name={c.name!r}", f"{h.periods} x {h.interval_min} min from {h.start:%Y-%m-%dT%H:%M} {h.timezone}",
            n(len(c.queues), "queue"), n(len(c.groups), "group"), n(len(c.vendors), "vendor"),
            n(len(c.variants), "variant"), f"{len(self.demand)} demand rows ({self.demand_kind})",
        ]
        return f"Scenario({', '.join(parts)})"

    __str__ = __repr__

    def variant(self, name: str) -> Scenario:
        """The scenario with variant `name`'s overrides applied and validated again (see variants.py).

        The result has no variants and keeps the base name; its demand is the
        base demand laid on the variant's queues and periods.
        """
        config, demand = apply_variant(self.config, self.demand, name)
        return Scenario(config=config, demand=demand, source=self.source)


def validate(scenario: Scenario) -> list[str]:
    """Run every check on `scenario` and each of its variants.

    Raises ScenarioError listing all problems; otherwise returns the warnings
    (as strings, not emitted).
    """
    notes: list[str] = []
    problems = check_config(scenario.config, notes=notes)
    problems += check_demand(scenario.config, scenario.demand, notes=notes)
    if not problems:
        for name in scenario.config.variants:
            problems += variant_problems(scenario.config, scenario.demand, name)
    if problems:
        raise ScenarioError(cap_problems(problems))
    return notes
