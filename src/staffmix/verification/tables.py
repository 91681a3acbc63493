"""The plan under check: the scenario's facts and the result's tables, read and normalised.

`Plan` derives everything the rules need from the scenario with plain
pandas / numpy (period starts, hours of week, weeks and their fractions,
opening masks) and reads the result's tables into plain rows. Nothing is
trusted: a table that is not a DataFrame, a missing column, an unknown id or
a value that is not a number becomes a ``malformed`` violation, and a table
that cannot be read at all is marked `broken` so the rules that need it are
skipped. Violations are collected on the Plan (`add`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from staffmix.results.result import UNSERVED, Status
from staffmix.scenario.container import Scenario
from staffmix.scenario.schema import IN_HOUSE, open_hours_of_week
from staffmix.verification.rules import Violation


def num(v: Any) -> float:
    """A float, or NaN when `v` is not a number."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return math.nan
    return f


def int_or_none(v: Any) -> int | None:
    """An integer, or None when `v` is not a whole number."""
    f = num(v)
    if not math.isfinite(f) or abs(f - round(f)) > 1e-9:
        return None
    return int(round(f))


def money_close(a: float, b: float) -> bool:
    """Money equal to a relative 1e-6 plus an absolute 1e-4."""
    return abs(a - b) <= 1e-4 + 1e-6 * max(abs(a), abs(b))


def fmt(x: float) -> str:
    """A number for a message: integers without decimals, others to six significant digits."""
    if not math.isfinite(x):
        return str(x)
    return f"{x:.6g}" if abs(x - round(x)) > 1e-9 else str(int(round(x)))


def hours_mask(hours: set[int]) -> np.ndarray:
    """A 168-long mask of the hours of week in `hours` (Monday 00:00 = 0)."""
    mask = np.zeros(168, dtype=bool)
    mask[sorted(hours)] = True
    return mask


@dataclass
class Row:
    """One staffing row, read: row index i, period t, queue q, provider p and its numbers."""

    i: int
    t: int
    q: str
    p: str
    contacts: float
    required: float
    staffed: float
    shortfall: float


