"""Brute-force optimum of tiny scenarios, written from the problem statement alone.

It enumerates every routing of every queue-period and every vector of shift
counts, prices each plan from first principles and keeps the cheapest
feasible one. It shares no code with staffmix's model or requirements: demand
is given as required agents, eligibility and costs are recomputed here with
plain Python. Only one in-house group is supported (enough for the families
the tests isolate).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_IN_HOUSE_COST: dict[tuple, float] = {}


@dataclass
class Tiny:
    """A tiny instance: hourly periods starting on `start_day` at `start_hour`, not cyclic."""

    periods: int
    start_hour: int
    required: dict[tuple[str, int], float]  # (queue, period) -> required agents (in-house AHT)
    queues: list[dict]  # id, language, certifications, in_house_only
    # languages, certifications, rate, night_premium, night_hours, shrinkage, min_heads, max_heads,
    # max_hours_per_week, cost_per_head_per_week, max_shifts_per_day (one number per local day)
    group: dict | None
    templates: list[dict]  # id, length_h, start_hours, paid_h
    vendors: list[
        dict
    ]  # id, languages, certifications, start_hour, end_hour, rate, aht_factor, capacity, min_hours, fee
    min_in_house_share: float = 0.0
    max_vendors: int | None = None
    start_day: str = "mon"
    max_count: int = 4

    # -- the same instance as a staffmix scenario dict + required_agents demand rows
    def scenario_dict(self) -> dict:
        queues = [
            {"id": q["id"], "language": q["language"], "aht_s": 300, "certifications": q.get("certifications", [])}
            for q in self.queues
        ]
        d = {
            "name": "tiny",
            "horizon": {
                "start": f"2026-01-{5 + DAYS.index(self.start_day):02d}T{self.start_hour:02d}:00",
                "periods": self.periods,
                "cyclic": False,
            },
            "queues": queues,
            "templates": [
                {"id": t["id"], "length_h": t["length_h"], "start_hours": t["start_hours"], "paid_hours": t["paid_h"]}
                for t in self.templates
            ],
            "groups": [],
            "vendors": [],
            "policy": {
                "min_in_house_share": self.min_in_house_share,
                "max_vendors": self.max_vendors,
                "in_house_queues": [q["id"] for q in self.queues if q.get("in_house_only")],
            },
        }
        if self.group:
            g = self.group
            d["groups"].append(
                {
                    "id": "team",
                    "languages": g["languages"],
                    "certifications": g.get("certifications", []),
                    "rate_per_hour": g["rate"],
                    "night_premium": g.get("night_premium", 0.0),
                    "night_hours": g.get("night_hours", [22, 23, 0, 1, 2, 3, 4, 5]),
                    "shrinkage": g.get("shrinkage", 0.0),
                    "min_headcount": g.get("min_heads", 0),
                    "max_headcount": g.get("max_heads"),
                    "max_hours_per_week": g.get("max_hours_per_week", 40),
                    "cost_per_head_per_week": g.get("cost_per_head_per_week", 0.0),
                    "templates": [t["id"] for t in self.templates],
                    "max_shifts_per_day": g.get("max_shifts_per_day"),
                }
            )
        for v in self.vendors:
            d["vendors"].append({
                "id": v["id"], "languages": v["languages"], "certifications": v.get("certifications", []),
                "windows": [{"start_hour": v.get("start_hour", 0), "end_hour": v.get("end_hour", 24)}],
                "rate_per_hour": v["rate"], "aht_factor": v.get("aht_factor", 1.0),
                "capacity_agents": v.get("capacity"), "min_hours_per_week": v.get("min_hours", 0.0),
                "fee_per_week": v.get("fee", 0.0),
            })
        return d

    # -- brute force ------------------------------------------------------
    def hour(self, t: int) -> int:
        return (self.start_hour + t) % 24

    def vendor_open(self, v: dict, t: int) -> bool:
        s, e, h = v.get("start_hour", 0), v.get("end_hour", 24), self.hour(t)
        return s <= h < e if s < e else (h >= s or h < e)

    def providers(self, q: dict, t: int) -> list[str]:
        out = []
        certs = set(q.get("certifications", []))
        g = self.group
        if g and q["language"] in g["languages"] and certs <= set(g.get("certifications", [])):
            out.append("in_house")
        if not q.get("in_house_only"):
            for v in self.vendors:
                if (
                    q["language"] in v["languages"]
                    and certs <= set(v.get("certifications", []))
                    and self.vendor_open(v, t)
                ):
                    out.append(v["id"])
        return out

    def shift_starts(self) -> list[tuple[dict, int]]:
        return [(tpl, t) for tpl in self.templates for t in range(self.periods) if self.hour(t) in tpl["start_hours"]]

    def shift_cost(self, tpl: dict, t0: int) -> float:
        g = self.group
        n = int(tpl["length_h"])
        night = sum(1 for i in range(n) if (self.hour(t0) + i) % 24 in g.get("night_hours", [22, 23, 0, 1, 2, 3, 4, 5]))
        return g["rate"] * tpl["paid_h"] * (1 + g.get("night_premium", 0.0) * night / n)

    def in_house_cost(self, need: list[float]) -> float:
        """Cheapest shifts + headcount covering productive need per period (inf if impossible).

        Many routings leave the same in-house need, so each need is priced once (the key holds
        everything the price depends on)."""
        key = (repr(self.group), repr(self.templates), self.periods, self.start_hour, self.max_count, tuple(need))
        if key not in _IN_HOUSE_COST:
            _IN_HOUSE_COST[key] = self._in_house_cost(need)
        return _IN_HOUSE_COST[key]

    def _in_house_cost(self, need: list[float]) -> float:
        if not any(need):
            g = self.group
            if g is None:
                return 0.0
            return g.get("cost_per_head_per_week", 0.0) * g.get("min_heads", 0) * self.periods / 168
        g = self.group
        if g is None:
            return math.inf
        starts = self.shift_starts()
        frac = self.periods / 168
        best = math.inf
        for counts in itertools.product(range(self.max_count + 1), repeat=len(starts)):
            on_duty = [0] * self.periods
            cost = 0.0
            for c, (tpl, t0) in zip(counts, starts, strict=True):
                if c:
                    for i in range(int(tpl["length_h"])):
                        if t0 + i < self.periods:
                            on_duty[t0 + i] += c
                    cost += c * self.shift_cost(tpl, t0)
            if any((1 - g.get("shrinkage", 0.0)) * on_duty[t] < need[t] - 1e-9 for t in range(self.periods)):
                continue
            # all starts fall on one day in these tiny instances unless the horizon crosses midnight
            per_day: dict[int, int] = {}
            for c, (_tpl, t0) in zip(counts, starts, strict=True):
                day = (self.start_hour + t0) // 24
                per_day[day] = per_day.get(day, 0) + c
            paid = sum(c * tpl["paid_h"] for c, (tpl, _t0) in zip(counts, starts, strict=True))
            heads = max(
                [
                    g.get("min_heads", 0),
                    *per_day.values(),
                    math.ceil(paid / (g.get("max_hours_per_week", 40) * frac) - 1e-9),
                ]
            )
            if g.get("max_heads") is not None and heads > g["max_heads"]:
                continue
            caps = g.get("max_shifts_per_day")  # shifts starting on each local day at most its number
            if caps is not None and any(n > caps[day] for day, n in per_day.items()):
                continue
            cost += g.get("cost_per_head_per_week", 0.0) * heads * frac
            best = min(best, cost)
        return best

    def optimum(self) -> float:
        keys = sorted(self.required, key=lambda k: (k[1], k[0]))
        keys = [k for k in keys if self.required[k] > 0]
        qmap = {q["id"]: q for q in self.queues}
        choices = [self.providers(qmap[q], t) for q, t in keys]
        frac = self.periods / 168
        total_req = sum(self.required[k] for k in keys)
        best = math.inf
        for routing in itertools.product(*choices):
            ih_need = [0.0] * self.periods
            used: dict[str, list[float]] = {v["id"]: [0.0] * self.periods for v in self.vendors}
            ih_weight = 0.0
            for (q, t), p in zip(keys, routing, strict=True):
                r = self.required[(q, t)]
                if p == "in_house":
                    ih_need[t] += r
                    ih_weight += r
                else:
                    v = next(v for v in self.vendors if v["id"] == p)
                    used[p][t] += math.ceil(r * v.get("aht_factor", 1.0) - 1e-9)
            if ih_weight < self.min_in_house_share * total_req - 1e-9:
                continue
            n_vendors = sum(1 for v in self.vendors if any(used[v["id"]]))
            if self.max_vendors is not None and n_vendors > self.max_vendors:
                continue
            cost = 0.0
            ok = True
            for v in self.vendors:
                u = used[v["id"]]
                if not any(u):
                    continue
                if v.get("capacity") is not None and max(u) > v["capacity"]:
                    ok = False
                    break
                cost += v.get("fee", 0.0) * frac + v["rate"] * max(sum(u), v.get("min_hours", 0.0) * frac)
            if not ok:
                continue
            cost += self.in_house_cost(ih_need)
            best = min(best, cost)
        return best


# --------------------------------------------------------------------------------------------------------------
# Service measured per day (issue #14): enumerate the provider AND the number of agents of every queue-period.


def erlang_c_service(agents: int, load: float, aht_s: float, within_s: float) -> float:
    """Share of calls answered within `within_s` with `agents` agents (Erlang C), from Erlang B's recursion."""
    if load <= 0:
        return 1.0
    if agents <= load:
        return 0.0
    b = 1.0
    for k in range(1, agents + 1):
        b = load * b / (k + load * b)
    wait = agents * b / (agents - load * (1 - b))
    return 1.0 - wait * math.exp(-(agents - load) * within_s / aht_s)


