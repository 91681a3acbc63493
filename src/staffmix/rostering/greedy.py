"""A first roster built greedily, given to CP-SAT as a hint: shifts in time order, each to the agents who most need hours.

CP-SAT finds a first roster of a large, symmetric instance slowly on one
worker; a hint that breaks few rules lets it start from a near-roster and
repair it. The greedy keeps one shift a day, rest, the week's working days,
the hour cap and the caps on runs of days and nights; it keeps a block of consecutive days off
free in each week, but does not look further ahead (a shift nobody can take
any more), so the hint may be partial: CP-SAT decides, the hint only guides it.
"""

from __future__ import annotations

from staffmix.rostering.agents import Agent
from staffmix.rostering.agent_rules import can_work, prefers_not, required_days_off
from staffmix.rostering.slots import Calendar, Slot


def greedy_roster(slots: list[Slot], cal: Calendar, agents: list[Agent], rules) -> set[tuple[int, int]]:
    """(agent, slot) pairs of a greedy roster (see the module docstring)."""
    rest = round(rules.min_rest_h * 60)
    week_list = list(cal.week_days().values())
    week_of = {d: w for w, days in enumerate(week_list) for d in days}
    allowed = {w: len(days) - required_days_off(rules, len(days)) for w, days in enumerate(cal.week_days().values())}
    n_days = len(cal.days)
    worked_day: list[set[int]] = [set() for _ in agents]
    night_day: list[set[int]] = [set() for _ in agents]
    shifts: list[list[Slot]] = [[] for _ in agents]
    paid = [0] * len(agents)
    per_week: list[dict[int, int]] = [{} for _ in agents]
    cap_min = [a.contract_h_per_week * 60 * cal.horizon_weeks * (1 + rules.hours_tolerance_share) for a in agents]
    target = [a.contract_h_per_week * 60 * cal.horizon_weeks for a in agents]
    chosen: set[tuple[int, int]] = set()
    planned_off = plan_days_off(slots, week_list, agents, rules)

    def run(days: set[int], d: int) -> int:
        """Length of the run of days in `days` ending the day before d, plus d itself."""
        n = 1
        e = d - 1
        while (e % n_days if cal.cyclic else e) in days and n <= n_days:
            n += 1
            e -= 1
        return n

    def fits(a: int, s: Slot) -> bool:
        if s.day in worked_day[a] or paid[a] + s.paid_min > cap_min[a] + 1e-6:
            return False
        if per_week[a].get(week_of[s.day], 0) >= allowed[week_of[s.day]]:
            return False
        if rules.max_consecutive_work_days is not None and run(worked_day[a], s.day) > rules.max_consecutive_work_days:
            return False
        if s.night and rules.max_consecutive_nights is not None and run(night_day[a], s.day) > rules.max_consecutive_nights:
            return False
        for o in shifts[a]:
            first, second = (o, s) if o.start_min <= s.start_min else (s, o)
            if second.start_min < first.end_min + rest:
                return False
            if cal.cyclic and first.start_min + cal.horizon_min < second.end_min + rest:  # across the wrap
                return False
        return s.day not in planned_off[a]

    order = sorted(range(len(slots)), key=lambda k: (slots[k].start_min, slots[k].group))
    for k in order:
        s = slots[k]
        candidates = [a for a, agent in enumerate(agents) if can_work(agent, s) and fits(a, s)]
        candidates.sort(key=lambda a: (prefers_not(agents[a], s), bool(shifts[a]) and shifts[a][-1].template != s.template,
                                       -(target[a] - paid[a]) / max(target[a], 1.0), agents[a].id))
        for a in candidates[: s.count]:
            chosen.add((a, k))
            worked_day[a].add(s.day)
            if s.night:
                night_day[a].add(s.day)
            shifts[a].append(s)
            paid[a] += s.paid_min
            per_week[a][week_of[s.day]] = per_week[a].get(week_of[s.day], 0) + 1
    return chosen


def plan_days_off(slots: list[Slot], week_list: list[list[int]], agents: list[Agent], rules) -> list[set[int]]:
    """Each agent's days off, chosen week by week before any shift is given: a block of consecutive_days_off days
    (and the rest of the week's days off singly) where the most agents are left over the day's shifts, one agent
    at a time, so every day keeps as many agents as it can."""
    demand: dict[tuple[str, int], int] = {}
    for s in slots:
        demand[s.group, s.day] = demand.get((s.group, s.day), 0) + s.count
    off: list[set[int]] = [set() for _ in agents]
    for days in week_list:
        need = required_days_off(rules, len(days))
        if not need:
            continue
        k = rules.consecutive_days_off if rules.consecutive_days_off >= 2 and need >= rules.consecutive_days_off else 1
        for group in sorted({a.group for a in agents}):
            members = [i for i, a in enumerate(agents) if a.group == group]
            free = {d: len(members) - demand.get((group, d), 0) for d in days}
            for i in members:
                if k > 1 and len(days) >= k:
                    best = max(range(len(days) - k + 1), key=lambda j: (min(free[days[j + t]] for t in range(k)), -j))
                    block = days[best:best + k]
                else:
                    block = []
                for d in block:
                    off[i].add(d)
                    free[d] -= 1
                for _ in range(need - len(block)):
                    d = max((d for d in days if d not in off[i]), key=lambda d: (free[d], -d))
                    off[i].add(d)
                    free[d] -= 1
    return off
