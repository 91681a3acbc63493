"""Scenario folders <-> Scenario objects.

A scenario folder holds `scenario.yaml` (the configuration, see
`staffmix.scenario.schema.ScenarioConfig`) and a demand CSV in long form::

    period_start,queue,contacts[,aht_s]        or
    period_start,queue,required_agents[,aht_s]

`load_scenario` (load.py) reads both, validates them (pydantic for fields,
`checks` for rules spanning tables, every variant too) and raises one
`ScenarioError` listing every problem, each naming the file and the field or
CSV line. `save_scenario` (save.py) writes a folder `load_scenario` reads
back unchanged. The readers: safe_yaml.py (the hardened YAML reading),
demand_csv.py with csv_columns.py and timestamps.py (the demand CSV),
demand_xlsx.py (demand from a workbook, through the same checks). Also
here: workbook.py (a plan as plan.xlsx) and export_table.py + importer.py
(a telephony or ticketing export -> demand.csv, for `staffmix import`).
Variants are merged by `staffmix.scenario.variants`; the wording of problems is
`staffmix.scenario.messages`.
"""

from __future__ import annotations

from staffmix.scenario.container import Scenario
from staffmix.scenario.io.load import load_scenario
from staffmix.scenario.io.save import save_scenario

__all__ = ["load_scenario", "save_scenario", "apply_variant", "scenario_variants"]


def scenario_variants(scenario: Scenario) -> list[str]:
    """Names of the scenario's variants, in file order."""
    return list(scenario.config.variants)


def apply_variant(scenario: Scenario, name: str) -> Scenario:
    """The scenario with variant `name` merged in and validated again: `scenario.variant(name)` (see
    scenario/variants.py)."""
    return scenario.variant(name)
