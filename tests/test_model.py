"""The reference MIP against brute-force optima, one constraint family at a time."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from bruteforce import Tiny
from staffmix import Status, solve, verify
from staffmix.model import build_model
from staffmix.schema import ScenarioConfig
from staffmix.scenario import Scenario

BACKENDS = ["cbc", "highs"]


def to_scenario(tiny: Tiny) -> Scenario:
    config = ScenarioConfig.model_validate(tiny.scenario_dict())
    rows = [
        (t, q["id"], np.nan, 300.0, float(tiny.required.get((q["id"], t), 0.0)))
        for t in range(tiny.periods)
        for q in tiny.queues
    ]
    demand = pd.DataFrame(rows, columns=["period", "queue", "contacts", "aht_s", "required_agents"])
    return Scenario(config=config, demand=demand)


TEAM = {"languages": ["en"], "rate": 10.0, "shrinkage": 0.0}
SHORT = [{"id": "s2", "length_h": 2, "start_hours": list(range(24)), "paid_h": 2}]


def flat(queue: str, values: list[float]) -> dict:
    return {(queue, t): v for t, v in enumerate(values)}


CASES = {
    # a queue in a language the team lacks must go to the (dearer) vendor that speaks it
    "language": Tiny(
        periods=4, start_hour=9, required={**flat("en", [1, 2, 2, 1]), **flat("fi", [1, 1, 0, 1])},
        queues=[{"id": "en", "language": "en"}, {"id": "fi", "language": "fi"}],
        group=TEAM, templates=SHORT,
        vendors=[{"id": "finvendor", "languages": ["fi"], "rate": 30.0}],
    ),
    # the payments queue needs pci_dss: the cheap vendor lacks it, so certified providers take it
    "certification": Tiny(
        periods=4, start_hour=10, required={**flat("pay", [2, 2, 1, 1]), **flat("web", [2, 1, 2, 1])},
        queues=[{"id": "pay", "language": "en", "certifications": ["pci_dss"]}, {"id": "web", "language": "en"}],
        group={**TEAM, "rate": 20.0, "certifications": ["pci_dss"]},
        templates=[{"id": "s3", "length_h": 3, "start_hours": list(range(24)), "paid_h": 3}],
        vendors=[
            {"id": "cheap", "languages": ["en"], "rate": 5.0},
            {"id": "secure", "languages": ["en"], "certifications": ["pci_dss"], "rate": 25.0},
        ],
    ),
    # a night vendor open 20-08 only; in-house nights carry a premium
    "night_window": Tiny(
        periods=6, start_hour=17, required=flat("en", [3, 2, 2, 1, 1, 1]),
        queues=[{"id": "en", "language": "en"}],
        group={**TEAM, "rate": 12.0, "night_premium": 1.0, "night_hours": [20, 21, 22, 23, 0, 1]},
        templates=[{"id": "s3", "length_h": 3, "start_hours": list(range(24)), "paid_h": 3}],
        vendors=[{"id": "night", "languages": ["en"], "rate": 14.0, "start_hour": 20, "end_hour": 8}],
    ),
    # take-or-pay: the vendor bills at least its weekly minimum (prorated) once used
    "take_or_pay": Tiny(
        periods=6, start_hour=8, required=flat("en", [1, 0, 1, 0, 0, 1]),
        queues=[{"id": "en", "language": "en"}],
        group={**TEAM, "rate": 15.0}, templates=SHORT,
        vendors=[{"id": "tp", "languages": ["en"], "rate": 8.0, "min_hours": 140.0}],
    ),
    # a fixed weekly fee decides whether a cheap vendor is worth contracting
    "fixed_fee": Tiny(
        periods=5, start_hour=8, required=flat("en", [2, 3, 3, 2, 1]),
        queues=[{"id": "en", "language": "en"}],
        group={**TEAM, "rate": 10.0}, templates=SHORT,
        vendors=[{"id": "fee", "languages": ["en"], "rate": 6.0, "fee": 600.0}, {"id": "nofee", "languages": ["en"], "rate": 11.5}],
    ),
    # policy: at least 60 % of the work in-house although the vendor is cheaper
    "in_house_share": Tiny(
        periods=4, start_hour=9, required=flat("en", [2, 3, 3, 2]),
        queues=[{"id": "en", "language": "en"}],
        group={**TEAM, "rate": 10.0}, templates=SHORT,
        vendors=[{"id": "cheap", "languages": ["en"], "rate": 4.0}],
        min_in_house_share=0.6,
    ),
    # headcount: at most two heads and one shift per head per day; the rest overflows to the vendor
    "headcount": Tiny(
        periods=4, start_hour=9, required=flat("en", [3, 3, 2, 2]),
        queues=[{"id": "en", "language": "en"}],
        group={**TEAM, "rate": 10.0, "max_heads": 2, "cost_per_head_per_week": 84.0},
        templates=SHORT,
        vendors=[{"id": "flex", "languages": ["en"], "rate": 13.0}],
    ),
    # vendor capacity and AHT factor: the vendor needs 1.5x agents and takes at most 2 per period
    "vendor_capacity": Tiny(
        periods=3, start_hour=9, required={**flat("a", [1, 2, 1]), **flat("b", [1, 1, 2])},
        queues=[{"id": "a", "language": "en"}, {"id": "b", "language": "en"}],
        group={**TEAM, "rate": 30.0, "shrinkage": 0.5}, templates=SHORT,
        vendors=[{"id": "slow", "languages": ["en"], "rate": 9.0, "aht_factor": 1.5, "capacity": 2}],
    ),
}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_brute_force(case: str, backend: str) -> None:
    tiny = CASES[case]
    expected = tiny.optimum()
    assert math.isfinite(expected), "the brute force found no plan"
    scenario = to_scenario(tiny)
    result = solve(scenario, backend=backend, mip_gap=0.0)
    assert result.status == Status.optimal, result.message
    assert result.objective == pytest.approx(expected, rel=1e-6, abs=1e-6)
    assert verify(scenario, result) == []


def test_certified_queue_never_goes_to_uncertified_vendor() -> None:
    scenario = to_scenario(CASES["certification"])
    result = solve(scenario, backend="cbc")
    pay = result.staffing[result.staffing["queue"] == "pay"]
    assert not (pay["provider"] == "cheap").any()
    assert (result.staffing.loc[result.staffing["queue"] == "web", "provider"] == "cheap").all()


def test_night_goes_to_night_vendor_only_when_open() -> None:
    scenario = to_scenario(CASES["night_window"])
    result = solve(scenario, backend="cbc")
    first = result.staffing[result.staffing["period"] < 3]  # 17:00-20:00, vendor closed
    assert (first["provider"] == "in_house").all()


def test_solve_is_pure() -> None:
    scenario = to_scenario(CASES["fixed_fee"])
    before = scenario.model_dump()
    demand = scenario.demand.copy()
    solve(scenario, backend="cbc")
    assert scenario.model_dump().keys() == before.keys()
    assert scenario.config == before["config"] or scenario.config.model_dump() == ScenarioConfig.model_validate(before["config"]).model_dump()
    pd.testing.assert_frame_equal(scenario.demand, demand)


def test_build_model_is_readable_and_exports(tmp_path) -> None:
    scenario = to_scenario(CASES["language"])
    prob = build_model(scenario)
    names = set(prob.constraints)
    assert any(n.startswith("route_") for n in names)
    assert any(n.startswith("cover_") for n in names)
    result = solve(scenario, backend="cbc")
    result.write_lp(tmp_path / "m.lp")
    result.write_mps(tmp_path / "m.mps")
    assert "Minimize" in (tmp_path / "m.lp").read_text().splitlines()[1] or "MINIMIZE" in (tmp_path / "m.lp").read_text().upper()
    assert (tmp_path / "m.mps").stat().st_size > 0


def test_unserviceable_queue_is_diagnosed_not_an_exception() -> None:
    tiny = CASES["language"]
    tiny2 = Tiny(**{**tiny.__dict__, "vendors": []})
    scenario = to_scenario(tiny2)
    result = solve(scenario, backend="cbc")
    assert result.status == Status.infeasible
    assert set(result.diagnosis["queue"]) == {"fi"}
    assert len(result.diagnosis) == 3  # the three fi periods with work
    assert "nobody who speaks 'fi'" in result.diagnosis["reason"].iloc[0]


def test_soft_service_level_returns_a_plan_and_lists_unmet() -> None:
    tiny = CASES["language"]
    d = Tiny(**{**tiny.__dict__, "vendors": []}).scenario_dict()
    d["policy"]["soft_service_level"] = {"penalty_per_agent_hour": 1000.0}
    scenario = to_scenario(Tiny(**{**tiny.__dict__, "vendors": []}))
    scenario = Scenario(config=ScenarioConfig.model_validate(d), demand=scenario.demand)
    result = solve(scenario, backend="cbc")
    assert result.status == Status.optimal
    unmet = result.unmet
    assert set(unmet["queue"]) == {"fi"} and len(unmet) == 3
    penalty = result.costs.set_index("component").at["shortfall_penalty", "amount"]
    assert penalty == pytest.approx(3 * 1000.0)
    assert verify(scenario, result) == []


def test_time_limit_reports_feasible_or_no_solution_with_bound() -> None:
    """Wherever the limit stops the solve: optimal within the gap, or a plan with an honest bound, or none."""
    scenario = to_scenario(CASES["vendor_capacity"])
    result = solve(scenario, backend="highs", time_limit_s=30)
    assert result.status in (Status.optimal, Status.feasible, Status.no_solution), result.message
    if result.status == Status.optimal:
        assert result.bound is not None and result.gap is not None and result.gap <= 1e-4 + 1e-9
    if result.status == Status.feasible:
        assert result.bound is None or result.bound <= result.objective + 1e-6
        assert verify(scenario, result) == []


def two_week_scenario(routing: str) -> Scenario:
    """Monday evenings of two weeks; week 2 is busier, so per-period routing may differ by week."""
    config = ScenarioConfig.model_validate({
        "name": "two-weeks",
        "horizon": {"start": "2026-01-05T00:00", "periods": 336, "cyclic": False},
        "queues": [{"id": "en", "language": "en", "aht_s": 300}],
        "templates": [{"id": "s3", "length_h": 3, "start_hours": list(range(24))}],
        "groups": [{"id": "team", "languages": ["en"], "rate_per_hour": 10, "shrinkage": 0.0, "templates": ["s3"]}],
        "vendors": [{"id": "night", "languages": ["en"], "rate_per_hour": 9, "fee_per_week": 0,
                     "windows": [{"start_hour": 20, "end_hour": 8}]}],
        "policy": {"routing": routing},
    })
    need = {18: 1, 19: 1, 20: 1, 21: 1, 22: 1, 23: 1}
    rows = []
    for t in range(336):
        hour, week = t % 24, t // 168
        base = need.get(hour, 0) if t % 168 < 24 else 0
        # By hand: week 1 (one agent 18-24) is cheapest as a shift 18-21 (30) plus the vendor 21-24 (27);
        # week 2 (two agents from 20:00) as the same shift plus the vendor 20-24 (72): 57 + 102 = 159,
        # with 20:00 in-house in week 1 and at the vendor in week 2. One weekly template can't do that:
        # its best is the vendor from 20:00 in both weeks, (30 + 36) + 102 = 168.
        req = base * (2 if week == 1 and hour >= 20 else 1)
        rows.append((t, "en", np.nan, 300.0, float(req)))
    return Scenario(config=config, demand=pd.DataFrame(rows, columns=["period", "queue", "contacts", "aht_s", "required_agents"]))


@pytest.mark.parametrize("backend", BACKENDS)
def test_weekly_routing_uses_the_same_provider_every_week(backend: str) -> None:
    per_period = solve(two_week_scenario("per_period"), backend=backend, mip_gap=0.0)
    weekly_scenario = two_week_scenario("weekly")
    weekly = solve(weekly_scenario, backend=backend, mip_gap=0.0)
    assert verify(weekly_scenario, weekly) == []
    s = weekly.staffing.assign(how=weekly.staffing["period"] % 168)
    assert (s.groupby("how")["provider"].nunique() == 1).all()
    # a template is a restriction: it can only cost more
    assert weekly.objective >= per_period.objective - 1e-6
    # here it does: per-period routing splits the two weeks differently
    p = per_period.staffing.assign(how=per_period.staffing["period"] % 168)
    assert (p.groupby("how")["provider"].nunique() > 1).any()
    assert per_period.objective == pytest.approx(159.0)
    assert weekly.objective == pytest.approx(168.0)
