"""Benchmarks: service levels measured per day or week (issue #14), on the seeded generators and on 2can-split.

Every solve records what it achieved next to its time (objective, bound, gap,
status, build and solve seconds) in `benchmark.extra_info`.

- test_build_core_measured: scenario -> model with the level block, on the
  generators measured per day ('w1-l1-day' ... 'w52-l6-day');
- test_solve_core_measured: the core end to end, time limit 60 s, gap 0.5 %,
  one thread (the per-period figures are test_bench_solve.py's);
- test_solve_reference_measured: cbc and highs on the 1-week day-measured
  instances, the same limit: the core should stay ahead;
- test_level_formulation_core: the core with each level formulation
  (core.levels.LEVEL_FORMULATIONS), 60 s each, on 'w1-l1-day', 'w4-l1-day' and
  2can-split and webshop-startup measured per day;
- test_level_formulation_exact (STAFFMIX_BENCH_HEAVY=1): HiGHS's MIP with the
  contracts fixed, on 2can-split's first 48 hours measured per day, up to
  300 s per formulation: time, nodes, objective, bound.

Quick mode (STAFFMIX_BENCH_QUICK=1) keeps 'w1-l1-day' only, with a 20 s limit.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import HEAVY, QUICK, peak_rss_mb

from staffmix import solve, verify
from staffmix.model.index_sets import build_index
from staffmix.scenario.generate import GENERATORS
from staffmix.solvers import highs as hx
from staffmix.solvers.core.contracts import choices, score
from staffmix.solvers.core.levels import LEVEL_FORMULATIONS
from staffmix.solvers.core.matrix import build_matrix

ROOT = Path(__file__).resolve().parents[1]
SIZES = ["w1-l1-day"] if QUICK else [
    "w1-l1-day", "w1-l6-day", "w4-l1-day", "w4-l6-day", "w13-l1-day", "w13-l6-day", "w52-l1-day", "w52-l6-day",
    "w1-l1-week", "w4-l1-week",
]
TIME_LIMIT_S = 20.0 if QUICK else 60.0
MIP_GAP = 0.005

_scenarios: dict[str, object] = {}


def scenario(name: str):
    if name not in _scenarios:
        _scenarios[name] = GENERATORS[name]()
    return _scenarios[name]


def _record(benchmark, result) -> None:
    benchmark.extra_info.update(
        status=str(result.status), objective=result.objective, bound=result.bound, gap=result.gap,
        build_s=round(result.build_s, 3), solve_s=round(result.solve_s, 3), peak_rss_mb=round(peak_rss_mb(), 1),
    )


def _holds_wherever_it_stops(s, result) -> None:
    assert result.status.has_plan or result.status == "no_solution", result.message
    if result.status.has_plan:
        assert result.bound is None or result.bound <= result.objective * (1 + 1e-9) + 1e-6
        assert verify(s, result) == []


@pytest.mark.parametrize("name", SIZES)
def test_build_core_measured(benchmark, name: str) -> None:
    s = scenario(name)
    m = benchmark.pedantic(
        lambda: build_matrix(build_index(s)), rounds=1 if QUICK else 3, iterations=1, warmup_rounds=0
    )
    benchmark.extra_info.update(
        columns=m.n_cols,
        rows=m.n_rows,
        nonzeros=int(m.A.nnz),
        level_columns=m.cols["level"].size,
        integer_columns=int(m.integer.sum()),
        peak_rss_mb=round(peak_rss_mb(), 1),
    )


@pytest.mark.parametrize("name", SIZES)
def test_solve_core_measured(benchmark, name: str) -> None:
    s = scenario(name)
    result = benchmark.pedantic(
        solve,
        args=(s,),
        kwargs=dict(backend="core", time_limit_s=TIME_LIMIT_S, mip_gap=MIP_GAP, threads=1),
        rounds=1,
        iterations=1,
    )
    _record(benchmark, result)
    _holds_wherever_it_stops(s, result)


@pytest.mark.parametrize("backend", ["cbc", "highs"])
@pytest.mark.parametrize("name", ["w1-l1-day"] if QUICK else ["w1-l1-day", "w1-l6-day"])
def test_solve_reference_measured(benchmark, name: str, backend: str) -> None:
    s = scenario(name)
    result = benchmark.pedantic(
        solve,
        args=(s,),
        kwargs=dict(backend=backend, time_limit_s=TIME_LIMIT_S, mip_gap=MIP_GAP, threads=1),
        rounds=1,
        iterations=1,
    )
    _record(benchmark, result)
    _holds_wherever_it_stops(s, result)


def bundled_measured_per_day(name: str, queues: tuple[str, ...] | None = None):
    """A bundled scenario with its voice and chat queues (or `queues`) measured per day, floor 50 %."""
    from staffmix import load_scenario
    from staffmix.scenario.container import Scenario
    from staffmix.scenario.schema import ScenarioConfig

    base = load_scenario(ROOT / "scenarios" / name)
    d = base.config.model_dump(mode="json")
    d["variants"] = {}
    for q in d["queues"]:
        if q["channel"] != "email" and (queues is None or q["id"] in queues):
            q["service_level"].update(measured="day", period_floor=0.5)
    return Scenario(config=ScenarioConfig.model_validate(d), demand=base.demand)


FORMULATION_CASES = {
    "w1-l1-day": lambda: scenario("w1-l1-day"),
    "w4-l1-day": lambda: scenario("w4-l1-day"),
    "2can-split-day": lambda: bundled_measured_per_day("2can-split"),
    "webshop-startup-day": lambda: bundled_measured_per_day("webshop-startup"),
}


@pytest.mark.skipif(QUICK, reason="twelve 60 s solves: not in quick mode")
@pytest.mark.parametrize("case", sorted(FORMULATION_CASES))
@pytest.mark.parametrize("formulation", LEVEL_FORMULATIONS)
def test_level_formulation_core(benchmark, formulation: str, case: str, monkeypatch) -> None:
    """The core end to end with each level formulation (the one it uses is core.levels.LEVELS), 60 s, gap 1e-4."""
    import staffmix.solvers.core as core

    monkeypatch.setattr(core, "build_matrix", lambda ix: build_matrix(ix, formulation))
    s = FORMULATION_CASES[case]()
    result = benchmark.pedantic(
        solve,
        args=(s,),
        kwargs=dict(backend="core", time_limit_s=60.0, mip_gap=1e-4, threads=1),
        rounds=1,
        iterations=1,
    )
    _record(benchmark, result)
    _holds_wherever_it_stops(s, result)


def two_days_of_2can_measured_per_day():
    """2can-split's first 48 hours (not cyclic), both queues measured per day with a 50 % floor."""
    from staffmix import load_scenario
    from staffmix.scenario.container import Scenario
    from staffmix.scenario.schema import ScenarioConfig

    base = load_scenario(ROOT / "scenarios" / "2can-split")
    d = base.config.model_dump(mode="json")
    d["horizon"].update(periods=48, cyclic=False)
    d["variants"] = {}
    for q in d["queues"]:
        q["service_level"].update(measured="day", period_floor=0.5)
    return Scenario(
        config=ScenarioConfig.model_validate(d), demand=base.demand[base.demand["period"] < 48].reset_index(drop=True)
    )


