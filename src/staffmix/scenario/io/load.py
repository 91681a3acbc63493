"""Reading a scenario folder: scenario.yaml and the demand CSV, validated together, one error for every problem.

`load_scenario` finds the files, reads the YAML (safe_yaml.py) and the demand
CSV (demand_csv.py) or workbook (demand_xlsx.py), validates the configuration (pydantic, then the
cross-table checks), checks the demand against it, and applies every variant
once to report its problems too. Problems are collected, not raised one by
one, so a user fixes a file in one pass.
"""

from __future__ import annotations

import os
import typing
from pathlib import Path

from staffmix.errors import ScenarioError
from staffmix.scenario.checks import check_config, check_demand, emit
from staffmix.scenario.container import Scenario
from staffmix.scenario.io.demand_csv import read_demand
from staffmix.scenario.io.demand_xlsx import demand_source, is_workbook, read_demand_xlsx
from staffmix.scenario.io.safe_yaml import read_yaml
from staffmix.scenario.messages import bounded, cap_problems, clip, validated_config
from staffmix.scenario.schema import SCENARIO_FILE
from staffmix.scenario.variants import variant_problems


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read and validate a scenario folder (or its scenario.yaml).

    Raises ScenarioError listing every problem found; warns (ScenarioWarning)
    about allowed oddities such as missing demand rows.
    """
    try:
        return _load_scenario(Path(path))
    except ScenarioError as e:
        raise bounded(e) from None


def _load_scenario(path: Path) -> Scenario:
    folder, yaml_path = _locate(path)
    label = yaml_path.name
    raw = read_yaml(yaml_path, label)
    config = validated_config(raw, label)
    demand_file = demand_source(config, folder, label)  # demand.csv, or demand.xlsx instead

    notes: list[str] = []
    reader = read_demand_xlsx if is_workbook(demand_file) else read_demand
    demand, problems = reader(config, demand_file, str(demand_file.relative_to(folder)), notes)
    problems += check_config(config, notes=notes, prefix=f"{label}: ")
    if demand is not None and not problems:
        problems += check_demand(config, demand, notes=notes)
    if problems or demand is None:  # no demand frame comes without a problem saying why
        raise ScenarioError(cap_problems(problems))
    scenario = Scenario(config=config, demand=demand, source=str(folder))
    for name in config.variants:
        problems += variant_problems(config, demand, name, label=label)
    if problems:
        raise ScenarioError(cap_problems(problems))
    emit(notes, stacklevel=4)  # the caller of load_scenario
    return scenario


def _not_a_scenario_file(path: Path) -> typing.NoReturn:
    """A file given where the scenario folder (or its yaml) belongs, e.g. the demand CSV: say so, and name the
    folder."""
    hint = f" ({path.parent})" if (path.parent / SCENARIO_FILE).is_file() else ""
    raise ScenarioError(
        f"{clip(str(path), 200)}: is a file, not a scenario folder; give the folder holding {SCENARIO_FILE}{hint} or "
        "the yaml file itself"
    )


def _locate(path: Path) -> tuple[Path, Path]:
    try:
        if path.is_dir():
            yaml_path = path / SCENARIO_FILE
            if yaml_path.exists() and not yaml_path.is_file():
                raise ScenarioError(
                    f"{SCENARIO_FILE}: not a regular file (a folder, pipe or device) in scenario folder {path}"
                )
            if not yaml_path.is_file():
                raise ScenarioError(f"{SCENARIO_FILE}: file not found in scenario folder {path}")
            return path, yaml_path
        if path.is_file():
            if path.suffix.lower() not in (".yaml", ".yml"):
                return _not_a_scenario_file(path)
            return path.parent, path
        if path.exists():
            raise ScenarioError(f"{path}: not a scenario folder or a regular file (a pipe or device?)")
    except ScenarioError:  # already worded (a ValueError too: not to be wrapped below)
        raise
    except (OSError, ValueError) as e:  # a name too long, a NUL byte
        raise ScenarioError(f"{clip(str(path), 200)}: cannot open ({getattr(e, 'strerror', None) or e})") from None
    raise ScenarioError(f"{path}: no such scenario folder or file")
