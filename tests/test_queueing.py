"""Tests of staffmix.queueing against published figures and independent formulations.

The references below share no code with the module: Erlang B by exact
rational arithmetic and by its recursion in plain Python floats, Erlang C by
direct summation, Erlang A by a truncated birth-death chain whose answer
times come from a matrix exponential, and required agents by a plain linear
search.
"""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from scipy.sparse.linalg import expm_multiply

from staffmix import queueing as q

SL_TOL = 1e-12  # the module counts a service level within this of its target as met

# --------------------------------------------------------------------------- independent references


def ref_erlang_b_exact(n: int, load: Fraction) -> Fraction:
    """(A^n/n!) / sum_k A^k/k!, exactly."""
    terms = [Fraction(1)]
    for k in range(1, n + 1):
        terms.append(terms[-1] * load / k)
    return terms[-1] / sum(terms)


def ref_erlang_b_recursion(n: int, load: float) -> float:
    b = 1.0
    for k in range(1, n + 1):
        b = load * b / (k + load * b)
    return b


def ref_erlang_c_direct(n: int, load: float) -> float:
    """Textbook formula, direct sums (fine for small loads)."""
    term, head = 1.0, 0.0
    for k in range(n):
        head += term
        term *= load / (k + 1)
    top = term * n / (n - load)
    return top / (head + top)


def ref_erlang_c_from_b(n: int, load: float) -> float:
    b = ref_erlang_b_recursion(n, load)
    return n * b / (n - load * (1 - b))


def ref_meets_c(n, load, aht, target, within, max_occ=1.0, max_asa=None) -> bool:
    if n <= load:
        return False
    c = ref_erlang_c_from_b(n, load)
    sl = 1 - c * math.exp(-(n - load) * within / aht)
    ok = sl >= target - SL_TOL and load / n <= max_occ * (1 + 1e-9)
    if max_asa is not None:
        ok = ok and c * aht / (n - load) <= max_asa * (1 + 1e-12)
    return ok


def brute_required_c(contacts, aht, interval, target, within, max_occ=1.0, max_asa=None) -> int:
    load = contacts * aht / interval
    if load == 0:
        return 0
    n = 1
    while not ref_meets_c(n, load, aht, target, within, max_occ, max_asa):
        n += 1
    return n


def chain_erlang_a(n: int, load: float, aht: float, patience: float, within: float) -> dict[str, float]:
    """M/M/n+M by brute force: the birth-death chain truncated where its weights fall below e^-60.

    Answer times: a tagged caller with k callers ahead moves up at rate
    n mu + j theta (j = callers ahead) and leaves at rate theta; P(answered
    by t) is read off the matrix exponential of that small absorbing chain.
    """
    mu, theta = 1 / aht, 1 / patience
    lam = load * mu
    logw = [0.0]
    for j in range(1, n + 1):
        logw.append(logw[-1] + math.log(lam / (j * mu)))
    k = 0
    while True:
        k += 1
        logw.append(logw[-1] + math.log(lam / (n * mu + k * theta)))
        if n * mu + k * theta > lam and logw[-1] < max(logw) - 60:
            break
    w = np.exp(np.array(logw) - max(logw))
    p = w / w.sum()
    pk = p[n:]  # an arrival finding n + k present has k callers ahead
    big_k = len(pk) - 1
    ks = np.arange(big_k + 1)
    pw = pk.sum()
    pab = theta * (ks * pk).sum() / lam  # abandonment rate / arrival rate (Little)
    gen = np.zeros((big_k + 3, big_k + 3))
    served, gone = big_k + 1, big_k + 2
    for j in range(big_k + 1):
        up = n * mu + j * theta
        gen[j, j - 1 if j else served] += up
        gen[j, gone] += theta
        gen[j, j] = -(up + theta)
    answered = np.zeros(big_k + 3)
    answered[served] = 1.0
    answered_by_t = expm_multiply(csr_matrix(gen * within), answered)[: big_k + 1]  # column of exp(G t)
    sl = (1 - pw) + (pk * answered_by_t).sum()
    x = n * mu / theta
    p_served = x / (x + ks + 1)
    wait_if_served = np.array([sum(1 / (theta * (x + j + 1)) for j in range(k + 1)) for k in ks])
    asa = (pk * p_served * wait_if_served).sum() / ((1 - pw) + (pk * p_served).sum())
    return {"pw": pw, "pab": pab, "sl": sl, "asa": asa, "occ": load * (1 - pab) / n}


