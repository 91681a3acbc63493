"""The true minimum of agents that meets a queue's targets, for one queue-period or a whole table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from staffmix.queueing._arrays import (
    _broadcast,
    _check,
    _check_aht,
    _check_patience,
    _check_within,
    _float_errstate,
    _out_int,
    _where,
)
from staffmix.queueing._tails import _erlang_c_core
from staffmix.queueing.erlang_a import _erlang_a

# A service level within this of its target counts as met (round-off, not service).
_SL_ABS_TOL = 1e-12
# Relative slack for ceilings such as 14/(1 - 0.3) or 11.2/0.8, whose float value is a hair above a whole number.
_CEIL_RTOL = 1e-9
# No staffing search goes beyond this many agents: a guard against impossible targets.
_MAX_AGENTS = 10**8


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
        cols["contacts"], cols["aht_s"], cols["target_sl"], cols["within_s"],
        cols["max_occupancy"], cols["max_asa_s"], cols["patience_s"], cols["max_abandon"],
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
