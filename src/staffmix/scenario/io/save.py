"""Writing a Scenario as a folder (scenario.yaml + demand CSV) that load_scenario reads back unchanged.

The YAML leaves out defaults and keeps short lists on one line, so a saved
scenario reads like a hand-written one; the CSV has a row per (period, queue),
an aht_s column only where a row differs from its queue's AHT, and integers
written as integers. Both files are written atomically (util/atomic.py).
"""

from __future__ import annotations

import os
from io import StringIO
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import numpy as np
import pandas as pd
import yaml

from staffmix.errors import ScenarioError
from staffmix.scenario.checks import check_demand
from staffmix.scenario.container import Scenario
from staffmix.scenario.demand import densify, period_labels
from staffmix.scenario.messages import cap_problems
from staffmix.scenario.schema import SCENARIO_FILE, ScenarioConfig
from staffmix.util.atomic import write_text


def save_scenario(scenario: Scenario, path: str | os.PathLike[str], overwrite: bool = False) -> Path:
    """Write `scenario` as a folder (scenario.yaml + demand CSV) that load_scenario reads back unchanged.

    `path` is the folder (created if needed) or a .yaml file path inside it.
    Refuses to replace existing files unless `overwrite`. Returns the folder.
    """
    target = Path(path)
    if target.suffix.lower() in (".yaml", ".yml"):
        folder, yaml_path = target.parent, target
    else:
        folder, yaml_path = target, target / SCENARIO_FILE
    config = scenario.config
    demand_rel = config.demand.file
    if (
        PurePosixPath(demand_rel).is_absolute()
        or PureWindowsPath(demand_rel).is_absolute()
        or PureWindowsPath(demand_rel).drive
        or ".." in PurePosixPath(demand_rel.replace("\\", "/")).parts
    ):
        raise ScenarioError(f"{SCENARIO_FILE}: demand.file: {demand_rel!r} leaves the scenario folder")
    demand_path = folder / demand_rel
    if not overwrite:
        existing = [p for p in (yaml_path, demand_path) if p.exists()]
        if existing:
            raise ScenarioError([f"{p}: already exists; pass overwrite=True to replace it" for p in existing])
    csv_text = _demand_csv(config, scenario.demand)
    yaml_text = _config_yaml(config)
    demand_path.parent.mkdir(parents=True, exist_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    write_text(demand_path, csv_text, newline="\n")
    write_text(yaml_path, yaml_text, newline="\n")
    return folder


class _Dumper(yaml.SafeDumper):
    """Readable YAML: nested lists indented, short lists of scalars on one line."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = bool(data) and all(isinstance(x, (str, int, float, bool)) or x is None for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_float(dumper: yaml.SafeDumper, data: float) -> yaml.Node:
    if data.is_integer() and abs(data) < 1e15:
        return dumper.represent_int(int(data))  # 300 reads better than 300.0; pydantic makes it a float again
    return dumper.represent_float(data)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(float, _represent_float)


def _config_yaml(config: ScenarioConfig) -> str:
    data = config.model_dump(mode="json", exclude_defaults=True)
    data["horizon"]["start"] = config.horizon.start.strftime("%Y-%m-%dT%H:%M")
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)


def _number_text(values: np.ndarray) -> np.ndarray:
    finite = values[np.isfinite(values)]
    if len(finite) == len(values) and np.all(finite == np.round(finite)) and np.all(np.abs(finite) < 2**53):
        return values.astype(np.int64).astype(str).astype(object)
    return np.array([repr(float(v)) for v in values], dtype=object)


def _demand_csv(config: ScenarioConfig, demand: pd.DataFrame) -> str:
    problems = check_demand(config, demand, notes=[], prefix="demand: ")
    if problems:
        raise ScenarioError(cap_problems(problems))
    kind = "required_agents" if len(demand) and demand["contacts"].isna().all() else "contacts"
    ids = [q.id for q in config.queues]
    qidx = pd.Index(ids).get_indexer(pd.Index(demand["queue"].astype(object)))
    aht = demand["aht_s"].to_numpy(dtype=float)
    default = np.array([q.aht_s for q in config.queues], dtype=float)[qidx]
    aht = np.where(aht == default, np.nan, aht)
    dense, _, _ = densify(
        config,
        demand["period"].to_numpy(dtype=np.int64),
        qidx,
        demand["contacts"].to_numpy(dtype=float),
        aht,
        demand["required_agents"].to_numpy(dtype=float),
        kind,
    )
    n_q = len(ids)
    labels = period_labels(config.horizon)
    out = {
        "period_start": np.repeat(labels, n_q),
        "queue": dense["queue"].to_numpy(dtype=object),
        kind: _number_text(dense[kind].to_numpy(dtype=float)),
    }
    dense_aht = dense["aht_s"].to_numpy(dtype=float)
    dense_default = np.tile(np.array([q.aht_s for q in config.queues], dtype=float), config.horizon.periods)
    differs = dense_aht != dense_default
    if differs.any():
        text = np.array([repr(float(v)) for v in dense_aht], dtype=object)
        out["aht_s"] = np.where(differs, text, "")
    buf = StringIO()
    pd.DataFrame(out).to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()
