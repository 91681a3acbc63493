"""One conformance suite across backends: cbc, highs and core agree on every instance we can check.

- The brute-force instances of test_pulp_model.py: every backend is optimal at
  mip_gap 1e-6 and matches the brute-force optimum.
- Every bundled scenario (base and variants) under a time limit: the same
  status class (a plan or infeasible); every plan verifies; core's cost is no
  worse than the better reference plan by more than the gap that result
  states (or the requested gap); and no backend's lower bound exceeds any
  backend's plan (a bound above a feasible plan would be wrong).

cbc and highs solve the bundled scenarios under a wall-clock limit (a week of
hourly routing is beyond cbc's reach), so only what holds wherever they stop is
asserted of them: a plan or a proof of infeasibility (or no plan after using
the whole limit), plans that verify, bounds at or below every plan. The core
solves them in its deterministic mode (a work limit, no clock), so it must
answer with a plan or a proof, on any machine. The three bundled
bases whose solves use the whole limit are in the slow lane
(`python -m pytest -m slow`), with a 30 s limit.
"""

from __future__ import annotations

import math

import pytest
from conftest import BACKENDS, CASES, ROOT, to_scenario

from staffmix import Status, solve, verify

QUICK_LIMIT_S = 10.0
SLOW_LIMIT_S = 30.0
SLOW_BASES = {"2can-split", "eu-ecommerce-pci", "webshop-startup", "saas-24x7"}  # variant None: the full scenarios
SLOW_VARIANTS = {
    ("saas-24x7", "in-house-only"),
    ("webshop-startup", "hire-third"),
    ("webshop-startup", "email-within-hour"),
}
"""Variants of 10-30 s for the three backends together: the slow lane (the fast lane keeps one variant with
day-measured service and deferrable work, saas-24x7/tickets-within-hour)."""
REL_TOL = 1e-6
CORE_WORK_LIMIT = 20
"""The core's deterministic work limit on the bundled scenarios (the one `.ci/run`'s quality gate uses)."""


@pytest.mark.parametrize("case", sorted(CASES))
def test_tiny_instances_agree_with_brute_force(case: str) -> None:
    tiny = CASES[case]
    expected = tiny.optimum()
    scenario = to_scenario(tiny)
    for backend in BACKENDS:
        result = solve(scenario, backend=backend, mip_gap=1e-6)  # no time limit: `optimal` is asserted
        assert result.status == Status.optimal, (backend, result.message)
        assert result.objective == pytest.approx(expected, rel=1e-6, abs=1e-6), backend
        assert result.bound is not None and result.gap is not None and result.gap <= 1e-6 + 1e-12, backend
        assert verify(scenario, result) == [], backend


def _bundled() -> list:
    out = []
    for folder in sorted(p for p in (ROOT / "scenarios").iterdir() if (p / "scenario.yaml").is_file()):
        slow = folder.name in SLOW_BASES
        out.append(pytest.param(folder.name, None, marks=pytest.mark.slow) if slow else (folder.name, None))
        try:
            from staffmix.scenario.io import load_scenario

            variants = list(load_scenario(folder).config.variants)
        except Exception:  # noqa: BLE001 - a scenario that does not load fails in its own test below
            variants = []
        out.extend(pytest.param(folder.name, v, marks=pytest.mark.slow) if (folder.name, v) in SLOW_VARIANTS
                   else (folder.name, v) for v in variants)
    return out


_RESULTS: dict[tuple[str, str | None], dict] = {}


def _solve_all(name: str, variant: str | None) -> tuple[object, dict]:
    from staffmix.scenario.io import load_scenario

    scenario = load_scenario(ROOT / "scenarios" / name)
    if variant is not None:
        scenario = scenario.variant(variant)
    key = (name, variant)
    limit = SLOW_LIMIT_S if variant is None and name in SLOW_BASES else QUICK_LIMIT_S
    if key not in _RESULTS:
        # the core in its deterministic mode (a work limit, no clock: the same answer on any machine), so it must
        # answer; cbc and highs under the wall-clock limit
        _RESULTS[key] = {
            b: solve(scenario, backend=b, work_limit=CORE_WORK_LIMIT, time_limit_s=None, threads=1)
            if b == "core"
            else solve(scenario, backend=b, time_limit_s=limit, threads=1)
            for b in BACKENDS
        }
    return scenario, _RESULTS[key], limit


@pytest.mark.parametrize(("name", "variant"), _bundled(), ids=lambda v: str(v))
def test_bundled_scenarios_agree(name: str, variant: str | None) -> None:
    scenario, results, limit = _solve_all(name, variant)
    # the core always answers: a plan or a proof of infeasibility
    assert results["core"].status.has_plan or results["core"].status == Status.infeasible, results["core"].message
    for (
        b,
        r,
    ) in results.items():  # a reference without a plan only when its limit ran out (a busy machine), never an error
        assert r.status.has_plan or r.status == Status.infeasible or (
            r.status == Status.no_solution and r.build_s + r.solve_s >= limit * 0.9), (b, str(r.status), r.message)
    with_plan = {b: r for b, r in results.items() if r.status.has_plan}
    infeasible = {b for b, r in results.items() if r.status == Status.infeasible}
    # the same verdict: every backend that finishes says "plan" or every one says "infeasible"
    assert not (with_plan and infeasible), {b: (str(r.status), r.message) for b, r in results.items()}
    if infeasible:
        assert results["core"].status == Status.infeasible
        return
    for b, r in with_plan.items():
        assert verify(scenario, r) == [], b
        assert r.bound is not None and r.gap is not None, b
        assert r.bound <= r.objective * (1 + REL_TOL) + 1e-6, b
    # bounds are valid: none above any plan
    best_plan = min(r.objective for r in with_plan.values())
    for b, r in with_plan.items():
        assert r.bound <= best_plan * (1 + REL_TOL) + 1e-6, (b, r.bound, best_plan)
    refs = [r for b, r in with_plan.items() if b != "core"]
    core = with_plan["core"]
    requested = scenario.config.solver.mip_gap
    if refs:
        best = min(refs, key=lambda r: r.objective)
        allowed = max(requested, best.gap or 0.0, core.gap or 0.0)
        # gap = (objective - bound) / objective, so a plan within `allowed` of a bound below best costs
        # at most best / (1 - allowed)
        assert core.objective <= best.objective / max(1 - allowed, 1e-9) * (1 + REL_TOL) + 1e-6, (
            core.objective,
            best.objective,
            allowed,
        )
        if core.status == Status.optimal and best.status == Status.optimal:
            assert math.isclose(core.objective, best.objective, rel_tol=max(requested, 1e-9) * 1.01, abs_tol=1e-6)