def module_erlang_a(n, load, aht, patience, within) -> dict[str, float]:
    return {
        "pw": q.erlang_a_wait_probability(n, load, aht, patience),
        "pab": q.erlang_a_abandon_probability(n, load, aht, patience),
        "sl": q.erlang_a_service_level(n, load, aht, patience, within),
        "asa": q.erlang_a_asa_s(n, load, aht, patience),
        "occ": q.erlang_a_occupancy(n, load, aht, patience),
    }


def meets_a(n, load, aht, patience, target, within, max_ab=None, max_asa=None, max_occ=1.0) -> bool:
    if n == 0:
        return False
    m = module_erlang_a(n, load, aht, patience, within)
    ok = m["sl"] >= target - SL_TOL
    if max_ab is not None:
        ok = ok and m["pab"] <= max_ab + SL_TOL
    if max_asa is not None:
        ok = ok and m["asa"] <= max_asa * (1 + 1e-12)
    if max_occ < 1:
        ok = ok and m["occ"] <= max_occ * (1 + 1e-9)
    return ok


# --------------------------------------------------------------------------- published figures


def test_textbook_example_100_calls_per_half_hour():
    # 100 calls in 30 minutes, AHT 180 s, 80 % within 20 s: 10 Erlangs.
    load = q.offered_load(100, 180, 1800)
    assert load == pytest.approx(10.0)
    assert q.required_agents(100, 180, 1800, 0.8, 20) == 14
    assert q.wait_probability(14, load) == pytest.approx(0.1741, abs=1e-4)
    assert q.service_level(14, load, 180, 20) == pytest.approx(0.8884, abs=1e-4)
    assert q.occupancy(14, load) == pytest.approx(0.7143, abs=1e-4)
    assert q.service_level(13, load, 180, 20) < 0.8  # 13 agents do not make it (0.7956)
    assert q.scheduled_agents(14, 0.3) == 20


def test_textbook_example_360_calls_per_half_hour():
    load = q.offered_load(360, 240, 1800)  # 48 Erlangs
    assert q.wait_probability(55, load) == pytest.approx(0.2387, abs=1e-4)
    assert q.asa_s(55, load, 240) == pytest.approx(8.18, abs=0.01)
    assert q.service_level(55, load, 240, 15) == pytest.approx(0.8459, abs=1e-4)


def test_six_calls_an_hour_needs_one_agent_not_two():
    # 0.5 Erlang; one agent answers 51.6 % within 20 s.
    assert q.required_agents(6, 300, 3600, 0.5, 20) == 1
    assert q.service_level(1, 0.5, 300, 20) == pytest.approx(1 - 0.5 * math.exp(-0.5 * 20 / 300))


# --------------------------------------------------------------------------- Erlang B and C


@pytest.mark.parametrize("load", [Fraction(1, 3), Fraction(2), Fraction(17, 2), Fraction(30), Fraction(101, 4)])
def test_erlang_b_matches_exact_rational_sum(load):
    ns = np.arange(0, 60)
    got = q.erlang_b(ns, float(load))
    want = np.array([float(ref_erlang_b_exact(int(n), load)) for n in ns])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-300)


def test_erlang_c_matches_direct_summation_for_small_loads():
    rng = np.random.default_rng(7)
    loads = rng.uniform(0.05, 40.0, 300)
    agents = np.floor(loads) + 1 + rng.integers(0, 15, loads.size)
    got = q.wait_probability(agents, loads)
    want = np.array([ref_erlang_c_direct(int(n), a) for n, a in zip(agents, loads, strict=True)])
    np.testing.assert_allclose(got, want, rtol=1e-11)
    asa = q.asa_s(agents, loads, 200.0)
    np.testing.assert_allclose(asa, want * 200.0 / (agents - loads), rtol=1e-11)


