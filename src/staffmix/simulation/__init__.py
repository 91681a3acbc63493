"""Check a plan by discrete-event simulation: what it gives on the day, not only what Erlang promises.

    sim = staffmix.simulate(scenario, result, replications=20, seed=0)
    sim.by_day        # per queue and day: simulated service level, ASA, abandonment, occupancy
                      # (mean, 95 % interval) beside the plan's Erlang figures, and a below-target flag

Erlang C treats every period as a steady state of its own. The simulation
runs each queue through the whole horizon in one piece: calls left waiting
at the end of an hour are still waiting at the start of the next, handling
times are drawn call by call (exponential, or lognormal with a given
coefficient of variation) at the answering provider's AHT, callers hang up
after their patience where the queue has `patience_s`, and the agents on
each queue in each period are the plan's productive agents. See
docs/simulation.md for the model, its choices and how to read a
disagreement with Erlang.

Modules: `timeline` (what the plan and scenario give each queue),
`engine` (one replication of one queue on ciw), `runner` (replications
in parallel processes), `stats` (intervals and rollups), `report` (text,
chart and HTML section).
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from staffmix.errors import StaffmixError
from staffmix.simulation.engine import ARRIVALS, HANDLING, SUM_COLUMNS
from staffmix.simulation.stats import (
    CONFIDENCE,
    METRICS,
    flag_below,
    measure_note,
    period_targets,
    promised_rollup,
    summarise,
)
from staffmix.util.atomic import staged_folder
from staffmix.util.jsonable import jsonable

__all__ = ["Simulation", "simulate", "ARRIVALS", "HANDLING"]

TABLES = ("overall", "by_queue", "by_day", "by_period")


@dataclass(frozen=True)
class Simulation:
    """What `simulate` found: settings, and tables of means with 95 % intervals beside the plan's promise.

    Tables (pandas DataFrames); every simulated figure X comes as X, X_lo,
    X_hi (mean and 95 % interval over the replications):
    - overall: one row, the queues answered live together (voice and chat;
      email only when there is nothing else: its answer times are hours, not seconds).
    - by_queue: one row per queue over the whole horizon.
    - by_day: one row per queue and local day.
    - by_period: one row per queue-period of the plan (only with by_period=True, else None).
    Figures: arrivals (calls simulated), service_level (share of arrivals
    answered within the queue's within_s), asa_s (mean wait of answered
    calls), wait_probability (share that waited at all), abandon (share that
    hung up), occupancy (agent time on calls / agent time planned), aht_s
    (mean handling time of answered calls). Beside them: contacts (the
    plan's), promised_service_level, promised_asa_s,
    promised_wait_probability, promised_abandon, promised_occupancy (the
    plan's Erlang figures, volume-weighted), target, and below_target (the
    whole interval of the simulated service level lies below the target).
    Each queue's `model` says how it was simulated: erlang_c, erlang_a
    (callers abandon) or workload (email: a first-in-first-out backlog).
    """

    scenario: str
    """The scenario's name."""
    replications: int
    """Independent runs of the horizon."""
    seed: int
    """The random seed (the same seed gives the same figures)."""
    arrivals: str
    """poisson (at each period's rate) or replay (the demand's counts)."""
    handling: str
    """Handling-time distribution: exponential or lognormal."""
    handling_cv: float | None
    """Coefficient of variation of lognormal handling times (None for exponential)."""
    elapsed_s: float
    """Seconds the simulation took."""
    calls_simulated: int
    """Calls over all replications, warm-up included."""
    overall: pd.DataFrame
    """One row: the queues answered live together (see the class docstring)."""
    by_queue: pd.DataFrame
    """One row per queue over the whole horizon."""
    by_day: pd.DataFrame
    """One row per queue and local day."""
    by_period: pd.DataFrame | None = None
    """One row per queue-period of the plan (only with by_period=True, else None)."""
    confidence: float = CONFIDENCE
    """Level of the intervals (0.95)."""
    notes: list[str] = field(default_factory=list)
    """What a reader should know about how the figures were made (e.g. queues simulated as workload)."""
    periods_below: dict[str, int] = field(default_factory=dict)
    """Queue-periods judged against a target of their own (`queue_periods`: the queue's target when measured
    per period, its floor when per day or week), those whose simulated mean is under it (`mean_below_target`)
    and those whose whole 95 % interval is (`below_target`); counted whether or not by_period is kept."""

    def settings(self) -> dict[str, Any]:
        """How the simulation was run: scenario, replications, seed, arrivals, handling, handling_cv, confidence."""
        return {
            "scenario": self.scenario, "replications": self.replications, "seed": self.seed,
            "arrivals": self.arrivals, "handling": self.handling, "handling_cv": self.handling_cv,
            "confidence": self.confidence,
        }

    def summary(self) -> dict[str, Any]:
        """Settings, the overall figures and the flagged queue-days (what simulation.json holds)."""
        flagged = self.by_day[self.by_day["below_target"]]
        return {
            **self.settings(),
            "elapsed_s": self.elapsed_s,
            "calls_simulated": self.calls_simulated,
            "overall": jsonable(self.overall.iloc[0].to_dict()),
            "below_target": [{"queue": q, "day": d} for q, d in zip(flagged["queue"], flagged["day"], strict=True)],
            "periods_below": dict(self.periods_below),
            "notes": list(self.notes),
        }

    def report_section(self) -> str:
        """This simulation's section of the plan report (`write_report(..., simulation=self)` adds it)."""
        from staffmix.simulation.presentation import simulation_section

        return simulation_section(self)

    def to_folder(self, path: str | os.PathLike[str], overwrite: bool = False) -> Path:
        """Write the tables as CSV and simulation.json to a new (or empty) folder, atomically."""
        out = Path(path)
        if out.exists() and (not out.is_dir() or any(out.iterdir())) and not overwrite:
            raise StaffmixError(f"{out}: exists and is not empty; choose another folder or pass overwrite=True")
        with staged_folder(out) as tmp:
            for name in TABLES:
                table = getattr(self, name)
                if table is not None:
                    table.to_csv(tmp / f"{name}.csv", index=False)
            (tmp / "simulation.json").write_text(json.dumps(self.summary(), indent=2) + "\n")
        return out


def simulate(
    scenario: Any,
    result: Any = None,
    *,
    replications: int = 20,
    seed: int = 0,
    arrivals: str = "poisson",
    handling: str = "exponential",
    handling_cv: float | None = None,
    by_period: bool = False,
    jobs: int | None = None,
    progress: Any = False,
) -> Simulation:
    """Simulate the plan `result` of `scenario` (solved first when result is None) and compare it with Erlang.

    scenario: a Scenario or a scenario folder; result: a Result, a result
    folder, or None. replications: independent runs of the horizon (at least
    2 for intervals). seed: fixes every draw (same seed, same tables).
    arrivals: "poisson" (each period's contacts as a Poisson rate) or
    "replay" (the demand's counts exactly). handling: "exponential" or
    "lognormal" with coefficient of variation handling_cv (default 1).
    by_period: also the per-period table. jobs: worker processes (default
    the number of CPUs; 1 runs in this process). progress: True prints a
    line per replication on stderr, or a callable(done, total, elapsed_s).
    """
    from staffmix.simulation.runner import run_replications
    from staffmix.simulation.timeline import build_timelines, local_days, promised

    scenario = _scenario(scenario)
    if not (isinstance(replications, (int, np.integer)) and not isinstance(replications, bool) and replications >= 1):
        raise StaffmixError(f"replications must be a whole number >= 1, got {replications!r}")
    if not (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0):
        raise StaffmixError(f"seed must be a whole number >= 0, got {seed!r}")
    if arrivals not in ARRIVALS:
        raise StaffmixError(f"arrivals must be one of {', '.join(ARRIVALS)}, got {arrivals!r}")
    if handling not in HANDLING:
        raise StaffmixError(f"handling must be one of {', '.join(HANDLING)}, got {handling!r}")
    if handling_cv is not None:
        if handling != "lognormal":
            raise StaffmixError("handling_cv applies to lognormal handling only (exponential handling has CV 1)")
        if not (isinstance(handling_cv, (int, float)) and math.isfinite(handling_cv) and 0 < handling_cv <= 10):
            raise StaffmixError(f"handling_cv must be a number in (0, 10], got {handling_cv!r}")
    if jobs is not None and not (isinstance(jobs, int) and jobs >= 1):
        raise StaffmixError(f"jobs must be a whole number >= 1, got {jobs!r}")
    cv = float(handling_cv) if handling_cv is not None else 1.0
    result = _result(scenario, result)

    t0 = time.monotonic()
    timelines = build_timelines(scenario, result)
    if not timelines:
        raise StaffmixError(
            f"scenario {scenario.name!r}: the plan has no queue-period with contacts; nothing to simulate"
        )
    reps = run_replications(
        timelines, int(replications), int(seed), arrivals, handling, cv, jobs=jobs, progress=progress
    )

    H = scenario.config.horizon.periods
    long = _long_frame(reps, [tl.queue for tl in timelines], H)
    days = local_days(scenario)
    long["day"] = days[long["period"].to_numpy()]
    plan = promised(scenario, result)
    plan["day"] = days[plan["period"].to_numpy(dtype=np.int64)]
    cfg = scenario.config
    targets = {q.id: float(q.service_level.target) for q in cfg.queues}
    models = {tl.queue: tl.model for tl in timelines}
    warm_calls = sum(int(tl.contacts[: tl.warmup].sum()) for tl in timelines)

    live = [q for q, m in models.items() if m != "workload"] or list(models)

    def table(keys: list[str], judged_on: dict[str, float] = targets) -> pd.DataFrame:
        rows, plan_rows = (long, plan) if keys else (long[long["queue"].isin(live)], plan[plan["queue"].isin(live)])
        sim = summarise(rows, keys)
        prom = promised_rollup(plan_rows, keys)
        out = prom.merge(sim, on=keys, how="left") if keys else pd.concat([prom, sim], axis=1)
        if "queue" in keys:
            out.insert(keys.index("queue") + 1, "model", out["queue"].map(models))
            out = flag_below(out, judged_on)
        return out[_column_order(out, keys)]

    order = {q.id: i for i, q in enumerate(cfg.queues)}
    by_queue = table(["queue"]).sort_values("queue", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
    by_day = table(["queue", "day"])
    by_day = by_day.assign(_o=by_day["queue"].map(order)).sort_values(["day", "_o"], kind="stable")
    by_day = by_day.drop(columns="_o").reset_index(drop=True)
    overall = table([])
    # every queue-period against the level it is judged on (issue #21: days alone hid the hours that miss)
    all_periods = table(["queue", "period"], period_targets(q for q in cfg.queues if q.id in models))
    judged = all_periods[all_periods["target"].notna() & (all_periods["contacts"] > 0)]
    periods_below = {"queue_periods": len(judged), "mean_below_target": int(judged["mean_below_target"].sum()),
                     "below_target": int(judged["below_target"].sum())}
    period_table: pd.DataFrame | None = None
    if by_period:
        period_table = all_periods
        rows = plan.set_index(["queue", "period"])
        idx = pd.MultiIndex.from_arrays([period_table["queue"], period_table["period"]])
        starts = pd.to_datetime(rows.loc[idx, "period_start"].to_numpy(), utc=True).tz_convert(cfg.horizon.timezone)
        period_table.insert(2, "period_start", [t.isoformat() for t in starts])
        period_table.insert(3, "provider", rows.loc[idx, "provider"].to_numpy())
        period_table.insert(4, "agents", np.floor(rows.loc[idx, "staffed"].to_numpy(float) + 1e-6).astype(np.int64))
    notes = _notes(cfg, timelines, arrivals)
    notes.insert(0, measure_note(q for q in cfg.queues if q.id in models))
    return Simulation(
        scenario=result.scenario, replications=int(replications), seed=int(seed), arrivals=arrivals, handling=handling,
        handling_cv=cv if handling == "lognormal" else None, elapsed_s=time.monotonic() - t0,
        calls_simulated=int(long["arrivals"].sum()) + warm_calls * int(replications),
        overall=overall, by_queue=by_queue, by_day=by_day, by_period=period_table, notes=notes,
        periods_below=periods_below,
    )


def _scenario(scenario: Any) -> Any:
    from staffmix.scenario.container import Scenario

    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, (str, os.PathLike)):
        from staffmix.scenario.io import load_scenario

        return load_scenario(scenario)
    raise StaffmixError(f"scenario must be a Scenario or a scenario folder, not {type(scenario).__name__}")


def _result(scenario: Any, result: Any) -> Any:
    from staffmix.results.result import Result, load_result

    if result is None:
        from staffmix.solvers.dispatch import solve

        return solve(scenario)
    if isinstance(result, Result):
        return result
    if isinstance(result, (str, os.PathLike)):
        return load_result(result)
    raise StaffmixError(f"result must be a Result, a result folder or None, not {type(result).__name__}")


def _long_frame(reps: list[dict[str, dict[str, np.ndarray]]], queues: list[str], periods: int) -> pd.DataFrame:
    """One row per replication, queue and horizon period, with the SUM_COLUMNS."""
    n = len(reps) * len(queues)
    cols = {c: np.concatenate([reps[r][q][c] for r in range(len(reps)) for q in queues]) for c in SUM_COLUMNS}
    return pd.DataFrame({
        "rep": np.repeat(np.arange(len(reps)), len(queues) * periods),
        "queue": np.tile(np.repeat(np.array(queues, dtype=object), periods), len(reps)),
        "period": np.tile(np.arange(periods), n),
        **cols,
    })


def _column_order(table: pd.DataFrame, keys: list[str]) -> list[str]:
    head = keys + (["model"] if "queue" in keys else []) + ["contacts"]
    sim = [c for name in METRICS for c in (name, f"{name}_lo", f"{name}_hi")]
    prom = [c for c in table.columns if c.startswith("promised_")]
    tail = [c for c in ("target", "below_target", "mean_below_target") if c in table.columns]
    return head + sim + prom + tail


def _notes(cfg: Any, timelines: list[Any], arrivals: str) -> list[str]:
    from staffmix.scenario.schema import Channel

    notes = []
    if cfg.horizon.cyclic:
        notes.append(f"cyclic horizon: the last {timelines[0].warmup} periods ran first as a warm-up (not counted)")
    for q in cfg.queues:
        if q.response_within_h is not None:  # deferrable work (issue #13) has no hourly staffing to simulate
            notes.append(f"{q.id}: deferrable (answered within {q.response_within_h:g} h), not simulated: the plan's "
                         "first-in-first-out backlog, waits and share within target are in its backlog table")
        elif q.channel == Channel.email:
            notes.append(
                f"{q.id}: email simulated as a first-in-first-out backlog; its service level is the share "
                f"answered within {q.service_level.within_s:g} s, the plan's is the share of work the staff can handle"
            )
        elif q.channel == Channel.chat:
            notes.append(f"{q.id}: chat agents hold {q.concurrency:g} chats at once, each the full {q.aht_s:g} s")
    if arrivals == "replay":
        notes.append("arrivals replay the demand's counts (fractions rounded at random)")
    return notes
