"""Queueing formulas for staffing a contact-centre queue: Erlang B, C and A.

Every function takes scalars, numpy arrays or pandas Series (broadcast
together) and returns a float for all-scalar input, a numpy array otherwise.

Why the numbers stay exact for loads of thousands of Erlangs
-------------------------------------------------------------
The textbook formulas divide sums of ``A**k / k!``; at 5,000 Erlangs those
terms overflow a float long before the sum is done, and subtracting nearly
equal sums loses every digit. Nothing here forms such a term. Erlang B obeys
the recursion ``1/B(n) = 1 + (n / A) / B(n-1)``: every step adds positive
numbers, so rounding errors never grow and nothing overflows. Its closed form
is ``1/B(n) = 1 + R(n)`` with

    R(n) = sum_{j<n} p(j) / p(n) = Q(n, A) / p(n; A),

the ratio of the Poisson(A) lower tail to the Poisson probability at ``n``:
``Q`` is the regularised upper incomplete gamma function (``gammaincc``) and
``p`` the Poisson probability. Both are evaluated in log space
(``log p`` through Stirling's series and a cancellation-free deviance term),
so their ratio is formed as a difference of logarithms and every probability
is a logistic function of that difference, never above 1. Erlang C and
Erlang A are the same construction with a different upper tail ``U`` (the
expected number of queue states relative to state ``n``):
``P(wait) = U / (R + U)``. Where a tail underflows a float (far from the
balance point), it is summed as its own rapidly converging series instead.

Units are in names: ``aht_s`` (average handle time, seconds), ``interval_s``
(length of the planning period, seconds), ``within_s`` (service-level answer
time, seconds), ``patience_s`` (mean caller patience, seconds). ``load`` is in
Erlangs. See ``docs/queueing.md`` for the formulas and service-level
definitions.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

__all__ = [
    "offered_load",
    "erlang_b",
    "wait_probability",
    "service_level",
    "asa_s",
    "occupancy",
    "erlang_a_wait_probability",
    "erlang_a_abandon_probability",
    "erlang_a_service_level",
    "erlang_a_asa_s",
    "erlang_a_occupancy",
    "required_agents",
    "required_agents_table",
    "scheduled_agents",
]

# Incomplete-gamma tails below this are summed as series (they would underflow or lose digits).
_TINY_TAIL = 1e-250
# A service level within this of its target counts as met (round-off, not service).
_SL_ABS_TOL = 1e-12
# Relative slack for ceilings such as 14/(1 - 0.3) or 11.2/0.8, whose float value is a hair above a whole number.
_CEIL_RTOL = 1e-9
# No staffing search goes beyond this many agents: a guard against impossible targets.
_MAX_AGENTS = 10**8
# Gauss-Legendre rule for the Erlang A answered-wait integral (smooth, log-concave integrand).
_GL_X, _GL_W = np.polynomial.legendre.leggauss(96)
# The quadrature window ends where the integrand has fallen by e**-50 from its peak.
_DROP = 50.0
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


# --------------------------------------------------------------------------- inputs and outputs


def _float_errstate(func: Callable[..., Any]) -> Callable[..., Any]:
    """Underflow to zero is the right answer for far tails, so it never raises here."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with np.errstate(under="ignore"):
            return func(*args, **kwargs)

    return wrapper


def _broadcast(*values: Any) -> tuple[bool, tuple[int, ...], list[np.ndarray]]:
    """Flat float copies of the broadcast inputs, and whether all were scalars (to return a float)."""
    arrays = [np.asarray(np.nan if v is None else v, dtype=float) for v in values]
    scalar = all(a.ndim == 0 for a in arrays)
    shaped = np.broadcast_arrays(*arrays)
    shape = shaped[0].shape
    return scalar, shape, [np.array(a, dtype=float).ravel() for a in shaped]


def _out(values: np.ndarray, scalar: bool, shape: tuple[int, ...]) -> float | np.ndarray:
    return float(values[0]) if scalar else values.reshape(shape)


def _out_int(values: np.ndarray, scalar: bool, shape: tuple[int, ...]) -> int | np.ndarray:
    return int(values[0]) if scalar else values.astype(np.int64).reshape(shape)


def _where(bad: np.ndarray, labels: pd.Index | None) -> str:
    pos = np.flatnonzero(bad)
    if labels is not None:
        shown = [labels[i] for i in pos[:5]]
        return f" in rows {shown}" + (f" and {pos.size - 5} more" if pos.size > 5 else "")
    if bad.size == 1:
        return ""
    return f" at positions {pos[:5].tolist()}" + (f" and {pos.size - 5} more" if pos.size > 5 else "")