def test_edge_cases_zero_load_and_unstable_queue():
    assert q.wait_probability(0, 0) == 0.0
    assert q.service_level(0, 0, 180, 20) == 1.0
    assert q.asa_s(0, 0, 180) == 0.0
    assert q.occupancy(0, 0) == 0.0
    assert q.erlang_b(0, 5.0) == 1.0
    assert q.erlang_b(3, 0.0) == 0.0
    for n in (0, 5, 10):  # agents <= load: the queue grows without bound
        assert q.wait_probability(n, 10.0) == 1.0
        assert q.service_level(n, 10.0, 180, 20) == 0.0
        assert q.asa_s(n, 10.0, 180) == math.inf
    assert q.occupancy(5, 10.0) == 1.0
    assert q.occupancy(0, 3.0) == 1.0


def test_scalars_return_float_and_arrays_return_ndarray():
    assert type(q.wait_probability(14, 10.0)) is float
    assert type(q.required_agents(100, 180, 1800, 0.8, 20)) is int
    assert type(q.scheduled_agents(14, 0.3)) is int
    out = q.service_level(pd.Series([13, 14, 15]), 10.0, 180, 20)
    assert isinstance(out, np.ndarray) and out.shape == (3,)
    grid = q.wait_probability(np.arange(11, 16)[:, None], np.array([[8.0, 9.0, 10.0]]))
    assert grid.shape == (5, 3)
    assert grid[3, 2] == pytest.approx(0.1741, abs=1e-4)


@pytest.mark.parametrize(
    "call",
    [
        lambda: q.wait_probability(-1, 3.0),
        lambda: q.wait_probability(2.5, 3.0),
        lambda: q.wait_probability(3, -0.1),
        lambda: q.wait_probability(3, np.nan),
        lambda: q.erlang_b([1, 2], [1.0, np.inf]),
        lambda: q.service_level(3, 1.0, 0.0, 20),
        lambda: q.erlang_a_wait_probability(3, 1.0, 180, 0.0),
        lambda: q.required_agents(10, 180, 1800, 1.0, 20),
        lambda: q.required_agents(10, 180, 1800, 0.8, 20, max_abandon=0.05),
        lambda: q.required_agents(-1, 180, 1800, 0.8, 20),
        lambda: q.required_agents(10, 180, 1800, 0.8, 20, max_occupancy=0.0),
        lambda: q.scheduled_agents(10, 1.0),
    ],
)
def test_invalid_input_raises_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_error_message_names_the_input():
    with pytest.raises(ValueError, match=r"agents must be a whole number >= 0; got -1\.0 at positions \[1\]"):
        q.wait_probability([1, -1], 0.5)
    with pytest.raises(ValueError, match="load must be"):
        q.erlang_b(1, np.nan)


def test_large_loads_are_exact_and_never_overflow():
    loads = np.array([2000.0, 5000.0, 5000.0, 5000.0])
    agents = np.array([2040, 4990, 5001, 5080])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        b = q.erlang_b(agents, loads)
        pw = q.wait_probability(agents, loads)
        sl = q.service_level(agents, loads, 180, 20)
        asa = q.asa_s(agents, loads, 180)
        req = q.required_agents(np.array([1e5, 5e4 / 0.36]), 180.0, 3600.0, 0.8, 20.0)
        huge = q.wait_probability(np.array([100_050, 1_000_500]), np.array([1e5, 1e6]))
        ea = q.erlang_a_service_level(np.array([4900, 5050]), 5000.0, 180.0, 120.0, 20.0)
        ea_asa = q.erlang_a_asa_s(np.array([4900, 5050]), 5000.0, 180.0, 120.0)
    want_b = [ref_erlang_b_recursion(int(n), a) for n, a in zip(agents, loads, strict=True)]
    np.testing.assert_allclose(b, want_b, rtol=1e-10)
    assert pw[1] == 1.0 and sl[1] == 0.0 and asa[1] == math.inf  # 4990 agents < 5000 Erlangs
    want_c = [ref_erlang_c_from_b(int(n), a) for n, a in zip(agents[2:], loads[2:], strict=True)]
    np.testing.assert_allclose(pw[2:], want_c, rtol=1e-10)
    assert np.all((sl >= 0) & (sl <= 1)) and np.isfinite(asa[[0, 2, 3]]).all()
    assert sl[3] > 0.99  # 80 agents above 5,000 Erlangs is plenty
    assert 5000 < req[0] < 5030 and np.isfinite(huge).all() and np.all((huge > 0) & (huge < 1))
    assert req[0] == brute_required_c(1e5, 180.0, 3600.0, 0.8, 20.0)
    assert np.isfinite(ea).all() and np.all((ea >= 0) & (ea <= 1)) and ea[0] < ea[1]
    assert np.isfinite(ea_asa).all() and ea_asa[0] > ea_asa[1] > 0


