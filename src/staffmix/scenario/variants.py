"""Named what-if variants: merging a variant into its base configuration, and validating the answer again.

A variant (`variants.<name>` in scenario.yaml) is a partial configuration
merged into the base by these rules (`Scenario.with_changes` takes the same,
and there `variants: {name: null}` drops a variant):

- mappings merge recursively; lists replace; null sets a field to None;
- a mapping given where the base has a list of items with ids (queues,
  groups, templates, vendors) edits those items by id:
  `vendors: {acme: {rate_per_hour: 21}}`; `{acme: null}` removes the item.

The merged configuration is validated again (pydantic, then the cross-table
checks) and the base demand is re-laid on the variant's queues and periods
and checked too. `apply_changes` merges changes given in code by the same
rules (`Scenario.with_changes`), keeping the variants and checking each of
them against the changed scenario. This module works on (ScenarioConfig,
demand table) pairs and knows nothing of the Scenario container, which sits
above it (`Scenario.variant` wraps `apply_variant`).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd

from staffmix.errors import ScenarioError
from staffmix.scenario.checks import check_config, check_demand, emit
from staffmix.scenario.demand import demand_kind, densify
from staffmix.scenario.messages import bounded, cap_problems, validated_config, yaml_type
from staffmix.scenario.schema import SCENARIO_FILE, ScenarioConfig

__all__ = ["CHANGES", "apply_changes", "apply_variant", "merge", "variant_problems"]

CHANGES = "with_changes"
"""How problems of changes made in code (`Scenario.with_changes`) name where they come from."""


def apply_variant(config: ScenarioConfig, demand: pd.DataFrame, name: str) -> tuple[ScenarioConfig, pd.DataFrame]:
    """The configuration and demand with variant `name` merged in and validated again.

    The merged configuration has no variants and keeps the base name. The
    demand is kept and checked against the new configuration. Raises one
    ScenarioError listing every problem; warnings are emitted as ScenarioWarning.
    """
    known = list(config.variants)
    if name not in known:
        raise ScenarioError(
            f"{SCENARIO_FILE}: variants: unknown variant {name!r} (variants: "
            f"{', '.join(known) if known else 'none defined'})"
        )
    notes: list[str] = []
    result, problems = _apply(config, demand, config.variants[name], f"variants.{name}", SCENARIO_FILE, notes)
    if problems or result is None:
        raise bounded(ScenarioError(cap_problems(problems)))
    emit(notes)
    return result


def apply_changes(
    config: ScenarioConfig, demand: pd.DataFrame, changes: dict[str, Any]
) -> tuple[ScenarioConfig, pd.DataFrame]:
    """The configuration and demand with `changes` merged in by the variant rules and validated in full.

    Unlike a variant, the answer keeps its variants (`changes` may edit them
    too), and each is checked against the changed scenario. Raises one
    ScenarioError listing every problem; warnings are emitted as ScenarioWarning.
    """
    if not isinstance(changes, dict):
        raise ScenarioError(f"{CHANGES}: expected a mapping of fields to change, not {yaml_type(changes)}")
    notes: list[str] = []
    result, problems = _apply(config, demand, changes, "", CHANGES, notes)
    if result is not None:
        for name in result[0].variants:
            problems += variant_problems(result[0], result[1], name, label=CHANGES)
    if problems or result is None:
        raise bounded(ScenarioError(cap_problems(problems)))
    emit(notes)
    return result


def variant_problems(config: ScenarioConfig, demand: pd.DataFrame, name: str, label: str = SCENARIO_FILE) -> list[str]:
    """Problems variant `name` would raise when applied ([] if it applies cleanly)."""
    _, problems = _apply(config, demand, config.variants[name], f"variants.{name}", label, [])
    return problems


def _apply(
    base: ScenarioConfig, demand: pd.DataFrame, overrides: dict[str, Any], where: str, label: str, notes: list[str]
) -> tuple[tuple[ScenarioConfig, pd.DataFrame] | None, list[str]]:
    """`overrides` merged into `base` and validated. `where` is the variant's path ("variants.<name>"), or ""
    for changes made in code, which keep the base's variants (a variant has none)."""
    prefix = f"{where}." if where else ""
    origin = f"{label}: {where}" if where else f"{label}: changes"
    problems: list[str] = []
    if where and "variants" in overrides:
        return None, [f"{label}: {prefix}variants: a variant cannot define variants"]
    data = base.model_dump(mode="json", exclude={"variants"} if where else None)
    merged = merge(data, overrides, origin, problems)
    if problems:
        return None, problems
    if not where and isinstance(merged.get("variants"), dict):  # changes in code: `variants: {name: None}` drops one
        merged["variants"] = {k: v for k, v in merged["variants"].items() if v is not None}
    try:
        config = validated_config(merged, label, prefix)
    except ScenarioError as e:
        return None, e.problems
    problems += check_config(config, notes=notes, prefix=f"{label}: {prefix}")
    new_demand, demand_problems = _variant_demand(
        base, demand, config, origin, "a variant" if where else CHANGES, notes
    )
    problems += demand_problems
    if new_demand is not None and not problems:
        problems += check_demand(config, new_demand, notes=notes, prefix=f"{origin}: {config.demand.file}: ")
    if problems or new_demand is None:  # no demand comes without a problem saying why
        return None, problems
    return (config, new_demand), []


