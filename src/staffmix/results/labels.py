"""The words a planner reads for staffmix's internal names, and money with its currency.

Tables and files keep the internal names (`in_house_pay`,
`service_level.support_en`: stable, machine-readable); the text summary and
the reports show these labels instead, and every money figure with the
scenario's currency (`money`).
"""

from __future__ import annotations

COST_LABELS: dict[str, str] = {
    "in_house_pay": "in-house pay",
    "in_house_headcount": "in-house headcount (weekly cost per head)",
    "vendor_hours": "vendor agent-hours",
    "vendor_contacts": "vendor contacts",
    "vendor_fees": "vendor contract fees",
    "shortfall_penalty": "shortfall penalty (soft service level)",
}
"""Cost component (result.COST_COMPONENTS) -> label."""

KPI_LABELS: dict[str, str] = {
    "total_cost": "total cost",
    "contacts": "contacts",
    "cost_per_contact": "cost per contact",
    "in_house_share": "in-house share of the work (answered in-house)",
    "night_share_outsourced": "night work outsourced",
    "vendors_used": "vendors used",
    "unmet_periods": "queue-periods short of the agents they need",
    "below_target_periods": "queue-periods below target",
    "min_service_level": "lowest service level of any queue-period",
    "service_level": "service level of the live queues, volume-weighted",
    "unanswered_contacts": "contacts nobody answers",
    "answered_share": "share of contacts answered",
    "occupancy": "occupancy, agent-time weighted",
    "asa_s": "average speed of answer, s (\u2013: not reached, or no queue answered live)",
    "periods_without_capacity": "queue-periods without capacity for their contacts (ASA not reached)",
    "deferred_within_target": "deferrable work within its response target",
}
"""KPI (Result.kpis key) -> label; `service_level.<queue>` keys read "service level: queue <queue>",
`unanswered.<queue>` "contacts nobody answers: queue <queue>"."""

COLUMN_LABELS: dict[str, str] = {
    "contacts": "contacts", "service_level": "service level", "asa_s": "ASA (s)", "occupancy": "occupancy",
    "measured": "measured per", "period_floor": "period floor", "lowest_period": "lowest period",
    "longest_wait_h": "longest wait (h)", "target": "target",
    "used_hours": "used hours", "billed_hours": "billed hours", "used_contacts": "used contacts",
    "billed_contacts": "billed contacts", "period_start": "period start", "required": "agents required",
    "staffed": "agents staffed", "shortfall": "agents short", "headcount": "heads", "shifts": "shifts started",
}
"""Table column (as in the result's CSV files) -> the header a report shows, with its unit."""

TERMINATION_LABELS: dict[str, str] = {
    "optimal": "proven optimal",
    "gap_reached": "within the requested gap",
    "time_limit": "stopped on the time limit",
    "work_limit": "stopped on the work limit",
    "no_further_step": "no further step could close the gap",
    "infeasible": "infeasible",
    "unbounded": "the model is unbounded",
    "error": "the solver failed",
}
"""Termination (result.Termination) -> why the solve ended, in words."""

MONEY_KPIS = frozenset({"total_cost", "cost_per_contact"})
"""KPIs that are amounts of money."""


def cost_label(component: str) -> str:
    """The label of a cost component (its name with spaces when it has none)."""
    return COST_LABELS.get(component, component.replace("_", " "))


def provider_label(provider: str) -> str:
    """A provider as a planner says it: "in-house" for the company's own agents, a vendor by its id."""
    return {"in_house": "in-house", "unserved": "unserved"}.get(provider, provider)


def kpi_label(key: str) -> str:
    """The label of a KPI key."""
    if key.startswith("service_level."):
        return f"service level: queue {key.split('.', 1)[1]}"
    if key.startswith("unanswered."):
        return f"contacts nobody answers: queue {key.split('.', 1)[1]}"
    return KPI_LABELS.get(key, key.replace("_", " "))


def money(amount: float | None, currency: str | None, decimals: int = 2) -> str:
    """`amount` with thousands separators and the currency code after it ("24,285.00 EUR"); "n/a" when missing."""
    if amount is None:
        return "n/a"
    text = f"{amount:,.{decimals}f}"
    return f"{text} {currency}" if currency else text


def with_unit(label: str, currency: str | None) -> str:
    """A column or axis label with the currency in brackets ("cost (EUR)"); the label alone without one."""
    return f"{label} ({currency})" if currency else label
