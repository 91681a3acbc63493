"""Independent plan checker: does a `Result` obey every rule of its `Scenario`?

`verify(scenario, result)` re-derives everything it checks from the scenario
and the result's tables with plain pandas / numpy. It deliberately imports
none of the model code (model, requirements, solve, core), so a bug there
cannot hide itself; the only shared mathematics is `staffmix.queueing`
(Erlang C / A), imported lazily for voice and chat requirements.

It never raises on a strange plan: unreadable tables, unknown ids and
non-numeric values are reported as violations of the rule ``malformed``, and
every other rule is listed in `RULES`. A valid plan gives ``[]``.

Tolerances: a single row is compared with the absolute tolerance ``tol``;
sums over many rows (vendor usage, billing, capacity, weekly hours, shares)
with ``tol * max(1, |reference|)``; money with a relative 1e-6 plus an
absolute 1e-4.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from staffmix.result import COST_COMPONENTS, UNSERVED, Status
from staffmix.schema import DAYS, IN_HOUSE, Channel, Queue, Vendor, open_hours_of_week
from staffmix.scenario import Scenario

__all__ = ["RULES", "Violation", "verify"]

RULES: dict[str, str] = {
    "malformed": "a table, column, id or value the checker cannot read (unknown queue, NaN, period out of range, ...)",
    "no_plan": "a result without a plan (infeasible, no_solution, error) carries plan tables",
    "coverage": "an active queue-period is missing, listed twice, listed without demand, or with other contacts",
    "opening_hours": "a queue-period is staffed while the queue is closed",
    "language": "the provider (vendor or in-house group) does not speak the queue's language",
    "certification": "the provider lacks a certification the queue requires",
    "region": "the provider sits outside the queue's allowed regions",
    "window": "a vendor takes a queue-period outside its service windows",
    "pricing": "a per-contact vendor takes work although demand is given as required agents",
    "providers_allowed": "the provider is not in the queue's providers_allowed or is in providers_forbidden",
    "in_house_queue": "a queue the policy keeps in-house goes to a vendor",
    "weekly_routing": "weekly routing: a queue goes to different providers at the same local hour of different weeks",
    "requirement": "the reported requirement differs from the one recomputed (or a vendor staffs other than it)",
    "understaffed": "staffed + shortfall is below the requirement",
    "shortfall": "shortfall or an unserved queue-period without a soft service level (or a negative shortfall)",
    "in_house_staffed": "in-house staffed agents differ from the agents assigned to the queue-period",
    "shift_template": "a group works a shift template it may not work",
    "shift_start": "a shift starts on a day, hour or minute its template does not allow",
    "shift_count": "a shift count that is negative or not an integer",
    "in_house_capacity": "agents assigned exceed productive agents on duty ((1 - shrinkage) x on duty)",
    "headcount": "headcount outside [min_headcount, max_headcount] or not a non-negative integer",
    "one_shift_per_day": "more shifts start on a local day than the group has heads",
    "weekly_hours": "paid hours of shifts starting in a week exceed headcount x max_hours_per_week",
    "vendor_usage": "a vendor's used hours or contacts differ from the staffing rows routed to it",
    "vendor_capacity": "a vendor takes more agents (or contacts) in a period than its capacity",
    "take_or_pay": "billed less than max(used, weekly minimum x week fraction) for a contracted vendor",
    "vendor_fee": "the fee differs from fee_per_week x week fraction (contracted) or 0 (not contracted)",
    "vendor_weeks": "a contracted vendor lacks a row for a week, or has duplicate / out-of-horizon weeks",
    "max_vendors": "more vendors contracted than policy.max_vendors",
    "in_house_share": "in-house share of contacts (or of required agent-hours) below policy.min_in_house_share",
    "cost": "a vendor row's cost, a cost component or the objective differs from the recomputed value",
    "kpis": "kpis['total_cost'] differs from the objective",
}


@dataclass(frozen=True)
class Violation:
    """One broken rule: which (`rule`, a key of `RULES`), where, and what."""

    rule: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.where}: {self.message}"


def verify(scenario: Scenario, result: Any, tol: float = 1e-6) -> list[Violation]:
    """Check `result` against `scenario`; return every violation found ([] for a valid plan).

    Results without a plan (infeasible / no_solution / error) are valid when
    their plan tables are empty. Never raises: whatever cannot be read is
    reported with rule ``malformed``.
    """
    try:
        tol = float(tol)
        if not math.isfinite(tol) or tol < 0:
            tol = 1e-6
    except (TypeError, ValueError):
        tol = 1e-6
    try:
        checker = _Checker(scenario, result, tol)
    except Exception as exc:  # noqa: BLE001 - verify reports, never raises
        return [Violation("malformed", "scenario", f"cannot read the scenario: {type(exc).__name__}: {exc}")]
    return checker.run()


# ---------------------------------------------------------------------------
# helpers


def _num(v: Any) -> float:
    """A float, or NaN when `v` is not a number."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return math.nan
    return f


def _int_or_none(v: Any) -> int | None:
    f = _num(v)
    if not math.isfinite(f) or abs(f - round(f)) > 1e-9:
        return None
    return int(round(f))


def _money_close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-4 + 1e-6 * max(abs(a), abs(b))


def _fmt(x: float) -> str:
    if not math.isfinite(x):
        return str(x)
    return f"{x:.6g}" if abs(x - round(x)) > 1e-9 else str(int(round(x)))