def test_tails_that_underflow_are_summed_as_series():
    # Q(n, A) underflows for n far below A; the recursion in plain floats is the reference.
    for n, a in [(10, 5000.0), (1, 900.0), (300, 2000.0)]:
        assert q.erlang_b(n, a) == pytest.approx(ref_erlang_b_recursion(n, a), rel=1e-12)
    # Many agents for a tiny load: B = 1/150!-ish, far below any sum of terms could resolve.
    assert q.erlang_b(150, 1.0) == pytest.approx(ref_erlang_b_recursion(150, 1.0), rel=1e-11)
    assert 0 < q.wait_probability(150, 1.0) < 1e-250
    assert q.erlang_b(400, 1.0) == 0.0  # 1/400! underflows, no NaN


# --------------------------------------------------------------------------- Erlang A


ERLANG_A_CASES = [
    # agents, load, aht_s, patience_s, within_s
    (14, 10.0, 180.0, 120.0, 20.0),
    (5, 10.0, 300.0, 60.0, 30.0),  # fewer agents than Erlangs: abandonment keeps it stable
    (1, 0.5, 300.0, 100.0, 20.0),
    (30, 25.0, 240.0, 600.0, 15.0),
    (50, 80.0, 200.0, 30.0, 10.0),
    (3, 0.2, 100.0, 5000.0, 60.0),
    (20, 20.0, 180.0, 1e4, 20.0),
    (8, 30.0, 300.0, 20.0, 0.0),
    (100, 95.0, 300.0, 300.0, 20.0),
    (5, 1000.0, 300.0, 5.0, 20.0),  # Poisson lower tail underflows: series path
    (100, 10.0, 100.0, 1000.0, 5.0),  # incomplete-gamma upper sum underflows: series path
]


@pytest.mark.parametrize(("n", "load", "aht", "patience", "within"), ERLANG_A_CASES)
def test_erlang_a_matches_truncated_birth_death_chain(n, load, aht, patience, within):
    want = chain_erlang_a(n, load, aht, patience, within)
    got = module_erlang_a(n, load, aht, patience, within)
    for key in ("pw", "pab", "sl", "occ"):
        assert got[key] == pytest.approx(want[key], rel=1e-9, abs=1e-13), key
    assert got["asa"] == pytest.approx(want["asa"], rel=1e-9)


def test_erlang_a_service_level_definition():
    n, load, aht, patience = 12, 11.0, 240.0, 90.0
    pw = q.erlang_a_wait_probability(n, load, aht, patience)
    pab = q.erlang_a_abandon_probability(n, load, aht, patience)
    # within 0 s: only callers who never queue; abandoners are failures, so SL <= answered share.
    assert q.erlang_a_service_level(n, load, aht, patience, 0.0) == pytest.approx(1 - pw, abs=1e-15)
    levels = q.erlang_a_service_level(n, load, aht, patience, np.array([10.0, 60.0, 600.0, 1e5]))
    assert np.all(np.diff(levels) > 0)
    assert levels[-1] == pytest.approx(1 - pab, abs=1e-12)
    assert np.all(levels <= 1 - pab + 1e-15)


def test_erlang_a_without_callers_or_agents():
    assert q.erlang_a_wait_probability(5, 0.0, 180, 60) == 0.0
    assert q.erlang_a_service_level(0, 0.0, 180, 60, 20) == 1.0
    assert q.erlang_a_asa_s(5, 0.0, 180, 60) == 0.0
    assert q.erlang_a_abandon_probability(0, 4.0, 180, 60) == 1.0
    assert q.erlang_a_service_level(0, 4.0, 180, 60, 20) == 0.0
    assert q.erlang_a_asa_s(0, 4.0, 180, 60) == math.inf


