"""The roster as a CP-SAT model: which named agent works each planned shift.

One boolean per (agent, slot of the agent's group the agent can work: not
unavailable). The constraints, one function each, in the order of docs/roster.md:

- coverage: every slot's planned count is worked by exactly that many agents;
- one shift per agent per local day; `works[a][d]` is that day's sum;
- rest: for every start time t, the shifts whose [start, end + min_rest) holds t
  pairwise break the rest rule, so at most one of them (a clique per time point
  covers every conflicting pair; a cyclic horizon wraps);
- days off per ISO week, and a block of `consecutive_days_off` of them in a row;
- caps on consecutive working days and consecutive night shifts (sliding windows);
- paid hours at most contract x weeks x (1 + tolerance).

The objective (integers): minutes below contract x weeks x (1 - tolerance),
preference misses (early/late, weekends off), and the spread of nights plus
weekend shifts between the most and least loaded agent of each group (fairness).
`relax` drops named rules: the diagnosis re-solves without one rule at a time
to say which binds. ortools is imported here only, inside the function.
"""

from __future__ import annotations

import contextvars
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from staffmix.rostering.agent_rules import can_work, prefers_not, required_days_off
from staffmix.rostering.agents import Agent
from staffmix.rostering.slots import Calendar, Slot
from staffmix.util import solve_progress as progress

if TYPE_CHECKING:
    from ortools.sat.python.cp_model import IntVar

SHORT_WEIGHT_PER_MIN = 1
"""Objective points per paid minute below an agent's lower contract bound (60 an hour)."""
PREFERENCE_WEIGHT = 30
"""Objective points per shift against an agent's preference (half an hour short)."""
FAIRNESS_UNIT = 60
"""Objective points per night or weekend shift of spread within a group, times the fairness weight."""
UNCOVERED_WEIGHT = 1_000_000
"""Objective points per shift left unworked in a partial solve (the diagnosis's: as many shifts worked as the
rules allow)."""
RULES = ("rest", "days_off", "consecutive_days_off", "max_consecutive_work_days", "max_consecutive_nights", "hours")
"""The rules `relax` may drop, by name."""


@dataclass
class ModelOutcome:
    """What the CP-SAT solve gave: status, objective, bound, and the slots each agent works."""

    status: str
    """optimal, feasible, infeasible, unknown (stopped with no roster) or error (an invalid model)."""
    objective: float | None = None
    bound: float | None = None
    works: dict[int, list[int]] = field(default_factory=dict)
    """Agent index -> slot indexes the agent works."""
    wall_s: float = 0.0
    variables: int = 0
    uncovered: dict[int, int] = field(default_factory=dict)
    """Partial solves: slot index -> planned shifts no agent works."""


def solve_roster(
    slots: list[Slot],
    cal: Calendar,
    agents: list[Agent],
    rules,
    *,
    time_limit_s: float | None = None,
    threads: int | None = None,
    work_limit: float | None = None,
    relax: frozenset[str] = frozenset(),
    report: bool = True,
    partial: bool = False,
    hint: bool = True,
) -> ModelOutcome:
    """Build the CP-SAT model and solve it; `report` sends incumbents and bounds to the running progress listener.

    `partial`: slots may be left short (at a cost far above every other term), so an infeasible roster
    still says how many shifts of which slot the rules leave unworked."""
    from ortools.sat.python import cp_model

    started = time.perf_counter()
    m = cp_model.CpModel()
    x: dict[tuple[int, int], IntVar] = {}
    for a, agent in enumerate(agents):
        for k, slot in enumerate(slots):
            if can_work(agent, slot):
                x[a, k] = m.new_bool_var(f"x_{a}_{k}")
    by_agent: dict[int, list[int]] = {}
    for a, k in x:
        by_agent.setdefault(a, []).append(k)
    objective = _coverage(m, slots, x, len(agents), partial)
    works = _one_shift_a_day(m, slots, cal, x, by_agent)
    if "rest" not in relax:
        _rest(m, slots, cal, x, by_agent, rules.min_rest_h)
    add_days_off(m, cal, works, by_agent, rules, relax)
    add_consecutive_caps(m, slots, cal, x, by_agent, works, rules, relax)
    objective += _hours(m, slots, cal, agents, x, by_agent, rules, relax)
    objective += _preferences(slots, agents, x)
    objective += _fairness(m, slots, agents, x, by_agent, rules.fairness.weight)
    given: set[tuple[int, int]] | None = None
    if hint:
        from staffmix.rostering.greedy import greedy_roster

        given = greedy_roster(slots, cal, agents, rules)
        for key, var in x.items():
            m.add_hint(var, key in given)
    starts = _starts(slots, cal, given)
    code, solver, value, bound = _two_phases(
        cp_model, m, objective, x, starts, threads, time_limit_s, work_limit, report, started
    )
    status = {
        cp_model.OPTIMAL: "optimal",
        cp_model.FEASIBLE: "feasible",
        cp_model.INFEASIBLE: "infeasible",
        cp_model.MODEL_INVALID: "error",
    }.get(code, "unknown")
    out = ModelOutcome(status, wall_s=time.perf_counter() - started, variables=len(x))
    if status in ("optimal", "feasible"):
        out.objective, out.bound = value, bound
        for (a, k), var in x.items():
            if solver.boolean_value(var):
                out.works.setdefault(a, []).append(k)
        worked = [0] * len(slots)
        for ks in out.works.values():
            for k in ks:
                worked[k] += 1
        out.uncovered = {k: slot.count - worked[k] for k, slot in enumerate(slots) if worked[k] < slot.count}
    return out


