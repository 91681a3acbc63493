"""staffmix: plan a contact centre's staffing hour by hour, in-house shifts versus vendors.

Public API: solve, load_scenario, save_scenario, verify, build_model,
load_result, run_batch, export_mps, scenario_json_schema, Scenario, Result, Status.
"""

from __future__ import annotations

from typing import Any

from staffmix.errors import ScenarioError, SolverError, StaffmixError
from staffmix.result import Result, Status, load_result
from staffmix.scenario import Scenario, ScenarioConfig, scenario_json_schema
# Eager: these submodules share their function's name, and importing the
# submodule later would otherwise replace the function on the package.
from staffmix.solve import solve
from staffmix.verify import verify

__version__ = "0.1.0"

__all__ = [
    "Result", "Scenario", "ScenarioConfig", "ScenarioError", "SolverError", "StaffmixError", "Status",
    "build_model", "export_mps", "load_result", "load_scenario", "run_batch", "save_scenario", "scenario_json_schema",
    "solve", "verify",
]


def __getattr__(name: str) -> Any:
    # Heavier modules load on first use, so `import staffmix` stays quick for the CLI.
    lazy = {
        "load_scenario": ("staffmix.io", "load_scenario"),
        "save_scenario": ("staffmix.io", "save_scenario"),
        "build_model": ("staffmix.model", "build_model"),
        "run_batch": ("staffmix.batch", "run_batch"),
        "export_mps": ("staffmix.export", "export_mps"),
    }
    if name in lazy:
        import importlib

        module, attr = lazy[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'staffmix' has no attribute {name!r}")
