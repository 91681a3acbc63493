"""solve(scenario) -> Result: diagnose, build, hand to a solver by name, read the plan back.

Pure: the scenario is never changed and no state is kept between calls.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pulp

from staffmix.errors import StaffmixError
from staffmix.model import ModelData, Variables, _build, prepare
from staffmix.native_output import silenced_stdout
from staffmix.requirements import achieved_service, requirement_table, unserviceable
from staffmix.result import COST_COMPONENTS, UNSERVED, Result, Status, empty_table
from staffmix.scenario import IN_HOUSE, MAX_THREADS, Scenario

BACKENDS = ("cbc", "highs", "core")


@dataclass(frozen=True)
class SolveOptions:
    backend: str
    time_limit_s: float | None
    mip_gap: float
    threads: int | None
    work_limit: int | None = None
    """Deterministic mode (core only): a budget of solver work instead of time, the same plan on any machine."""

    def as_dict(self) -> dict[str, Any]:
        out = {"backend": self.backend, "time_limit_s": self.time_limit_s, "mip_gap": self.mip_gap, "threads": self.threads}
        if self.work_limit is not None:
            out["work_limit"] = self.work_limit
        return out


@dataclass(frozen=True)
class SolverOutcome:
    """What a backend reports, before the plan is read from the variables."""

    status: Status
    objective: float | None
    bound: float | None
    message: str = ""


def solve(
    scenario: Scenario | str | os.PathLike[str],
    backend: str | None = None,
    time_limit_s: float | None = None,
    mip_gap: float | None = None,
    threads: int | None = None,
    work_limit: int | None = None,
) -> Result:
    """Plan the scenario at least cost. Arguments left as None take the scenario's `solver` settings
    (default backend 'cbc', gap 1e-4, no time limit). `work_limit` (core only): deterministic mode,
    see docs/performance.md."""
    if not isinstance(scenario, Scenario):
        from staffmix.io import load_scenario

        scenario = load_scenario(scenario)
    opts = resolve_options(scenario, backend, time_limit_s, mip_gap, threads, work_limit)
    if opts.backend == "core":
        from staffmix.core import solve_core  # the fast core; imported only when asked for

        return solve_core(scenario, opts)
    return solve_reference(scenario, opts)


def resolve_options(
    scenario: Scenario, backend: str | None, time_limit_s: float | None, mip_gap: float | None, threads: int | None,
    work_limit: int | None = None,
) -> SolveOptions:
    s = scenario.config.solver
    opts = SolveOptions(
        backend=backend or s.backend,
        time_limit_s=time_limit_s if time_limit_s is not None else s.time_limit_s,
        mip_gap=mip_gap if mip_gap is not None else s.mip_gap,
        threads=threads if threads is not None else s.threads,
        work_limit=work_limit if work_limit is not None else s.work_limit,
    )
    if opts.backend not in BACKENDS:
        raise StaffmixError(f"unknown backend {opts.backend!r}; choose one of {', '.join(BACKENDS)}")
    if opts.time_limit_s is not None and not opts.time_limit_s > 0:
        raise StaffmixError(f"time_limit_s must be positive, got {opts.time_limit_s}")
    if not 0 <= opts.mip_gap <= 1:
        raise StaffmixError(f"mip_gap must be between 0 and 1, got {opts.mip_gap}")
    if opts.threads is not None and not 1 <= opts.threads <= MAX_THREADS:
        raise StaffmixError(f"threads must be between 1 and {MAX_THREADS}, got {opts.threads}")
    if opts.work_limit is not None:
        if isinstance(opts.work_limit, bool) or not isinstance(opts.work_limit, int) or opts.work_limit < 1:
            raise StaffmixError(f"work_limit must be a whole number >= 1, got {opts.work_limit!r}")
        if opts.backend != "core":
            raise StaffmixError(f"work_limit is a deterministic mode of the core backend; backend {opts.backend!r} has none")
    return opts


def infeasible_result(scenario: Scenario, opts: SolveOptions, diagnosis: pd.DataFrame, build_s: float) -> Result | None:
    """A Result with the pre-solve diagnosis, or None when every queue-period has a provider."""
    if diagnosis.empty:
        return None
    n = len(diagnosis)
    first = diagnosis.iloc[0]
    return Result(
        status=Status.infeasible,
        scenario=scenario.name,
        solver=opts.backend,
        build_s=build_s,
        options=opts.as_dict(),
        diagnosis=diagnosis,
        message=f"{n} queue-period{'s' if n > 1 else ''} no provider can serve; first: queue {first['queue']} at {first['period_start']}: {first['reason']}",
    )


def diagnose(scenario: Scenario, data: ModelData) -> pd.DataFrame:
    """Queue-periods with no provider (hard service level), incl. weekly slots no provider can hold every week."""
    if scenario.config.policy.soft_service_level is not None:
        return empty_table("diagnosis")
    diag = unserviceable(scenario, data.requirements)
    known = set(zip(diag["queue"], diag["period"]))
    extra = []
    for (q, t), slot in data.slot_of.items():
        if not data.slot_providers[slot] and (q, t) not in known:
            extra.append((q, t, data.periods["period_start"].iloc[t],
                          "weekly routing: no single provider can take this hour in every week"))
    if extra:
        diag = pd.concat([diag, pd.DataFrame(extra, columns=diag.columns)], ignore_index=True)
    return diag


def solve_reference(scenario: Scenario, opts: SolveOptions) -> Result:
    """The PuLP model solved by CBC or HiGHS."""
    t0 = time.perf_counter()
    data = prepare(scenario, requirement_table(scenario))
    early = infeasible_result(scenario, opts, diagnose(scenario, data), time.perf_counter() - t0)
    if early is not None:
        return early
    prob, var = _build(data)
    build_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    outcome = REFERENCE_SOLVERS[opts.backend](prob, opts)
    solve_s = time.perf_counter() - t1
    base = Result(
        status=outcome.status, scenario=scenario.name, solver=opts.backend,
        build_s=build_s, solve_s=solve_s, options=opts.as_dict(), message=outcome.message, model=prob,
    )
    if outcome.status == Status.infeasible and not data.soft:
        base = with_explanation(base, scenario, opts)
    if not outcome.status.has_plan:
        return base
    values = {v.name: v.varValue for v in prob.variables()}
    return extract_plan(base, data, var, lambda v: values.get(v.name), outcome)


def with_explanation(base: Result, scenario: Scenario, opts: SolveOptions) -> Result:
    """An infeasible result with the queue-periods that stay short (when that is what makes it infeasible)."""
    diagnosis = explain_infeasible(scenario, opts)
    if diagnosis.empty:
        return base
    n = diagnosis["queue"].nunique()
    return base.with_(diagnosis=diagnosis, message=(
        f"no plan meets every rule: {len(diagnosis)} queue-periods in {n} queue{'s' if n > 1 else ''} "
        f"stay short even at any cost (first: {diagnosis['queue'].iloc[0]} at {diagnosis['period_start'].iloc[0]}); "
        "headcount, weekly hours, vendor capacity or policy limits are too tight"))


def explain_infeasible(scenario: Scenario, opts: SolveOptions) -> pd.DataFrame:
    """Find where an infeasible plan falls short: re-solve with a (huge) soft service-level penalty
    and list the queue-periods left short. Empty if that does not explain it (e.g. a policy rule)."""
    from staffmix.scenario import SoftServiceLevel

    policy = scenario.config.policy.model_copy(update={"soft_service_level": SoftServiceLevel(penalty_per_agent_hour=1e6)})
    elastic = Scenario(config=scenario.config.model_copy(update={"policy": policy}), demand=scenario.demand, source=scenario.source)
    if opts.backend == "core":
        from staffmix.core import solve_core

        result = solve_core(elastic, opts)
    else:
        result = solve_reference(elastic, opts)
    if not result.status.has_plan:
        return empty_table("diagnosis")
    unmet = result.unmet
    reason = [
        "left unserved: no capacity can be bought for it" if p == UNSERVED
        else f"{short:.2f} agents short of {req}: in-house capacity (headcount, weekly hours, shifts) runs out"
        for p, short, req in zip(unmet["provider"], unmet["shortfall"], unmet["required"])
    ]
    return pd.DataFrame({"queue": unmet["queue"], "period": unmet["period"], "period_start": unmet["period_start"], "reason": reason})


# --------------------------------------------------------------- backends
def _solve_cbc(prob: pulp.LpProblem, opts: SolveOptions) -> SolverOutcome:
    with tempfile.TemporaryDirectory(prefix="staffmix-cbc-") as tmp:
        log = Path(tmp) / "cbc.log"
        solver = pulp.PULP_CBC_CMD(
            msg=False, timeLimit=opts.time_limit_s, gapRel=opts.mip_gap, threads=opts.threads, logPath=str(log)
        )
        solver.tmpDir = tmp  # PuLP's model and solution files too: removed with the folder even when CBC crashes
        if not solver.available():
            return SolverOutcome(Status.error, None, None, (
                f"CBC is not available: PuLP's bundled cbc binary is missing or cannot run ({solver.path}); "
                "reinstall pulp, or use backend 'highs'"))
        try:
            prob.solve(solver)
        except Exception as exc:  # noqa: BLE001 - a crashed or killed solver process, an unreadable solution file
            return SolverOutcome(Status.error, None, None, _solver_failure("CBC", exc, log))
        text = log.read_text(errors="replace") if log.exists() else ""
    objective = _objective_value(prob) if prob.sol_status in (1, 2) else None
    return SolverOutcome(*_cbc_status(prob, text, objective, opts))


def _solver_failure(name: str, exc: BaseException, log: Path | None = None) -> str:
    """One line on a solver that failed: what PuLP saw, in plain words, and the last line of the solver's log."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    if isinstance(exc, pulp.PulpSolverError) and "Error while trying to execute" in first:
        what = "the solver process stopped with an error or was killed before it wrote a solution"
    elif isinstance(exc, pulp.PulpSolverError) and "Error while executing" in first:
        what = "the solver process ended without writing a solution"
    elif isinstance(exc, pulp.PulpSolverError):
        what = first or "PuLP reported a solver error"
    else:  # e.g. PuLP reading back a solution file or a model the solver refused
        what = f"the solver failed or its answer could not be read ({type(exc).__name__}: {first})"
    message = f"{name} failed: {what}"
    tail = ""
    if log is not None:
        try:
            lines = [line.strip() for line in log.read_text(errors="replace").splitlines() if line.strip()]
            tail = lines[-1] if lines else ""
        except OSError:
            pass
    if tail:
        message += f"; its log ends with: {tail}"
    return message if len(message) <= 400 else message[:397] + "..."