def test_erlang_a_tends_to_erlang_c_as_patience_grows():
    n, load, aht, within = np.array([11, 14, 20, 60]), np.array([10.0, 10.0, 19.5, 48.0]), 180.0, 20.0
    c = {
        "pw": q.wait_probability(n, load),
        "sl": q.service_level(n, load, aht, within),
        "asa": q.asa_s(n, load, aht),
    }
    errors = []
    for patience in (1e3, 1e4, 1e5, 1e6, 1e7, 1e8):
        a = {
            "pw": q.erlang_a_wait_probability(n, load, aht, patience),
            "sl": q.erlang_a_service_level(n, load, aht, patience, within),
            "asa": q.erlang_a_asa_s(n, load, aht, patience),
        }
        errors.append(max(np.max(np.abs(a[k] / c[k] - 1)) for k in c))
    # The gap shrinks like 1/patience (slowly for 20 agents on 19.5 Erlangs, whose waits are long),
    # and keeps doing so out to patience 1e8 s: no loss of accuracy for huge x = n patience / aht.
    ratios = np.array(errors[1:]) / np.array(errors[:-1])
    assert np.all(ratios < 0.5) and np.all(np.abs(ratios[-2:] - 0.1) < 0.02)
    assert errors[-1] < 1e-3
    # Infinite patience is Erlang C exactly, abandonment zero.
    np.testing.assert_array_equal(q.erlang_a_service_level(n, load, aht, np.inf, within), c["sl"])
    np.testing.assert_array_equal(q.erlang_a_abandon_probability(n, load, aht, np.inf), 0.0)


# --------------------------------------------------------------------------- monotonicity and ranges


@pytest.mark.parametrize(("load", "aht", "within"), [(0.3, 300.0, 20.0), (10.0, 180.0, 20.0), (480.0, 420.0, 30.0)])
def test_more_agents_never_hurt_erlang_c(load, aht, within):
    n = np.arange(0, int(load * 1.5) + 25)
    sl = q.service_level(n, load, aht, within)
    asa = q.asa_s(n[n > load], load, aht)
    assert np.all(np.diff(sl) >= 0)
    assert np.all(np.diff(asa) <= 0)
    assert np.all(np.diff(q.wait_probability(n, load)) <= 0)


@pytest.mark.parametrize(
    ("load", "aht", "patience", "within"),
    [(0.3, 300.0, 60.0, 20.0), (10.0, 180.0, 120.0, 20.0), (120.0, 420.0, 45.0, 30.0), (900.0, 240.0, 2000.0, 15.0)],
)
def test_more_agents_never_hurt_erlang_a(load, aht, patience, within):
    n = np.arange(0, int(load * 1.5) + 25)
    m = module_erlang_a(n, load, aht, patience, within)
    tol = 1e-10  # round-off where the queue is swamped (occupancy a hair below 1)
    assert np.all(np.diff(m["sl"]) >= -tol)
    assert np.all(np.diff(m["asa"][1:]) <= tol * m["asa"][2:])
    assert np.all(np.diff(m["pab"]) <= tol)
    assert np.all(np.diff(m["occ"][1:]) <= tol)
    assert np.all(np.diff(m["pw"]) <= tol)


agents_st = st.integers(min_value=0, max_value=400)
load_st = st.floats(min_value=0.0, max_value=500.0, allow_nan=False)
aht_st = st.floats(min_value=10.0, max_value=1200.0)
within_st = st.floats(min_value=0.0, max_value=300.0)
patience_st = st.floats(min_value=1.0, max_value=1e5)


@settings(max_examples=150, deadline=None)
@given(agents_st, load_st, aht_st, within_st)
def test_erlang_c_probabilities_are_probabilities(n, load, aht, within):
    for p in (q.erlang_b(n, load), q.wait_probability(n, load), q.service_level(n, load, aht, within)):
        assert 0.0 <= p <= 1.0
    assert q.asa_s(n, load, aht) >= 0.0
    assert 0.0 <= q.occupancy(n, load) <= 1.0