def merge(base: Any, over: Any, where: str, problems: list[str]) -> Any:
    """`over` merged into `base` by the variant rules (see the module docstring); problems are appended, naming
    `where`."""
    if not isinstance(over, dict):
        return copy.deepcopy(over)
    if isinstance(base, list) and all(isinstance(x, dict) and "id" in x for x in base):  # [] too: no id to edit
        return _merge_by_id(base, over, where, problems)
    if not isinstance(base, dict):
        return copy.deepcopy(over)
    out = dict(base)
    for key, value in over.items():
        if value is None:
            out[key] = None
        elif isinstance(value, dict) and isinstance(out.get(key), (dict, list)):
            out[key] = merge(out[key], value, f"{where}.{key}", problems)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _merge_by_id(
    base: list[dict[str, Any]], over: dict[str, Any], where: str, problems: list[str]
) -> list[dict[str, Any]]:
    out = [dict(x) for x in base]
    ids = [x["id"] for x in base]
    drop: set[str] = set()
    for key, value in over.items():
        if key not in ids:
            problems.append(
                f"{where}.{key}: no item with id {key!r} to change (ids: {', '.join(map(str, ids)) or 'none'}); "
                "give the whole list to add items"
            )
            continue
        i = ids.index(key)
        if value is None:
            drop.add(key)
        elif isinstance(value, dict):
            if "id" in value and value["id"] != key:
                problems.append(f"{where}.{key}.id: an item's id cannot change in a variant")
                continue
            out[i] = merge(out[i], value, f"{where}.{key}", problems)
        else:
            problems.append(f"{where}.{key}: expected a mapping of fields or null, not {yaml_type(value)}")
    return [x for x in out if x["id"] not in drop]


def _variant_demand(
    base: ScenarioConfig, demand: pd.DataFrame, config: ScenarioConfig, where: str, who: str, notes: list[str]
) -> tuple[pd.DataFrame | None, list[str]]:
    """The base demand re-laid on the changed queues and periods; `where` names the variant or the changes, `who` says
    which."""
    problems = []
    for field in ("start", "interval_min", "timezone"):
        if getattr(base.horizon, field) != getattr(config.horizon, field):
            problems.append(
                f"{where}.horizon.{field}: {who} cannot change the horizon's {field} (the demand table is tied "
                "to its periods); change periods or cyclic only"
            )
    if problems:
        return None, problems
    if base.model_dump(exclude={"variants"}) == config.model_dump(exclude={"variants"}):  # same grid and queues
        return demand, []
    kind = demand_kind(demand)
    value = demand[kind].to_numpy(dtype=float)
    queues = demand["queue"].astype(object).to_numpy()
    period = demand["period"].to_numpy(dtype=np.int64)
    new_ids = [q.id for q in config.queues]
    has = np.nan_to_num(value) > 0
    for qid in dict.fromkeys(queues[has & ~np.isin(queues, new_ids)]):
        problems.append(f"{where}.queues: drops queue {qid!r}, which has demand in {base.demand.file}")
    cut = has & (period >= config.horizon.periods)
    if cut.any():
        notes.append(
            f"{where}.horizon.periods: {config.horizon.periods} periods; demand in {int(cut.sum())} later rows is "
            "dropped"
        )
    if problems:
        return None, problems
    keep = np.isin(queues, new_ids) & (period < config.horizon.periods)
    qidx = pd.Index(new_ids).get_indexer(pd.Index(queues[keep]))
    aht = demand["aht_s"].to_numpy(dtype=float)[keep]
    base_aht = {q.id: q.aht_s for q in base.queues}
    default = np.array([base_aht.get(q, np.nan) for q in queues[keep]], dtype=float)
    aht = np.where(aht == default, np.nan, aht)  # a queue's own AHT follows the variant's value
    dense, n_missing, examples = densify(
        config,
        period[keep],
        qidx,
        demand["contacts"].to_numpy(dtype=float)[keep],
        aht,
        demand["required_agents"].to_numpy(dtype=float)[keep],
        kind,
    )
    if n_missing:
        notes.append(
            f"{where}: {n_missing} of {len(dense)} (period, queue) pairs have no demand and count as zero {kind} "
            f"(e.g. {', '.join(examples)})"
        )
    return dense, []