def _objective_value(prob: pulp.LpProblem) -> float:
    """The objective at the solution. Variables without a value count 0: PuLP puts a `__dummy`
    variable into an empty objective (no demand, nothing priced), CBC never sees it, and
    pulp.value() then answers None for a proven-optimal empty plan."""
    obj = prob.objective
    if obj is None:
        return 0.0
    return float(obj.constant + sum(c * (v.varValue or 0.0) for v, c in obj.items()))


def _cbc_status(prob: pulp.LpProblem, log: str, objective: float | None, opts: SolveOptions) -> tuple[Status, float | None, float | None, str]:
    """Read the solution status (not only the problem status: PuLP says Optimal on a CBC time-out) and the bound."""
    stopped = bool(re.search(r"Result - Stopped on (time|iterations|nodes)", log))
    bound_match = re.findall(r"Lower bound:\s+(-?[\d.eE+-]+)", log)
    bound = float(bound_match[-1]) if bound_match else None
    if prob.sol_status == pulp.LpSolutionInfeasible or prob.status == pulp.LpStatusInfeasible:
        return Status.infeasible, None, None, "the solver proved the model infeasible"
    if objective is None:
        if stopped:
            return Status.no_solution, None, bound, "stopped on the time limit before finding a plan"
        return Status.error, None, None, f"CBC returned no plan (status {pulp.LpStatus[prob.status]})"
    objective = float(objective)
    if stopped:
        if bound is None:
            bound = objective if prob.sol_status == pulp.LpSolutionOptimal else None
        return Status.feasible, objective, bound, "stopped on the time limit"
    if bound is None:
        # CBC proved optimality within gapRel; the bound it closed on is not printed.
        bound = objective * (1 - opts.mip_gap) if objective >= 0 else objective
        bound_from_gap = True
    else:
        bound_from_gap = False
    return Status.optimal, objective, bound, "bound from the requested gap" if bound_from_gap else ""