@settings(max_examples=100, deadline=None)
@given(agents_st, load_st, aht_st, patience_st, within_st)
def test_erlang_a_probabilities_are_probabilities(n, load, aht, patience, within):
    m = module_erlang_a(n, load, aht, patience, within)
    for key in ("pw", "pab", "sl", "occ"):
        assert 0.0 <= m[key] <= 1.0, key
    assert m["asa"] >= 0.0
    assert m["pab"] <= m["pw"] + 1e-15


# --------------------------------------------------------------------------- required agents


def test_required_agents_equals_brute_force_search():
    rng = np.random.default_rng(11)
    size = 250
    contacts = np.round(rng.uniform(0, 900, size) * rng.choice([0.0, 0.05, 1.0], size, p=[0.05, 0.25, 0.7]))
    aht = rng.uniform(60, 700, size)
    interval = rng.choice([900.0, 1800.0, 3600.0], size)
    target = rng.uniform(0.0, 0.97, size)
    within = rng.choice([0.0, 10.0, 20.0, 60.0], size)
    max_occ = np.where(rng.random(size) < 0.3, rng.uniform(0.6, 1.0, size), 1.0)
    max_asa = np.where(rng.random(size) < 0.3, rng.uniform(2.0, 60.0, size), np.nan)
    got = q.required_agents(contacts, aht, interval, target, within, max_occ, max_asa)
    want = [
        brute_required_c(c, h, i, t, w, o, None if np.isnan(s) else s)
        for c, h, i, t, w, o, s in zip(contacts, aht, interval, target, within, max_occ, max_asa, strict=True)
    ]
    np.testing.assert_array_equal(got, want)


def test_required_agents_erlang_a_equals_brute_force_search():
    cases = [
        # contacts per hour, aht, target, within, patience, max_abandon, max_asa
        (120, 300.0, 0.8, 20.0, 60.0, None, None),  # 10 Erlangs, impatient callers
        (120, 300.0, 0.5, 60.0, 30.0, None, None),
        (60, 600.0, 0.0, 20.0, 45.0, 0.1, None),  # only the abandonment cap binds
        (300, 180.0, 0.8, 20.0, 300.0, 0.02, 10.0),
        (30, 240.0, 0.9, 30.0, 1e4, None, None),  # patient callers: close to Erlang C
        (900, 120.0, 0.3, 20.0, 20.0, None, 15.0),
    ]
    for contacts, aht, target, within, patience, max_ab, max_asa in cases:
        load = contacts * aht / 3600
        got = q.required_agents(contacts, aht, 3600, target, within, patience_s=patience,
                                max_abandon=max_ab, max_asa_s=max_asa)
        n = 1
        while True:  # linear search on the chain's own measures
            ref = chain_erlang_a(n, load, aht, patience, within)
            ok = ref["sl"] >= target - 1e-9
            ok = ok and (max_ab is None or ref["pab"] <= max_ab) and (max_asa is None or ref["asa"] <= max_asa)
            if ok:
                break
            n += 1
        assert got == n, (contacts, aht, target, within, patience)


def test_erlang_a_can_staff_at_or_below_the_load():
    # 30 Erlangs, callers hang up after 20 s on average, 30 % within 60 s suffices.
    n = q.required_agents(360, 300, 3600, 0.3, 60, patience_s=20)
    assert n == 10  # docs/queueing.md: 32.4 % within 60 s, two callers in three abandon
    assert q.erlang_a_service_level(10, 30.0, 300, 20, 60) == pytest.approx(0.3241, abs=1e-4)
    assert meets_a(n, 30.0, 300, 20, 0.3, 60) and not meets_a(n - 1, 30.0, 300, 20, 0.3, 60)
    assert q.required_agents(360, 300, 3600, 0.3, 60) == 31  # Erlang C needs more than the load
    # An abandonment cap restores a sensible staffing level.
    capped = q.required_agents(360, 300, 3600, 0.3, 60, patience_s=20, max_abandon=0.05)
    assert capped > 25 and q.erlang_a_abandon_probability(capped, 30.0, 300, 20) <= 0.05


