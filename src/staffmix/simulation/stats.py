"""From replications to tables: means with 95 % confidence intervals, beside what the plan promised.

Each replication is one independent run of the whole horizon. A figure for
a group of calls (a queue-day, say) is computed within each replication as a
ratio of sums (answered within the threshold / arrivals, ...), and the
replications' values give the mean and a Student-t 95 % interval:
mean +- t(0.975, R - 1) * sd / sqrt(R), R the replications where the group
had calls. Within one replication the calls of a day are correlated (a queue
carries over), across replications they are independent: that is why the
interval is taken across replications and not across calls.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from staffmix.results import kpis
from staffmix.simulation.engine import SUM_COLUMNS

CONFIDENCE = 0.95

METRICS: dict[str, tuple[str, str]] = {
    "arrivals": ("arrivals", ""),
    "service_level": ("in_time", "arrivals"),
    "asa_s": ("wait_sum_s", "answered"),
    "wait_probability": ("waited", "arrivals"),
    "abandon": ("abandoned", "arrivals"),
    "occupancy": ("busy_s", "capacity_s"),
    "aht_s": ("handle_sum_s", "answered"),
}
"""Reported figure -> (numerator, denominator) of the per-replication sums; arrivals is a plain count."""

RANGES = {name: (0.0, 1.0) for name in ("service_level", "wait_probability", "abandon")}
"""Where a figure can lie (the rest: >= 0); the t-interval is clipped to it."""

PROMISED = ("service_level", "asa_s", "wait_probability", "abandon", "occupancy")


def interval(values: pd.DataFrame, keys: list[str], metric: str) -> pd.DataFrame:
    """Mean and 95 % t-interval of `metric` over replications, per group of `keys` (NaN values skipped)."""
    g = values.groupby(keys, sort=False)[metric] if keys else values.assign(_all=0).groupby("_all")[metric]
    agg = g.agg(["mean", "std", "count"])
    k = agg["count"].to_numpy(dtype=float)
    t = np.where(k > 1, sps.t.ppf(0.5 + CONFIDENCE / 2, np.maximum(k - 1, 1)), np.nan)
    half = t * agg["std"].fillna(0.0).to_numpy() / np.sqrt(np.maximum(k, 1))
    lo_limit, hi_limit = RANGES.get(metric, (0.0, np.inf))
    out = pd.DataFrame({
        metric: agg["mean"],
        f"{metric}_lo": np.clip(agg["mean"] - half, lo_limit, hi_limit),  # a share's interval stays within 0..1
        f"{metric}_hi": np.clip(agg["mean"] + half, lo_limit, hi_limit),
    }, index=agg.index)
    return out.reset_index() if keys else out.reset_index(drop=True)


def summarise(sums: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per group of `keys`: every METRICS figure with its interval (sums: one row per replication and period)."""
    per_rep = sums.groupby(["rep"] + keys, sort=False)[list(SUM_COLUMNS)].sum()
    values = pd.DataFrame(index=per_rep.index)
    for name, (num, den) in METRICS.items():
        if not den:
            values[name] = per_rep[num]
            continue
        d = per_rep[den].to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            values[name] = np.where(d > 0, per_rep[num].to_numpy(dtype=float) / d, np.nan)
    values = values.reset_index()
    first, *rest = [interval(values, keys, name) for name in METRICS]
    out = first
    for part in rest:
        out = out.merge(part, on=keys) if keys else pd.concat([out, part], axis=1)
    return out


def promised_rollup(promised: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The plan's figures per group of `keys`, weighted as the simulation's ratios weight calls and agents.

    Shares of calls are weighted by contacts, ASA by answered contacts,
    occupancy agent-time weighted by staffmix.results.kpis.occupancy, the one definition the summary and the
    report use (carried load over agent time, like the simulation's busy time over planned agent time).

    An unstable period (ASA infinite: fewer agents than the load) makes its
    group's promised ASA infinite rather than disappearing from the average.
    """
    p = promised[promised["contacts"] > 0].copy()
    contacts = p["contacts"].to_numpy(float)
    weights = {  # each figure weighted as the simulation's ratio of sums weights it
        "asa_s": contacts * (1.0 - p["abandon"].fillna(0.0).to_numpy(float)),  # per answered call
    }
    cols = {}
    for name in PROMISED:
        if name == "occupancy":  # the plan's occupancy, as its summary reads it (staffmix.results.kpis.occupancy)
            continue
        w = weights.get(name, contacts)  # per call offered
        v = p[name].to_numpy(float)
        ok = ~np.isnan(v)
        cols[f"_n_{name}"] = np.where(ok, np.where(np.isinf(v), np.inf, v * w), 0.0)
        cols[f"_w_{name}"] = np.where(ok, w, 0.0)
    p = p.assign(**cols)
    g = p.groupby(keys, sort=False) if keys else p.assign(_all=0).groupby("_all")
    agg = g[list(cols) + ["contacts"]].sum()
    out = pd.DataFrame({"contacts": agg["contacts"]}, index=agg.index)
    for name in PROMISED:
        if name == "occupancy":
            if keys:
                out["promised_occupancy"] = kpis.occupancy(p, keys).reindex(agg.index).to_numpy(float)
            else:
                whole = kpis.occupancy(p)
                out["promised_occupancy"] = [np.nan if whole is None else whole]
            continue
        wsum = agg[f"_w_{name}"].to_numpy(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"promised_{name}"] = np.where(
                wsum > 0, agg[f"_n_{name}"].to_numpy(float) / np.where(wsum > 0, wsum, 1), np.nan
            )
    return out.reset_index() if keys else out.reset_index(drop=True)


def flag_below(table: pd.DataFrame, targets: dict[str, float]) -> pd.DataFrame:
    """Add the queue's target, below_target (the whole 95 % interval of the simulated service level is under
    it) and mean_below_target (the simulated mean is under it: a miss the replications do not yet prove)."""
    target = table["queue"].map(targets).astype(float)
    hi = table["service_level_hi"].astype(float)
    mean = table["service_level"].astype(float)
    return table.assign(target=target, below_target=(hi < target - 1e-12).fillna(False).astype(bool),
                        mean_below_target=(mean < target - 1e-12).fillna(False).astype(bool))


def period_targets(queues: Any) -> dict[str, float]:
    """The level each queue-period is judged on: the queue's target when its service level is measured per
    period, its period floor when measured per day or week (NaN without one: such a period has no target
    of its own)."""
    out = {}
    for q in queues:
        sl = q.service_level
        if sl.measured == "period":
            out[q.id] = float(sl.target)
        else:
            out[q.id] = float("nan") if sl.period_floor is None else float(sl.period_floor)
    return out


def measure_note(queues: Any) -> str:
    """Which measure each queue's target is judged on, in a sentence for the simulation's text and page."""
    parts = []
    for q in queues:
        sl = q.service_level
        if q.response_within_h is not None:
            continue
        if sl.measured == "period":
            parts.append(f"{q.id}: {sl.target:.0%} within {sl.within_s:g} s in every period")
        else:
            floor = "" if sl.period_floor is None else f", each period at least {sl.period_floor:.0%}"
            parts.append(f"{q.id}: {sl.target:.0%} within {sl.within_s:g} s over each {sl.measured}{floor}")
    return "targets judged on the share answered within the queue's seconds: " + "; ".join(parts)