def _solve_highs(prob: pulp.LpProblem, opts: SolveOptions) -> SolverOutcome:
    solver = pulp.HiGHS(msg=False, timeLimit=opts.time_limit_s, gapRel=opts.mip_gap, threads=opts.threads)
    if not solver.available():
        return SolverOutcome(Status.error, None, None, "HiGHS is not available: install highspy (pip install highspy), or use backend 'cbc'")
    if opts.threads is not None:
        # HiGHS keeps one thread pool per process and refuses ('Not Set') a solve asking for another
        # thread count than the pool was started with; rebuild the pool first.
        try:
            import highspy

            highspy.Highs.resetGlobalScheduler(True)
        except Exception:  # noqa: BLE001  # pragma: no cover - an older highspy without it
            pass
    try:
        with silenced_stdout():  # highspy >= 1.16 prints a banner when PuLP creates its Highs object
            prob.solve(solver)
    except Exception as exc:  # noqa: BLE001 - e.g. PuLP failing to read back a model HiGHS refused
        model = getattr(prob, "solverModel", None)
        try:
            state = f" (HiGHS model status: {model.modelStatusToString(model.getModelStatus())})" if model is not None else ""
        except Exception:  # noqa: BLE001
            state = ""
        return SolverOutcome(Status.error, None, None, _solver_failure("HiGHS", exc) + state)
    h = prob.solverModel
    model_status = h.getModelStatus()
    info = h.getInfo()
    import highspy

    ms = highspy.HighsModelStatus
    has_plan = info.primal_solution_status == 2  # kSolutionStatusFeasible
    objective = float(info.objective_function_value) if has_plan else None
    bound = float(info.mip_dual_bound) if math.isfinite(info.mip_dual_bound) else None
    if model_status == ms.kOptimal:
        return SolverOutcome(Status.optimal, objective, bound if bound is not None else objective)
    if model_status in (ms.kInfeasible, ms.kUnboundedOrInfeasible):
        return SolverOutcome(Status.infeasible, None, None, "the solver proved the model infeasible")
    if model_status in (ms.kTimeLimit, ms.kIterationLimit, ms.kSolutionLimit, ms.kInterrupt):
        if has_plan:
            return SolverOutcome(Status.feasible, objective, bound, "stopped on the time limit")
        return SolverOutcome(Status.no_solution, None, bound, "stopped on the time limit before finding a plan")
    why = " (it did not solve: an option or the model was refused)" if model_status == ms.kNotset else ""
    return SolverOutcome(Status.error, objective, bound, f"HiGHS ended with {h.modelStatusToString(model_status)}{why}")


