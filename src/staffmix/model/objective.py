"""The objective, declared once: every column's cost and the part of the cost (COST_COMPONENTS) it counts in.

The cost of a column used to be written three times: as `cost.add(component, variable, coefficient)` calls
in the reference PuLP model, as `cost[...] = ...` in the core's matrix, and worked out again from the plan's
tables for the cost breakdown. Now `column_costs(ix)` gives, from the index sets alone, one cost and one
component per column of every block of the variable registry (model/variables.py), and all three read it:
the PuLP model's objective (model/pulp_model.objective), the core's cost vector
(solvers/core/matrix.build_matrix) and the plan's cost by component (results/plan_tables.cost_breakdown:
these costs times the plan's values as its tables read them).

A block without an entry in `COSTED` costs nothing. The core formulates the level choices its own way
(solvers/core/levels.py), with as many columns as its formulation needs; they cost nothing in every
formulation, so none needs a cost of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from staffmix.model.index_sets import IndexSets
from staffmix.model.variables import VARIABLES
from staffmix.scenario.schema import COST_COMPONENTS

NO_COMPONENT = -1
"""The component of a column that costs nothing by its nature."""


@dataclass(frozen=True)
class BlockCost:
    """The costs of one block's columns: `cost` one float per column (its coefficient in the objective),
    `component` one int per column (its position in COST_COMPONENTS; NO_COMPONENT where the block costs
    nothing)."""

    cost: np.ndarray
    component: np.ndarray


def _costing(component: str, cost: np.ndarray) -> BlockCost:
    return BlockCost(cost, np.full(len(cost), COST_COMPONENTS.index(component), dtype=np.int64))


def _free(n: int) -> BlockCost:
    return BlockCost(np.zeros(n), np.full(n, NO_COMPONENT, dtype=np.int64))


def _in_house_pay(ix: IndexSets, n: int) -> BlockCost:
    """x: each shift started costs its paid hours at the group's rate, night hours with the premium
    (the cost column of IndexSets.starts)."""
    return _costing("in_house_pay", ix.starts["cost"].to_numpy(dtype=float))


def _headcount(ix: IndexSets, n: int) -> BlockCost:
    """heads: each head costs its group's weekly cost for the length of the horizon."""
    groups = ix.scenario.config.groups
    return _costing("in_house_headcount", np.array([g.cost_per_head_per_week * ix.horizon_weeks for g in groups]))


def _contract_fees(ix: IndexSets, n: int) -> BlockCost:
    """y: a contract costs the vendor's weekly fee for the length of the horizon."""
    vendors = ix.scenario.config.vendors
    return _costing("vendor_fees", np.array([v.fee_per_week * ix.horizon_weeks for v in vendors], dtype=float))


def _billed(ix: IndexSets, n: int) -> BlockCost:
    """billed (vendor-major: vendor x n_weeks + week): each billed agent-hour or contact costs the vendor's unit
    price, counted in vendor_hours or vendor_contacts by its pricing."""
    vendors = ix.scenario.config.vendors
    weeks = ix.n_weeks
    part = [COST_COMPONENTS.index("vendor_contacts" if v.pricing == "per_contact" else "vendor_hours") for v in vendors]
    return BlockCost(
        np.repeat(np.array([float(v.unit_price) for v in vendors], dtype=float), weeks),
        np.repeat(np.array(part, dtype=np.int64), weeks),
    )


def _penalty(per_column: Callable[[IndexSets, float], np.ndarray]) -> Callable[[IndexSets, int], BlockCost]:
    """A soft service level's shortfall_penalty: `per_column(ix, penalty per agent-hour)` per column (a single
    value stands for every column); nothing without a soft service level."""

    def cost(ix: IndexSets, n: int) -> BlockCost:
        soft = ix.scenario.config.policy.soft_service_level
        if soft is None:
            return _free(n)
        values = np.asarray(per_column(ix, soft.penalty_per_agent_hour), dtype=float)
        return _costing("shortfall_penalty", np.broadcast_to(values, (n,)).copy())

    return cost


def _agent_short(ix: IndexSets, penalty: float) -> np.ndarray:
    """u: each agent short of a cover row's requirement costs the penalty for one period."""
    return np.full(1, penalty * ix.period_h)


def _slot_unserved(ix: IndexSets, penalty: float) -> np.ndarray:
    """unserved: a slot nobody takes costs its whole requirement, every agent short for one period."""
    slot_req = np.bincount(ix.b_slot, weights=ix.b_required.astype(float), minlength=ix.n_slots)
    return penalty * ix.period_h * slot_req


def _contact_late(ix: IndexSets, penalty: float) -> np.ndarray:
    """late: each contact short of a service group's target costs the agent time it needs."""
    return penalty * ix.agent_h_per_contact[ix.sg_queue]


def _contact_dropped(ix: IndexSets, penalty: float) -> np.ndarray:
    """dropped: an unanswered deferrable contact costs the agent-hours it needs in-house."""
    D = ix.deferred
    return penalty * (D.aht_s / 3600.0 / D.occupancy)[D.e_queue]


COSTED: dict[str, Callable[[IndexSets, int], BlockCost]] = {
    "x": _in_house_pay,
    "heads": _headcount,
    "y": _contract_fees,
    "billed": _billed,
    "u": _penalty(_agent_short),
    "unserved": _penalty(_slot_unserved),
    "late": _penalty(_contact_late),
    "dropped": _penalty(_contact_dropped),
}
"""The blocks that may cost something -> their columns' costs (given the index sets and the block's size)."""


def column_costs(ix: IndexSets) -> dict[str, BlockCost]:
    """Every block of the registry, in its order -> the cost and component of each of its columns."""
    out: dict[str, BlockCost] = {}
    for b in VARIABLES:
        n = b.size(ix)
        costs = COSTED[b.name](ix, n) if b.name in COSTED else _free(n)
        if len(costs.cost) != n or len(costs.component) != n:  # pragma: no cover - a cost that does not fit its block
            raise ValueError(f"block {b.name}: {len(costs.cost)} costs for {n} columns")
        out[b.name] = costs
    return out


def cost_by_component(ix: IndexSets, values: dict[str, np.ndarray]) -> np.ndarray:
    """Per component of COST_COMPONENTS: the sum over columns of cost x value, `values` one array per costed block
    (aligned to its columns; a costed block with columns must be given: a plan read without it would lose its
    cost)."""
    total = np.zeros(len(COST_COMPONENTS))
    for name, costs in column_costs(ix).items():
        if name not in values:
            if costs.cost.any():
                raise ValueError(f"the plan's values of block {name!r}, which costs something, are not given")
            continue
        paid = costs.component != NO_COMPONENT
        weights = (costs.cost * np.asarray(values[name], dtype=float).reshape(-1))[paid]
        total += np.bincount(costs.component[paid], weights=weights, minlength=len(COST_COMPONENTS))
    return total


__all__ = ["COSTED", "NO_COMPONENT", "BlockCost", "column_costs", "cost_by_component"]