def test_erlang_a_worked_example_in_the_docs():
    m = module_erlang_a(14, 10.0, 180.0, 120.0, 20.0)
    assert m["pw"] == pytest.approx(0.1270, abs=1e-4)
    assert m["pab"] == pytest.approx(0.0228, abs=1e-4)
    assert m["sl"] == pytest.approx(0.9327, abs=1e-4)
    assert m["asa"] == pytest.approx(2.35, abs=0.01)
    assert m["occ"] == pytest.approx(0.698, abs=1e-3)


def test_required_agents_occupancy_cap_forgives_float_noise():
    # 49 contacts x 720 s / 3600 s = 9.8 Erlangs; 9.8 / 0.7 = 14.000000000000002 in floats.
    assert 9.8 / 0.7 > 14
    assert q.required_agents(49, 720, 3600, 0.0, 20, max_occupancy=0.7) == 14
    assert q.required_agents(49, 720, 3600, 0.0, 20) == 10


def test_required_agents_zero_contacts_is_zero_and_arrays_are_vectorised():
    contacts = np.array([0.0, 6.0, 100.0, 0.0, 360.0])
    aht = np.array([180, 300, 180, 240, 240])
    got = q.required_agents(contacts, aht, 1800, 0.8, 20)
    assert got.dtype == np.int64
    one_by_one = [q.required_agents(c, h, 1800, 0.8, 20) for c, h in zip(contacts, aht, strict=True)]
    np.testing.assert_array_equal(got, one_by_one)
    assert got[0] == got[3] == 0 and got[2] == 14


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    contacts=st.floats(min_value=0.0, max_value=4000.0),
    aht=st.floats(min_value=30.0, max_value=900.0),
    target=st.floats(min_value=0.0, max_value=0.99),
    within=st.floats(min_value=0.0, max_value=120.0),
    max_occ=st.one_of(st.just(1.0), st.floats(min_value=0.5, max_value=1.0)),
    max_asa=st.one_of(st.none(), st.floats(min_value=1.0, max_value=120.0)),
)
def test_required_agents_is_the_smallest_that_meets_the_targets(contacts, aht, target, within, max_occ, max_asa):
    n = q.required_agents(contacts, aht, 1800, target, within, max_occupancy=max_occ, max_asa_s=max_asa)
    load = contacts * aht / 1800

    def meets(k: int) -> bool:
        if k <= load:
            return False
        ok = q.service_level(k, load, aht, within) >= target - SL_TOL and load / k <= max_occ * (1 + 1e-9)
        return ok and (max_asa is None or q.asa_s(k, load, aht) <= max_asa * (1 + 1e-12))

    if load == 0:
        assert n == 0
    else:
        assert meets(n) and not meets(n - 1)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    contacts=st.floats(min_value=1.0, max_value=3000.0),
    aht=st.floats(min_value=30.0, max_value=900.0),
    target=st.floats(min_value=0.0, max_value=0.95),
    within=st.floats(min_value=0.0, max_value=120.0),
    patience=st.floats(min_value=5.0, max_value=3000.0),
    max_ab=st.one_of(st.none(), st.floats(min_value=0.01, max_value=0.5)),
    max_asa=st.one_of(st.none(), st.floats(min_value=1.0, max_value=120.0)),
)
def test_required_agents_erlang_a_is_the_smallest(contacts, aht, target, within, patience, max_ab, max_asa):
    n = q.required_agents(contacts, aht, 3600, target, within, patience_s=patience, max_abandon=max_ab,
                          max_asa_s=max_asa)
    load = contacts * aht / 3600
    assert meets_a(n, load, aht, patience, target, within, max_ab, max_asa)
    assert not meets_a(n - 1, load, aht, patience, target, within, max_ab, max_asa)


# --------------------------------------------------------------------------- shrinkage