@dataclass
class _Row:
    """One staffing row, read."""

    i: int
    t: int
    q: str
    p: str
    contacts: float
    required: float
    staffed: float
    shortfall: float


# ---------------------------------------------------------------------------
# the checker


class _Checker:
    def __init__(self, scenario: Scenario, result: Any, tol: float) -> None:
        self.sc = scenario
        self.cfg = cfg = scenario.config
        self.res = result
        self.tol = tol
        self.out: list[Violation] = []

        hz = cfg.horizon
        self.P = hz.periods
        self.interval_min = hz.interval_min
        self.interval_s = hz.interval_min * 60.0
        self.period_h = hz.period_h
        self.ppw = hz.periods_per_week
        self.cyclic = hz.cyclic
        self.starts = hz.period_starts()
        self.weekday = np.asarray(self.starts.day_of_week, dtype=np.int64)
        self.hour = np.asarray(self.starts.hour, dtype=np.int64)
        self.minute = np.asarray(self.starts.minute, dtype=np.int64)
        self.how = self.weekday * 24 + self.hour
        self.day = [ts.date() for ts in self.starts]
        self.week = np.arange(self.P) // self.ppw
        self.n_weeks = int(self.week[-1]) + 1
        self.week_frac = np.bincount(self.week, minlength=self.n_weeks) / self.ppw

        self.queues = {q.id: q for q in cfg.queues}
        self.groups = {g.id: g for g in cfg.groups}
        self.templates = {s.id: s for s in cfg.templates}
        self.vendors = {v.id: v for v in cfg.vendors}
        self.queue_open = {q.id: _hours_mask(open_hours_of_week(q.open_hours)) for q in cfg.queues}
        self.vendor_open = {v.id: _hours_mask(v.open_hours_of_week()) for v in cfg.vendors}
        self.soft = cfg.policy.soft_service_level

        self.kind = "contacts"
        self.demand: dict[tuple[int, str], tuple[float, float, float]] = {}
        self.active: set[tuple[int, str]] = set()

        # filled by the readers
        self.rows: list[_Row] = []
        self.assign: list[tuple[int, int, str, str, float]] = []  # (i, t, g, q, agents)
        self.shifts: list[tuple[int, str, str, int, float]] = []  # (i, g, s, t0, count)
        self.heads: dict[str, float] = {}
        self.vrows: list[tuple[int, str, int, dict[str, float]]] = []  # (i, v, w, values)
        self.broken: set[str] = set()  # tables that could not be read at all (checks on them are skipped)

    # -- running ---------------------------------------------------------
    def run(self) -> list[Violation]:
        self._guard("demand", self._read_demand)
        status = self._status()
        if status is None:
            return self.out
        if not status.has_plan:
            self._guard("no_plan", self._check_no_plan)
            return self.out
        for name, step in (
            ("staffing", self._read_staffing),
            ("assignments", self._read_assignments),
            ("shifts", self._read_shifts),
            ("headcount", self._read_headcount),
            ("vendors", self._read_vendors),
            ("coverage", self._check_coverage),
            ("eligibility", self._check_eligibility),
            ("weekly_routing", self._check_weekly_routing),
            ("service", self._check_service),
            ("requirement", self._check_requirements),
            ("shifts", self._check_shifts),
            ("in_house_capacity", self._check_capacity),
            ("headcount", self._check_headcount),
            ("vendors", self._check_vendors),
            ("policy", self._check_policy),
            ("cost", self._check_costs),
        ):
            self._guard(name, step)
        return self.out

    def _guard(self, name: str, step: Callable[[], None]) -> None:
        try:
            step()
        except Exception as exc:  # noqa: BLE001 - verify reports, never raises
            self._add("malformed", name, f"check stopped on unreadable data: {type(exc).__name__}: {exc}")

    def _add(self, rule: str, where: str, message: str) -> None:
        self.out.append(Violation(rule, where, message))

    # -- where -------------------------------------------------------------
    def _at(self, t: int) -> str:
        if 0 <= t < self.P:
            return f"period {t} ({self.starts[t].isoformat()})"
        return f"period {t}"

    def _where(self, queue: str | None = None, t: int | None = None, provider: str | None = None, **extra: Any) -> str:
        parts = []
        if queue is not None:
            parts.append(f"queue {queue}")
        if t is not None:
            parts.append(self._at(t))
        if provider is not None:
            parts.append(f"provider {provider}")
        parts += [f"{k} {v}" for k, v in extra.items()]
        return ", ".join(parts)

    def _table(self, name: str, columns: Iterable[str]) -> pd.DataFrame | None:
        df = getattr(self.res, name, None)
        if not isinstance(df, pd.DataFrame):
            self.broken.add(name)
            self._add("malformed", f"table {name}", f"expected a pandas DataFrame, got {type(df).__name__}")
            return None
        missing = [c for c in columns if c not in df.columns]
        if missing:
            if len(df) == 0:
                return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
            self.broken.add(name)
            self._add("malformed", f"table {name}", f"missing column(s) {', '.join(missing)}")
            return None
        return df.reset_index(drop=True)

    def _period(self, v: Any) -> int | None:
        t = _int_or_none(v)
        return t if t is not None and 0 <= t < self.P else None

    # -- status ------------------------------------------------------------
    def _status(self) -> Status | None:
        raw = getattr(self.res, "status", None)
        try:
            return Status(raw)
        except (ValueError, TypeError):
            self._add("malformed", "status", f"unknown status {raw!r}")
            return None

    def _check_no_plan(self) -> None:
        for name in ("staffing", "shifts", "headcount", "assignments", "vendors", "costs"):
            df = getattr(self.res, name, None)
            if isinstance(df, pd.DataFrame) and len(df):
                self._add("no_plan", f"table {name}", f"status {self.res.status} has no plan but the table has {len(df)} row(s)")

    # -- readers -----------------------------------------------------------
    def _read_demand(self) -> None:
        d = self.sc.demand
        cols = ("period", "queue", "contacts", "aht_s", "required_agents")
        if not isinstance(d, pd.DataFrame) or any(c not in d.columns for c in cols):
            self._add("malformed", "scenario demand", f"demand must be a DataFrame with columns {', '.join(cols)}")
            return
        contacts = pd.to_numeric(d["contacts"], errors="coerce").to_numpy(dtype=float)
        required = pd.to_numeric(d["required_agents"], errors="coerce").to_numpy(dtype=float)
        aht = pd.to_numeric(d["aht_s"], errors="coerce").to_numpy(dtype=float)
        self.kind = "required_agents" if len(d) and np.isnan(contacts).all() else "contacts"
        for raw_t, q, c, a, r in zip(d["period"], d["queue"], contacts, aht, required):
            t = self._period(raw_t)
            if t is None or q not in self.queues or (t, q) in self.demand:
                continue  # the scenario's own checks report such rows; missing rows mean no demand
            self.demand[(t, q)] = (c, a, r)
            work = r if self.kind == "required_agents" else c
            if self.queue_open[q][self.how[t]] and math.isfinite(work) and work > 0:
                self.active.add((t, q))

    def _read_staffing(self) -> None:
        cols = ["period", "queue", "provider", "contacts", "required", "staffed", "shortfall"]
        df = self._table("staffing", cols)
        if df is None:
            return
        providers = {IN_HOUSE, UNSERVED, *self.vendors}
        for i, rec in enumerate(df[cols].itertuples(index=False, name=None)):
            raw_t, q, p, c, req, st, sf = rec
            where = f"staffing row {i}"
            t = self._period(raw_t)
            if t is None:
                self._add("malformed", where, f"period {raw_t!r} is not an integer in 0..{self.P - 1}")
                continue
            if q not in self.queues:
                self._add("malformed", self._where(str(q), t), f"staffing row {i}: unknown queue {q!r}")
                continue
            if p not in providers:
                self._add("malformed", self._where(q, t, str(p)), f"staffing row {i}: unknown provider {p!r}")
                continue
            vals = {"required": _num(req), "staffed": _num(st), "shortfall": _num(sf)}
            bad = [k for k, v in vals.items() if not math.isfinite(v)]
            if bad:
                self._add("malformed", self._where(q, t, p), f"staffing row {i}: {', '.join(bad)} not a finite number")
                vals = {k: (0.0 if not math.isfinite(v) else v) for k, v in vals.items()}
            if vals["staffed"] < -self.tol or vals["required"] < -self.tol:
                self._add("malformed", self._where(q, t, p), f"staffing row {i}: negative required or staffed")
            self.rows.append(_Row(i, t, q, p, _num(c), vals["required"], vals["staffed"], vals["shortfall"]))

    def _read_assignments(self) -> None:
        cols = ["period", "group", "queue", "agents"]
        df = self._table("assignments", cols)
        if df is None:
            return
        seen: Counter[tuple[int, str, str]] = Counter()
        for i, (raw_t, g, q, a) in enumerate(df[cols].itertuples(index=False, name=None)):
            t = self._period(raw_t)
            agents = _num(a)
            if t is None or g not in self.groups or q not in self.queues or not math.isfinite(agents):
                self._add("malformed", f"assignments row {i}",
                          f"unreadable (period {raw_t!r}, group {g!r}, queue {q!r}, agents {a!r})")
                continue
            if agents < -self.tol:
                self._add("malformed", self._where(q, t, IN_HOUSE, group=g), f"negative agents {_fmt(agents)}")
                continue
            seen[(t, g, q)] += 1
            self.assign.append((i, t, g, q, agents))
        for (t, g, q), n in seen.items():
            if n > 1:
                self._add("malformed", self._where(q, t, IN_HOUSE, group=g), f"assignments lists this {n} times (summed)")

    def _read_shifts(self) -> None:
        cols = ["group", "template", "start_period", "count"]
        df = self._table("shifts", cols)
        if df is None:
            return
        for i, (g, s, raw_t, c) in enumerate(df[cols].itertuples(index=False, name=None)):
            t0 = self._period(raw_t)
            count = _num(c)
            if t0 is None or g not in self.groups or s not in self.templates or not math.isfinite(count):
                self._add("malformed", f"shifts row {i}",
                          f"unreadable (group {g!r}, template {s!r}, start_period {raw_t!r}, count {c!r})")
                continue
            self.shifts.append((i, g, s, t0, count))

    def _read_headcount(self) -> None:
        cols = ["group", "headcount"]
        df = self._table("headcount", cols)
        if df is None:
            return
        for i, (g, h) in enumerate(df[cols].itertuples(index=False, name=None)):
            heads = _num(h)
            if g not in self.groups or not math.isfinite(heads):
                self._add("malformed", f"headcount row {i}", f"unreadable (group {g!r}, headcount {h!r})")
                continue
            if g in self.heads:
                self._add("malformed", f"group {g}", "headcount lists the group twice (first row kept)")
                continue
            self.heads[g] = heads

    def _read_vendors(self) -> None:
        nums = ["used_hours", "billed_hours", "used_contacts", "billed_contacts", "fee", "cost"]
        df = self._table("vendors", ["vendor", "week", *nums])
        if df is None:
            return
        for i, rec in enumerate(df[["vendor", "week", *nums]].itertuples(index=False, name=None)):
            v, raw_w = rec[0], rec[1]
            w = _int_or_none(raw_w)
            if v not in self.vendors or w is None:
                self._add("malformed", f"vendors row {i}", f"unreadable (vendor {v!r}, week {raw_w!r})")
                continue
            vals = {k: _num(x) for k, x in zip(nums, rec[2:])}
            per_contact = self.vendors[v].pricing == "per_contact"
            needed = ("used_contacts", "billed_contacts") if per_contact else ("used_hours", "billed_hours")
            bad = [k for k in (*needed, "fee", "cost") if not math.isfinite(vals[k])]
            if bad:
                self._add("malformed", f"vendor {v}, week {w}", f"{', '.join(bad)} not a finite number (read as 0)")
            self.vrows.append((i, v, w, vals))

    # -- coverage ----------------------------------------------------------
    def _check_coverage(self) -> None:
        if "staffing" in self.broken:
            return
        counts = Counter((r.t, r.q) for r in self.rows)
        for (t, q), n in sorted(counts.items()):
            if n > 1:
                self._add("coverage", self._where(q, t), f"listed {n} times in staffing (exactly once expected)")
        for t, q in sorted(self.active - counts.keys()):
            self._add("coverage", self._where(q, t), "active queue-period (open, with demand) missing from staffing")
        reported: set[tuple[int, str]] = set()
        for r in self.rows:
            key = (r.t, r.q)
            if key in reported:
                continue
            reported.add(key)
            if key not in self.active:
                if not self.queue_open[r.q][self.how[r.t]]:
                    self._add("opening_hours", self._where(r.q, r.t, r.p), "staffing row while the queue is closed")
                else:
                    self._add("coverage", self._where(r.q, r.t, r.p), "staffing row for a queue-period without demand")
                continue
            c = self.demand[key][0]
            if self.kind == "required_agents":
                if not (math.isnan(r.contacts) or abs(r.contacts) <= self.tol):
                    self._add("coverage", self._where(r.q, r.t, r.p),
                              f"contacts {_fmt(r.contacts)} reported; the demand gives required agents only")
            elif not (math.isfinite(r.contacts) and abs(r.contacts - c) <= self.tol * max(1.0, abs(c))):
                self._add("coverage", self._where(r.q, r.t, r.p),
                          f"contacts {_fmt(r.contacts)} differ from the demand's {_fmt(c)}")

    # -- eligibility -------------------------------------------------------
    def _static_reasons(self, q: Queue, p: str) -> list[tuple[str, str]]:
        """Eligibility problems of provider p for queue q that do not depend on the period."""
        out: list[tuple[str, str]] = []
        if p == UNSERVED:
            return out
        if p != IN_HOUSE:
            v = self.vendors[p]
            out += _fit_reasons(q, v.languages, v.certifications, v.region, f"vendor {p}")
            if v.pricing == "per_contact" and self.kind == "required_agents":
                out.append(("pricing", f"per-contact vendor {p} cannot take demand given as required agents"))
            if q.id in self.cfg.policy.in_house_queues:
                out.append(("in_house_queue", f"policy keeps queue {q.id} in-house but it goes to {p}"))
        if q.providers_allowed is not None and p not in q.providers_allowed:
            out.append(("providers_allowed", f"{p} is not among the queue's providers_allowed {q.providers_allowed}"))
        if p in q.providers_forbidden:
            out.append(("providers_allowed", f"{p} is in the queue's providers_forbidden"))
        return out

    def _check_eligibility(self) -> None:
        cache: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for r in self.rows:
            q = self.queues[r.q]
            key = (r.q, r.p)
            if key not in cache:
                cache[key] = self._static_reasons(q, r.p)
            for rule, msg in cache[key]:
                self._add(rule, self._where(r.q, r.t, r.p), msg)
            if r.p in self.vendors and not self.vendor_open[r.p][self.how[r.t]]:
                self._add("window", self._where(r.q, r.t, r.p),
                          f"vendor {r.p} is closed at {DAYS[self.weekday[r.t]]} {self.hour[r.t]:02d}:{self.minute[r.t]:02d}")
        gcache: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for _, t, g, q, agents in self.assign:
            if agents <= self.tol:
                continue
            if (g, q) not in gcache:
                grp = self.groups[g]
                gcache[(g, q)] = _fit_reasons(self.queues[q], grp.languages, grp.certifications, grp.region, f"group {g}")
            for rule, msg in gcache[(g, q)]:
                self._add(rule, self._where(q, t, IN_HOUSE, group=g), msg)

    def _check_weekly_routing(self) -> None:
        if self.cfg.policy.routing != "weekly":
            return
        by_slot: dict[tuple[str, int, int, int], dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for r in self.rows:
            if r.p == UNSERVED:
                continue
            slot = (r.q, int(self.weekday[r.t]), int(self.hour[r.t]), int(self.minute[r.t]))
            by_slot[slot][r.p].append(r.t)
        for (q, wd, h, m), provs in sorted(by_slot.items()):
            if len(provs) > 1:
                detail = "; ".join(f"{p}: periods {sorted(ts)}" for p, ts in sorted(provs.items()))
                self._add("weekly_routing", f"queue {q}, {DAYS[wd]} {h:02d}:{m:02d}",
                          f"weekly routing needs one provider at this hour of every week, got {detail}")

    # -- service -----------------------------------------------------------
    def _assigned_by_queue_period(self) -> dict[tuple[int, str], float]:
        out: dict[tuple[int, str], float] = defaultdict(float)
        for _, t, _g, q, agents in self.assign:
            out[(t, q)] += agents
        return out

    def _check_service(self) -> None:
        assigned = self._assigned_by_queue_period()
        tol = self.tol
        for r in self.rows:
            where = self._where(r.q, r.t, r.p)
            if r.shortfall < -tol:
                self._add("shortfall", where, f"negative shortfall {_fmt(r.shortfall)}")
            if self.soft is None:
                if r.p == UNSERVED:
                    self._add("shortfall", where, "left unserved but the policy has no soft service level")
                elif r.shortfall > tol:
                    self._add("shortfall", where, f"shortfall {_fmt(r.shortfall)} but the policy has no soft service level")
            if r.p == UNSERVED:
                if r.staffed > tol:
                    self._add("understaffed", where, f"unserved but reports {_fmt(r.staffed)} staffed (nobody serves it)")
                if r.shortfall < r.required - tol:
                    self._add("understaffed", where,
                              f"unserved: shortfall {_fmt(r.shortfall)} below the requirement {_fmt(r.required)}")
                continue
            if r.staffed + r.shortfall < r.required - tol:
                self._add("understaffed", where,
                          f"staffed {_fmt(r.staffed)} + shortfall {_fmt(r.shortfall)} < required {_fmt(r.required)}")
            if r.p == IN_HOUSE:
                if "assignments" in self.broken:
                    continue
                a = assigned.get((r.t, r.q), 0.0)
                if abs(r.staffed - a) > tol:
                    self._add("in_house_staffed", where,
                              f"staffed {_fmt(r.staffed)} but {_fmt(a)} agents are assigned to this queue-period")
            elif abs(r.staffed - r.required) > tol:
                self._add("requirement", where,
                          f"a vendor staffs exactly its requirement: staffed {_fmt(r.staffed)} != required {_fmt(r.required)}")

    # -- requirements ------------------------------------------------------
    def _check_requirements(self) -> None:
        need_queueing: dict[tuple[str, str], list[tuple[_Row, float, float]]] = defaultdict(list)
        for r in self.rows:
            key = (r.t, r.q)
            if key not in self.active:
                continue  # already reported by coverage
            q = self.queues[r.q]
            p = IN_HOUSE if r.p == UNSERVED else r.p  # unserved: requirement at the queue's own AHT
            factor = self.vendors[p].aht_factor if p in self.vendors else 1.0
            c, aht, ra = self.demand[key]
            if self.kind == "required_agents":
                self._compare_requirement(r, math.ceil(ra * factor - 1e-9))
                continue
            base = aht if math.isfinite(aht) and aht > 0 else q.aht_s
            eff = base * factor
            if q.channel == Channel.chat:
                eff /= q.concurrency
            if q.channel == Channel.email:
                occ = q.service_level.max_occupancy or 1.0
                self._compare_requirement(r, math.ceil(c * eff / self.interval_s / occ - 1e-9))
            else:
                need_queueing[(r.q, p)].append((r, c, eff))
        if not need_queueing:
            return
        try:
            from staffmix import queueing
        except Exception as exc:  # noqa: BLE001 - a missing module must not stop verify
            warnings.warn(
                f"staffmix.verify: staffmix.queueing unavailable ({type(exc).__name__}: {exc}); "
                "voice and chat requirements were not recomputed",
                RuntimeWarning,
                stacklevel=4,
            )
            return
        for (qid, _p), items in need_queueing.items():
            q = self.queues[qid]
            contacts = np.array([c for _, c, _ in items], dtype=float)
            aht = np.array([a for _, _, a in items], dtype=float)
            expected = _erlang_requirements(queueing, q, contacts, aht, self.interval_s)
            for (r, _c, _a), e in zip(items, expected):
                if isinstance(e, str):
                    self._add("requirement", self._where(r.q, r.t, r.p), f"cannot recompute the requirement: {e}")
                else:
                    self._compare_requirement(r, e)

    def _compare_requirement(self, r: _Row, expected: float) -> None:
        if not math.isfinite(expected):
            self._add("requirement", self._where(r.q, r.t, r.p),
                      f"no finite number of agents meets the service level, yet required {_fmt(r.required)} is reported")
        elif abs(r.required - expected) > self.tol:
            self._add("requirement", self._where(r.q, r.t, r.p),
                      f"required {_fmt(r.required)} but the queue data give {_fmt(expected)}")

    # -- shifts, capacity, headcount --------------------------------------
    def _shift_periods(self, template_id: str, t0: int) -> np.ndarray:
        n = int(round(self.templates[template_id].length_h * 60 / self.interval_min))
        idx = t0 + np.arange(n)
        return idx % self.P if self.cyclic else idx[idx < self.P]

    def _check_shifts(self) -> None:
        for i, g, s, t0, count in self.shifts:
            where = f"group {g}, template {s}, start {self._at(t0)}"
            if count < -self.tol or abs(count - round(count)) > self.tol:
                self._add("shift_count", where, f"shifts row {i}: count {_fmt(count)} is not a non-negative integer")
            if abs(count) <= self.tol:
                continue
            if s not in self.groups[g].templates:
                self._add("shift_template", where, f"group {g} may not work template {s} (its templates: {self.groups[g].templates})")
            tpl = self.templates[s]
            wd, h, m = DAYS[self.weekday[t0]], int(self.hour[t0]), int(self.minute[t0])
            if wd not in tpl.days:
                self._add("shift_start", where, f"starts on a {wd}; template {s} starts on {tpl.days} only")
            if h not in tpl.start_hours or m != 0:
                self._add("shift_start", where, f"starts at {h:02d}:{m:02d}; template {s} starts at hours {tpl.start_hours} on the hour")

    def _on_duty(self) -> dict[str, np.ndarray]:
        on = {g: np.zeros(self.P) for g in self.groups}
        for _, g, s, t0, count in self.shifts:
            np.add.at(on[g], self._shift_periods(s, t0), count)
        return on

    def _check_capacity(self) -> None:
        if self.broken & {"shifts", "assignments"}:
            return
        on = self._on_duty()
        used = {g: np.zeros(self.P) for g in self.groups}
        for _, t, g, _q, agents in self.assign:
            used[g][t] += agents
        for g, grp in self.groups.items():
            cap = (1.0 - grp.shrinkage) * on[g]
            for t in np.flatnonzero(used[g] > cap + self.tol):
                self._add("in_house_capacity", f"group {g}, {self._at(int(t))}",
                          f"{_fmt(used[g][t])} agents assigned but only {_fmt(cap[t])} productive on duty "
                          f"({_fmt(on[g][t])} on duty x (1 - shrinkage {grp.shrinkage}))")

    def _check_headcount(self) -> None:
        if self.broken & {"shifts", "headcount"}:
            return
        for g, grp in self.groups.items():
            H = self.heads.get(g, 0.0)
            where = f"group {g}"
            if H < -self.tol or abs(H - round(H)) > self.tol:
                self._add("headcount", where, f"headcount {_fmt(H)} is not a non-negative integer")
            if H < grp.min_headcount - self.tol:
                self._add("headcount", where, f"headcount {_fmt(H)} below min_headcount {grp.min_headcount}")
            if grp.max_headcount is not None and H > grp.max_headcount + self.tol:
                self._add("headcount", where, f"headcount {_fmt(H)} above max_headcount {grp.max_headcount}")
        per_day: dict[tuple[str, Any], float] = defaultdict(float)
        per_week: dict[tuple[str, int], float] = defaultdict(float)
        for _, g, s, t0, count in self.shifts:
            per_day[(g, self.day[t0])] += count
            per_week[(g, int(self.week[t0]))] += count * self.templates[s].paid_h
        for (g, d), n in sorted(per_day.items(), key=lambda kv: (kv[0][0], kv[0][1])):
            H = self.heads.get(g, 0.0)
            if n > H + self.tol:
                self._add("one_shift_per_day", f"group {g}, day {d.isoformat()}",
                          f"{_fmt(n)} shifts start this day but the group has {_fmt(H)} heads")
        for (g, w), hours in sorted(per_week.items()):
            H = self.heads.get(g, 0.0)
            limit = H * self.groups[g].max_hours_per_week * self.week_frac[w]
            if hours > limit + self.tol * max(1.0, limit):
                self._add("weekly_hours", f"group {g}, week {w}",
                          f"{_fmt(hours)} paid hours start this week; at most {_fmt(limit)} "
                          f"({_fmt(H)} heads x {_fmt(self.groups[g].max_hours_per_week)} h x week fraction {self.week_frac[w]:.4g})")

    # -- vendors -----------------------------------------------------------
    def _contracted(self) -> set[str]:
        out = {r.p for r in self.rows if r.p in self.vendors}
        for _, v, _w, vals in self.vrows:
            if any(_num(vals[k]) > self.tol for k in ("billed_hours", "billed_contacts", "fee")):
                out.add(v)
        return out

    def _check_vendors(self) -> None:
        if self.broken & {"staffing", "vendors"}:
            return
        tol = self.tol
        contracted = self._contracted()
        used_h: dict[tuple[str, int], float] = defaultdict(float)
        used_c: dict[tuple[str, int], float] = defaultdict(float)
        per_period_agents: dict[tuple[str, int], float] = defaultdict(float)
        per_period_contacts: dict[tuple[str, int], float] = defaultdict(float)
        for r in self.rows:
            if r.p not in self.vendors:
                continue
            c = r.contacts if math.isfinite(r.contacts) else 0.0
            w = int(self.week[r.t])
            used_h[(r.p, w)] += r.required * self.period_h
            used_c[(r.p, w)] += c
            per_period_agents[(r.p, r.t)] += r.staffed
            per_period_contacts[(r.p, r.t)] += c

        # capacity per period
        for (v, t), n in sorted(per_period_agents.items()):
            vd = self.vendors[v]
            if vd.pricing == "per_agent_hour" and vd.capacity_agents is not None and n > vd.capacity_agents + tol:
                self._add("vendor_capacity", f"vendor {v}, {self._at(t)}",
                          f"{_fmt(n)} agents on our queues; capacity {_fmt(vd.capacity_agents)}")
        for (v, t), n in sorted(per_period_contacts.items()):
            vd = self.vendors[v]
            if vd.pricing == "per_contact" and vd.capacity_contacts is not None and n > vd.capacity_contacts + tol:
                self._add("vendor_capacity", f"vendor {v}, {self._at(t)}",
                          f"{_fmt(n)} contacts; capacity {_fmt(vd.capacity_contacts)}")

        # the weekly rows
        rows_by_key: dict[tuple[str, int], list[dict[str, float]]] = defaultdict(list)
        for _, v, w, vals in self.vrows:
            rows_by_key[(v, w)].append(vals)
        for (v, w), lst in sorted(rows_by_key.items()):
            where = f"vendor {v}, week {w}"
            if not 0 <= w < self.n_weeks:
                self._add("vendor_weeks", where, f"week {w} is outside the horizon's weeks 0..{self.n_weeks - 1}")
                continue
            if len(lst) > 1:
                self._add("vendor_weeks", where, f"{len(lst)} rows for one vendor-week (first one checked)")
            self._check_vendor_week(self.vendors[v], w, lst[0], v in contracted, used_h[(v, w)], used_c[(v, w)])
        for v in sorted(contracted):
            missing = [w for w in range(self.n_weeks) if (v, w) not in rows_by_key]
            if missing:
                self._add("vendor_weeks", f"vendor {v}", f"contracted but no vendors row for week(s) {missing}")

    def _check_vendor_week(self, vd: Vendor, w: int, vals: dict[str, float], contracted: bool,
                           used_hours: float, used_contacts: float) -> None:
        where = f"vendor {vd.id}, week {w}"
        g = lambda k: vals[k] if math.isfinite(vals[k]) else 0.0  # noqa: E731
        near = lambda a, b: abs(a - b) <= self.tol * max(1.0, abs(b))  # noqa: E731
        per_contact = vd.pricing == "per_contact"
        frac = float(self.week_frac[w])
        # usage: the pricing's own measure strictly; the other one when reported (not 0 / NaN)
        for col, recomputed, own in (("used_hours", used_hours, not per_contact), ("used_contacts", used_contacts, per_contact)):
            reported = vals[col]
            if not own and (not math.isfinite(reported) or abs(reported) <= self.tol):
                continue
            if not near(g(col), recomputed):
                self._add("vendor_usage", where,
                          f"{col} {_fmt(g(col))} but the staffing rows routed to {vd.id} give {_fmt(recomputed)}")
        # take-or-pay
        if contracted:
            if per_contact:
                minimum = max(used_contacts, vd.min_contacts_per_week * frac)
                billed, col = g("billed_contacts"), "billed_contacts"
            else:
                minimum = max(used_hours, vd.min_hours_per_week * frac)
                billed, col = g("billed_hours"), "billed_hours"
            if billed < minimum - self.tol * max(1.0, minimum):
                self._add("take_or_pay", where,
                          f"{col} {_fmt(billed)} below max(used, weekly minimum x {frac:.4g}) = {_fmt(minimum)}")
        # fee and cost of the row
        fee_expected = vd.fee_per_week * frac if contracted else 0.0
        if not near(g("fee"), fee_expected):
            self._add("vendor_fee", where,
                      f"fee {_fmt(g('fee'))}, expected {_fmt(fee_expected)} "
                      f"({'fee_per_week x week fraction' if contracted else 'not contracted'})")
        charge = (vd.price_per_contact or 0.0) * g("billed_contacts") if per_contact else (vd.rate_per_hour or 0.0) * g("billed_hours")
        if not _money_close(g("cost"), charge + g("fee")):
            self._add("cost", where, f"cost {_fmt(g('cost'))}, expected {_fmt(charge + g('fee'))} (billed x price + fee)")

    # -- policy --------------------------------------------------------------
    def _check_policy(self) -> None:
        policy = self.cfg.policy
        contracted = self._contracted()
        if "staffing" in self.broken:
            return
        if policy.max_vendors is not None and len(contracted) > policy.max_vendors:
            self._add("max_vendors", "policy",
                      f"{len(contracted)} vendors contracted ({', '.join(sorted(contracted))}); at most {policy.max_vendors}")
        if policy.min_in_house_share <= 0:
            return
        weight: dict[tuple[int, str], float] = {}
        for (t, q) in self.active:
            c, _aht, ra = self.demand[(t, q)]
            # required agents: weight by the queue's (in-house) required agent-hours
            weight[(t, q)] = math.ceil(ra - 1e-9) * self.period_h if self.kind == "required_agents" else c
        total = sum(weight.values())
        in_house_keys = {(r.t, r.q) for r in self.rows if r.p == IN_HOUSE}
        ih = sum(weight[k] for k in in_house_keys if k in weight)
        need = policy.min_in_house_share * total
        if ih < need - self.tol * max(1.0, need):
            what = "required agent-hours" if self.kind == "required_agents" else "contacts"
            self._add("in_house_share", "policy",
                      f"in-house {what} {_fmt(ih)} of {_fmt(total)} ({ih / total if total else 0:.4%}); "
                      f"at least {policy.min_in_house_share:.4%} required")

    # -- costs ---------------------------------------------------------------
    def _recomputed_costs(self) -> dict[str, float]:
        pay = 0.0
        for _, g, s, t0, count in self.shifts:
            grp, tpl = self.groups[g], self.templates[s]
            n = int(round(tpl.length_h * 60 / self.interval_min))
            start_h = float(self.hour[t0]) + self.minute[t0] / 60.0
            night = set(grp.night_hours)
            n_night = sum(1 for i in range(n) if int((start_h + i * self.interval_min / 60.0) % 24) in night)
            frac = n_night / n if n else 0.0
            pay += count * grp.rate_per_hour * tpl.paid_h * (1.0 + grp.night_premium * frac)
        n_weeks = self.P * self.interval_min / (7 * 24 * 60)
        heads = sum(grp.cost_per_head_per_week * self.heads.get(g, 0.0) * n_weeks for g, grp in self.groups.items())
        hours = contacts = fees = 0.0
        for _, v, _w, vals in self.vrows:
            vd = self.vendors[v]
            f = lambda k: vals[k] if math.isfinite(vals[k]) else 0.0  # noqa: E731
            if vd.pricing == "per_contact":
                contacts += (vd.price_per_contact or 0.0) * f("billed_contacts")
            else:
                hours += (vd.rate_per_hour or 0.0) * f("billed_hours")
            fees += f("fee")
        penalty = 0.0
        if self.soft is not None:
            penalty = self.soft.penalty_per_agent_hour * sum(r.shortfall for r in self.rows) * self.period_h
        return {
            "in_house_pay": pay,
            "in_house_headcount": heads,
            "vendor_hours": hours,
            "vendor_contacts": contacts,
            "vendor_fees": fees,
            "shortfall_penalty": penalty,
        }

    def _check_costs(self) -> None:
        unreadable = self.broken & {"staffing", "shifts", "headcount", "vendors"}
        if unreadable:
            self._add("malformed", "objective", f"cost not recomputed: table(s) {', '.join(sorted(unreadable))} unreadable")
            return
        expected = self._recomputed_costs()
        total = sum(expected.values())
        obj = _num(getattr(self.res, "objective", None))
        if not math.isfinite(obj):
            self._add("cost", "objective", f"no finite objective reported; recomputed {_fmt(total)}")
        elif not _money_close(obj, total):
            self._add("cost", "objective", f"objective {_fmt(obj)} but the plan costs {_fmt(total)}")

        df = self._table("costs", ["component", "amount"])
        if df is not None:
            reported: dict[str, float] = {}
            for comp, amount in df[["component", "amount"]].itertuples(index=False, name=None):
                a = _num(amount)
                if comp in reported:
                    self._add("malformed", f"cost component {comp}", "listed twice (summed)")
                if not math.isfinite(a):
                    self._add("malformed", f"cost component {comp}", f"amount {amount!r} is not a finite number")
                    a = 0.0
                reported[comp] = reported.get(comp, 0.0) + a
            for comp in COST_COMPONENTS:
                got = reported.get(comp, 0.0)
                if not _money_close(got, expected[comp]):
                    self._add("cost", f"cost component {comp}", f"reported {_fmt(got)}, recomputed {_fmt(expected[comp])}")
            for comp, got in reported.items():
                if comp not in COST_COMPONENTS and abs(got) > 1e-4:
                    self._add("cost", f"cost component {comp}", f"unknown component with amount {_fmt(got)}")

        kpis = getattr(self.res, "kpis", None)
        if isinstance(kpis, dict) and "total_cost" in kpis:
            k = _num(kpis["total_cost"])
            ref = obj if math.isfinite(obj) else total
            if not (math.isfinite(k) and _money_close(k, ref)):
                self._add("kpis", "kpis total_cost", f"total_cost {kpis['total_cost']!r} differs from the objective {_fmt(ref)}")


# ---------------------------------------------------------------------------


def _hours_mask(hours: set[int]) -> np.ndarray:
    mask = np.zeros(168, dtype=bool)
    mask[sorted(hours)] = True
    return mask


def _fit_reasons(q: Queue, languages: list[str], certifications: list[str], region: str, who: str) -> list[tuple[str, str]]:
    out = []
    if q.language not in languages:
        out.append(("language", f"{who} does not speak {q.language!r} (speaks {languages})"))
    missing = sorted(set(q.certifications) - set(certifications))
    if missing:
        out.append(("certification", f"{who} lacks certification(s) {missing}"))
    if q.regions is not None and region not in q.regions:
        out.append(("region", f"{who} sits in region {region!r}; the queue allows {q.regions}"))
    return out


def _erlang_requirements(queueing: Any, q: Queue, contacts: np.ndarray, aht: np.ndarray, interval_s: float) -> list[Any]:
    """Required agents per row from staffmix.queueing (vectorised, falling back to scalar calls)."""
    sl = q.service_level
    kw = dict(
        max_occupancy=1.0 if sl.max_occupancy is None else sl.max_occupancy,
        max_asa_s=sl.max_asa_s,
        patience_s=sl.patience_s,
        max_abandon=sl.max_abandon,
    )
    try:
        r = np.asarray(queueing.required_agents(contacts, aht, interval_s, sl.target, sl.within_s, **kw), dtype=float)
        if r.shape == contacts.shape:
            return [float(x) for x in r]
    except Exception:  # noqa: BLE001 - fall back to one call per row
        pass
    out: list[Any] = []
    cache: dict[tuple[float, float], Any] = {}
    for c, a in zip(contacts, aht):
        key = (float(c), float(a))
        if key not in cache:
            try:
                cache[key] = float(np.asarray(queueing.required_agents(key[0], key[1], interval_s, sl.target, sl.within_s, **kw)))
            except Exception as exc:  # noqa: BLE001
                cache[key] = f"staffmix.queueing.required_agents failed: {type(exc).__name__}: {exc}"
        out.append(cache[key])
    return out