class Plan:
    """A scenario and a result, read for checking; the violations found so far in `out`."""

    def __init__(self, scenario: Scenario, result: Any, tol: float) -> None:
        self.scenario = scenario
        self.config = cfg = scenario.config
        self.result = result
        self.tol = tol
        self.out: list[Violation] = []

        hz = cfg.horizon
        self.n_periods = hz.periods
        self.interval_min = hz.interval_min
        self.interval_s = hz.interval_min * 60.0
        self.period_h = hz.period_h
        self.periods_per_week = hz.periods_per_week
        self.cyclic = hz.cyclic
        self.starts = hz.period_starts()
        self.weekday = np.asarray(self.starts.day_of_week, dtype=np.int64)
        self.hour = np.asarray(self.starts.hour, dtype=np.int64)
        self.minute = np.asarray(self.starts.minute, dtype=np.int64)
        self.how = self.weekday * 24 + self.hour
        self.day = [ts.date() for ts in self.starts]
        self.week = np.arange(self.n_periods) // self.periods_per_week
        self.n_weeks = int(self.week[-1]) + 1
        self.week_frac = np.bincount(self.week, minlength=self.n_weeks) / self.periods_per_week

        self.queues = {q.id: q for q in cfg.queues}
        self.groups = {g.id: g for g in cfg.groups}
        self.templates = {s.id: s for s in cfg.templates}
        self.vendors = {v.id: v for v in cfg.vendors}
        self.queue_open = {q.id: hours_mask(open_hours_of_week(q.open_hours)) for q in cfg.queues}
        self.vendor_open = {v.id: hours_mask(v.open_hours_of_week()) for v in cfg.vendors}
        self.soft = cfg.policy.soft_service_level

        self.kind = "contacts"
        self.demand: dict[tuple[int, str], tuple[float, float, float]] = {}
        self.active: set[tuple[int, str]] = set()
        # deferrable queues (response_within_h): their contacts arrive into a backlog, not into staffing rows
        self.deferrable = {q.id: q for q in cfg.queues if q.response_within_h is not None}
        self.arrivals: dict[str, np.ndarray] = {q: np.zeros(self.n_periods) for q in self.deferrable}

        # filled by the readers
        self.rows: list[Row] = []
        self.assign: list[tuple[int, int, str, str, float]] = []  # (i, t, g, q, agents)
        self.shifts: list[tuple[int, str, str, int, float]] = []  # (i, g, s, t0, count)
        self.heads: dict[str, float] = {}
        self.vrows: list[tuple[int, str, int, dict[str, float]]] = []  # (i, v, w, values)
        self.handled: list[tuple[int, int, str, str, float, float]] = []  # (i, t, q, p, handled, agents)
        self.backlog: list[tuple[int, int, str, dict[str, float]]] = []  # (i, t, q, values)
        self.broken: set[str] = set()  # tables that could not be read at all (checks on them are skipped)

    def add(self, rule: str, where: str, message: str) -> None:
        """Record one violation."""
        self.out.append(Violation(rule, where, message))

    def at(self, t: int) -> str:
        """Period `t` as text, with its start time when it is in the horizon."""
        if 0 <= t < self.n_periods:
            return f"period {t} ({self.starts[t].isoformat()})"
        return f"period {t}"

    def where(self, queue: str | None = None, t: int | None = None, provider: str | None = None, **extra: Any) -> str:
        """Where a violation is: 'queue q, period t (start), provider p, ...'."""
        parts = []
        if queue is not None:
            parts.append(f"queue {queue}")
        if t is not None:
            parts.append(self.at(t))
        if provider is not None:
            parts.append(f"provider {provider}")
        parts += [f"{k} {v}" for k, v in extra.items()]
        return ", ".join(parts)

    def table(self, name: str, columns: Iterable[str]) -> pd.DataFrame | None:
        """The result's table `name` with `columns`, or None (reported, and the table marked broken)."""
        df = getattr(self.result, name, None)
        if not isinstance(df, pd.DataFrame):
            self.broken.add(name)
            self.add("malformed", f"table {name}", f"expected a pandas DataFrame, got {type(df).__name__}")
            return None
        missing = [c for c in columns if c not in df.columns]
        if missing:
            if len(df) == 0:
                return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
            self.broken.add(name)
            self.add("malformed", f"table {name}", f"missing column(s) {', '.join(missing)}")
            return None
        return df.reset_index(drop=True)

    def period(self, v: Any) -> int | None:
        """`v` as a period index of the horizon, or None."""
        t = int_or_none(v)
        return t if t is not None and 0 <= t < self.n_periods else None

    def status(self) -> Status | None:
        """The result's status, or None (reported) when it is not one."""
        raw = getattr(self.result, "status", None)
        try:
            if not isinstance(raw, str):  # Status is a StrEnum: a status is text
                raise TypeError(raw)
            return Status(raw)
        except (ValueError, TypeError):
            self.add("malformed", "status", f"unknown status {raw!r}")
            return None


def read_demand(plan: Plan) -> None:
    """The scenario's demand per (period, queue), the demand kind, and the active queue-periods (open, with demand)."""
    d = plan.scenario.demand
    cols = ("period", "queue", "contacts", "aht_s", "required_agents")
    if not isinstance(d, pd.DataFrame) or any(c not in d.columns for c in cols):
        plan.add("malformed", "scenario demand", f"demand must be a DataFrame with columns {', '.join(cols)}")
        return
    contacts = pd.to_numeric(d["contacts"], errors="coerce").to_numpy(dtype=float)
    required = pd.to_numeric(d["required_agents"], errors="coerce").to_numpy(dtype=float)
    aht = pd.to_numeric(d["aht_s"], errors="coerce").to_numpy(dtype=float)
    plan.kind = "required_agents" if len(d) and np.isnan(contacts).all() else "contacts"
    for raw_t, q, c, a, r in zip(d["period"], d["queue"], contacts, aht, required, strict=True):
        t = plan.period(raw_t)
        if t is None or q not in plan.queues or (t, q) in plan.demand:
            continue  # the scenario's own checks report such rows; missing rows mean no demand
        plan.demand[(t, q)] = (c, a, r)
        work = r if plan.kind == "required_agents" else c
        if plan.queue_open[q][plan.how[t]] and math.isfinite(work) and work > 0:
            if q in plan.deferrable:
                plan.arrivals[q][t] = c
            else:
                plan.active.add((t, q))