def test_scheduled_agents_matches_exact_rational_ceiling():
    assert q.scheduled_agents(14, 0.3) == 20
    assert q.scheduled_agents(21, 0.3) == 30  # 21 / 0.7 = 30.000000000000004 in floats
    assert q.scheduled_agents(0, 0.4) == 0
    productive = np.arange(0, 200)
    for s in ("0", "0.05", "0.1", "0.15", "0.2", "0.25", "0.3", "0.35", "0.4", "0.5"):
        got = q.scheduled_agents(productive, float(s))
        want = [math.ceil(Fraction(int(p)) / (1 - Fraction(s))) for p in productive]
        np.testing.assert_array_equal(got, want)


# --------------------------------------------------------------------------- table


def test_required_agents_table_is_aligned_and_matches_the_scalar_function():
    df = pd.DataFrame(
        {
            "contacts": [100, 0, 360, 120, 120, 3],
            "aht_s": [180, 200, 240, 300, 300, 300],
            "target_sl": [0.8, 0.8, 0.8, 0.8, 0.8, 0.5],
            "within_s": [20, 20, 15, 20, 20, 20],
            "max_occupancy": [np.nan, np.nan, 0.85, np.nan, np.nan, np.nan],
            "max_asa_s": [np.nan, np.nan, np.nan, 15.0, np.nan, np.nan],
            "patience_s": [np.nan, np.nan, np.nan, np.nan, 60.0, np.nan],
            "max_abandon": [np.nan, np.nan, np.nan, np.nan, 0.05, np.nan],
        },
        index=pd.Index(["a", "b", "c", "d", "e", "f"], name="row"),
    )
    df = df.iloc[::-1]
    got = q.required_agents_table(df, 1800)
    assert got.name == "required_agents" and got.dtype == np.int64 and got.index.equals(df.index)
    for label, row in df.iterrows():
        kwargs = {
            k: (None if np.isnan(row[k]) else row[k]) for k in ("max_asa_s", "patience_s", "max_abandon")
        }
        occ = 1.0 if np.isnan(row["max_occupancy"]) else row["max_occupancy"]
        want = q.required_agents(row["contacts"], row["aht_s"], 1800, row["target_sl"], row["within_s"],
                                 max_occupancy=occ, **kwargs)
        assert got[label] == want, label
    assert got["a"] == 14 and got["b"] == 0 and got["f"] == 1
    assert got["c"] >= math.ceil(48 / 0.85)


def test_required_agents_table_optional_columns_may_be_absent_or_given_as_keywords():
    df = pd.DataFrame({"contacts": [100.0, 360.0], "aht_s": [180.0, 240.0], "target_sl": 0.8, "within_s": 20.0})
    plain = q.required_agents_table(df, 1800)
    assert plain.tolist() == [14, q.required_agents(360, 240, 1800, 0.8, 20)]
    capped = q.required_agents_table(df, 1800, max_occupancy=0.6)
    assert capped.tolist() == [17, 80]  # ceil(10 / 0.6), ceil(48 / 0.6)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.drop(columns="aht_s"), r"missing column\(s\) \['aht_s'\]"),
        (lambda d: d.assign(contacts=[10.0, -1.0]), r"column 'contacts' must be .* in rows \['y'\]"),
        (lambda d: d.assign(within_s=[np.nan, 20.0]), r"column 'within_s' must be .* in rows \['x'\]"),
        (lambda d: d.assign(target_sl=[0.8, 1.0]), r"column 'target_sl' must be a share in \[0, 1\)"),
        (lambda d: d.assign(max_abandon=[0.05, np.nan]), r"column 'max_abandon' needs a finite 'patience_s'"),
        (lambda d: d.assign(aht_s=["x", "y"]), r"column 'aht_s' is not numeric"),
    ],
)
def test_required_agents_table_names_the_bad_column(change, message):
    df = pd.DataFrame(
        {"contacts": [10.0, 20.0], "aht_s": [180.0, 200.0], "target_sl": 0.8, "within_s": 20.0},
        index=["x", "y"],
    )
    with pytest.raises(ValueError, match=message):
        q.required_agents_table(change(df), 1800)


def test_required_agents_table_on_an_empty_frame():
    df = pd.DataFrame({"contacts": [], "aht_s": [], "target_sl": [], "within_s": []})
    out = q.required_agents_table(df, 3600)
    assert out.empty and out.dtype == np.int64
