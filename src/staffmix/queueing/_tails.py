"""The log-space special functions the Erlang formulas are built from (see the package docstring for why)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy import special

# Incomplete-gamma tails below this are summed as series (they would underflow or lose digits).
_TINY_TAIL = 1e-250
# Gauss-Legendre rule for the Erlang A answered-wait integral (smooth, log-concave integrand).
_GL_X, _GL_W = np.polynomial.legendre.leggauss(96)
# The quadrature window ends where the integrand has fallen by e**-50 from its peak.
_DROP = 50.0
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


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