REFERENCE_SOLVERS: dict[str, Callable[[pulp.LpProblem, SolveOptions], SolverOutcome]] = {
    "cbc": _solve_cbc,
    "highs": _solve_highs,
}


# ---------------------------------------------------------- plan extraction
def extract_plan(
    base: Result, data: ModelData, var: Variables, value: Callable[[Any], float | None], outcome: SolverOutcome
) -> Result:
    """Read the plan from variable values into the Result tables (shared by every backend)."""
    val = lambda v: 0.0 if v is None or value(v) is None else float(value(v))  # noqa: E731
    scenario = data.scenario
    config = scenario.config
    h = config.horizon
    interval_s = h.interval_min * 60.0
    period_start = data.periods["period_start"]

    # routing: chosen provider per queue-period
    chosen: dict[tuple[str, int], str] = {}
    for key, slot in data.slot_of.items():
        best, best_val = UNSERVED, val(var.unserved.get(slot)) if data.soft else -1.0
        for p in data.slot_providers[slot]:
            v = val(var.z[(slot, p)])
            if v > best_val + 1e-9:
                best, best_val = p, v
        chosen[key] = best

    # assignments (in-house queue-periods only), integers of shifts
    a_rows = [(t, g, q, val(v)) for (g, q, t), v in var.a.items() if chosen.get((q, t)) == IN_HOUSE]
    assignments = pd.DataFrame(a_rows, columns=["period", "group", "queue", "agents"])
    assignments = assignments[assignments["agents"] > 1e-7].sort_values(["period", "group", "queue"]).reset_index(drop=True)
    assigned = assignments.groupby(["queue", "period"])["agents"].sum().to_dict()

    req = data.requirements.set_index(["queue", "period", "provider"])
    base_req = data.base.set_index(["queue", "period"])
    rows = []
    for (q, t), p in chosen.items():
        contacts = float(base_req.at[(q, t), "contacts"])
        if p == UNSERVED:
            required = int(base_req.at[(q, t), "required"])
            rows.append((t, q, p, contacts, required, 0.0, float(required), np.nan))
            continue
        r = req.loc[(q, t, p)]
        required = int(r["required"])
        if p == IN_HOUSE:
            staffed = assigned.get((q, t), 0.0)
            shortfall = val(var.u.get((q, t))) if data.soft else 0.0
        else:
            staffed, shortfall = float(required), 0.0
        rows.append((t, q, p, contacts, required, staffed, shortfall, float(r["aht_s"])))
    staffing = pd.DataFrame(rows, columns=["period", "queue", "provider", "contacts", "required", "staffed", "shortfall", "aht_s"])
    # typed even when empty (no demand at all), so the period column can index arrays
    staffing = staffing.astype({"period": np.int64, "contacts": float, "required": np.int64, "staffed": float, "shortfall": float, "aht_s": float})
    staffing = staffing.sort_values(["period", "queue"]).reset_index(drop=True)
    staffing.insert(1, "period_start", period_start.iloc[staffing["period"].to_numpy()].to_numpy())
    staffing = _add_service(staffing, config, interval_s, scenario.demand_kind)

    # shifts and headcount
    counts = np.array([round(val(var.x[i])) for i in data.starts.index], dtype=np.int64) if len(data.starts) else np.zeros(0, np.int64)
    shifts = data.starts.assign(count=counts)[lambda d: d["count"] > 0]
    shifts = shifts.assign(start=period_start.iloc[shifts["start_period"].to_numpy()].to_numpy())[
        ["group", "template", "start_period", "start", "count"]
    ].reset_index(drop=True)
    headcount = least_headcount(data, shifts)

    # vendors
    vrows = []
    weeks = range(len(data.week_fraction))
    for v in config.vendors:
        used = val(var.y[v.id]) > 0.5
        mine = staffing[staffing["provider"] == v.id]
        week_of = data.periods["week"].to_numpy()[mine["period"].to_numpy()]
        for w in weeks:
            in_w = week_of == w
            used_hours = float(mine["staffed"].to_numpy()[in_w].sum() * h.period_h)
            used_contacts = float(mine["contacts"].to_numpy()[in_w].sum())
            if not used and used_hours == 0 and used_contacts == 0:
                continue
            billed = val(var.billed[(v.id, w)])
            frac = float(data.week_fraction[w])
            fee = v.fee_per_week * frac if used else 0.0
            if v.pricing == "per_contact":
                billed_h, billed_c = 0.0, max(billed, used_contacts)
                cost = v.price_per_contact * billed_c + fee
            else:
                billed_h, billed_c = max(billed, used_hours), 0.0
                cost = v.rate_per_hour * billed_h + fee
            vrows.append((v.id, w, used_hours, billed_h, used_contacts, billed_c, fee, cost))
    vendors = pd.DataFrame(vrows, columns=["vendor", "week", "used_hours", "billed_hours", "used_contacts", "billed_contacts", "fee", "cost"])

    costs = cost_breakdown(data, shifts, headcount, vendors, staffing)
    total = float(costs["amount"].sum())
    result = base.with_(
        objective=total,
        bound=outcome.bound,
        gap=relative_gap(total, outcome.bound),
        staffing=staffing,
        shifts=shifts,
        headcount=headcount,
        assignments=assignments,
        vendors=vendors,
        costs=costs,
    )
    return result.with_(kpis=compute_kpis(result, data))


