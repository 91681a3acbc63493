"""Brute-force optimum of tiny deferrable-work instances, written from the problem statement alone.

One email queue whose contacts must be answered within `deadline` periods
of arrival (the arrival period counts as the first), optionally a `share`
of them within `target` periods; per-contact vendors open in given periods;
optionally one in-house team on shifts of `shift_len` periods (a shift costs
`shift_cost`, each agent on duty answers `per_agent` contacts a period).
The horizon is not cyclic: nothing waits before the first period and
nothing may be left after the last.

It enumerates every vector of shift counts and then, by dynamic programming
over the waiting line (oldest contact first), every whole number of
contacts answered in each period: agents on duty answer first (they are
paid for), then the cheapest open vendor. It shares no code with staffmix.

Integral contacts only. Without a share target the optimum is integral
(a min-cost flow with integral data), so it equals the model's; with a
share target a plan in fractions of contacts can be cheaper, so the
model's optimum is at most this one.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from staffmix.scenario.container import Scenario
from staffmix.scenario.schema import ScenarioConfig

START_HOUR = 8


@dataclass
class DeferTiny:
    arrivals: list[int]
    deadline: int
    # id, price, open periods (None: all)
    vendors: list[tuple[str, float, list[int] | None]] = field(default_factory=list)
    target: int | None = None
    share: float = 0.0
    shift_cost: float | None = None
    shift_len: int = 2
    per_agent: int = 6

    # -- brute force -------------------------------------------------------
    def optimum(self) -> float:
        P = len(self.arrivals)
        if self.shift_cost is None:
            return self._best_given_capacity([0] * P)
        starts = list(range(P))
        # more agents on duty than could ever be waiting answer nothing more
        most = math.ceil(max(self.arrivals, default=0) * self.deadline / self.per_agent)
        best = math.inf
        for counts in itertools.product(range(most + 1), repeat=len(starts)):
            on_duty = [0] * P
            for c, t0 in zip(counts, starts, strict=True):
                for t in range(t0, min(t0 + self.shift_len, P)):
                    on_duty[t] += c
            cost = sum(counts) * self.shift_cost
            if cost >= best:
                continue
            best = min(best, cost + self._best_given_capacity([n * self.per_agent for n in on_duty]))
        return best

    def _price(self, t: int) -> float:
        open_ = [price for _id, price, periods in self.vendors if periods is None or t in periods]
        return min(open_) if open_ else math.inf

    def _best_given_capacity(self, capacity: list[int]) -> float:
        """Cheapest vendor cost with `capacity` free contacts a period, by DP over (waiting line, contacts within
        target)."""
        P = len(self.arrivals)
        total = sum(self.arrivals)
        need = math.ceil(self.share * total - 1e-9) if self.target is not None else 0
        K = self.target or self.deadline
        states: dict[tuple[tuple[tuple[int, int], ...], int], float] = {((), 0): 0.0}
        for t in range(P):
            price = self._price(t)
            nxt: dict[tuple[tuple[tuple[int, int], ...], int], float] = {}
            for (line, within), cost in states.items():
                line2 = list(line) + ([(t, self.arrivals[t])] if self.arrivals[t] else [])
                waiting = sum(n for _s, n in line2)
                for n in range(waiting + 1):
                    extra = max(0, n - capacity[t])
                    if extra and price == math.inf:
                        break
                    rest, left, got = [], n, within
                    for s, m in line2:  # oldest first
                        take = min(m, left)
                        left -= take
                        if t - s + 1 <= K:
                            got += take
                        if m - take:
                            rest.append((s, m - take))
                    if any(s <= t - self.deadline + 1 for s, _m in rest):
                        continue  # a contact past its deadline
                    if t == P - 1 and rest:
                        continue  # nothing left after the horizon
                    key = (tuple(rest), min(got, need))
                    c = cost + (extra * price if extra else 0.0)  # 0 x inf would be nan
                    if c < nxt.get(key, math.inf):
                        nxt[key] = c
            states = nxt
        return min((c for (line, within), c in states.items() if not line and within >= need), default=math.inf)

    # -- the same instance as a staffmix scenario ----------------------------
    def scenario(self) -> Scenario:
        P = len(self.arrivals)
        aht = 3600.0 / self.per_agent
        queue = {"id": "mail", "language": "en", "channel": "email", "aht_s": aht, "response_within_h": self.deadline}
        if self.target is not None:
            queue["response_target"] = {"share": self.share, "within_h": self.target}
        config = {
            "name": "defer-tiny",
            "horizon": {"start": f"2026-01-05T{START_HOUR:02d}:00", "periods": P, "cyclic": False},
            "queues": [queue],
            "vendors": [
                {"id": vid, "languages": ["en"], "pricing": "per_contact", "price_per_contact": price,
                 **({} if periods is None else {"windows": [
                     {"start_hour": START_HOUR + t, "end_hour": START_HOUR + t + 1} for t in periods]})}
                for vid, price, periods in self.vendors
            ],
        }
        if self.shift_cost is not None:
            config["templates"] = [{"id": "shift", "length_h": self.shift_len, "start_hours": list(range(24))}]
            config["groups"] = [{"id": "team", "languages": ["en"], "rate_per_hour": self.shift_cost / self.shift_len,
                                 "shrinkage": 0.0, "templates": ["shift"]}]
        rows = [(t, "mail", float(a), aht, np.nan) for t, a in enumerate(self.arrivals)]
        demand = pd.DataFrame(rows, columns=["period", "queue", "contacts", "aht_s", "required_agents"])
        return Scenario(config=ScenarioConfig.model_validate(config), demand=demand)


def random_instance(rng: np.random.Generator) -> DeferTiny:
    """A small random instance that has a plan (a vendor open in the last period catches any leftover)."""
    team = rng.random() < 0.5
    P = int(rng.integers(3, 5 if team else 6))
    arrivals = [int(x) for x in rng.integers(0, 4, size=P)]
    deadline = int(rng.integers(1, 4))
    vendors = [("late", float(rng.integers(1, 4)), sorted({int(x) for x in rng.integers(0, P, size=2)} | {P - 1}))]
    if rng.random() < 0.7:
        vendors.append(("any", float(rng.integers(4, 8)), None))
    target = None
    share = 0.0
    if deadline > 1 and rng.random() < 0.5:
        target = int(rng.integers(1, deadline))
        share = float(rng.choice([0.25, 0.5, 0.75]))
    return DeferTiny(arrivals, deadline, vendors, target=target, share=share,
                     shift_cost=float(rng.integers(6, 14)) if team else None, per_agent=int(rng.integers(3, 5)))