def _check(
    a: np.ndarray,
    name: str,
    rule: str,
    *,
    lo: float = 0.0,
    lo_closed: bool = True,
    hi: float = np.inf,
    hi_closed: bool = False,
    nan_ok: bool = False,
    inf_ok: bool = False,
    labels: pd.Index | None = None,
) -> None:
    """Raise one ValueError naming the input (or column and rows) that breaks `rule`."""
    ok = (a >= lo if lo_closed else a > lo) & (a <= hi if hi_closed else a < hi)
    if inf_ok:
        ok |= np.isposinf(a)
    if nan_ok:
        ok |= np.isnan(a)
    if not ok.all():
        bad = ~ok
        first = float(a[bad][0])
        raise ValueError(f"{name} must be {rule}; got {first!r}{_where(bad, labels)}")


def _check_agents(n: np.ndarray) -> None:
    _check(n, "agents", "a whole number >= 0")
    if (n != np.floor(n)).any():
        bad = n != np.floor(n)
        raise ValueError(f"agents must be a whole number >= 0; got {float(n[bad][0])!r}{_where(bad, None)}")


def _check_load(a: np.ndarray) -> None:
    _check(a, "load", "a finite number of Erlangs >= 0")


def _check_aht(aht: np.ndarray, labels: pd.Index | None = None, name: str = "aht_s") -> None:
    _check(aht, name, "a finite number of seconds > 0", lo_closed=False, labels=labels)


def _check_within(t: np.ndarray, labels: pd.Index | None = None, name: str = "within_s") -> None:
    _check(t, name, "a finite number of seconds >= 0", labels=labels)


def _check_patience(
    p: np.ndarray, nan_ok: bool = False, labels: pd.Index | None = None, name: str = "patience_s"
) -> None:
    rule = "a number of seconds > 0 (inf = no abandonment)"
    _check(p, name, rule, lo_closed=False, inf_ok=True, nan_ok=nan_ok, labels=labels)


# --------------------------------------------------------------------------- special functions


def _stirlerr(x: np.ndarray) -> np.ndarray:
    """log Gamma(x+1) - Stirling's approximation, by its asymptotic series (x >= 15: error < 3e-16)."""
    x2 = x * x
    return (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - 1 / (1188 * x2)) / x2) / x2) / x2) / x


def _log_pmf(x: np.ndarray, z: np.ndarray) -> np.ndarray:
    """log(z**x e**-z / Gamma(x+1)) for x >= 0, z > 0; x may be fractional.

    For large x the naive ``x log z - z - lgamma(x+1)`` subtracts numbers of
    size x log x; the saddle-point form keeps only the small deviance
    ``x (u - log1p(u))``, so the error stays near 1e-16 * |z - x|.
    """
    out = np.empty_like(x)
    big = x >= 15.0
    if big.any():
        xb, zb = x[big], z[big]
        u = (zb - xb) / xb
        near = np.abs(u) < 0.5
        dev = zb - xb - xb * (np.log(zb) - np.log(xb))  # no cancellation while z/x is far from 1
        dev[near] = xb[near] * (u[near] - np.log1p(u[near]))
        out[big] = -_stirlerr(xb) - dev - _HALF_LOG_2PI - 0.5 * np.log(xb)
    small = ~big
    if small.any():
        xs, zs = x[small], z[small]
        out[small] = special.xlogy(xs, zs) - zs - special.gammaln(xs + 1.0)
    return out


def _log_lower_ratio(n: np.ndarray, a: np.ndarray) -> np.ndarray:
    """log R(n, a), R = sum_{j<n} p(j)/p(n) = Q(n, a)/p(n; a) for Poisson(a); n >= 1, a > 0.

    Erlang B is 1/(1 + R). Where Q underflows (n far below a) the sum is
    taken directly downwards from n: its terms shrink at least like (n/a)**k.
    """
    out = np.empty_like(a)
    q = special.gammaincc(n, a)
    ok = q > _TINY_TAIL
    out[ok] = np.log(q[ok]) - _log_pmf(n[ok], a[ok])
    if not ok.all():
        nn, aa = n[~ok], a[~ok]
        out[~ok] = np.log(_series_sum(nn / aa, lambda k, rows: np.maximum(nn[rows] - k, 0.0) / aa[rows]))
    return out


