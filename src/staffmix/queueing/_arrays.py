"""Inputs and outputs of the queueing functions: broadcasting, scalar-or-array results, one clear error per bad
input."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd


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
