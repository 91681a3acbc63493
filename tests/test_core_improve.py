"""Local search on the core's plans (core/improve.py): it only ever improves, it reaches the optimum
when its neighbourhood is the whole model, and under a node limit it is the same on any machine."""

from __future__ import annotations

import math

import numpy as np
import pytest
from bruteforce import Tiny  # noqa: F401 - names the brute force the optima come from
from conftest import CASES, to_scenario

from staffmix.model.index_sets import build_index
from staffmix.scenario.generate import generate
from staffmix.solvers import highs as hx
from staffmix.solvers.core.contracts import choices
from staffmix.solvers.core.heuristic import plan, roles, whole
from staffmix.solvers.core.improve import improve, layout, neighbourhoods
from staffmix.solvers.core.matrix import build_matrix
from staffmix.solvers.core.plan import tidy, violation


def _fixed(m, y):
    lo, hi = m.col_lo.copy(), m.col_hi.copy()
    by = m.cols["y"]
    lo[by.slice] = y
    hi[by.slice] = y
    return lo, hi


def _start(m, y):
    """The heuristic's plan, or else the first plan HiGHS finds (the heuristic finds none when the
    headcount limit binds)."""
    lo, hi = _fixed(m, y)
    v = plan(m, whole(m, lo, hi), roles(m), None, None)
    if v is None:
        h = hx.new_highs(None)
        hx.pass_model(h, m.A, m.cost, lo, hi, m.row_lo, m.row_hi, m.integer)
        h.setOptionValue("mip_max_improving_sols", 1)
        ans = hx.run(h, mip=True)
        v = ans.x if ans.has_solution else None
    return None if v is None else tidy(m, v)


SLOW_BRUTE_FORCE = {"certification", "fixed_fee"}  # 6-8 s of brute force each


@pytest.mark.parametrize(
    "case", [pytest.param(c, marks=pytest.mark.slow) if c in SLOW_BRUTE_FORCE else c for c in sorted(CASES)]
)
def test_local_search_reaches_the_brute_force_optimum(case: str) -> None:
    """Neighbourhoods grow until one is the whole model (contracts fixed), so the best over the
    contract choices is the brute-force optimum of the problem statement."""
    expected = CASES[case].optimum()
    m = build_matrix(build_index(to_scenario(CASES[case])))
    best = math.inf
    for y in choices(m):
        v = _start(m, y)
        if v is None or violation(m, v) > 1e-6:
            continue
        lo, hi = _fixed(m, y)
        w = improve(m, v, lo, hi, None, math.inf, step_s=None, step_gap=0.0)
        assert violation(m, w) <= 1e-6
        assert m.cost @ w <= m.cost @ v + 1e-6
        best = min(best, float(m.cost @ w))
    assert best == pytest.approx(expected, rel=1e-6, abs=1e-6)


def test_local_search_is_deterministic_under_a_node_limit_and_never_worse() -> None:
    m = build_matrix(build_index(generate(1, 1)))
    y = np.ones(m.cols["y"].size)
    v = _start(m, y)
    lo, hi = _fixed(m, y)
    runs = [improve(m, v, lo, hi, 1, math.inf, step_s=None, max_steps=8) for _ in range(2)]
    assert np.array_equal(runs[0], runs[1])
    assert violation(m, runs[0]) <= 1e-6
    assert m.cost @ runs[0] <= m.cost @ v + 1e-6


def test_neighbourhoods_cover_every_routing_column() -> None:
    """Every routing binary is free in some time window of the smallest size."""
    m = build_matrix(build_index(generate(1, 1)))
    lay = layout(m)
    from staffmix.solvers.core.improve import _free_mask

    seen = np.zeros(m.n_cols, dtype=bool)
    v = np.zeros(m.n_cols)
    for hood in neighbourhoods(m, lay, 1, with_lp=False):
        if hood.kind == "days":
            seen |= _free_mask(m, lay, hood, v, None)
    assert seen[lay.is_z].all()