def _add_service(staffing: pd.DataFrame, config: Any, interval_s: float, demand_kind: str) -> pd.DataFrame:
    n = len(staffing)
    sl, asa, occ = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    if demand_kind == "contacts":
        for q in config.queues:
            m = ((staffing["queue"] == q.id) & (staffing["provider"] != UNSERVED)).to_numpy()
            if m.any():
                sl[m], asa[m], occ[m] = achieved_service(
                    q, staffing["staffed"].to_numpy()[m],
                    staffing["contacts"].to_numpy()[m], staffing["aht_s"].to_numpy()[m], interval_s,
                )
        unserved = (staffing["provider"] == UNSERVED).to_numpy()
        sl[unserved], asa[unserved], occ[unserved] = 0.0, np.inf, np.nan
    return staffing.drop(columns=["aht_s"]).assign(service_level=sl, asa_s=asa, occupancy=occ)


def least_headcount(data: ModelData, shifts: pd.DataFrame) -> pd.DataFrame:
    """The fewest heads per group that can work the plan's shifts: its minimum, one shift per head per
    day, weekly paid hours within the contract. The solver's own value is only an upper bound when
    heads are unpriced, and a planner reads this column as "people to employ"."""
    config = data.scenario.config
    starts = data.starts.loc[:, ["group", "template", "start_period", "day", "week", "paid_h"]]
    plan = starts.merge(shifts[["group", "template", "start_period", "count"]], on=["group", "template", "start_period"])
    rows = []
    for g in config.groups:
        mine = plan[plan["group"] == g.id]
        need = g.min_headcount
        if len(mine):
            need = max(need, int(mine.groupby("day")["count"].sum().max()))
            hours = (mine["paid_h"] * mine["count"]).groupby(mine["week"]).sum()
            limit = g.max_hours_per_week * np.array([data.week_fraction[int(w)] for w in hours.index])
            need = max(need, int(np.ceil((hours.to_numpy() / limit).max() - 1e-6)))
        rows.append((g.id, need))
    return pd.DataFrame(rows, columns=["group", "headcount"])