def read_staffing(plan: Plan) -> None:
    """Staffing rows, one per (period, queue) expected."""
    cols = ["period", "queue", "provider", "contacts", "required", "staffed", "shortfall"]
    df = plan.table("staffing", cols)
    if df is None:
        return
    providers = {IN_HOUSE, UNSERVED, *plan.vendors}
    for i, rec in enumerate(df[cols].itertuples(index=False, name=None)):
        raw_t, q, p, c, req, st, sf = rec
        where = f"staffing row {i}"
        t = plan.period(raw_t)
        if t is None:
            plan.add("malformed", where, f"period {raw_t!r} is not an integer in 0..{plan.n_periods - 1}")
            continue
        if q not in plan.queues:
            plan.add("malformed", plan.where(str(q), t), f"staffing row {i}: unknown queue {q!r}")
            continue
        if p not in providers:
            plan.add("malformed", plan.where(q, t, str(p)), f"staffing row {i}: unknown provider {p!r}")
            continue
        vals = {"required": num(req), "staffed": num(st), "shortfall": num(sf)}
        bad = [k for k, v in vals.items() if not math.isfinite(v)]
        if bad:
            plan.add("malformed", plan.where(q, t, p), f"staffing row {i}: {', '.join(bad)} not a finite number")
            vals = {k: (0.0 if not math.isfinite(v) else v) for k, v in vals.items()}
        if vals["staffed"] < -plan.tol or vals["required"] < -plan.tol:
            plan.add("malformed", plan.where(q, t, p), f"staffing row {i}: negative required or staffed")
        plan.rows.append(Row(i, t, q, p, num(c), vals["required"], vals["staffed"], vals["shortfall"]))


def read_assignments(plan: Plan) -> None:
    """In-house agents assigned per (period, group, queue)."""
    cols = ["period", "group", "queue", "agents"]
    df = plan.table("assignments", cols)
    if df is None:
        return
    seen: Counter[tuple[int, str, str]] = Counter()
    for i, (raw_t, g, q, a) in enumerate(df[cols].itertuples(index=False, name=None)):
        t = plan.period(raw_t)
        agents = num(a)
        if t is None or g not in plan.groups or q not in plan.queues or not math.isfinite(agents):
            plan.add("malformed", f"assignments row {i}",
                      f"unreadable (period {raw_t!r}, group {g!r}, queue {q!r}, agents {a!r})")
            continue
        if agents < -plan.tol:
            plan.add("malformed", plan.where(q, t, IN_HOUSE, group=g), f"negative agents {fmt(agents)}")
            continue
        seen[(t, g, q)] += 1
        plan.assign.append((i, t, g, q, agents))
    for (t, g, q), n in seen.items():
        if n > 1:
            plan.add("malformed", plan.where(q, t, IN_HOUSE, group=g), f"assignments lists this {n} times (summed)")


def read_shifts(plan: Plan) -> None:
    """Shift counts per (group, template, start period)."""
    cols = ["group", "template", "start_period", "count"]
    df = plan.table("shifts", cols)
    if df is None:
        return
    for i, (g, s, raw_t, c) in enumerate(df[cols].itertuples(index=False, name=None)):
        t0 = plan.period(raw_t)
        count = num(c)
        if t0 is None or g not in plan.groups or s not in plan.templates or not math.isfinite(count):
            plan.add("malformed", f"shifts row {i}",
                      f"unreadable (group {g!r}, template {s!r}, start_period {raw_t!r}, count {c!r})")
            continue
        plan.shifts.append((i, g, s, t0, count))