@dataclass
class TinyDay:
    """One voice queue 'en' with contacts per hourly period (not cyclic, from Monday 2026-01-05 `start_hour`),
    measured per `measured` (period or day) with a period floor; one in-house group on `shift_h`-hour shifts
    that may start every hour; vendors billing agent-hours in their windows."""

    contacts: list[float]
    start_hour: int = 8
    aht_s: float = 300.0
    target: float = 0.8
    within_s: float = 20.0
    floor: float | None = 0.5
    measured: str = "day"
    rate: float = 10.0
    shift_h: int = 3
    vendors: list[dict] = None  # id, rate, aht_factor, start_hour, end_hour, capacity
    max_count: int = 5

    def scenario_dict(self) -> dict:
        sl = {"target": self.target, "within_s": self.within_s, "measured": self.measured}
        if self.measured != "period":
            sl["period_floor"] = self.floor
        return {
            "name": "tiny-day",
            "horizon": {
                "start": f"2026-01-05T{self.start_hour:02d}:00",
                "periods": len(self.contacts),
                "cyclic": False,
            },
            "queues": [{"id": "en", "language": "en", "aht_s": self.aht_s, "service_level": sl}],
            "templates": [{"id": "s", "length_h": self.shift_h, "start_hours": list(range(24))}],
            "groups": [
                {
                    "id": "team",
                    "languages": ["en"],
                    "rate_per_hour": self.rate,
                    "shrinkage": 0.0,
                    "night_premium": 0.0,
                    "templates": ["s"],
                }
            ],
            "vendors": [
                {
                    "id": v["id"],
                    "languages": ["en"],
                    "rate_per_hour": v["rate"],
                    "aht_factor": v.get("aht_factor", 1.0),
                    "windows": [{"start_hour": v.get("start_hour", 0), "end_hour": v.get("end_hour", 24)}],
                    "capacity_agents": v.get("capacity"),
                }
                for v in self.vendors or []
            ],
        }

    def levels(self, t: int, factor: float) -> list[int]:
        """The whole numbers of agents period t may have at this AHT factor: per period, the requirement; per day,
        from the floor's requirement (a stable queue without a floor) to the one for 1 - 0.1 x (1 - target)."""
        aht = self.aht_s * factor
        load = self.contacts[t] * aht / 3600.0
        def first(share: float) -> int:
            n = int(math.floor(load)) + 1
            while erlang_c_service(n, load, aht, self.within_s) < share - 1e-12:
                n += 1
            return n
        if self.measured == "period":
            return [first(self.target)]
        return list(
            range(first(self.floor or 0.0), max(first(1 - 0.1 * (1 - self.target)), first(self.floor or 0.0)) + 1)
        )

    def _in_house_table(self):
        """Every vector of shift counts (a shift may start each period): productive agents on duty and cost, by cost."""
        P, L = len(self.contacts), self.shift_h
        rows = []
        for counts in itertools.product(range(self.max_count + 1), repeat=P):
            on = [sum(counts[s] for s in range(max(0, t - L + 1), t + 1)) for t in range(P)]
            rows.append((self.rate * L * sum(counts), on))
        rows.sort(key=lambda r: r[0])
        return rows

    def optimum(self) -> float:
        P = len(self.contacts)
        table = self._in_house_table()
        costs = [c for c, _on in table]
        on_duty = np.array([on for _c, on in table])
        cheapest: dict[tuple, float] = {}

        def in_house(need: tuple) -> float:
            """The first (cheapest) vector of shift counts with enough agents on duty in every period."""
            if need not in cheapest:
                ok = (on_duty >= np.array(need)).all(axis=1)
                cheapest[need] = costs[int(ok.argmax())] if ok.any() else math.inf
            return cheapest[need]

        options = []  # per period: (provider, agents, service level, vendor rate or None)
        for t in range(P):
            hour = (self.start_hour + t) % 24
            opts = [("in_house", n, None) for n in self.levels(t, 1.0)]
            for v in self.vendors or []:
                s, e = v.get("start_hour", 0), v.get("end_hour", 24)
                if (s <= hour < e) if s < e else (hour >= s or hour < e):
                    opts += [(v["id"], n, v) for n in self.levels(t, v.get("aht_factor", 1.0))
                             if v.get("capacity") is None or n <= v["capacity"]]
            options.append(
                [
                    (
                        p,
                        n,
                        v,
                        erlang_c_service(
                            n,
                            self.contacts[t] * self.aht_s * (v or {}).get("aht_factor", 1.0) / 3600.0,
                            self.aht_s * (v or {}).get("aht_factor", 1.0),
                            self.within_s,
                        ),
                    )
                    for p, n, v in opts
                ]
            )
        day = [(self.start_hour + t) // 24 for t in range(P)]
        best = math.inf
        for plan in itertools.product(*options):
            answered: dict[int, float] = {}
            for t, (_p, _n, _v, sl) in enumerate(plan):
                answered[day[t]] = answered.get(day[t], 0.0) + self.contacts[t] * sl
            if self.measured == "day" and any(
                answered[d] < self.target * sum(c for c, dd in zip(self.contacts, day, strict=True) if dd == d) - 1e-9
                for d in answered
            ):
                continue
            vendor_cost = sum(n * v["rate"] for _p, n, v, _sl in plan if v is not None)
            need = tuple(n if p == "in_house" else 0 for p, n, _v, _sl in plan)
            best = min(best, vendor_cost + in_house(need))
        return best