def cost_breakdown(data: ModelData, shifts: pd.DataFrame, headcount: pd.DataFrame, vendors: pd.DataFrame, staffing: pd.DataFrame) -> pd.DataFrame:
    """The objective by component, recomputed from the plan's integers (not the solver's floats)."""
    config = data.scenario.config
    n_weeks = config.horizon.periods * config.horizon.interval_min / (7 * 24 * 60)
    shift_cost = data.starts.set_index(["group", "template", "start_period"])["cost"]
    pay = float((shift_cost.reindex(list(zip(shifts["group"], shifts["template"], shifts["start_period"]))).to_numpy() * shifts["count"].to_numpy()).sum()) if len(shifts) else 0.0
    per_head = {g.id: g.cost_per_head_per_week for g in config.groups}
    heads = float(sum(per_head[g] * h * n_weeks for g, h in zip(headcount["group"], headcount["headcount"])))
    rate = {v.id: (v.rate_per_hour or 0.0) for v in config.vendors}
    price = {v.id: (v.price_per_contact or 0.0) for v in config.vendors}
    hours = float(sum(rate[v] * b for v, b in zip(vendors["vendor"], vendors["billed_hours"])))
    contacts = float(sum(price[v] * b for v, b in zip(vendors["vendor"], vendors["billed_contacts"])))
    fees = float(vendors["fee"].sum()) if len(vendors) else 0.0
    soft = config.policy.soft_service_level
    penalty = float(soft.penalty_per_agent_hour * staffing["shortfall"].sum() * config.horizon.period_h) if soft else 0.0
    amounts = dict(zip(COST_COMPONENTS, (pay, heads, hours, contacts, fees, penalty)))
    return pd.DataFrame({"component": list(amounts), "amount": list(amounts.values())})


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None:
        return None
    return max(0.0, objective - bound) / max(abs(objective), 1e-9)


def compute_kpis(result: Result, data: ModelData) -> dict[str, Any]:
    """Headline numbers: cost, cost per contact, in-house share, service levels, night share outsourced."""
    s = result.staffing
    total_contacts = float(s["contacts"].sum())
    in_house = float(s.loc[s["provider"] == IN_HOUSE, "contacts"].sum())
    night_hours = set()
    for g in data.scenario.config.groups:
        night_hours |= set(g.night_hours)
    night_hours = night_hours or {22, 23, 0, 1, 2, 3, 4, 5}
    hours = data.periods["hour"].to_numpy()[s["period"].to_numpy()] if len(s) else np.zeros(0, int)
    night = np.isin(hours, list(night_hours))
    night_contacts = float(s["contacts"].to_numpy()[night].sum())
    night_vendor = float(s["contacts"].to_numpy()[night & ~s["provider"].isin([IN_HOUSE, UNSERVED]).to_numpy()].sum())
    kpis: dict[str, Any] = {
        "total_cost": result.objective,
        "contacts": total_contacts,
        "cost_per_contact": result.objective / total_contacts if total_contacts else None,
        "in_house_share": in_house / total_contacts if total_contacts else None,
        "night_share_outsourced": night_vendor / night_contacts if night_contacts else None,
        "vendors_used": sorted(set(s["provider"]) - {IN_HOUSE, UNSERVED}),
        "unmet_periods": int(((s["shortfall"] > 1e-6) | (s["provider"] == UNSERVED)).sum()),
    }
    overall = result.service("overall")
    kpis["service_level"] = float(overall["service_level"].iloc[0]) if len(overall) else None
    for _, row in result.service("queue").iterrows():
        kpis[f"service_level.{row['queue']}"] = float(row["service_level"])
    return kpis