@pytest.mark.skipif(not HEAVY, reason="up to 300 s of HiGHS per formulation: set STAFFMIX_BENCH_HEAVY=1")
@pytest.mark.parametrize("formulation", LEVEL_FORMULATIONS)
def test_level_formulation_exact(benchmark, formulation: str) -> None:
    """HiGHS's branch and bound on one model per formulation, contracts fixed at the best LP's: same LP bound,
    different search."""
    ix = build_index(two_days_of_2can_measured_per_day())
    m = build_matrix(ix, formulation)
    best = score(m, choices(m), 1, None)[0]
    lo, hi = m.col_lo.copy(), m.col_hi.copy()
    by = m.cols["y"]
    lo[by.slice], hi[by.slice] = best.y, best.y

    def run():
        h = hx.new_highs(1)
        hx.pass_model(h, m.A, m.cost, lo, hi, m.row_lo, m.row_hi, m.integer)
        return h, hx.run(h, time_limit=300.0, mip_gap=1e-6, mip=True)

    h, ans = benchmark.pedantic(run, rounds=1, iterations=1)
    benchmark.extra_info.update(status=ans.status, objective=ans.objective, bound=ans.bound, lp=best.lp,
                                nodes=int(h.getInfo().mip_node_count), columns=m.n_cols, rows=m.n_rows,
                                seconds=round(ans.seconds, 1))
