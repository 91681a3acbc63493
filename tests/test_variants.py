"""What-ifs in code: Scenario.with_changes, variants, and copies that cannot skip validation.

`with_changes` must merge by the same rules as a named variant: applying a
variant's overrides as changes gives the variant's configuration and demand.
Prices are checked by a bound derived by hand: a plan stays feasible when a
rate drops, so the new optimum is at most the old one less the old plan's
billed hours times the drop.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

import staffmix
from staffmix.errors import ScenarioError
from staffmix.scenario import schema
from staffmix.scenario.frozen import FrozenModel

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "data" / "batch" / "good" / "tiny-split"
BUNDLED = sorted(p.name for p in (ROOT / "scenarios").iterdir() if (p / "scenario.yaml").is_file())


@pytest.fixture(scope="module")
def tiny():
    return staffmix.load_scenario(TINY)


@pytest.mark.parametrize("name", BUNDLED)
def test_changes_merge_like_the_named_variants(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scenario = staffmix.load_scenario(ROOT / "scenarios" / name)
        assert scenario.variants == tuple(scenario.config.variants)
        for variant in scenario.variants:
            named = scenario.variant(variant)
            # changes keep (and check) the variants; the other variants may not fit this one, so drop them all
            drop = {v: None for v in scenario.variants}
            changed = scenario.with_changes({**scenario.config.variants[variant], "variants": drop})
            assert changed.config.model_dump(exclude={"variants"}) == named.config.model_dump(exclude={"variants"})
            assert changed.demand.equals(named.demand)
            assert changed.variants == named.variants == ()


def test_a_cheaper_vendor_by_id_and_the_base_unchanged(tiny) -> None:
    cheaper = tiny.with_changes({"vendors": {"nightco": {"rate_per_hour": 21}}})
    assert cheaper.config.vendors[0].rate_per_hour == 21 and tiny.config.vendors[0].rate_per_hour == 22
    assert cheaper.config.vendors[0].fee_per_week == tiny.config.vendors[0].fee_per_week  # the rest of the item kept
    assert (
        cheaper.variants == ("pricey-vendor",)
        and cheaper.variant("pricey-vendor").config.vendors[0].rate_per_hour == 44
    )
    before = staffmix.solve(tiny, backend="highs", mip_gap=0.0)
    after = staffmix.solve(cheaper, backend="highs", mip_gap=0.0)
    billed = float(before.vendors["billed_hours"].sum())
    assert billed > 0
    assert after.objective <= before.objective - billed * 1.0 + 1e-6  # the old plan, one unit cheaper per billed hour
    gone = tiny.with_changes({"vendors": {"nightco": None}, "variants": {"pricey-vendor": None}})
    assert gone.config.vendors == [] and gone.variants == ()


@pytest.mark.parametrize(
    "changes, message",
    [
        (
            {"vendors": {"nightco": {"rate_per_hour": -5}}},
            "with_changes: vendors[0] (id 'nightco').rate_per_hour: "
            "Input should be greater than or equal to 0 (got -5)",
        ),
        (
            {"vendors": {"acme": {"rate_per_hour": 1}}},
            "with_changes: changes.vendors.acme: no item with id 'acme' to change (ids: nightco)",
        ),
        (
            {"groups": {"team": {"templates": ["nope"]}}},
            "with_changes: groups[0] (id 'team').templates: unknown template 'nope'",
        ),
        ({"horizon": {"interval_min": 30}}, "with_changes cannot change the horizon's interval_min"),
        ({"queues": {"phone": None}}, "drops queue 'phone', which has demand in demand.csv"),
        (
            {"vendors": {"nightco": None}},
            "with_changes: variants.pricey-vendor.vendors.nightco: no item with id 'nightco' to change (ids: none)",
        ),
        ({"polcy": {}}, "with_changes: polcy: unknown field (did you mean 'policy'?)"),
        (["vendors"], "with_changes: expected a mapping of fields to change, not list"),
    ],
)
def test_a_change_that_breaks_a_rule_is_refused(tiny, changes, message) -> None:
    with pytest.raises(ScenarioError) as caught:
        tiny.with_changes(changes)
    assert any(message in p for p in caught.value.problems), caught.value.problems
    assert tiny.config.vendors[0].rate_per_hour == 22


def test_model_copy_validates_or_refuses(tiny) -> None:
    vendor = tiny.config.vendors[0]
    with pytest.raises(
        ScenarioError, match=r"Vendor.model_copy: rate_per_hour: Input should be greater than or equal to 0 \(got -5\)"
    ):
        vendor.model_copy(update={"rate_per_hour": -5})
    with pytest.raises(ScenarioError, match="Vendor.model_copy: rate_per_houre: unknown field"):
        vendor.model_copy(update={"rate_per_houre": 5})
    with pytest.raises(
        ScenarioError, match="per_agent_hour pricing needs rate_per_hour"
    ):  # the model's own rules run too
        vendor.model_copy(update={"rate_per_hour": None})
    assert vendor.model_copy(update={"rate_per_hour": 5}).rate_per_hour == 5
    assert vendor.model_copy() == vendor
    # a Scenario's copy is checked across tables and against its demand, like a loaded one
    demand = tiny.demand.copy()
    demand.loc[demand.index[0], "contacts"] = -3
    with pytest.raises(ScenarioError, match="negative or infinite contacts"):
        tiny.model_copy(update={"demand": demand})
    bad_group = tiny.config.model_copy(
        update={"groups": [tiny.config.groups[0].model_copy(update={"templates": ["nope"]})]}
    )
    with pytest.raises(ScenarioError, match="unknown template 'nope'"):
        tiny.model_copy(update={"config": bad_group})
    with pytest.raises(ScenarioError, match="no field 'nope'"):
        tiny.model_copy(update={"nope": 1})
    assert tiny.model_copy(update={"source": "elsewhere"}).source == "elsewhere"


def test_every_scenario_model_copies_through_validation() -> None:
    models = [
        cls
        for cls in vars(schema).values()
        if isinstance(cls, type) and issubclass(cls, FrozenModel) and cls is not FrozenModel
    ]
    assert {"ScenarioConfig", "Horizon", "Queue", "Vendor", "Group", "Policy", "SolverOptions"} <= {
        m.__name__ for m in models
    }
    assert all(m.model_copy is FrozenModel.model_copy for m in models)
