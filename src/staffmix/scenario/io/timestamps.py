"""period_start texts of the demand CSV -> period indexes of the horizon, time zones and DST included.

A period_start is naive local wall-clock time in the scenario's time zone or
carries a UTC offset. Everything is parsed on the distinct texts (a long file
repeats each hour once per queue). Wall-clock times the clocks skip (spring
forward) are refused; those that occur twice (fall back) are resolved per
queue by file order, as pandas' ambiguous='infer' reads an ordered series,
or refused with both offsets suggested when they cannot be.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from staffmix.scenario.horizon import Horizon
from staffmix.scenario.io.csv_columns import RowProblems
from staffmix.scenario.messages import clip

_NAT = np.iinfo(np.int64).min
_US_PER_MIN = 60_000_000
_OFFSET = re.compile(r"\d:\d\d(?::\d\d(?:\.\d*)?)?\s*(?:[zZ]|[+-]\d\d(?::?\d\d)?)$")


def parse_periods(
    stamps: np.ndarray, codes: np.ndarray, horizon: Horizon, qidx: np.ndarray, rows: RowProblems
) -> tuple[np.ndarray, np.ndarray]:
    """Map period_start texts (naive local wall-clock or with a UTC offset) to period indexes.

    `stamps` are the distinct stripped texts and `codes` index them per row; all
    parsing happens on the distinct texts.
    """
    tz = horizon.timezone
    u = pd.Series(stamps, dtype=object)
    n_u = len(u)
    has_offset = u.str.contains(_OFFSET, regex=True).to_numpy(dtype=bool) if n_u else np.zeros(0, dtype=bool)
    t_u = np.full(n_u, _NAT, dtype=np.int64)
    if has_offset.any():
        aware = pd.to_datetime(u.where(has_offset), format="ISO8601", utc=True, errors="coerce")
        t_u[has_offset] = pd.DatetimeIndex(aware).as_unit("us").asi8[has_offset]
    naive_wall = np.full(n_u, _NAT, dtype=np.int64)
    dst = np.full(n_u, _NAT, dtype=np.int64)
    std = np.full(n_u, _NAT, dtype=np.int64)
    if (~has_offset).any():
        naive = pd.DatetimeIndex(pd.to_datetime(u.where(~has_offset), format="ISO8601", errors="coerce"))
        if naive.tz is not None:  # pragma: no cover - only texts with an offset parse to aware times
            naive = naive.tz_localize(None)
        naive = naive.as_unit("us")
        naive_wall = np.where(has_offset, _NAT, naive.asi8)
        naive = pd.DatetimeIndex(naive_wall.view("M8[us]"))
        dst = naive.tz_localize(tz, ambiguous=np.ones(n_u, dtype=bool), nonexistent="NaT").asi8
        std = naive.tz_localize(tz, ambiguous=np.zeros(n_u, dtype=bool), nonexistent="NaT").asi8
    parsed_naive_u = naive_wall != _NAT
    unique_u = parsed_naive_u & (dst == std) & (dst != _NAT)
    t_u[unique_u] = dst[unique_u]

    empty_u = stamps == ""
    nonexistent_u = parsed_naive_u & (dst == _NAT) & (std == _NAT)
    unparsed_u = ~empty_u & (t_u == _NAT) & ~parsed_naive_u
    ambiguous_u = parsed_naive_u & (dst != std) & (dst != _NAT) & (std != _NAT)

    grid = horizon.period_starts().as_unit("us")
    t0 = int(grid.asi8[0])
    step = horizon.interval_min * _US_PER_MIN

    def place(t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Instants -> (period, valid, outside the horizon, off the period grid)."""
        valid = t != _NAT
        delta = np.where(valid, t - t0, 0)
        period = np.floor_divide(delta, step)
        outside = valid & ((period < 0) | (period >= horizon.periods))
        off = valid & ~outside & (np.mod(delta, step) != 0)
        return period, valid, outside, off

    # everything per distinct text, then spread to the rows by code (bounded memory for long files)
    period_u, valid_u, outside_u, off_u = place(t_u)
    n = len(codes)
    period, valid, outside, off = period_u[codes], valid_u[codes], outside_u[codes], off_u[codes]
    ambiguous_bad = np.zeros(n, dtype=bool)
    if ambiguous_u.any():  # the same wall-clock text means different instants for different rows
        amb = np.flatnonzero(ambiguous_u[codes])
        c = codes[amb]
        resolved, ambiguous_bad[amb] = _resolve_ambiguous(dst[c], std[c], qidx[amb], naive_wall[c], horizon)
        period[amb], valid[amb], outside[amb], off[amb] = place(resolved)

    def raw(i: int) -> str:
        return clip(stamps[codes[i]])

    first, last = grid[0], grid[-1]
    rows.add(empty_u[codes], lambda i: "period_start is empty")
    rows.add(
        unparsed_u[codes],
        lambda i: (
            f"period_start {raw(i)!r} is not a date-time (expected ISO 8601 such as 2026-01-05T08:00 or "
            "2026-01-05T08:00+01:00)"
        ),
    )
    rows.add(
        nonexistent_u[codes],
        lambda i: f"period_start {raw(i)!r} does not exist in {tz} (the clocks spring forward over it)",
    )
    rows.add(
        ambiguous_bad,
        lambda i: f"period_start {raw(i)!r} is ambiguous in {tz} (the clocks fall back, so it occurs twice); "
        f"give it with a UTC offset, e.g. {_iso(dst[codes[i]], tz)} or {_iso(std[codes[i]], tz)}",
    )
    rows.add(
        outside,
        lambda i: f"period_start {raw(i)!r} is outside the horizon "
        f"({first:%Y-%m-%dT%H:%M} to {last:%Y-%m-%dT%H:%M} {tz}, {horizon.periods} periods)",
    )
    rows.add(off, lambda i: f"period_start {raw(i)!r} is not on a {horizon.interval_min}-minute period boundary")
    bad = ~valid | outside | off
    period[bad] = -1
    return period.astype(np.int64, copy=False), bad


def _iso(us: int, tz: str) -> str:
    ts = pd.Timestamp(us, unit="us", tz="UTC").tz_convert(tz)
    s = ts.strftime("%Y-%m-%dT%H:%M%z")
    return f"{s[:-2]}:{s[-2:]}"


def _resolve_ambiguous(
    dst: np.ndarray, std: np.ndarray, qidx: np.ndarray, wall: np.ndarray, horizon: Horizon
) -> tuple[np.ndarray, np.ndarray]:
    """Instants for rows whose naive time occurs twice (clocks fall back); the arrays hold those rows only, in file
    order.

    Per queue and wall-clock time, the first row is the earlier (summer-time)
    instant and the second the later one, as pandas' ambiguous='infer' reads
    an ordered series. A lone row is accepted only when just one of its two
    instants lies on the horizon's grid. Returns (instants, bad-row mask).
    """
    sub = pd.DataFrame({"q": qidx, "w": wall})
    grouped = sub.groupby(["q", "w"], sort=False)
    rank = grouped.cumcount().to_numpy()
    count = grouped["w"].transform("size").to_numpy()
    out = np.where(rank == 0, dst, std)
    bad = np.zeros(len(out), dtype=bool)
    lone = np.flatnonzero(count == 1)
    if len(lone):
        grid = set(horizon.period_starts().as_unit("us").asi8.tolist())
        for j in lone:
            on = [x for x in (dst[j], std[j]) if int(x) in grid]
            if len(on) == 1:
                out[j] = on[0]
            else:
                out[j] = _NAT
                bad[j] = True
    return out, bad
