"""staffmix: plan a contact centre's staffing hour by hour, in-house shifts versus vendors.

The public API is `__all__` (and `dir(staffmix)` lists exactly it). Every
name loads on first use, so `import staffmix` reads no scenario library,
solver or plotting package (pandas, pydantic, PuLP, SciPy, HiGHS and
matplotlib load when a call needs them) and the command line starts at once.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (it costs the command line 30 ms)

__version__ = "0.1.0"

_LAZY: dict[str, tuple[str, str]] = {
    "Result": ("staffmix.results.result", "Result"),
    "Status": ("staffmix.results.result", "Status"),
    "Termination": ("staffmix.results.result", "Termination"),
    "load_result": ("staffmix.results.result", "load_result"),
    "Scenario": ("staffmix.scenario.container", "Scenario"),
    "validate": ("staffmix.scenario.container", "validate"),
    "ScenarioConfig": ("staffmix.scenario.schema", "ScenarioConfig"),
    "scenario_json_schema": ("staffmix.scenario.schema", "scenario_json_schema"),
    "ScenarioError": ("staffmix.errors", "ScenarioError"),
    "SolverError": ("staffmix.errors", "SolverError"),
    "StaffmixError": ("staffmix.errors", "StaffmixError"),
    "solve": ("staffmix.solvers.dispatch", "solve"),
    "load_scenario": ("staffmix.scenario.io", "load_scenario"),
    "save_scenario": ("staffmix.scenario.io", "save_scenario"),
    "build_model": ("staffmix.model.pulp_model", "build_model"),
    "export_mps": ("staffmix.solvers.export", "export_mps"),
    "run_batch": ("staffmix.batch", "run_batch"),
    "verify": ("staffmix.verification", "verify"),
    "simulate": (
        "staffmix.simulation",
        "simulate",
    ),  # the package is not named `simulate`: importing it would shadow this
    "roster": ("staffmix.rostering", "roster"),
    "verify_roster": ("staffmix.verification.roster_check", "verify_roster"),
}
"""Public name -> (module, attribute) it is read from on first use."""

__all__ = [
    "Result",
    "Scenario",
    "ScenarioConfig",
    "ScenarioError",
    "SolverError",
    "StaffmixError",
    "Status",
    "Termination",
    "__version__",
    "build_model",
    "export_mps",
    "load_result",
    "load_scenario",
    "roster",
    "run_batch",
    "save_scenario",
    "scenario_json_schema",
    "simulate",
    "solve",
    "validate",
    "verify",
    "verify_roster",
]
"""The public API, sorted (tests/test_startup.py keeps it equal to the names above plus __version__)."""

if TYPE_CHECKING:  # for type checkers and editors; never run
    from staffmix.batch import run_batch
    from staffmix.errors import ScenarioError, SolverError, StaffmixError
    from staffmix.model.pulp_model import build_model
    from staffmix.results.result import Result, Status, Termination, load_result
    from staffmix.rostering import roster
    from staffmix.scenario.container import Scenario, validate
    from staffmix.scenario.io import load_scenario, save_scenario
    from staffmix.scenario.schema import ScenarioConfig, scenario_json_schema
    from staffmix.simulation import simulate
    from staffmix.solvers.dispatch import solve
    from staffmix.solvers.export import export_mps
    from staffmix.verification import verify
    from staffmix.verification.roster_check import verify_roster


def __getattr__(name: str) -> object:
    if name in _LAZY:
        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value  # once loaded, a plain attribute
        return value
    raise AttributeError(f"module 'staffmix' has no attribute {name!r}")


def __dir__() -> list[str]:
    return list(__all__)
