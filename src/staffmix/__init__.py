"""staffmix: plan a contact centre's staffing hour by hour, in-house shifts versus vendors.

Public API: solve, load_scenario, save_scenario, verify, build_model,
load_result, run_batch, simulate, scenario_json_schema, Scenario, Result, Status.
"""

from __future__ import annotations

from typing import Any

from staffmix.errors import ScenarioError, SolverError, StaffmixError
from staffmix.result import Result, Status, load_result
from staffmix.schema import ScenarioConfig, scenario_json_schema
from staffmix.scenario import Scenario
__version__ = "0.1.0"

__all__ = [
    "Result", "Scenario", "ScenarioConfig", "ScenarioError", "SolverError", "StaffmixError", "Status",
    "build_model", "load_result", "load_scenario", "run_batch", "save_scenario", "scenario_json_schema",
    "simulate", "solve", "verify",
]


def __getattr__(name: str) -> Any:
    # Heavier modules load on first use, so `import staffmix` stays quick for the CLI.
    lazy = {
        "solve": ("staffmix.solving", "solve"),
        "load_scenario": ("staffmix.io", "load_scenario"),
        "save_scenario": ("staffmix.io", "save_scenario"),
        "build_model": ("staffmix.model", "build_model"),
        "run_batch": ("staffmix.batch", "run_batch"),
        "verify": ("staffmix.verification", "verify"),
        "simulate": ("staffmix.simulation", "simulate"),  # the package is not named `simulate`: importing it would shadow this
    }
    if name in lazy:
        import importlib

        module, attr = lazy[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'staffmix' has no attribute {name!r}")
