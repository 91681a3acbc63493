"""The plan a solve returns: typed status, numbers, and tidy DataFrames.

Every table has documented columns so that `verify`, reports and batch
summaries read them without knowing which backend produced them.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from staffmix.errors import StaffmixError
from staffmix.results import kpis
from staffmix.scenario.schema import COST_COMPONENTS as COST_COMPONENTS  # re-exported: what a result's costs split into
from staffmix.scenario.schema import UNSERVED  # also re-exported: results label unserved rows with it
from staffmix.util.atomic import staged_folder
from staffmix.util.jsonable import jsonable


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
        """Whether the solve came back with a plan (optimal or feasible)."""
        return self in (Status.optimal, Status.feasible)


class Termination(StrEnum):
    """Why a solve ended, beside how (`Status`); decided in one place, staffmix.solvers.status."""

    optimal = "optimal"
    """The bound meets the plan's cost: proven optimal (within 1e-6 absolute or 1e-9 relative)."""
    gap_reached = "gap_reached"
    """The plan is proven within the requested relative gap (`mip_gap`) of the bound."""
    time_limit = "time_limit"
    """Stopped on the time limit (with a plan or without one)."""
    work_limit = "work_limit"
    """Stopped on the work limit of the deterministic mode (core only)."""
    no_further_step = "no_further_step"
    """The core ran every step it has before any limit, and the gap stays above the requested one."""
    infeasible = "infeasible"
    """Proven: no plan meets the hard rules."""
    unbounded = "unbounded"
    """The solver found the model unbounded (never for a valid scenario: every cost is a price)."""
    error = "error"
    """The solver failed or is missing; see `Result.message`."""


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
    "service_targets": ["queue", "measured", "target", "period_floor"],
    "backlog": [
        "period", "period_start", "queue", "arrived", "handled", "unanswered", "backlog",
        "oldest_wait_h", "within_target", "wait_h",
    ],
    "handled": ["period", "period_start", "queue", "provider", "handled", "agents"],
}
"""The columns of every table of a Result, in order (also the CSV headers of a result folder)."""
OPTIONAL_TABLES = frozenset({"service_targets", "backlog", "handled"})
"""Tables a result folder written before they existed lacks (read back empty)."""


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
    - service_targets: each queue's service-level target, over what it is
      measured (period, day or week; "response" for a deferrable queue,
      whose target is the share handled within its response target, all
      within the deadline when it has none) and its period floor (day or
      week only).
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
    """How the solve ended (optimal, feasible, infeasible, no_solution, error)."""
    scenario: str
    """The scenario's name."""
    solver: str
    """The backend that solved it (cbc, highs, core)."""
    objective: float | None = None
    """Total cost of the plan (None without a plan), in the scenario's currency."""
    bound: float | None = None
    """Proven lower bound on the cost of any plan (None when none was proven)."""
    gap: float | None = None
    """Relative gap (objective - bound) / |objective|: how far from optimal the plan can be at most."""
    build_s: float = 0.0
    """Seconds spent on the requirements, index sets and model."""
    solve_s: float = 0.0
    """Seconds spent solving and reading the plan back."""
    message: str = ""
    """Why a solve stopped short or failed, in a sentence; empty when there is nothing to say."""
    options: dict[str, Any] = field(default_factory=dict)
    """The solver options the solve ran with (backend, time_limit_s, mip_gap, threads)."""
    staffing: pd.DataFrame = field(default_factory=lambda: empty_table("staffing"))
    """One row per queue-period with demand: provider, contacts, required and staffed agents, shortfall, service level,
    ASA, occupancy."""
    shifts: pd.DataFrame = field(default_factory=lambda: empty_table("shifts"))
    """In-house shifts started: group, template, start period and time, count."""
    headcount: pd.DataFrame = field(default_factory=lambda: empty_table("headcount"))
    """Heads per in-house group."""
    assignments: pd.DataFrame = field(default_factory=lambda: empty_table("assignments"))
    """Productive in-house agents per period, group and queue."""
    vendors: pd.DataFrame = field(default_factory=lambda: empty_table("vendors"))
    """Per vendor and week: used and billed hours or contacts, fee and cost."""
    costs: pd.DataFrame = field(default_factory=lambda: empty_table("costs"))
    """The objective split by component (COST_COMPONENTS): component, amount."""
    diagnosis: pd.DataFrame = field(default_factory=lambda: empty_table("diagnosis"))
    """For an infeasible scenario: the queue-periods no plan can serve, and why."""
    service_targets: pd.DataFrame = field(default_factory=lambda: empty_table("service_targets"))
    """Per queue: how its service level is measured (period, day or week), the target and the floor."""
    backlog: pd.DataFrame = field(default_factory=lambda: empty_table("backlog"))
    """Deferrable queues per period, read first-in-first-out: arrived, handled, unanswered, backlog, the oldest
    contact's age, the period's arrivals handled within target and their longest wait (empty without such queues)."""
    handled: pd.DataFrame = field(default_factory=lambda: empty_table("handled"))
    """Deferrable work per period, queue and provider: contacts handled and the agents they occupy."""
    kpis: dict[str, Any] = field(default_factory=dict)
    """Headline numbers (staffmix.results.kpis): `total_cost`, `contacts`, `cost_per_contact`, `in_house_share` (of
    contacts answered in-house), `night_share_outsourced`, `vendors_used`, `unmet_periods`,
    `below_target_periods`, `min_service_level`, `unanswered_contacts`, `answered_share`, `service_level` (the
    live queues), `occupancy` (agent-time weighted), `asa_s` (inf: a period without capacity),
    `deferred_within_target`, one `service_level.<queue>` and one `unanswered.<queue>` per queue."""
    termination: Termination | None = None
    """Why the solve ended (optimal, gap_reached, time_limit, work_limit, no_further_step, infeasible, unbounded,
    error); None only for a result folder written before it was recorded."""
    currency: str | None = None
    """Currency of every money figure (the scenario's `currency`, an ISO 4217 code); None: no unit given."""
    model: Any = field(default=None, repr=False, compare=False)
    """The solver model (a pulp.LpProblem for cbc/highs), for write_lp / write_mps."""

    # -- value semantics -----------------------------------------------
    def __eq__(self, other: object) -> bool:
        """Equal status, numbers, messages, options, KPIs and tables (NaN equal to NaN, times compared as
        instants). Build and solve times measure the run, not the plan, and do not count; nor does the
        solver model kept for export."""
        if not isinstance(other, Result):
            return NotImplemented
        scalars = (
            "status",
            "termination",
            "scenario",
            "solver",
            "objective",
            "bound",
            "gap",
            "message",
            "options",
            "kpis",
            "currency",
        )
        return all(jsonable(getattr(self, f)) == jsonable(getattr(other, f)) for f in scalars) and all(
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

    @property
    def below_target_periods(self) -> int:
        """Queue-periods that miss what the scenario asks: unserved, short of their requirement, or under their
        service-level target (staffmix.results.targets); 0 for a plan that meets every target, and when there is no
        plan."""
        k = self.kpis
        count = k.get("below_target_periods", k.get("unmet_periods"))  # results saved before the count existed
        return int(count or 0) if self.status.has_plan else 0

    @property
    def status_text(self) -> str:
        """The status in words that say when the plan falls short ("optimal under the soft service level:
        156 periods short"), from the same counts as the warnings (staffmix.results.targets.status_line)."""
        from staffmix.results.targets import status_line

        if not self.status.has_plan:
            return str(self.status)
        return status_line(str(self.status), self.below_target_periods, int(self.kpis.get("unmet_periods") or 0))

    @property
    def warnings(self) -> list[str]:
        """What a planner must not miss about this plan, one sentence each; empty when the plan meets every target.

        The same words stand in the text summary, the report's status card, the
        batch's summary.csv and index page; `staffmix solve --strict` exits 1 on any.
        """
        below = self.below_target_periods
        if not below:
            return []
        unmet = int(self.kpis.get("unmet_periods") or 0)
        text = f"{below} queue-period{'s' if below != 1 else ''} below target"
        if unmet:
            text += f" ({unmet} short of the agents they need, as the soft service level allows)"
        lowest = self.kpis.get("min_service_level")
        if lowest is not None:
            text += f"; lowest service level {lowest:.1%}"
        return [text]

    def service(self, by: str = "queue") -> pd.DataFrame:
        """Achieved service level, ASA and occupancy, volume-weighted, by 'queue', 'day', 'week' or 'overall'.

        By queue, day or week each row also shows the queue's `target`, `measured` (period, day or week),
        `period_floor`, and the lowest service level of any of its periods (`lowest_period`): a queue
        measured per day meets its target when the day's service_level is at least the target and no
        lowest_period is below the floor; one measured per period when lowest_period is at least the target.

        Deferrable queues (the backlog table) add their rows: service_level is the share of their contacts
        handled within target (within the deadline when there is no target), by day or week of arrival,
        and `longest_wait_h` their longest wait (a column only when there are such queues)."""
        return service_table(self.staffing, self.backlog, by, self.service_targets)

    # -- output ----------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """Scalars of the result (what summary.json holds)."""
        return {
            "scenario": self.scenario,
            "status": str(self.status),
            "status_text": self.status_text,
            "termination": None if self.termination is None else str(self.termination),
            "solver": self.solver,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "build_s": self.build_s,
            "solve_s": self.solve_s,
            "message": self.message,
            "options": self.options,
            "kpis": self.kpis,
            "currency": self.currency,
            "warnings": self.warnings,
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
            (tmp / "summary.json").write_text(json.dumps(jsonable(self.summary()), indent=2) + "\n")
        return out

    def to_workbook(self, path: str | os.PathLike[str], overwrite: bool = False) -> Path:
        """Write the plan as one Excel workbook (a summary sheet, a sheet per table, units under each header;
        staffmix.scenario.io.workbook), atomically; `staffmix solve --out D` writes it as D/plan.xlsx."""
        from staffmix.scenario.io.workbook import write_workbook

        out = Path(path)
        if out.exists() and not overwrite:
            raise StaffmixError(f"{out}: exists; choose another file or pass overwrite=True")
        return write_workbook(out, {name: getattr(self, name) for name in TABLE_COLUMNS}, self.summary())

    def write_lp(self, path: str | os.PathLike[str]) -> None:
        """Write the solver model as an LP file (cbc and highs backends, which keep their PuLP model)."""
        self._pulp_model().writeLP(str(path))

    def write_mps(self, path: str | os.PathLike[str]) -> None:
        """Write the solver model as an MPS file (cbc and highs backends, which keep their PuLP model)."""
        self._pulp_model().writeMPS(str(path))

    def _pulp_model(self) -> Any:
        if self.model is None or not hasattr(self.model, "writeLP"):
            raise StaffmixError(
                f"no PuLP model kept for this result (solver {self.solver}); use staffmix.build_model(scenario)"
            )
        return self.model

    def with_(self, **changes: Any) -> Result:
        """A copy with the given fields replaced (a Result is frozen)."""
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
            if name in OPTIONAL_TABLES:
                tables[name] = empty_table(name)
                continue
            raise StaffmixError(f"{f}: missing from the result folder") from None
        for col in ("period_start", "start"):
            if col in df.columns and len(df):
                df[col] = pd.to_datetime(df[col], utc=True)
                if s.get("timezone"):  # back on the local clock the plan was made in (its days are local days)
                    df[col] = df[col].dt.tz_convert(s["timezone"])
        tables[name] = df
    return Result(
        status=Status(s["status"]),
        termination=Termination(s["termination"]) if s.get("termination") else None,
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
        currency=s.get("currency"),
        **tables,
    )


def service_table(staffing: pd.DataFrame, backlog: pd.DataFrame, by: str, targets: pd.DataFrame | None) -> pd.DataFrame:
    """Result.service on these tables: the live queues' rollup, the deferrable queues' (with their targets) added."""
    out = service_rollup(staffing, by, targets)
    if backlog.empty:
        return out
    deferred = backlog_rollup(backlog, by)
    if by != "overall" and targets is not None and len(targets) and len(deferred):
        t = targets[["queue", "measured", "target", "period_floor"]].drop_duplicates("queue")
        deferred = deferred.merge(t, on="queue", how="left").assign(lowest_period=np.nan)
    return merge_backlog_rollup(out, deferred, by)


def service_rollup(staffing: pd.DataFrame, by: str = "queue", targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """Service level (volume-weighted), ASA (contact-weighted, infinite when any period has no capacity) and
    occupancy (agent-time weighted), the latter two from staffmix.results.kpis, by queue, day, week or overall;
    with `targets` (the service_targets table) by queue, day or week also the target, measure, floor and lowest
    period's level."""
    if by not in ("queue", "day", "week", "overall"):
        raise ValueError(f"by must be 'queue', 'day', 'week' or 'overall', not {by!r}")
    s = staffing[staffing["contacts"] > 0].copy()
    if s.empty:
        return pd.DataFrame(columns=["contacts", "service_level", "asa_s", "occupancy"])
    keys = _rollup_keys(s, by)
    w = s["contacts"]
    s["_sl"] = s["service_level"] * w
    g = s.groupby(keys, sort=False) if keys else s.assign(_all="all").groupby("_all")
    agg = g[["contacts", "_sl"]].sum(min_count=1)
    if not keys:  # ASA infinite when any period has no capacity; occupancy agent-time weighted (staffmix.results.kpis)
        asa, occ = kpis.asa_s(s), kpis.occupancy(s)
        return pd.DataFrame(
            {
                "contacts": agg["contacts"].to_numpy(),
                "service_level": (agg["_sl"] / agg["contacts"]).to_numpy(),
                "asa_s": [np.nan if asa is None else asa],
                "occupancy": [np.nan if occ is None else occ],
            }
        )
    out = pd.DataFrame({
        "contacts": agg["contacts"],
        "service_level": agg["_sl"] / agg["contacts"],
        "asa_s": kpis.asa_s(s, keys).reindex(agg.index).to_numpy(),
        "occupancy": kpis.occupancy(s, keys).reindex(agg.index).to_numpy(),
    })
    out = out.reset_index()
    if targets is not None and len(targets):
        out = _with_targets(out, g["service_level"].min(), targets)
    return out


def _with_targets(out: pd.DataFrame, lowest: pd.Series, targets: pd.DataFrame) -> pd.DataFrame:
    """The rollup with each queue's target, measure and period floor, and the lowest service level of its periods."""
    t = targets[["queue", "measured", "target", "period_floor"]].drop_duplicates("queue")
    out = out.merge(t, on="queue", how="left")
    out["lowest_period"] = lowest.to_numpy()
    return out


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


def _rollup_keys(frame: pd.DataFrame, by: str) -> list[str]:
    """The group-by keys of a rollup by queue, day, week or overall ([]), adding the local day ("2026-03-02") or
    ISO week ("2026-W10") of each row's period_start to `frame` where needed."""
    if by == "overall":
        return []
    if by in ("day", "week"):
        frame[by] = frame["period_start"].dt.strftime("%Y-%m-%d" if by == "day" else "%G-W%V")
        return ["queue", by]
    return ["queue"]


def backlog_rollup(backlog: pd.DataFrame, by: str = "queue") -> pd.DataFrame:
    """Deferrable queues: contacts, share handled within target and longest wait (h), by queue, day or week of arrival,
    or overall."""
    if by not in ("queue", "day", "week", "overall"):
        raise ValueError(f"by must be 'queue', 'day', 'week' or 'overall', not {by!r}")
    b = backlog[backlog["arrived"] > 0].copy()
    if b.empty:
        return pd.DataFrame(columns=["contacts", "service_level", "asa_s", "occupancy", "longest_wait_h"])
    keys = _rollup_keys(b, by)
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
