"""The core on the features it was not tuned on (issue #20): service measured per day, the bound of long
horizons, one MIP over every contract choice, and what a solve says when it ends late or without a plan."""

from __future__ import annotations

import time

import numpy as np
import pytest

from staffmix import Result, Status
from staffmix.model.index_sets import build_index
from staffmix.queueing.staffing import required_agents
from staffmix.scenario.generate import generate
from staffmix.solvers import highs as hx
from staffmix.solvers.core import exact, strategy
from staffmix.solvers.core.blocks import partition
from staffmix.solvers.core.bound import lagrangian_bound
from staffmix.solvers.core.heuristic import plan, roles, whole
from staffmix.solvers.core.matrix import build_matrix
from staffmix.solvers.core.plan import tidy, violation
from staffmix.solvers.dispatch import _said_if_late


@pytest.fixture(scope="module")
def day_week():
    """One week, one language, service measured per day (period floor 50 %, target 80 % in 20 s)."""
    scenario = generate(1, 1, measured="day")
    return scenario, build_matrix(build_index(scenario))


def test_pinned_plan_staffs_each_queue_period_at_its_own_target(day_week) -> None:
    """The pinned plan (heuristic.pinned) staffs every routed day-measured queue-period at exactly the agents
    Erlang C needs for the target in that period alone: recomputed here with queueing.required_agents from the
    row's contacts and handling time, not from the model's level steps."""
    scenario, m = day_week
    ix = m.index
    v = plan(m, whole(m, m.col_lo, m.col_hi), roles(m), 1, None, iterations=1, pin=True)
    assert v is not None
    v = tidy(m, v)
    assert violation(m, v) <= 1e-6
    interval_s = 3600.0 * ix.period_h
    levels = [q.service_level for q in scenario.config.queues]
    target = np.array([levels[q].target for q in ix.r_queue[ix.m_req]])
    within_s = np.array([levels[q].within_s for q in ix.r_queue[ix.m_req]])
    steps = v[m.col("level")]
    taken = np.bincount(np.searchsorted(ix.m_req, ix.step_req), weights=steps, minlength=len(ix.m_req))
    z = v[m.zcol[ix.b_slot[ix.r_base[ix.m_req]], ix.r_prov[ix.m_req]]]
    routed = (z > 0.5) & (ix.r_contacts[ix.m_req] > 0)
    assert routed.sum() > 50
    staffed = ix.r_required[ix.m_req] + taken
    need = required_agents(ix.r_contacts[ix.m_req], ix.r_aht[ix.m_req], interval_s, target, within_s)
    # the floor may already be above the target's need in a quiet period; otherwise exactly the need
    expected = np.maximum(need, ix.r_required[ix.m_req])
    np.testing.assert_array_equal(staffed[routed], expected[routed])


def test_floor_bound_is_below_the_lp_and_the_plan(day_week) -> None:
    """The floor relaxation's Lagrangian bound (day rows left out) is a valid bound: at most the LP optimum of
    the whole model (HiGHS's simplex on the core matrix), which is at most the pinned plan's cost; and the week
    LPs without the day rows lose at most a fifth of the LP on this instance."""
    _, m = day_week
    floor = lagrangian_bound(m, partition(m, 168), 1, None, floor=True)
    lp = hx.run(hx.model_highs(m, 1, relax=True), solver="simplex")
    v = tidy(m, plan(m, whole(m, m.col_lo, m.col_hi), roles(m), 1, None, iterations=1, pin=True))
    assert lp.status == "optimal"
    assert 0.8 * lp.value <= floor.value <= lp.value + 1e-6 * lp.value
    assert lp.value <= float(m.cost @ v)


def test_one_joint_mip_when_it_settles(monkeypatch) -> None:
    """Small models get one MIP over every contract choice; once it proves the optimum no second MIP runs (the
    core used to prove 2can-split's optimum twice when the first proof also improved the plan)."""
    calls = []
    real = exact.run_joint

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(strategy, "run_joint", counting)
    scenario = generate(1, 1).with_changes({"solver": {"time_limit_s": 3600, "mip_gap": 0.05}})
    from staffmix import solve

    result = solve(scenario, backend="core")
    assert result.status == Status.optimal
    assert len(calls) == 1


def test_a_plan_returned_late_says_by_how_much() -> None:
    result = Result(status=Status.feasible, scenario="s", solver="core", message="time limit reached")
    said = _said_if_late(result, time.perf_counter() - 5.0)
    assert said.message.startswith("time limit reached; returned ")
    assert float(said.message.split("returned ")[1].split(" s")[0]) >= 5.0
    assert _said_if_late(result, time.perf_counter() + 10.0).message == "time limit reached"
    assert _said_if_late(result, None).message == "time limit reached"


def test_a_bound_cut_short_keeps_the_weeks_it_solved(monkeypatch) -> None:
    """The Lagrangian's first pass stopped after two of four week LPs proves their sum (every week LP is at least
    0), which lies below the full bound; before, it proved nothing."""
    from staffmix.solvers.core import bound as bound_module

    m = build_matrix(build_index(generate(4, 1)))
    part = partition(m, 168)
    full = lagrangian_bound(m, part, 1, None)
    real = bound_module.hx.run
    calls = []

    def two_weeks(h, **kwargs):
        calls.append(1)
        if len(calls) > 2:
            return hx.Answer("time_limit", None, None, None, 0.0, False)
        return real(h, **kwargs)

    monkeypatch.setattr(bound_module.hx, "run", two_weeks)
    cut = lagrangian_bound(m, part, 1, None)
    assert not cut.complete
    assert 0.3 * full.value < cut.value < 0.7 * full.value