def read_headcount(plan: Plan) -> None:
    """Headcount per group (first row kept)."""
    cols = ["group", "headcount"]
    df = plan.table("headcount", cols)
    if df is None:
        return
    for i, (g, h) in enumerate(df[cols].itertuples(index=False, name=None)):
        heads = num(h)
        if g not in plan.groups or not math.isfinite(heads):
            plan.add("malformed", f"headcount row {i}", f"unreadable (group {g!r}, headcount {h!r})")
            continue
        if g in plan.heads:
            plan.add("malformed", f"group {g}", "headcount lists the group twice (first row kept)")
            continue
        plan.heads[g] = heads


def read_vendors(plan: Plan) -> None:
    """Vendor rows per (vendor, week): used, billed, fee, cost."""
    nums = ["used_hours", "billed_hours", "used_contacts", "billed_contacts", "fee", "cost"]
    df = plan.table("vendors", ["vendor", "week", *nums])
    if df is None:
        return
    for i, rec in enumerate(df[["vendor", "week", *nums]].itertuples(index=False, name=None)):
        v, raw_w = rec[0], rec[1]
        w = int_or_none(raw_w)
        if v not in plan.vendors or w is None:
            plan.add("malformed", f"vendors row {i}", f"unreadable (vendor {v!r}, week {raw_w!r})")
            continue
        vals = {k: num(x) for k, x in zip(nums, rec[2:], strict=True)}
        per_contact = plan.vendors[v].pricing == "per_contact"
        needed = ("used_contacts", "billed_contacts") if per_contact else ("used_hours", "billed_hours")
        bad = [k for k in (*needed, "fee", "cost") if not math.isfinite(vals[k])]
        if bad:
            plan.add("malformed", f"vendor {v}, week {w}", f"{', '.join(bad)} not a finite number (read as 0)")
        plan.vrows.append((i, v, w, vals))


def read_handled(plan: Plan) -> None:
    """Deferrable work handled per (period, queue, provider): contacts and agents."""
    cols = ["period", "queue", "provider", "handled", "agents"]
    df = plan.table("handled", cols)
    if df is None:
        return
    providers = {IN_HOUSE, *plan.vendors}
    seen: Counter[tuple[int, str, str]] = Counter()
    for i, (raw_t, q, p, h, a) in enumerate(df[cols].itertuples(index=False, name=None)):
        t = plan.period(raw_t)
        handled, agents = num(h), num(a)
        if (
            t is None
            or q not in plan.queues
            or p not in providers
            or not (math.isfinite(handled) and math.isfinite(agents))
        ):
            plan.add("malformed", f"handled row {i}",
                     f"unreadable (period {raw_t!r}, queue {q!r}, provider {p!r}, handled {h!r}, agents {a!r})")
            continue
        if handled < -plan.tol or agents < -plan.tol:
            plan.add("malformed", plan.where(q, t, p), f"handled row {i}: negative handled or agents")
            continue
        seen[(t, q, p)] += 1
        plan.handled.append((i, t, q, p, handled, agents))
    for (t, q, p), n in seen.items():
        if n > 1:
            plan.add("malformed", plan.where(q, t, p), f"handled lists this {n} times (summed)")


BACKLOG_NUMBERS = ("arrived", "handled", "unanswered", "backlog", "oldest_wait_h", "within_target", "wait_h")


def read_backlog(plan: Plan) -> None:
    """The backlog table as reported: one row per deferrable queue and period."""
    df = plan.table("backlog", ["period", "queue", *BACKLOG_NUMBERS])
    if df is None:
        return
    for i, rec in enumerate(df[["period", "queue", *BACKLOG_NUMBERS]].itertuples(index=False, name=None)):
        t = plan.period(rec[0])
        if t is None or rec[1] not in plan.queues:
            plan.add("malformed", f"backlog row {i}", f"unreadable (period {rec[0]!r}, queue {rec[1]!r})")
            continue
        plan.backlog.append((i, t, rec[1], {k: num(v) for k, v in zip(BACKLOG_NUMBERS, rec[2:], strict=True)}))


READERS = (
    ("staffing", read_staffing),
    ("assignments", read_assignments),
    ("shifts", read_shifts),
    ("headcount", read_headcount),
    ("vendors", read_vendors),
    ("handled", read_handled),
    ("backlog", read_backlog),
)
"""The result's plan tables, read in this order (the demand is read first, for every result)."""
