"""The rules a plan is checked against (`RULES`, by name) and what breaking one looks like (`Violation`)."""

from __future__ import annotations

from dataclasses import dataclass

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
    "day_cap": "more shifts of a group start on a local day than its max_shifts_per_day allows that day",
    "vendor_usage": "a vendor's used hours or contacts differ from the staffing rows routed to it",
    "vendor_capacity": "a vendor takes more agents (or contacts) in a period than its capacity",
    "take_or_pay": "billed less than max(used, weekly minimum x week fraction) for a contracted vendor",
    "vendor_fee": "the fee differs from fee_per_week x week fraction (contracted) or 0 (not contracted)",
    "vendor_weeks": "a contracted vendor lacks a row for a week, or has duplicate / out-of-horizon weeks",
    "max_vendors": "more vendors contracted than policy.max_vendors",
    "in_house_share": "in-house share of contacts (or of required agent-hours) below policy.min_in_house_share",
    "cost": "a vendor row's cost, a cost component or the objective differs from the recomputed value",
    "kpis": "kpis['total_cost'] differs from the objective",
    "day_service": "a queue measured per day or week misses its target over a day or week "
                   "(recomputed with Erlang C / A)",
    "period_floor": "a queue-period of a queue measured per day or week falls below its period_floor",
    "deferred_rows": "a deferrable queue listed in staffing (its contacts go to the backlog), or handled rows for a "
                     "queue that is not deferrable",
    "deferred_capacity": "in-house agents assigned to a deferrable queue-period cannot handle its in-house contacts "
                         "(or the handled table reports other agents)",
    "deferred_agents": "a vendor's agents on deferrable work differ from handled x AHT x factor / (period x occupancy)",
    "deferred_flow": "more deferrable contacts handled than were waiting, or on a cyclic horizon handled and arrived "
                     "differ over the cycle",
    "deadline": "a deferrable contact handled later than response_within_h after the start of its arrival period "
                "(first-in-first-out), or never",
    "response_share": "the share of a week's deferrable contacts handled within the response target is below it "
                      "(first-in-first-out)",
    "unanswered": "unanswered deferrable contacts without a soft service level, or more than arrived",
    "backlog": "the backlog table misses a queue-period, or differs from the first-in-first-out reading of the handled "
               "numbers",
}


@dataclass(frozen=True)
class Violation:
    """One broken rule: which (`rule`, a key of `RULES`), where, and what."""

    rule: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.where}: {self.message}"
