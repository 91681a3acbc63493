"""The Scenario: a validated configuration (scenario/schema.py) plus its demand table.

What a solve, a check or a report takes. What-ifs give new Scenarios, never
change one in place, and are always validated in full (pydantic, then the
checks across tables and against the demand):

- `scenario.variant(name)`: a named variant of scenario.yaml (`scenario.variants` lists them);
- `scenario.with_changes({...})`: changes written in code, merged by the same rules;
- `scenario.model_copy(update={...})`: a new config or demand, checked the same way.

`Scenario(config=..., demand=...)` itself trusts what it is given (loading,
variants and the generators have checked it already); `validate(scenario)`
runs every check on one built in code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict

from staffmix.errors import ScenarioError
from staffmix.scenario.checks import check_config, check_demand
from staffmix.scenario.demand import demand_kind
from staffmix.scenario.messages import cap_problems
from staffmix.scenario.schema import ScenarioConfig
from staffmix.scenario.variants import apply_changes, apply_variant, variant_problems


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
    """Frozen (a what-if is a new Scenario); holds a DataFrame."""

    config: ScenarioConfig
    """The validated contents of scenario.yaml (see the scenario reference)."""
    demand: pd.DataFrame
    """The demand table: one row per (period, queue); see the class docstring for its columns."""
    source: str | None = None
    """Folder the scenario was read from, for messages."""

    @property
    def name(self) -> str:
        """The scenario's name (`config.name`)."""
        return self.config.name

    @property
    def demand_kind(self) -> Literal["contacts", "required_agents"]:
        """How demand is given: contacts per period (queueing gives the agents) or required agents directly."""
        return demand_kind(self.demand)

    @property
    def variants(self) -> tuple[str, ...]:
        """Names of the scenario's named what-ifs (scenario.yaml's `variants`), each applied by `variant(name)`."""
        return tuple(self.config.variants)

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
        """The scenario with variant `name`'s overrides applied and validated again (see scenario/variants.py).

        The result has no variants and keeps the base name; its demand is the
        base demand laid on the variant's queues and periods.
        """
        config, demand = apply_variant(self.config, self.demand, name)
        return Scenario(config=config, demand=demand, source=self.source)

    def with_changes(self, changes: Mapping[str, Any]) -> Scenario:
        """A new scenario with `changes` merged in by the variant rules and validated in full; this one is unchanged.

        Mappings merge, lists replace, None clears a field; a mapping where the
        base has a list of items with ids edits them by id::

            cheaper = scenario.with_changes({"vendors": {"acme": {"rate_per_hour": 21}}})
            no_acme = scenario.with_changes({"vendors": {"acme": None}})
            soft = scenario.with_changes({"policy": {"soft_service_level": {"penalty_per_agent_hour": 500}}})

        The answer keeps the variants (each checked against it). A change that
        breaks a rule raises one ScenarioError listing every problem.
        """
        config, demand = apply_changes(
            self.config, self.demand, dict(changes) if isinstance(changes, Mapping) else changes
        )
        return Scenario(config=config, demand=demand, source=self.source)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Scenario:
        """A copy; with `update` (config, demand or source), one checked like a loaded scenario (ScenarioError if not).

        pydantic's own model_copy validates nothing, so a copy could carry a
        configuration or demand that breaks the rules into a solve.
        """
        if not update:
            return super().model_copy(deep=deep)
        unknown = set(update) - set(type(self).model_fields)
        if unknown:
            raise ScenarioError(
                f"Scenario.model_copy: no field {', '.join(map(repr, sorted(unknown)))} (fields: config, demand, "
                "source)"
            )
        fields = {name: getattr(self, name) for name in type(self).model_fields}
        copy = Scenario.model_validate({**fields, **update})
        validate(copy)  # raises ScenarioError listing every problem
        return copy


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