def _series_sum(first: np.ndarray, ratio: Callable[[float, np.ndarray], np.ndarray]) -> np.ndarray:
    """Sum of positive, eventually decreasing terms t0 = first, t_k = t_{k-1} * ratio(k, rows).

    Rows drop out as soon as their term falls below 1e-17 of their sum, so a
    slowly converging row costs iterations on itself alone.
    """
    total = first.copy()
    term = first.copy()
    rows = np.arange(first.size)
    k = 1.0
    while rows.size:
        t = term[rows] * ratio(k, rows)
        term[rows] = t
        total[rows] += t
        rows = rows[t > 1e-17 * total[rows]]
        k += 1.0
    return total


def _log_upper_ratio(x: np.ndarray, z: np.ndarray) -> np.ndarray:
    """log U(x, z), U = sum_{k>=0} prod_{i=1..k} z/(x+i) = P(x, z)/p(x; z); x >= 0, z >= 0.

    This is the Erlang A queue sum (Mandelbaum & Zeltyn's A(x, y) with
    x = n mu/theta, y = lambda/theta). Where the regularised lower incomplete
    gamma P underflows (z far below x) the series converges fast and is summed.
    """
    out = np.zeros_like(z)  # z == 0: U = 1
    pos = z > 0
    zero_x = pos & (x == 0)
    out[zero_x] = z[zero_x]  # U(0, z) = e**z
    reg = pos & (x > 0)
    if reg.any():
        xr, zr = x[reg], z[reg]
        p = special.gammainc(xr, zr)
        res = np.empty_like(zr)
        ok = p > _TINY_TAIL
        res[ok] = np.log(p[ok]) - _log_pmf(xr[ok], zr[ok])
        if not ok.all():
            xs, zs = xr[~ok], zr[~ok]
            res[~ok] = np.log(_series_sum(np.ones_like(zs), lambda k, rows: zs[rows] / (xs[rows] + k)))
        out[reg] = res
    return out


