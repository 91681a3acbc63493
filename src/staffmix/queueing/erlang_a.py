"""Erlang A: the same queue when callers hang up after an exponential patience (Palm's M/M/n+M)."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import special

from staffmix.queueing._arrays import (
    _broadcast,
    _check_agents,
    _check_aht,
    _check_load,
    _check_patience,
    _check_within,
    _float_errstate,
    _out,
)
from staffmix.queueing._tails import _erlang_c_core, _log_lower_ratio, _log_upper_ratio, _mean_scaled_wait


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
