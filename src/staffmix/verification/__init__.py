"""Independent plan checker: does a `Result` obey every rule of its `Scenario`?

`verify(scenario, result)` re-derives everything it checks from the scenario
and the result's tables with plain pandas / numpy. It deliberately imports
none of the model code (model, requirements, solve, core), so a bug there
cannot hide itself; the only shared mathematics is `staffmix.queueing`
(Erlang C / A), imported lazily for voice and chat requirements.

It never raises on a strange plan: unreadable tables, unknown ids and
non-numeric values are reported as violations of the rule ``malformed``, and
every other rule is listed in `RULES`. A valid plan gives ``[]``.

The package: tables.py reads the scenario and the result's tables into a
`Plan`; each rule family is a plain function of that Plan in its own module
(coverage, routing, service, in_house, vendors, policy, costs, measured,
deferred), and `RULE_FAMILIES` lists them in the order they run. A family that stops on data
it cannot read is reported as ``malformed`` and the others still run.

Tolerances: a single row is compared with the absolute tolerance ``tol``;
sums over many rows (vendor usage, billing, capacity, weekly hours, shares)
with ``tol * max(1, |reference|)``; money with a relative 1e-6 plus an
absolute 1e-4.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from staffmix.scenario.container import Scenario
from staffmix.verification.costs import check_costs
from staffmix.verification.coverage import check_coverage, check_no_plan
from staffmix.verification.deferrable import check_deferred
from staffmix.verification.in_house import check_capacity, check_day_caps, check_headcount, check_shifts
from staffmix.verification.measured import check_measured_service
from staffmix.verification.policy import check_policy
from staffmix.verification.routing import check_eligibility, check_weekly_routing
from staffmix.verification.rules import RULES, Violation
from staffmix.verification.service import check_requirements, check_service
from staffmix.verification.tables import READERS, Plan, read_demand
from staffmix.verification.vendors import check_vendors

__all__ = ["RULES", "RULE_FAMILIES", "Violation", "verify"]

RULE_FAMILIES: tuple[tuple[str, Callable[[Plan], None]], ...] = (
    ("coverage", check_coverage),
    ("eligibility", check_eligibility),
    ("weekly_routing", check_weekly_routing),
    ("service", check_service),
    ("requirement", check_requirements),
    ("shifts", check_shifts),
    ("in_house_capacity", check_capacity),
    ("headcount", check_headcount),
    ("day_caps", check_day_caps),
    ("vendors", check_vendors),
    ("policy", check_policy),
    ("cost", check_costs),
    ("measured_service", check_measured_service),
    ("deferred", check_deferred),
)
"""The rule families of a result with a plan, (name, check), in the order they run after the tables are read.

The name is where a family that stops on unreadable data is reported."""


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
        plan = Plan(scenario, result, tol)
    except Exception as exc:  # noqa: BLE001 - verify reports, never raises
        return [Violation("malformed", "scenario", f"cannot read the scenario: {type(exc).__name__}: {exc}")]
    _guard(plan, "demand", read_demand)
    status = plan.status()
    if status is None:
        return plan.out
    if not status.has_plan:
        _guard(plan, "no_plan", check_no_plan)
        return plan.out
    for name, step in (*READERS, *RULE_FAMILIES):
        _guard(plan, name, step)
    return plan.out


def _guard(plan: Plan, name: str, step: Callable[[Plan], None]) -> None:
    """Run one reader or rule family; whatever it cannot read is a ``malformed`` violation, never an exception."""
    try:
        step(plan)
    except Exception as exc:  # noqa: BLE001 - verify reports, never raises
        plan.add("malformed", name, f"check stopped on unreadable data: {type(exc).__name__}: {exc}")
