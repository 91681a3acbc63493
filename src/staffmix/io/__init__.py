"""Scenario folders <-> Scenario objects.

A scenario folder holds `scenario.yaml` (the configuration, see
`staffmix.schema.ScenarioConfig`) and a demand CSV in long form::

    period_start,queue,contacts[,aht_s]        or
    period_start,queue,required_agents[,aht_s]

`load_scenario` (load.py) reads both, validates them (pydantic for fields,
`checks` for rules spanning tables, every variant too) and raises one
`ScenarioError` listing every problem, each naming the file and the field or
CSV line. `save_scenario` (save.py) writes a folder `load_scenario` reads
back unchanged. The readers: safe_yaml.py (the hardened YAML reading),
demand_csv.py with csv_columns.py and timestamps.py (the demand CSV).
Variants are merged by `staffmix.variants`; the wording of problems is
`staffmix.messages`.
"""

from __future__ import annotations

from staffmix.io.load import load_scenario
from staffmix.io.save import save_scenario
from staffmix.scenario import Scenario

__all__ = ["load_scenario", "save_scenario", "apply_variant", "scenario_variants"]


def scenario_variants(scenario: Scenario) -> list[str]:
    """Names of the scenario's variants, in file order."""
    return list(scenario.config.variants)


def apply_variant(scenario: Scenario, name: str) -> Scenario:
    """The scenario with variant `name` merged in and validated again: `scenario.variant(name)` (see variants.py)."""
    return scenario.variant(name)