def _erlang_c_core(n: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Erlang C wait probability for n > a > 0: U/(R + U) with U = n/(n - a)."""
    return special.expit(np.log(n) - np.log(n - a) - _log_lower_ratio(n, a))


def _mean_scaled_wait(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """E[theta W | the caller waited and was answered] in the Erlang A queue.

    With w = theta * wait, the offered wait of a caller who is answered has
    density proportional to exp(-(x+1) w + y (1 - e**-w)) on w >= 0 (the
    answer-time density times the caller's own survival e**-w). That is
    log-concave, so a Gauss-Legendre rule on the window where it stays within
    e**-50 of its peak is exact to round-off. The window is found per row by
    doubling and Newton steps on the concave log-density.
    """
    c = x + 1.0
    d = (x - y) + 1.0
    interior = d < 0  # the density peaks inside (0, inf) at w0 = log(y/c)
    w0 = np.where(interior, np.log(np.maximum(y, c) / c), 0.0)
    # Around the peak, log density = -D s - Y (s + expm1(-s)), with w = w0 + s.
    big_d = np.where(interior, 0.0, d)
    big_y = np.where(interior, c, y)

    def psi(s: np.ndarray, dd: np.ndarray, yy: np.ndarray) -> np.ndarray:
        return -dd * s - yy * (s + np.expm1(-s))

    def dpsi(s: np.ndarray, dd: np.ndarray, yy: np.ndarray) -> np.ndarray:
        return -dd + yy * np.expm1(-s)

    scale = 1.0 / np.maximum(big_d, np.sqrt(big_y))
    right = 10.0 * scale
    while True:
        short = psi(right, big_d, big_y) > -_DROP
        if not short.any():
            break
        right[short] *= 2.0
    for _ in range(8):
        right = right - (psi(right, big_d, big_y) + _DROP) / dpsi(right, big_d, big_y)
    left = -np.minimum(w0, 10.0 * scale)
    while True:
        short = (left > -w0) & (psi(left, big_d, big_y) > -_DROP)
        if not short.any():
            break
        left[short] = np.maximum(-w0[short], 2.0 * left[short])
    inside = (left < 0) & (psi(left, big_d, big_y) < -_DROP)
    for _ in range(8):
        step = (psi(left[inside], big_d[inside], big_y[inside]) + _DROP) / dpsi(
            left[inside], big_d[inside], big_y[inside]
        )
        left[inside] = left[inside] - step
    out = np.empty_like(x)
    for lo in range(0, x.size, 8192):  # chunks bound the (rows x nodes) work arrays
        sl = slice(lo, lo + 8192)
        half = 0.5 * (right[sl] - left[sl])[:, None]
        mid = 0.5 * (right[sl] + left[sl])[:, None]
        s = mid + half * _GL_X[None, :]
        g = np.exp(psi(s, big_d[sl, None], big_y[sl, None])) * _GL_W[None, :]
        out[sl] = w0[sl] + (g * s).sum(axis=1) / g.sum(axis=1)
    return out


# --------------------------------------------------------------------------- Erlang C


def offered_load(contacts: Any, aht_s: Any, interval_s: Any) -> float | np.ndarray:
    """Offered load in Erlangs: the average number of agents the work keeps busy."""
    scalar, shape, (c, aht, interval) = _broadcast(contacts, aht_s, interval_s)
    _check(c, "contacts", "a finite number >= 0")
    _check_aht(aht)
    _check(interval, "interval_s", "a finite number of seconds > 0", lo_closed=False)
    return _out(c * aht / interval, scalar, shape)


@_float_errstate
def erlang_b(agents: Any, load: Any) -> float | np.ndarray:
    """Blocking probability of the loss system M/M/N/N (B(0) = 1, defined for every N >= 0)."""
    scalar, shape, (n, a) = _broadcast(agents, load)
    _check_agents(n)
    _check_load(a)
    out = np.ones_like(a)
    out[(a == 0) & (n > 0)] = 0.0
    m = (n > 0) & (a > 0)
    out[m] = special.expit(-_log_lower_ratio(n[m], a[m]))
    return _out(out, scalar, shape)


@_float_errstate
def wait_probability(agents: Any, load: Any) -> float | np.ndarray:
    """Erlang C: share of contacts that queue at all; 1 when agents <= load (the queue never empties)."""
    scalar, shape, (n, a) = _broadcast(agents, load)
    _check_agents(n)
    _check_load(a)
    out = np.ones_like(a)
    out[a == 0] = 0.0
    m = (a > 0) & (n > a)
    out[m] = _erlang_c_core(n[m], a[m])
    return _out(out, scalar, shape)


@_float_errstate
def service_level(agents: Any, load: Any, aht_s: Any, within_s: Any) -> float | np.ndarray:
    """Erlang C share of contacts answered within `within_s`: 1 - P(wait) exp(-(N - A) t / aht)."""
    scalar, shape, (n, a, aht, t) = _broadcast(agents, load, aht_s, within_s)
    _check_agents(n)
    _check_load(a)
    _check_aht(aht)
    _check_within(t)
    out = np.zeros_like(a)
    out[a == 0] = 1.0
    m = (a > 0) & (n > a)
    nm, am = n[m], a[m]
    out[m] = 1.0 - _erlang_c_core(nm, am) * np.exp(-(nm - am) * t[m] / aht[m])
    return _out(out, scalar, shape)


@_float_errstate
def asa_s(agents: Any, load: Any, aht_s: Any) -> float | np.ndarray:
    """Erlang C average speed of answer, seconds: P(wait) aht / (N - A); inf when unstable."""
    scalar, shape, (n, a, aht) = _broadcast(agents, load, aht_s)
    _check_agents(n)
    _check_load(a)
    _check_aht(aht)
    out = np.full_like(a, np.inf)
    out[a == 0] = 0.0
    m = (a > 0) & (n > a)
    nm, am = n[m], a[m]
    out[m] = _erlang_c_core(nm, am) * aht[m] / (nm - am)
    return _out(out, scalar, shape)


def occupancy(agents: Any, load: Any) -> float | np.ndarray:
    """Share of agents' time spent handling contacts, A/N capped at 1 (the excess queues)."""
    scalar, shape, (n, a) = _broadcast(agents, load)
    _check_agents(n)
    _check_load(a)
    out = np.where(a > 0, 1.0, 0.0)
    m = n > 0
    out[m] = np.minimum(a[m] / n[m], 1.0)
    return _out(out, scalar, shape)


# --------------------------------------------------------------------------- Erlang A


def _erlang_a(
    n: np.ndarray,
    a: np.ndarray,
    aht: np.ndarray,
    patience: np.ndarray,
    within: np.ndarray | None = None,
    want: frozenset[str] = frozenset({"pw", "pab", "sl", "asa", "occ"}),
) -> dict[str, np.ndarray]:
    """Erlang A (M/M/N+M) measures for flat, validated arrays; patience inf falls back to Erlang C.

    Keys: pw (P(wait)), pab (P(abandon)), sl (P(answered within t) over all
    offered contacts), asa (mean wait of answered contacts, s), occ (carried
    load per agent).
    """
    size = a.size
    res = {
        "pw": np.zeros(size),
        "pab": np.zeros(size),
        "sl": np.ones(size),
        "asa": np.zeros(size),
        "occ": np.zeros(size),
    }
    none = (n == 0) & (a > 0)  # nobody to answer: everyone waits and leaves
    res["pw"][none], res["pab"][none], res["sl"][none] = 1.0, 1.0, 0.0
    res["asa"][none], res["occ"][none] = np.inf, 1.0

    # Infinite patience: Erlang C.
    c_rows = (n > 0) & (a > 0) & np.isposinf(patience)
    if c_rows.any():
        nc, ac, ahtc = n[c_rows], a[c_rows], aht[c_rows]
        stable = nc > ac
        pw = np.ones_like(ac)
        pw[stable] = _erlang_c_core(nc[stable], ac[stable])
        sl = np.zeros_like(ac)
        asa = np.full_like(ac, np.inf)
        gap = np.where(stable, nc - ac, 1.0)
        if within is not None:
            sl[stable] = 1.0 - pw[stable] * np.exp(-gap[stable] * within[c_rows][stable] / ahtc[stable])
        asa[stable] = pw[stable] * ahtc[stable] / gap[stable]
        res["pw"][c_rows], res["pab"][c_rows], res["sl"][c_rows] = pw, 0.0, sl
        res["asa"][c_rows], res["occ"][c_rows] = asa, np.minimum(ac / nc, 1.0)

    g = (n > 0) & (a > 0) & np.isfinite(patience)
    if not g.any():
        return res
    n, a, aht, patience = n[g], a[g], aht[g], patience[g]
    ratio = patience / aht  # mu / theta
    x, y = n * ratio, a * ratio
    log_u = _log_upper_ratio(x, y)
    log_u1 = _log_upper_ratio(x + 1.0, y)
    pw = special.expit(log_u - _log_lower_ratio(n, a))
    served_if_wait = np.minimum(x / (x + 1.0) * np.exp(log_u1 - log_u), 1.0)
    pab = pw * (1.0 - served_if_wait)
    res["pw"][g], res["pab"][g] = pw, pab
    if "sl" in want and within is not None:
        theta_t = within[g] / patience
        z = y * np.exp(-theta_t)
        # P(answer later than t | waited) = x/(x+1) exp(-(x+1) theta t + y (1 - e**-theta t)) U(x+1, z)/U(x, y)
        late = np.exp(-(x + 1.0) * theta_t - y * np.expm1(-theta_t) + _log_upper_ratio(x + 1.0, z) - log_u)
        sl = 1.0 - pw + pw * (served_if_wait - x / (x + 1.0) * late)
        res["sl"][g] = np.clip(sl, 0.0, 1.0)
    if "asa" in want:
        answered_after_wait = pw * served_if_wait
        answered = (1.0 - pw) + answered_after_wait
        mean_wait = patience * _mean_scaled_wait(x, y)
        asa = np.zeros_like(a)
        some = answered_after_wait > 0
        asa[some] = mean_wait[some] * answered_after_wait[some] / answered[some]
        res["asa"][g] = asa
    if "occ" in want:
        res["occ"][g] = np.minimum(a * (1.0 - pab) / n, 1.0)
    return res


def _erlang_a_public(
    key: str, agents: Any, load: Any, aht_s: Any, patience_s: Any, within_s: Any = 0.0
) -> float | np.ndarray:
    scalar, shape, (n, a, aht, patience, t) = _broadcast(agents, load, aht_s, patience_s, within_s)
    _check_agents(n)
    _check_load(a)
    _check_aht(aht)
    _check_patience(patience)
    _check_within(t)
    res = _erlang_a(n, a, aht, patience, t if key == "sl" else None, frozenset({key}))
    return _out(res[key], scalar, shape)


@_float_errstate
def erlang_a_wait_probability(agents: Any, load: Any, aht_s: Any, patience_s: Any) -> float | np.ndarray:
    """Erlang A share of contacts that queue; below 1 even when agents <= load, because callers leave."""
    return _erlang_a_public("pw", agents, load, aht_s, patience_s)


@_float_errstate
def erlang_a_abandon_probability(agents: Any, load: Any, aht_s: Any, patience_s: Any) -> float | np.ndarray:
    """Erlang A share of offered contacts that hang up before an agent answers."""
    return _erlang_a_public("pab", agents, load, aht_s, patience_s)


@_float_errstate
def erlang_a_service_level(
    agents: Any, load: Any, aht_s: Any, patience_s: Any, within_s: Any
) -> float | np.ndarray:
    """Erlang A share of all offered contacts answered within `within_s`.

    Callers who abandon count as failures, whenever they hang up; the
    denominator is every offered contact (docs/queueing.md lists the other
    conventions).
    """
    return _erlang_a_public("sl", agents, load, aht_s, patience_s, within_s)


@_float_errstate
def erlang_a_asa_s(agents: Any, load: Any, aht_s: Any, patience_s: Any) -> float | np.ndarray:
    """Erlang A average speed of answer, seconds: mean wait of answered contacts (abandoned ones excluded)."""
    return _erlang_a_public("asa", agents, load, aht_s, patience_s)


@_float_errstate
def erlang_a_occupancy(agents: Any, load: Any, aht_s: Any, patience_s: Any) -> float | np.ndarray:
    """Erlang A occupancy: carried load A (1 - P(abandon)) per agent; abandoned work keeps nobody busy."""
    return _erlang_a_public("occ", agents, load, aht_s, patience_s)


# --------------------------------------------------------------------------- staffing


def _ceil_tol(q: np.ndarray) -> np.ndarray:
    """Ceiling that forgives float noise: 20.000000000000004 -> 20."""
    return np.ceil(q - _CEIL_RTOL * np.maximum(q, 1.0))


def _smallest_feasible(
    lo: np.ndarray, guess: np.ndarray, feasible: Callable[[np.ndarray, np.ndarray], np.ndarray]
) -> np.ndarray:
    """Smallest integer N >= lo with feasible(rows, N), for constraints monotone in N.

    `lo` must be a true lower bound. Probe `guess`, gallop upwards (doubling
    steps) until feasible, then bisect between the last infeasible count and
    the first feasible one. Each round evaluates all unfinished rows at once,
    so the Python loop runs O(log gap) times, never once per row.
    """
    lo = lo.astype(np.int64)
    bad = lo - 1  # largest count known to fail (lo - 1 fails because lo is a lower bound)
    good = np.full_like(lo, -1)
    probe = np.maximum(guess.astype(np.int64), lo)
    step = np.ones_like(lo)
    rows = np.arange(lo.size)
    while rows.size:
        ok = feasible(rows, probe[rows])
        good[rows[ok]] = probe[rows[ok]]
        rows = rows[~ok]
        bad[rows] = probe[rows]
        probe[rows] = bad[rows] + step[rows]
        step[rows] *= 2
        if rows.size and probe[rows].max() > _MAX_AGENTS:
            raise RuntimeError(f"no staffing up to {_MAX_AGENTS} agents meets the targets")
    while True:
        rows = np.flatnonzero(good - bad > 1)
        if not rows.size:
            return good
        mid = (good[rows] + bad[rows]) // 2
        ok = feasible(rows, mid)
        good[rows[ok]] = mid[ok]
        bad[rows[~ok]] = mid[~ok]


def _required_core(
    load: np.ndarray,
    aht: np.ndarray,
    target: np.ndarray,
    within: np.ndarray,
    max_occ: np.ndarray,
    max_asa: np.ndarray,
    patience: np.ndarray,
    max_ab: np.ndarray,
) -> np.ndarray:
    """Smallest agents meeting every set target, for validated flat arrays (NaN = target not set)."""
    out = np.zeros(load.size, dtype=np.int64)
    erl_a = (load > 0) & np.isfinite(patience)
    erl_c = (load > 0) & ~erl_a

    if erl_c.any():
        a, ah, tg, t = load[erl_c], aht[erl_c], target[erl_c], within[erl_c]
        occ, asa_cap = max_occ[erl_c], max_asa[erl_c]
        # Lower bound: a stable queue (N > A) and the occupancy cap, both exact.
        lo = np.maximum(np.floor(a) + 1.0, _ceil_tol(a / occ))
        # Upper bound from P(wait) <= 1: N - A > (aht/t) ln(1/(1 - target)) meets the service level,
        # N - A > aht/max_asa meets the ASA cap. Unknown (t = 0) rows gallop up from lo.
        with np.errstate(over="ignore", invalid="ignore"):
            sl_gap = np.where(tg > 0, ah / np.where(t > 0, t, 1.0) * -np.log1p(-tg), 0.0)
            asa_gap = np.where(np.isnan(asa_cap), 0.0, ah / np.where(np.isnan(asa_cap), 1.0, asa_cap))
            gap = np.maximum(sl_gap, asa_gap)
        known = (t > 0) | (tg == 0)
        known &= np.isfinite(gap) & (gap < 1e6)  # beyond that, galloping up from lo is quicker
        guess = np.where(known, np.maximum(np.floor(a + np.where(known, gap, 0.0)) + 1.0, lo), lo)
        has_asa = ~np.isnan(asa_cap)

        def feasible_c(rows: np.ndarray, n_int: np.ndarray) -> np.ndarray:
            n = n_int.astype(float)
            ar = a[rows]
            pw = _erlang_c_core(n, ar)
            gap = n - ar
            ok = 1.0 - pw * np.exp(-gap * t[rows] / ah[rows]) >= tg[rows] - _SL_ABS_TOL
            cap = has_asa[rows]
            if cap.any():
                ok[cap] &= pw[cap] * ah[rows][cap] / gap[cap] <= asa_cap[rows][cap] * (1.0 + 1e-12)
            return ok

        out[erl_c] = _smallest_feasible(lo, guess, feasible_c)

    if erl_a.any():
        a, ah, tg, t = load[erl_a], aht[erl_a], target[erl_a], within[erl_a]
        occ, asa_cap, pat, ab_cap = max_occ[erl_a], max_asa[erl_a], patience[erl_a], max_ab[erl_a]
        has_asa, has_ab, has_occ = ~np.isnan(asa_cap), ~np.isnan(ab_cap), occ < 1.0
        # Abandonment keeps the queue stable at any N, so only N >= 1 is certain.
        lo = np.ones_like(a)
        guess = np.maximum(np.floor(a), 1.0)

        def feasible_a(rows: np.ndarray, n_int: np.ndarray) -> np.ndarray:
            n = n_int.astype(float)
            want = {"sl"}
            if has_ab[rows].any():
                want.add("pab")
            if has_asa[rows].any():
                want.add("asa")
            if has_occ[rows].any():
                want.add("occ")
            ok = np.ones(rows.size, dtype=bool)
            res = _erlang_a(n, a[rows], ah[rows], pat[rows], t[rows], frozenset(want))
            ok &= res["sl"] >= tg[rows] - _SL_ABS_TOL
            if "pab" in want:
                cap = has_ab[rows]
                ok[cap] &= res["pab"][cap] <= ab_cap[rows][cap] + _SL_ABS_TOL
            if "asa" in want:
                cap = has_asa[rows]
                ok[cap] &= res["asa"][cap] <= asa_cap[rows][cap] * (1.0 + 1e-12)
            if "occ" in want:
                cap = has_occ[rows]
                ok[cap] &= res["occ"][cap] <= occ[rows][cap] * (1.0 + _CEIL_RTOL)
            return ok

        out[erl_a] = _smallest_feasible(lo, guess, feasible_a)
    return out


def _validate_targets(
    contacts: np.ndarray,
    aht: np.ndarray,
    target: np.ndarray,
    within: np.ndarray,
    max_occ: np.ndarray,
    max_asa: np.ndarray,
    patience: np.ndarray,
    max_ab: np.ndarray,
    labels: pd.Index | None = None,
    prefix: str = "",
) -> None:
    def name(col: str) -> str:
        return f"{prefix}{col!r}" if prefix else col

    _check(contacts, name("contacts"), "a finite number >= 0", labels=labels)
    _check_aht(aht, labels, name("aht_s"))
    _check(target, name("target_sl"), "a share in [0, 1) (a service level of 1 needs infinitely many agents)",
           hi=1.0, labels=labels)
    _check_within(within, labels, name("within_s"))
    _check(max_occ, name("max_occupancy"), "a share in (0, 1] or not set", lo_closed=False, hi=1.0,
           hi_closed=True, nan_ok=True, labels=labels)
    _check(max_asa, name("max_asa_s"), "a number of seconds > 0 or not set", lo_closed=False, nan_ok=True,
           labels=labels)
    _check_patience(patience, nan_ok=True, labels=labels, name=name("patience_s"))
    _check(max_ab, name("max_abandon"), "a share in (0, 1] or not set", lo_closed=False, hi=1.0, hi_closed=True,
           nan_ok=True, labels=labels)
    orphan = ~np.isnan(max_ab) & ~np.isfinite(patience)
    if orphan.any():
        what = "column 'max_abandon' needs a finite 'patience_s'" if prefix else "max_abandon needs a finite patience_s"
        head = prefix.removesuffix("column ")
        raise ValueError(f"{head}{what} (abandonment follows from caller patience){_where(orphan, labels)}")


@_float_errstate
def required_agents(
    contacts: Any,
    aht_s: Any,
    interval_s: Any,
    target_sl: Any,
    within_s: Any,
    max_occupancy: Any = 1.0,
    max_asa_s: Any = None,
    patience_s: Any = None,
    max_abandon: Any = None,
) -> int | np.ndarray:
    """Smallest whole number of productive agents meeting every given target; 0 without contacts.

    Without `patience_s` (or with it infinite) the queue is Erlang C and needs
    N > load; with it, Erlang A, where abandonment lets N fall to or below the
    load. NaN in an array argument means "not set" for that row. Every
    measure is monotone in N, so the first N that meets all targets is the
    minimum, and the search only ever starts from a proven lower bound.
    """
    scalar, shape, arrays = _broadcast(
        contacts, aht_s, interval_s, target_sl, within_s, max_occupancy, max_asa_s, patience_s, max_abandon
    )
    c, aht, interval, target, within, max_occ, max_asa, patience, max_ab = arrays
    _check(interval, "interval_s", "a finite number of seconds > 0", lo_closed=False)
    _validate_targets(c, aht, target, within, max_occ, max_asa, patience, max_ab)
    max_occ = np.where(np.isnan(max_occ), 1.0, max_occ)
    load = c * aht / interval
    return _out_int(_required_core(load, aht, target, within, max_occ, max_asa, patience, max_ab), scalar, shape)


_TABLE_REQUIRED = ("contacts", "aht_s", "target_sl", "within_s")
_TABLE_OPTIONAL = ("max_occupancy", "max_asa_s", "patience_s", "max_abandon")


@_float_errstate
def required_agents_table(
    df: pd.DataFrame,
    interval_s: float,
    *,
    max_occupancy: float | None = None,
    max_asa_s: float | None = None,
    patience_s: float | None = None,
    max_abandon: float | None = None,
) -> pd.Series:
    """Required agents for every row of `df`, as an int Series named ``required_agents`` on df.index.

    Columns: ``contacts``, ``aht_s``, ``target_sl``, ``within_s`` (required) and
    ``max_occupancy``, ``max_asa_s``, ``patience_s``, ``max_abandon``
    (optional; NaN = not set in that row). A keyword argument stands in for
    an optional column the frame lacks. One vectorised search covers the
    whole frame.
    """
    missing = [col for col in _TABLE_REQUIRED if col not in df.columns]
    if missing:
        raise ValueError(f"required_agents_table: missing column(s) {missing}; have {list(df.columns)}")
    _check(np.asarray([interval_s], dtype=float), "interval_s", "a finite number of seconds > 0", lo_closed=False)
    defaults = {
        "max_occupancy": max_occupancy,
        "max_asa_s": max_asa_s,
        "patience_s": patience_s,
        "max_abandon": max_abandon,
    }
    cols: dict[str, np.ndarray] = {}
    for col in _TABLE_REQUIRED + _TABLE_OPTIONAL:
        if col in df.columns:
            try:
                cols[col] = pd.to_numeric(df[col], errors="raise").to_numpy(dtype=float, na_value=np.nan)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"required_agents_table: column {col!r} is not numeric ({exc})") from None
        else:
            value = defaults[col]
            cols[col] = np.full(len(df), np.nan if value is None else float(value))
    _validate_targets(
        *(cols[col] for col in _TABLE_REQUIRED + _TABLE_OPTIONAL),
        labels=df.index,
        prefix="required_agents_table: column ",
    )
    max_occ = np.where(np.isnan(cols["max_occupancy"]), 1.0, cols["max_occupancy"])
    load = cols["contacts"] * cols["aht_s"] / float(interval_s)
    agents = _required_core(
        load,
        cols["aht_s"],
        cols["target_sl"],
        cols["within_s"],
        max_occ,
        cols["max_asa_s"],
        cols["patience_s"],
        cols["max_abandon"],
    )
    return pd.Series(agents, index=df.index, name="required_agents", dtype=np.int64)


def scheduled_agents(productive: Any, shrinkage: Any) -> int | np.ndarray:
    """Agents to schedule so that `productive` remain after shrinkage (breaks, training, absence).

    ceil(productive / (1 - shrinkage)), forgiving float noise so that
    14 / (1 - 0.3) is 20, not 21.
    """
    scalar, shape, (p, s) = _broadcast(productive, shrinkage)
    _check(p, "productive", "a finite number >= 0")
    _check(s, "shrinkage", "a share in [0, 1)", hi=1.0)
    return _out_int(_ceil_tol(p / (1.0 - s)), scalar, shape)
