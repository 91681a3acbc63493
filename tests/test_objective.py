"""The objective declared once (model/objective.py): each column's cost and component, read by both models and the
cost table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import CASES, to_scenario

from staffmix.model.index_sets import build_index
from staffmix.model.objective import COSTED, NO_COMPONENT, column_costs, cost_by_component
from staffmix.model.pulp_model import build
from staffmix.model.variables import VARIABLES
from staffmix.scenario.container import Scenario
from staffmix.scenario.io import load_scenario
from staffmix.scenario.schema import COST_COMPONENTS, ScenarioConfig
from staffmix.solvers.core.matrix import build_matrix

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def _component(costs, name: str) -> set[str]:
    return {COST_COMPONENTS[c] if c != NO_COMPONENT else "none" for c in costs[name].component.tolist()}


def test_costs_of_a_tiny_instance_by_hand() -> None:
    """headcount: 4 hourly periods (4/168 of a week); 2-hour shifts paid 2 h at 10 an hour; 84 a head a week;
    the vendor flex bills 13 an agent-hour, one (partial) week, and has no fee."""
    costs = column_costs(build_index(to_scenario(CASES["headcount"])))
    assert list(costs) == [b.name for b in VARIABLES]
    assert len(costs["x"].cost) > 0 and set(costs["x"].cost.tolist()) == {20.0}
    assert costs["heads"].cost.tolist() == pytest.approx([84.0 * 4 / 168])
    assert costs["y"].cost.tolist() == [0.0]
    assert costs["billed"].cost.tolist() == [13.0]
    assert _component(costs, "x") == {"in_house_pay"}
    assert _component(costs, "heads") == {"in_house_headcount"}
    assert _component(costs, "y") == {"vendor_fees"}
    assert _component(costs, "billed") == {"vendor_hours"}
    for name in ("z", "a", "level", "handled", "backlog", "within", "on_time"):  # never costed
        assert name not in COSTED and not costs[name].cost.any()


def test_a_weekly_fee_is_charged_for_the_horizon_and_per_contact_bills_count_as_contacts() -> None:
    """fixed_fee: 5 hourly periods, vendor fee 600 a week -> 600 x 5/168; nofee none. webshop-startup's
    mailroom bills 6.0 a mail answered (vendor_contacts), flexdesk 26 an agent-hour over its weeks."""
    costs = column_costs(build_index(to_scenario(CASES["fixed_fee"])))
    assert costs["y"].cost.tolist() == pytest.approx([600.0 * 5 / 168, 0.0])
    ix = build_index(load_scenario(SCENARIOS / "webshop-startup"))
    billed = column_costs(ix)["billed"]
    weeks = ix.n_weeks
    assert ix.vendors == ["flexdesk", "mailroom"]
    assert billed.cost.tolist() == [26.0] * weeks + [6.0] * weeks
    assert [COST_COMPONENTS[c] for c in billed.component.tolist()] == ["vendor_hours"] * weeks + [
        "vendor_contacts"
    ] * weeks


def test_a_soft_service_level_prices_every_agent_short_and_every_unserved_slot() -> None:
    """language without its vendor, penalty 1000 an agent-hour on 1-hour periods: an agent short costs 1000; a slot
    nobody takes costs its whole requirement (en 1, 2, 2, 1 and fi 1, 1, -, 1 agents)."""
    tiny = type(CASES["language"])(**{**CASES["language"].__dict__, "vendors": []})
    d = tiny.scenario_dict()  # built whole: without a soft service level nobody may speak fi
    d["policy"]["soft_service_level"] = {"penalty_per_agent_hour": 1000.0}
    scenario = Scenario(config=ScenarioConfig.model_validate(d), demand=to_scenario(tiny).demand)
    costs = column_costs(build_index(scenario))
    assert len(costs["u"].cost) > 0 and set(costs["u"].cost.tolist()) == {1000.0}
    assert sorted(costs["unserved"].cost.tolist()) == [1000.0] * 5 + [2000.0] * 2
    assert _component(costs, "u") == _component(costs, "unserved") == {"shortfall_penalty"}
    hard = column_costs(build_index(to_scenario(CASES["language"])))
    assert all(len(hard[name].cost) == 0 for name in ("u", "unserved", "late"))


def test_the_cost_by_component_of_a_plan_by_hand_and_a_plan_without_a_costed_block_is_refused() -> None:
    """headcount: 2 shifts (20 each), 2 heads (2.0 each), 3 agent-hours billed at 13."""
    ix = build_index(to_scenario(CASES["headcount"]))
    costs = column_costs(ix)
    x = np.zeros(len(costs["x"].cost))
    x[:2] = 1.0
    plan = {"x": x, "heads": np.array([2.0]), "y": np.array([1.0]), "billed": np.array([[3.0]])}
    plan |= {name: np.zeros(len(costs[name].cost)) for name in ("u", "unserved", "late", "dropped")}
    amounts = dict(zip(COST_COMPONENTS, cost_by_component(ix, plan).tolist(), strict=True))
    assert amounts == pytest.approx({
        "in_house_pay": 40.0, "in_house_headcount": 2 * 84.0 * 4 / 168, "vendor_hours": 39.0,
        "vendor_contacts": 0.0, "vendor_fees": 0.0, "shortfall_penalty": 0.0,
    })
    del plan["x"]
    with pytest.raises(ValueError, match="block 'x'"):
        cost_by_component(ix, plan)


@pytest.mark.parametrize("variant", ["no-vendor", "email-within-hour"])
def test_both_models_take_every_cost_from_the_one_declaration(variant: str) -> None:
    """The core's cost vector and the PuLP objective hold column_costs' cost for every column (no-vendor: a soft
    service level with deferrable email, so unserved slots, agents short and unanswered mails are priced)."""
    ix = build_index(load_scenario(SCENARIOS / "webshop-startup").variant(variant))
    costs = column_costs(ix)
    if variant == "no-vendor":
        assert costs["dropped"].cost.any() and costs["unserved"].cost.any()
    m = build_matrix(ix)
    prob, var = build(ix)
    for name, c in costs.items():
        np.testing.assert_array_equal(m.cost[m.col(name)], c.cost)
        pulp_cost = [prob.objective.get(v, 0.0) for v in var.blocks[name]]
        np.testing.assert_array_equal(np.array(pulp_cost, dtype=float), c.cost)