FIRST_PHASE_SHARE = 0.5
"""Share of the time (or work) limit the first phase, a roster without the objective, may take at most."""


def _solver(cp_model, threads, time_limit_s, work_limit):
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = threads or 1
    solver.parameters.random_seed = 0
    if time_limit_s is not None:
        solver.parameters.max_time_in_seconds = max(0.01, float(time_limit_s))
    if work_limit is not None:
        solver.parameters.max_deterministic_time = max(0.01, float(work_limit))
    return solver


REPAIR_RADIUS_DAYS = 1
"""Days either side of a day the greedy left short that the repair solve frees. One: on a four-week cyclic team
with one agent spare (475 of 480 shifts from the greedy) it rosters within a work limit of 20, where three days
(64 of 112 slots free) and the whole model do not."""


def _starts(slots: list[Slot], cal: Calendar, given: set[tuple[int, int]] | None) -> list[tuple[set, set[int]]]:
    """The starts `_two_phases` tries, in order: (greedy roster, slots left free). The whole greedy roster first;
    when it leaves shifts uncovered, then the greedy roster with the slots of the days near those shifts freed for
    CP-SAT to repair."""
    if given is None:
        return []
    worked = [0] * len(slots)
    for _, k in given:
        worked[k] += 1
    short_days = {s.day for k, s in enumerate(slots) if worked[k] < s.count}
    if not short_days:
        return [(given, set())]
    n = len(cal.days)
    near = range(-REPAIR_RADIUS_DAYS, REPAIR_RADIUS_DAYS + 1)
    free_days = {(d + i) % n if cal.cyclic else d + i for d in short_days for i in near}
    return [(given, set()), (given, {k for k, s in enumerate(slots) if s.day in free_days})]


def _two_phases(cp_model, m, objective, x, starts, threads, time_limit_s, work_limit, report, started):
    """First any roster, then, from it as a complete hint (every variable), the best roster in the time left.

    The first roster is the greedy one when the model accepts it: checked by a solve with every assignment fixed
    to it, which is propagation only; when the greedy left shifts uncovered, a solve with only the days near them
    free repairs it (a small model). Otherwise CP-SAT's feasibility search (no objective: it finds a roster of a
    tight instance far sooner) gets FIRST_PHASE_SHARE of the limits. Returns (status
    code, the solver holding the values, objective, bound); when the second phase finds nothing in its
    time, the first roster is kept with its objective evaluated and no bound."""
    share = FIRST_PHASE_SHARE
    first_limits = (
        None if time_limit_s is None else time_limit_s * share,
        None if work_limit is None else work_limit * share,
    )
    code, used_s, used_work = cp_model.UNKNOWN, 0.0, 0.0
    for given, free_slots in starts:  # the greedy roster, then its repair: each within half the first phase's limits
        first = _solver(cp_model, threads, *(None if limit is None else limit / 2 for limit in first_limits))
        code = first.solve(_fixed(m, x, given, free_slots))
        used_s, used_work = used_s + first.wall_time, used_work + first.deterministic_time
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            break
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        time_left, work_left = first_limits
        first = _solver(cp_model, threads, None if time_left is None else time_left - used_s,
                        None if work_left is None else work_left - used_work)
        code = first.solve(m)
        used_work += first.deterministic_time
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return code, first, None, None
    total = sum(objective) if objective else 0
    m.clear_hints()
    for i in range(len(m.proto.variables)):
        var = m.get_int_var_from_proto_index(i)
        m.add_hint(var, first.value(var))
    m.minimize(total)
    spent = time.perf_counter() - started
    second = _solver(
        cp_model,
        threads,
        None if time_limit_s is None else time_limit_s - spent,
        None if work_limit is None else work_limit - used_work,
    )
    callback = _Progress(cp_model) if report else None
    code2 = second.solve(m, callback) if callback is not None else second.solve(m)
    if code2 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return code2, second, float(second.objective_value), float(second.best_objective_bound)
    return cp_model.FEASIBLE, first, float(first.value(total)), None


