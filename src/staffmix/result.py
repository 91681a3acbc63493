"""The plan a solve returns: typed status, numbers, and tidy DataFrames.

Every table has documented columns so that `verify`, reports and batch
summaries read them without knowing which backend produced them.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from staffmix.atomic import staged_folder
from staffmix.errors import StaffmixError

from staffmix.schema import UNSERVED  # noqa: F401  (re-exported: results label unserved rows with it)


class Status(StrEnum):
    """How a solve ended."""

    optimal = "optimal"
    """Proven optimal within the requested relative gap."""
    feasible = "feasible"
    """A plan, but stopped (time limit) before proving the gap."""
    infeasible = "infeasible"
    """No plan can meet the hard rules; see `Result.diagnosis`."""
    no_solution = "no_solution"
    """Stopped (time limit) before finding any plan."""
    error = "error"
    """The solver failed; see `Result.message`."""

    @property
    def has_plan(self) -> bool:
        return self in (Status.optimal, Status.feasible)


# Documented columns of every table (also the CSV headers).
TABLE_COLUMNS: dict[str, list[str]] = {
    "staffing": [
        "period", "period_start", "queue", "provider", "contacts", "required",
        "staffed", "shortfall", "service_level", "asa_s", "occupancy",
    ],
    "shifts": ["group", "template", "start_period", "start", "count"],
    "headcount": ["group", "headcount"],
    "assignments": ["period", "group", "queue", "agents"],
    "vendors": [
        "vendor", "week", "used_hours", "billed_hours", "used_contacts",
        "billed_contacts", "fee", "cost",
    ],
    "costs": ["component", "amount"],
    "diagnosis": ["queue", "period", "period_start", "reason"],
    "backlog": [
        "period", "period_start", "queue", "arrived", "handled", "unanswered", "backlog",
        "oldest_wait_h", "within_target", "wait_h",
    ],
    "handled": ["period", "period_start", "queue", "provider", "handled", "agents"],
}
COST_COMPONENTS = (
    "in_house_pay", "in_house_headcount", "vendor_hours", "vendor_contacts",
    "vendor_fees", "shortfall_penalty",
)


def empty_table(name: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in TABLE_COLUMNS[name]})


@dataclass(frozen=True, eq=False)
class Result:
    """A solved (or failed) plan.

    Tables (pandas DataFrames):
    - staffing: one row per queue-period with demand: the provider it is
      routed to (`unserved` if left open under a soft service level),
      contacts, required agents (of that provider), staffed agents
      (productive in-house agents assigned, or the vendor's requirement),
      shortfall (agents below requirement), and service_level / asa_s /
      occupancy recomputed from the staffed agents.
    - shifts: in-house shifts started (group, template, start_period, start, count).
    - headcount: heads per group.
    - assignments: productive in-house agents per period, group and queue.
    - vendors: per vendor and week: used and billed hours (or contacts), fee, cost.
    - costs: the objective split by component.
    - diagnosis: queue-periods no provider can serve, with the reason.
    - backlog: deferrable queues (response_within_h) per period: contacts
      arrived, handled, left unanswered (soft service level only), backlog
      at the end of the period, the age of the oldest contact still waiting
      (hours), the period's arrivals handled within target, and their
      longest wait (hours, from the start of the arrival period to the end
      of the handling period); read first-in-first-out.
    - handled: deferrable work per period, queue and provider: contacts
      handled and the agents they occupy.
    """

    status: Status
    scenario: str
    solver: str
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    build_s: float = 0.0
    solve_s: float = 0.0
    message: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    staffing: pd.DataFrame = field(default_factory=lambda: empty_table("staffing"))
    shifts: pd.DataFrame = field(default_factory=lambda: empty_table("shifts"))
    headcount: pd.DataFrame = field(default_factory=lambda: empty_table("headcount"))
    assignments: pd.DataFrame = field(default_factory=lambda: empty_table("assignments"))
    vendors: pd.DataFrame = field(default_factory=lambda: empty_table("vendors"))
    costs: pd.DataFrame = field(default_factory=lambda: empty_table("costs"))
    diagnosis: pd.DataFrame = field(default_factory=lambda: empty_table("diagnosis"))
    backlog: pd.DataFrame = field(default_factory=lambda: empty_table("backlog"))
    handled: pd.DataFrame = field(default_factory=lambda: empty_table("handled"))
    kpis: dict[str, Any] = field(default_factory=dict)
    model: Any = field(default=None, repr=False, compare=False)
    """The solver model (a pulp.LpProblem for cbc/highs), for write_lp / write_mps."""

    # -- value semantics -----------------------------------------------
    def __eq__(self, other: object) -> bool:
        """Equal status, numbers, messages, options, KPIs and tables (NaN equal to NaN, times compared as
        instants). Build and solve times measure the run, not the plan, and do not count; nor does the
        solver model kept for export."""
        if not isinstance(other, Result):
            return NotImplemented
        scalars = ("status", "scenario", "solver", "objective", "bound", "gap", "message", "options", "kpis")
        return all(_jsonable(getattr(self, f)) == _jsonable(getattr(other, f)) for f in scalars) and all(
            _same_table(getattr(self, name), getattr(other, name)) for name in TABLE_COLUMNS
        )

    __hash__ = None  # type: ignore[assignment]  # holds DataFrames: a value, not a key

    def __repr__(self) -> str:
        def num(x: float | None, fmt: str) -> str:
            return "None" if x is None else format(x, fmt)

        return (
            f"Result(status={str(self.status)!r}, scenario={self.scenario!r}, solver={self.solver!r}, "
            f"objective={num(self.objective, ',.2f')}, bound={num(self.bound, ',.2f')}, gap={num(self.gap, '.3%')}, "
            f"staffing={len(self.staffing)} rows, shifts={len(self.shifts)} rows)"
        )

    __str__ = __repr__

    # -- derived views -------------------------------------------------
    @property
    def routing(self) -> pd.DataFrame:
        """Period x queue -> provider (wide), periods with demand only."""
        if self.staffing.empty:
            return pd.DataFrame()
        return self.staffing.pivot(index="period_start", columns="queue", values="provider")

    @property
    def unmet(self) -> pd.DataFrame:
        """Queue-periods below requirement (soft service level only)."""
        s = self.staffing
        if s.empty:
            return s
        return s[(s["shortfall"] > 1e-6) | (s["provider"] == UNSERVED)].reset_index(drop=True)

    def service(self, by: str = "queue") -> pd.DataFrame:
        """Achieved service level, ASA and occupancy, volume-weighted, by 'queue', 'day', 'week' or 'overall'.

        Deferrable queues (the backlog table) add their rows: service_level is the share of their contacts
        handled within target (within the deadline when there is no target), by day or week of arrival,
        and `longest_wait_h` their longest wait (a column only when there are such queues)."""
        out = service_rollup(self.staffing, by)
        if self.backlog.empty:
            return out
        return merge_backlog_rollup(out, backlog_rollup(self.backlog, by), by)

    # -- output ----------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """Scalars of the result (what summary.json holds)."""
        return {
            "scenario": self.scenario,
            "status": str(self.status),
            "solver": self.solver,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "build_s": self.build_s,
            "solve_s": self.solve_s,
            "message": self.message,
            "options": self.options,
            "kpis": self.kpis,
            "timezone": _timezone_of(self.staffing, self.shifts),
        }

    def to_folder(self, path: str | os.PathLike[str], overwrite: bool = False) -> Path:
        """Write every table as CSV plus summary.json; atomically (temp folder, then rename)."""
        out = Path(path)
        if out.exists() and any(out.iterdir()) and not overwrite:
            raise StaffmixError(f"{out}: exists and is not empty; choose another folder or pass overwrite=True")
        with staged_folder(out) as tmp:
            for name in TABLE_COLUMNS:
                getattr(self, name).to_csv(tmp / f"{name}.csv", index=False)
            (tmp / "summary.json").write_text(json.dumps(_jsonable(self.summary()), indent=2) + "\n")
        return out

    def write_lp(self, path: str | os.PathLike[str]) -> None:
        self._pulp_model().writeLP(str(path))

    def write_mps(self, path: str | os.PathLike[str]) -> None:
        self._pulp_model().writeMPS(str(path))

    def _pulp_model(self) -> Any:
        if self.model is None or not hasattr(self.model, "writeLP"):
            raise StaffmixError(f"no PuLP model kept for this result (solver {self.solver}); use staffmix.build_model(scenario)")
        return self.model

    def with_(self, **changes: Any) -> Result:
        return replace(self, **changes)


def load_result(path: str | os.PathLike[str]) -> Result:
    """Read a folder written by `Result.to_folder`."""
    folder = Path(path)
    summary_file = folder / "summary.json"
    if not summary_file.is_file():
        raise StaffmixError(f"{folder}: no summary.json; not a staffmix result folder")
    s = json.loads(summary_file.read_text())
    tables = {}
    for name in TABLE_COLUMNS:
        f = folder / f"{name}.csv"
        try:
            df = pd.read_csv(f, keep_default_na=True)
        except pd.errors.EmptyDataError:
            df = empty_table(name)
        except FileNotFoundError:
            if name in ("backlog", "handled"):  # result folders written before deferrable work had none
                df = empty_table(name)
            else:
                raise StaffmixError(f"{f}: missing from the result folder") from None
        for col in ("period_start", "start"):
            if col in df.columns and len(df):
                df[col] = pd.to_datetime(df[col], utc=True)
                if s.get("timezone"):  # back on the local clock the plan was made in (its days are local days)
                    df[col] = df[col].dt.tz_convert(s["timezone"])
        tables[name] = df
    return Result(
        status=Status(s["status"]),
        scenario=s["scenario"],
        solver=s["solver"],
        objective=s["objective"],
        bound=s["bound"],
        gap=s["gap"],
        build_s=s["build_s"],
        solve_s=s["solve_s"],
        message=s.get("message", ""),
        options=s.get("options", {}),
        kpis=s.get("kpis", {}),
        **tables,
    )


def service_rollup(staffing: pd.DataFrame, by: str = "queue") -> pd.DataFrame:
    """Volume-weighted service level, ASA and occupancy by queue, day, week or overall."""
    if by not in ("queue", "day", "week", "overall"):
        raise ValueError(f"by must be 'queue', 'day', 'week' or 'overall', not {by!r}")
    s = staffing[staffing["contacts"] > 0].copy()
    if s.empty:
        return pd.DataFrame(columns=["contacts", "service_level", "asa_s", "occupancy"])
    keys: list[str] = []
    if by in ("queue", "day", "week"):
        keys.append("queue")
    if by == "day":
        s["day"] = s["period_start"].dt.strftime("%Y-%m-%d")
        keys.append("day")
    if by == "week":
        s["week"] = s["period_start"].dt.strftime("%G-W%V")
        keys.append("week")
    w = s["contacts"]
    s["_sl"] = s["service_level"] * w
    s["_asa"] = s["asa_s"].replace(np.inf, np.nan) * w
    s["_occ"] = s["occupancy"] * w
    g = s.groupby(keys, sort=False) if keys else s.assign(_all="all").groupby("_all")
    agg = g[["contacts", "_sl", "_asa", "_occ"]].sum(min_count=1)  # all-NaN ASA (email) stays NaN
    out = pd.DataFrame({
        "contacts": agg["contacts"],
        "service_level": agg["_sl"] / agg["contacts"],
        "asa_s": agg["_asa"] / agg["contacts"],
        "occupancy": agg["_occ"] / agg["contacts"],
    })
    return out.reset_index() if keys else out.reset_index(drop=True)


def _timezone_of(*tables: pd.DataFrame) -> str | None:
    """The time zone of the plan's timestamps (None without any)."""
    for table in tables:
        for col in ("period_start", "start"):
            if col in table.columns and isinstance(table[col].dtype, pd.DatetimeTZDtype):
                return str(table[col].dt.tz)
    return None


def _same_table(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Equal as data: same columns and rows; numbers equal (NaN equal to NaN, int equal to float),
    timestamps the same instants, other cells equal (missing equal to missing)."""
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return False
    for col in a.columns:
        x, y = a[col], b[col]
        if pd.api.types.is_datetime64_any_dtype(x) or pd.api.types.is_datetime64_any_dtype(y):
            try:
                xs, ys = pd.to_datetime(x, utc=True), pd.to_datetime(y, utc=True)
            except (TypeError, ValueError):
                return False
            if not xs.reset_index(drop=True).equals(ys.reset_index(drop=True)):
                return False
        elif pd.api.types.is_numeric_dtype(x) and pd.api.types.is_numeric_dtype(y):
            if not np.array_equal(x.to_numpy(dtype=float), y.to_numpy(dtype=float), equal_nan=True):
                return False
        elif [None if pd.isna(v) else v for v in x] != [None if pd.isna(v) else v for v in y]:
            return False
    return True


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        f = float(obj)
        return None if math.isnan(f) or math.isinf(f) else f
    return obj


def backlog_rollup(backlog: pd.DataFrame, by: str = "queue") -> pd.DataFrame:
    """Deferrable queues: contacts, share handled within target and longest wait (h), by queue, day or week of arrival, or overall."""
    if by not in ("queue", "day", "week", "overall"):
        raise ValueError(f"by must be 'queue', 'day', 'week' or 'overall', not {by!r}")
    b = backlog[backlog["arrived"] > 0].copy()
    if b.empty:
        return pd.DataFrame(columns=["contacts", "service_level", "asa_s", "occupancy", "longest_wait_h"])
    keys: list[str] = [] if by == "overall" else ["queue"]
    if by == "day":
        b["day"] = b["period_start"].dt.strftime("%Y-%m-%d")
        keys.append("day")
    if by == "week":
        b["week"] = b["period_start"].dt.strftime("%G-W%V")
        keys.append("week")
    g = b.groupby(keys, sort=False) if keys else b.assign(_all="all").groupby("_all")
    agg = g.agg(contacts=("arrived", "sum"), within=("within_target", "sum"), longest_wait_h=("wait_h", "max"))
    out = pd.DataFrame({
        "contacts": agg["contacts"], "service_level": agg["within"] / agg["contacts"],
        "asa_s": np.nan, "occupancy": np.nan, "longest_wait_h": agg["longest_wait_h"],
    })
    return out.reset_index() if keys else out.reset_index(drop=True)


def merge_backlog_rollup(live: pd.DataFrame, deferred: pd.DataFrame, by: str) -> pd.DataFrame:
    """The rollup of the live queues (service_rollup) with the deferrable queues' (backlog_rollup) added."""
    if by != "overall":
        return pd.concat([live.assign(longest_wait_h=np.nan), deferred], ignore_index=True)
    if live.empty:
        return deferred
    both = pd.concat([live, deferred], ignore_index=True)
    w = both["contacts"]
    return pd.DataFrame({
        "contacts": [w.sum()],
        "service_level": [(both["service_level"] * w).sum() / w.sum()],
        "asa_s": live["asa_s"], "occupancy": live["occupancy"],
        "longest_wait_h": [deferred["longest_wait_h"].max()],
    })
