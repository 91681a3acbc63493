"""A first roster built greedily: shifts in time order, each to the agents who most need hours; then a repair.

CP-SAT finds a first roster of a large, symmetric instance slowly: on 500
agents over four weeks it found none in a minute. A greedy roster that
covers every shift and keeps every hard rule is a feasible start, so the
solver has a roster at once and spends its time improving it.

The greedy keeps one shift a day, rest (across a cyclic wrap too), the
week's working days, the hour cap, the caps on runs of days and nights
(counted on both sides of the day, so a run across the wrap is seen) and a
block of consecutive days off planned for each week before any shift is
given. It does not look ahead, so the shifts at the end of a cyclic horizon
may find nobody free (a night before the wrap clashes with an early shift on
the first day); the repair then moves one of a blocking shift's agents'
shifts to another agent who can take it, and gives the freed agent the
uncovered shift. What is still uncovered after that is left to CP-SAT (the
model checks the greedy roster: it is a hint, never trusted).
"""

from __future__ import annotations

from staffmix.rostering.agent_rules import can_work, prefers_not, required_days_off
from staffmix.rostering.agents import Agent
from staffmix.rostering.slots import Calendar, Slot


class _Greedy:
    """The roster being built: each agent's shifts, and what the rules read of them (days, nights, paid minutes,
    working days per week), kept in step by `give` and `take_back`."""

    def __init__(self, slots: list[Slot], cal: Calendar, agents: list[Agent], rules) -> None:
        self.slots, self.cal, self.agents, self.rules = slots, cal, agents, rules
        self.rest_min = round(rules.min_rest_h * 60)
        week_list = list(cal.week_days().values())
        self.week_of = {d: w for w, days in enumerate(week_list) for d in days}
        self.allowed = {w: len(days) - required_days_off(rules, len(days)) for w, days in enumerate(week_list)}
        self.n_days = len(cal.days)
        self.worked_day: list[set[int]] = [set() for _ in agents]
        self.night_day: list[set[int]] = [set() for _ in agents]
        self.shifts: list[list[int]] = [[] for _ in agents]
        self.paid_min = [0] * len(agents)
        self.per_week: list[dict[int, int]] = [{} for _ in agents]
        weeks = cal.horizon_weeks
        self.cap_min = [a.contract_h_per_week * 60 * weeks * (1 + rules.hours_tolerance_share) for a in agents]
        self.target_min = [a.contract_h_per_week * 60 * weeks for a in agents]
        self.planned_off = plan_days_off(slots, week_list, agents, rules)
        self.chosen: set[tuple[int, int]] = set()

    def run_through(self, days: set[int], d: int) -> int:
        """Length of the run of days in `days` with d added: the days before d, d, and the days after it."""
        n = 1
        for step in (-1, 1):
            e = d + step
            while n <= self.n_days:
                day = e % self.n_days if self.cal.cyclic else e
                if day not in days or not (self.cal.cyclic or 0 <= e < self.n_days):
                    break
                n += 1
                e += step
        return n

    def clashes(self, first: Slot, second: Slot) -> bool:
        """Whether two shifts of one agent break the rest rule (also across a cyclic horizon's wrap)."""
        if first.start_min > second.start_min:
            first, second = second, first
        if second.start_min < first.end_min + self.rest_min:
            return True
        return self.cal.cyclic and first.start_min + self.cal.horizon_min < second.end_min + self.rest_min

    def fits(self, a: int, k: int) -> bool:
        s, rules = self.slots[k], self.rules
        if s.day in self.worked_day[a] or s.day in self.planned_off[a]:
            return False
        if self.paid_min[a] + s.paid_min > self.cap_min[a] + 1e-6:
            return False
        if self.per_week[a].get(self.week_of[s.day], 0) >= self.allowed[self.week_of[s.day]]:
            return False
        cap_days, cap_nights = rules.max_consecutive_work_days, rules.max_consecutive_nights
        if cap_days is not None and self.run_through(self.worked_day[a], s.day) > cap_days:
            return False
        if s.night and cap_nights is not None and self.run_through(self.night_day[a], s.day) > cap_nights:
            return False
        return not any(self.clashes(self.slots[o], s) for o in self.shifts[a])

    def give(self, a: int, k: int) -> None:
        s = self.slots[k]
        self.chosen.add((a, k))
        self.worked_day[a].add(s.day)
        if s.night:
            self.night_day[a].add(s.day)
        self.shifts[a].append(k)
        self.paid_min[a] += s.paid_min
        week = self.week_of[s.day]
        self.per_week[a][week] = self.per_week[a].get(week, 0) + 1

    def take_back(self, a: int, k: int) -> None:
        s = self.slots[k]
        self.chosen.discard((a, k))
        self.worked_day[a].discard(s.day)
        self.night_day[a].discard(s.day)
        self.shifts[a].remove(k)
        self.paid_min[a] -= s.paid_min
        self.per_week[a][self.week_of[s.day]] -= 1

    def rank(self, a: int, k: int) -> tuple:
        """Agents against their preferences last, then those changing template, then those furthest below contract."""
        s, mine = self.slots[k], self.shifts[a]
        changes = bool(mine) and self.slots[mine[-1]].template != s.template
        short_share = (self.target_min[a] - self.paid_min[a]) / max(self.target_min[a], 1.0)
        return prefers_not(self.agents[a], s), changes, -short_share, self.agents[a].id

    def repair(self, k: int) -> bool:
        """Cover one more shift of slot k: some agent a gives up one shift o that blocks k to an agent b who can
        work o, and takes k. True when a move was made."""
        s = self.slots[k]
        for a in range(len(self.agents)):
            if (a, k) in self.chosen or not can_work(self.agents[a], s):
                continue
            for o in list(self.shifts[a]):
                self.take_back(a, o)
                if self.fits(a, k):
                    takers = [b for b in range(len(self.agents)) if b != a and (b, o) not in self.chosen
                              and can_work(self.agents[b], self.slots[o]) and self.fits(b, o)]
                    if takers:
                        self.give(min(takers, key=lambda b: self.rank(b, o)), o)
                        self.give(a, k)
                        return True
                self.give(a, o)
        return False


def greedy_roster(slots: list[Slot], cal: Calendar, agents: list[Agent], rules) -> set[tuple[int, int]]:
    """(agent, slot) pairs of a greedy roster, repaired where it left shifts uncovered (see the module docstring)."""
    state = _Greedy(slots, cal, agents, rules)
    order = sorted(range(len(slots)), key=lambda k: (slots[k].start_min, slots[k].group))
    short: dict[int, int] = {}
    for k in order:
        s = slots[k]
        candidates = [a for a, agent in enumerate(agents) if can_work(agent, s) and state.fits(a, k)]
        candidates.sort(key=lambda a: state.rank(a, k))
        for a in candidates[: s.count]:
            state.give(a, k)
        if len(candidates) < s.count:
            short[k] = s.count - len(candidates)
    for k, missing in short.items():
        for _ in range(missing):
            if not state.repair(k):
                break
    return state.chosen


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