def _fixed(m, x, given, free_slots: set[int]):
    """A copy of the model with the assignment of every slot but `free_slots` fixed to the greedy roster's
    (none free: the greedy roster checked by propagation alone)."""
    fixed = m.clone()
    for (a, k), var in x.items():
        if k in free_slots:
            continue
        value = int((a, k) in given)
        domain = fixed.proto.variables[var.index].domain  # a boolean's domain is [0, 1]: fixed to [value, value]
        domain[0] = domain[1] = value
    return fixed


def _Progress(cp_model):
    """A solution callback that reports each roster's objective and the bound to this thread's progress listener
    (CP-SAT may call it from its own thread, so it runs in a copy of the caller's context)."""
    context = contextvars.copy_context()

    class Callback(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            context.run(progress.incumbent, self.objective_value)
            context.run(progress.bound, self.best_objective_bound)

    return Callback()


def _coverage(m, slots: list[Slot], x, n_agents: int, partial: bool) -> list:
    """Each slot worked by exactly its planned count (partial: at most, each shift short costing UNCOVERED_WEIGHT)."""
    terms = []
    for k, slot in enumerate(slots):
        worked = sum(x[a, k] for a in range(n_agents) if (a, k) in x)
        if partial:
            m.add(worked <= slot.count)
            terms.append(UNCOVERED_WEIGHT * (slot.count - worked))
        else:
            m.add(worked == slot.count)
    return terms


def _one_shift_a_day(m, slots: list[Slot], cal: Calendar, x, by_agent) -> dict[int, list]:
    """At most one shift start per agent and day; returns agent -> per day the expression of shifts started (0 or 1)."""
    works: dict[int, list] = {}
    for a, ks in by_agent.items():
        per_day: list[list] = [[] for _ in cal.days]
        for k in ks:
            per_day[slots[k].day].append(x[a, k])
        for terms in per_day:
            if len(terms) > 1:
                m.add_at_most_one(terms)
        works[a] = [sum(terms) if terms else 0 for terms in per_day]
    return works


def _rest(m, slots: list[Slot], cal: Calendar, x, by_agent, min_rest_h: float) -> None:
    rest_min = round(min_rest_h * 60)
    for a, ks in by_agent.items():
        seen: set[tuple[int, ...]] = set()
        for t in sorted({slots[k].start_min for k in ks}):
            clique = tuple(k for k in ks if _holds(slots[k], t, rest_min, cal))
            if len(clique) > 1 and clique not in seen:
                seen.add(clique)
                m.add_at_most_one([x[a, k] for k in clique])


def _holds(slot: Slot, t: int, rest_min: int, cal: Calendar) -> bool:
    """Whether time t lies in [start, end + rest) of the slot (modulo the horizon when it wraps)."""
    span = slot.end_min - slot.start_min + rest_min
    offset = (t - slot.start_min) % cal.horizon_min if cal.cyclic else t - slot.start_min
    return 0 <= offset < span


def add_days_off(m, cal: Calendar, works, by_agent, rules, relax) -> None:
    """Per ISO week at most its days less its share of days_off_per_week worked, and a block of consecutive_days_off
    days off in it. `works[a]`: agent a's per-day expression of shifts started (0 or 1); also the feedback's choice
    of working days (work_days.py)."""
    k_off = rules.consecutive_days_off
    for days in cal.week_days().values():
        off = required_days_off(rules, len(days))
        for a in by_agent:
            w = works[a]
            if "days_off" not in relax and off:
                m.add(sum(w[d] for d in days) <= len(days) - off)
            if "consecutive_days_off" not in relax and k_off >= 2 and off >= k_off and len(days) >= k_off:
                blocks = []
                for j in range(len(days) - k_off + 1):
                    y = m.new_bool_var("")
                    for i in range(k_off):
                        m.add(w[days[j + i]] + y <= 1)
                    blocks.append(y)
                m.add_bool_or(blocks)


def add_consecutive_caps(m, slots: list[Slot], cal: Calendar, x, by_agent, works, rules, relax) -> None:
    """At most max_consecutive_work_days days, and max_consecutive_nights nights, in any window one day longer
    (across a cyclic horizon's wrap)."""
    n = len(cal.days)
    caps: list[tuple[int, str | None]] = []
    if "max_consecutive_work_days" not in relax and rules.max_consecutive_work_days is not None:
        caps.append((rules.max_consecutive_work_days, None))
    if "max_consecutive_nights" not in relax and rules.max_consecutive_nights is not None:
        caps.append((rules.max_consecutive_nights, "night"))
    for cap, kind in caps:
        if cap >= n:
            continue
        starts = range(n) if cal.cyclic else range(n - cap)
        for a, ks in by_agent.items():
            if kind is None:
                per_day = works[a]
            else:
                per_day = [0] * n
                for k in ks:
                    if slots[k].night:
                        per_day[slots[k].day] = per_day[slots[k].day] + x[a, k]
            for s in starts:
                window = [per_day[(s + i) % n] for i in range(cap + 1)]
                if any(not isinstance(v, int) for v in window):
                    m.add(sum(window) <= cap)


def _hours(m, slots: list[Slot], cal: Calendar, agents: list[Agent], x, by_agent, rules, relax) -> list:
    """Paid minutes at most the contract's upper bound (hard); minutes below its lower bound as objective terms."""
    terms = []
    tol = rules.hours_tolerance_share
    for a, ks in by_agent.items():
        paid = sum(slots[k].paid_min * x[a, k] for k in ks)
        contract_min = agents[a].contract_h_per_week * 60 * cal.horizon_weeks
        if "hours" not in relax:
            m.add(paid <= int(contract_min * (1 + tol) + 1e-6))
        low = int(contract_min * (1 - tol) + 1e-6)
        short = m.new_int_var(0, max(low, 0), "")
        m.add(short >= low - paid)
        terms.append(SHORT_WEIGHT_PER_MIN * short)
    return terms


def _preferences(slots: list[Slot], agents: list[Agent], x) -> list:
    return [PREFERENCE_WEIGHT * miss * var for (a, k), var in x.items() if (miss := prefers_not(agents[a], slots[k]))]


def _fairness(m, slots: list[Slot], agents: list[Agent], x, by_agent, weight: float) -> list:
    if weight <= 0:
        return []
    terms = []
    groups = sorted({agents[a].group for a in by_agent})
    for g in groups:
        members = [a for a in by_agent if agents[a].group == g]
        loads = [sum(x[a, k] for k in by_agent[a] if slots[k].night or slots[k].weekend) for a in members]
        if len(loads) < 2:
            continue
        most, least = m.new_int_var(0, len(slots), ""), m.new_int_var(0, len(slots), "")
        for load in loads:
            m.add(most >= load)
            m.add(least <= load)
        terms.append(round(weight * FAIRNESS_UNIT) * (most - least))
    return terms


STATUS_ORDER = ("error", "infeasible", "unknown", "feasible", "optimal")
"""Worst first: the status of a roster solved group by group is its worst group's."""


def solve_by_group(
    slots: list[Slot],
    cal: Calendar,
    agents: list[Agent],
    rules,
    *,
    time_limit_s: float | None = None,
    work_limit: float | None = None,
    report: bool = True,
    **options,
) -> ModelOutcome:
    """`solve_roster` for each group on its own (no rule spans groups, so the models are independent and much
    smaller), each given a share of the limits in proportion to its shifts; the outcomes merged."""
    groups = sorted({s.group for s in slots})
    total = sum(s.count for s in slots) or 1
    merged = ModelOutcome("optimal", objective=0.0, bound=0.0)
    started = time.perf_counter()
    for i, g in enumerate(groups):
        ks = [k for k, s in enumerate(slots) if s.group == g]
        members = [a for a, agent in enumerate(agents) if agent.group == g]
        share = sum(slots[k].count for k in ks) / total
        if len(groups) > 1 and report:
            progress.phase(
                "roster",
                f"CP-SAT, group {g} ({i + 1} of {len(groups)}): {len(members)} agents, "
                f"{sum(slots[k].count for k in ks):,} shifts",
            )
        out = solve_roster(
            [slots[k] for k in ks],
            cal,
            [agents[a] for a in members],
            rules,
            time_limit_s=None if time_limit_s is None else time_limit_s * share,
            work_limit=None if work_limit is None else work_limit * share,
            report=report and len(groups) == 1,
            **options,
        )
        merged.variables += out.variables
        if STATUS_ORDER.index(out.status) < STATUS_ORDER.index(merged.status):
            merged.status = out.status
        if out.objective is None:
            merged.objective = merged.bound = None
        elif merged.objective is not None:
            merged.objective += out.objective
            merged.bound = None if merged.bound is None or out.bound is None else merged.bound + out.bound
        for a_local, local_ks in out.works.items():
            merged.works[members[a_local]] = [ks[k] for k in local_ks]
        for k_local, n in out.uncovered.items():
            merged.uncovered[ks[k_local]] = n
    merged.wall_s = time.perf_counter() - started
    if merged.status not in ("optimal", "feasible"):
        merged.objective = merged.bound = None
    return merged
