"""Why a solve ended (`Termination`), decided in one place (solvers/status.py), stored in the Result and shown."""

from __future__ import annotations

import pytest
from bruteforce import Tiny
from conftest import CASES, REFERENCE_BACKENDS, to_scenario

from staffmix import Status, Termination, load_result, solve
from staffmix.results.summary import format_summary
from staffmix.scenario.generate import generate
from staffmix.solvers.status import decide
from staffmix.util.gap import relative_gap

BACKENDS = [*REFERENCE_BACKENDS, "core"]


@pytest.mark.parametrize(("verdict", "objective", "bound", "expected"), [
    (Termination.gap_reached, 100.0, 100.0, (Status.optimal, Termination.optimal)),
    (Termination.gap_reached, 100.0, 99.9999995, (Status.optimal, Termination.optimal)),  # 5e-7 <= 1e-6 absolute
    (Termination.gap_reached, 100.0, 99.99, (Status.optimal, Termination.gap_reached)),
    (Termination.gap_reached, 0.0, 0.0, (Status.optimal, Termination.optimal)),
    (Termination.time_limit, 100.0, 90.0, (Status.feasible, Termination.time_limit)),
    (Termination.time_limit, None, 90.0, (Status.no_solution, Termination.time_limit)),
    (Termination.work_limit, 100.0, None, (Status.feasible, Termination.work_limit)),
    (Termination.no_further_step, 100.0, 50.0, (Status.feasible, Termination.no_further_step)),
    (Termination.infeasible, None, None, (Status.infeasible, Termination.infeasible)),
    (Termination.unbounded, None, None, (Status.error, Termination.unbounded)),
    (Termination.error, 5.0, None, (Status.error, Termination.error)),
    (Termination.gap_reached, None, None, (Status.error, Termination.error)),  # a proof without a plan
])
def test_decide_by_hand(verdict, objective, bound, expected) -> None:
    assert decide(verdict, objective, bound) == expected


def test_one_gap_for_every_figure_at_zero_cost() -> None:
    assert relative_gap(200.0, 150.0) == 0.25
    assert relative_gap(200.0, 250.0) == 0.0  # a bound above the plan is round-off: no negative gap
    assert relative_gap(0.0, 0.0) == 0.0
    assert relative_gap(0.0, -5.0) is None  # undefined, not 5e9
    assert relative_gap(None, 1.0) is None and relative_gap(1.0, None) is None


@pytest.mark.parametrize("backend", BACKENDS)
def test_optimal_without_limits_is_the_brute_force_optimum(backend: str) -> None:
    """mip_gap 0 and no limit: the plan is the brute-force optimum and the bound meets it."""
    tiny = CASES["fixed_fee"]
    result = solve(to_scenario(tiny), backend=backend, mip_gap=0.0)
    assert result.status == Status.optimal
    assert result.termination == Termination.optimal
    assert result.objective == pytest.approx(tiny.optimum(), rel=1e-9)


@pytest.mark.parametrize("backend", BACKENDS)
def test_infeasible_proven_by_the_solver(backend: str) -> None:
    """Two heads, one shift a day each, no vendor: 3 agents needed at 9:00 cannot be staffed (by hand)."""
    tiny = CASES["headcount"]
    scenario = to_scenario(Tiny(**{**tiny.__dict__, "vendors": []}))
    result = solve(scenario, backend=backend)
    assert result.status == Status.infeasible
    assert result.termination == Termination.infeasible


def test_infeasible_before_any_solve() -> None:
    """A Finnish queue and nobody who speaks Finnish: the pre-solve diagnosis ends it."""
    tiny = CASES["language"]
    result = solve(to_scenario(Tiny(**{**tiny.__dict__, "vendors": []})), backend="core")
    assert (result.status, result.termination) == (Status.infeasible, Termination.infeasible)
    assert "infeasible" in format_summary(result).splitlines()[0]


def test_work_limit_on_a_non_trivial_model(tmp_path) -> None:
    """A work limit of 1 on a generated week: wherever it stops, the termination says why and agrees with the
    status and the gap; the termination survives a result folder."""
    result = solve(generate(1, 1), backend="core", work_limit=1, mip_gap=1e-6)
    assert result.termination in (Termination.work_limit, Termination.gap_reached, Termination.optimal)
    if result.termination == Termination.work_limit:
        assert result.status == Status.feasible
        assert result.gap is not None and result.gap > 1e-6
        assert "stopped on the work limit" in format_summary(result).splitlines()[0]
    else:
        assert result.status == Status.optimal and result.gap <= 1e-6 + 1e-9
    back = load_result(result.to_folder(tmp_path / "r"))
    assert back.termination == result.termination
    assert back == result


@pytest.mark.parametrize("backend", ["cbc", "highs"])
def test_time_limit_on_a_non_trivial_model(backend: str) -> None:
    """A 1 s limit on a generated week: optimal within the gap, or stopped on the time limit (with or
    without a plan); never anything else."""
    result = solve(generate(1, 1), backend=backend, time_limit_s=1, mip_gap=1e-6)
    assert result.termination in (Termination.time_limit, Termination.gap_reached, Termination.optimal), result.message
    if result.termination == Termination.time_limit:
        assert result.status in (Status.feasible, Status.no_solution)
    else:
        assert result.status == Status.optimal


def test_the_deadline_is_computed_once_from_when_solve_began() -> None:
    from staffmix.scenario.schema import SolverOptions
    from staffmix.solvers.dispatch import solve_deadline

    assert solve_deadline(SolverOptions(backend="cbc", time_limit_s=30), started=100.0) == 130.0
    assert solve_deadline(SolverOptions(backend="core", time_limit_s=None), started=100.0) is None
    assert (
        solve_deadline(SolverOptions(backend="core", time_limit_s=30, work_limit=5), started=100.0) is None
    )  # no clock


def test_the_explaining_re_solve_keeps_the_work_limit() -> None:
    """The elastic re-solve that explains an infeasibility runs with every option of the solve it explains
    (it dropped work_limit, so a deterministic solve's explanation depended on the clock)."""
    from staffmix.results.result import Result
    from staffmix.scenario.schema import SolverOptions
    from staffmix.solvers.diagnosis import explain_infeasible

    seen: dict = {}

    def fake_solve(scenario, **options):
        seen.update(options)
        return Result(status=Status.infeasible, scenario=scenario.name, solver="core")

    opts = SolverOptions(backend="core", time_limit_s=None, mip_gap=0.01, threads=1, work_limit=7)
    explain_infeasible(to_scenario(CASES["headcount"]), opts, fake_solve)
    assert seen == {"backend": "core", "time_limit_s": None, "mip_gap": 0.01, "threads": 1, "work_limit": 7}


def test_one_check_of_the_options_for_solve_and_batch(tmp_path) -> None:
    """solve() and run_batch() reject the same out-of-range option with the same words (solvers/options.py)."""
    from staffmix import StaffmixError, run_batch

    scenario = to_scenario(CASES["headcount"])
    for bad in ({"time_limit_s": -1}, {"backend": "gurobi"}):
        with pytest.raises(StaffmixError) as from_solve:
            solve(scenario, **bad)
        with pytest.raises(StaffmixError) as from_batch:
            run_batch(tmp_path, tmp_path / "out", progress=False, **bad)
        assert str(from_solve.value) == str(from_batch.value)
    with pytest.raises(StaffmixError, match="work_limit is a deterministic mode of the core backend"):
        solve(scenario, backend="cbc", work_limit=3)
