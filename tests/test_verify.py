"""verify(): hand-built scenarios and plans whose validity is reasoned out by hand.

The base case (one Monday, 24 hourly periods, UTC, cyclic):

- en_mail: email, en, AHT 360 s, 10 contacts every hour -> load 1 -> 1 agent.
  In-house at 0-4, 8-19, 21-23; vendor v_night at 5, 6, 7 and 20.
- de_pay: email, de, pci_dss, region eu, AHT 720 s, 5 contacts every hour but
  open 09-17 only -> active 9..16, load 1 -> 1 agent; all to v_pci (per contact).
- g_en (shrinkage 0.5, so 2 on duty give 1 productive agent):
  day8 @08 x2 (08-15), day8 @12 x2 (12-19), night8 @21 x2 (21-04, wrapping
  round the cyclic horizon onto the first morning), headcount 6.
  One shift a day: 6 starts <= 6 heads. Weekly hours: 16+16+15 = 47 <=
  6 heads x 56 h x 24/168 = 48.
- Costs: pay 2*20*8 + 2*20*8 + 2*20*7.5*(1 + 0.5*7/8) = 1071.25 (night8 from
  21:00 has 7 of 8 hours in 22-05); headcount 70 * 6 * 1/7 = 60;
  v_night used 4 h, take-or-pay minimum 42/7 = 6 h billed at 10 = 60, fee
  70/7 = 10; v_pci 40 contacts (minimum 70/7 = 10) at 2 = 80. Total 1281.25.
"""

from __future__ import annotations

import ast
import copy
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from staffmix.results.result import COST_COMPONENTS, TABLE_COLUMNS, UNSERVED, Result, Status, load_result
from staffmix.scenario.container import Scenario
from staffmix.scenario.schema import ScenarioConfig
from staffmix.verification import RULES, Violation, verify

IN_HOUSE_EN = [0, 1, 2, 3, 4, *range(8, 20), 21, 22, 23]
NIGHT_VENDOR_EN = [5, 6, 7, 20]
DE_OPEN = list(range(9, 17))


# ---------------------------------------------------------------------------
# builders


def base_config(tz: str = "UTC") -> dict:
    per_contact = {
        "pricing": "per_contact",
        "price_per_contact": 2,
        "capacity_contacts": 10,
        "min_contacts_per_week": 70,
    }
    return {
        "name": "tiny",
        "horizon": {"start": "2026-01-05T00:00", "periods": 24, "interval_min": 60, "timezone": tz, "cyclic": True},
        "queues": [
            {"id": "en_mail", "language": "en", "channel": "email", "aht_s": 360},
            {
                "id": "de_pay", "language": "de", "channel": "email", "aht_s": 720,
                "certifications": ["pci_dss"], "regions": ["eu"],
                "open_hours": [{"start_hour": 9, "end_hour": 17}],
            },
        ],
        "templates": [
            {"id": "day8", "length_h": 8, "start_hours": [8, 12]},
            {"id": "night8", "length_h": 8, "start_hours": [21], "paid_hours": 7.5},
        ],
        "groups": [
            {
                "id": "g_en", "languages": ["en"], "region": "eu", "rate_per_hour": 20, "night_premium": 0.5,
                "cost_per_head_per_week": 70, "shrinkage": 0.5, "max_hours_per_week": 56,
                "templates": ["day8", "night8"],
            },
        ],
        "vendors": [
            {
                "id": "v_night", "windows": [{"start_hour": 20, "end_hour": 8}], "languages": ["en"], "region": "asia",
                "rate_per_hour": 10, "capacity_agents": 1, "min_hours_per_week": 42, "fee_per_week": 70,
            },
            {"id": "v_pci", "languages": ["de"], "certifications": ["pci_dss"], "region": "eu", **per_contact},
            # look-alikes of v_pci, each missing exactly one qualification
            {"id": "v_pci_us", "languages": ["de"], "certifications": ["pci_dss"], "region": "us", **per_contact},
            {"id": "v_nocert", "languages": ["de"], "certifications": [], "region": "eu", **per_contact},
            {"id": "v_en_pci", "languages": ["en"], "certifications": ["pci_dss"], "region": "eu", **per_contact},
        ],
    }


def make_scenario(cfg: dict, demand: pd.DataFrame | None = None) -> Scenario:
    config = ScenarioConfig.model_validate(cfg)
    if demand is None:
        demand = base_demand(config.horizon.periods)
    return Scenario(config=config, demand=demand)


def base_demand(periods: int = 24) -> pd.DataFrame:
    rows = []
    for t in range(periods):
        rows.append((t, "de_pay", 5.0, 720.0, math.nan))
        rows.append((t, "en_mail", 10.0, 360.0, math.nan))
    return pd.DataFrame(rows, columns=["period", "queue", "contacts", "aht_s", "required_agents"])


def mutate(cfg: dict, path: str, value) -> dict:
    """Copy of cfg with the item at a dotted path ('groups.0.shrinkage') replaced."""
    out = copy.deepcopy(cfg)
    node = out
    keys = path.split(".")
    for k in keys[:-1]:
        node = node[int(k)] if isinstance(node, list) else node[k]
    last = keys[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return out


def vendor_index(cfg: dict, vid: str) -> int:
    return next(i for i, v in enumerate(cfg["vendors"]) if v["id"] == vid)


@dataclass
class Plan:
    """A hand-written plan as plain rows; `result(scenario)` turns it into a Result."""

    staffing: list[dict] = field(default_factory=list)
    assignments: list[dict] = field(default_factory=list)
    shifts: list[dict] = field(default_factory=list)
    headcount: dict[str, float] = field(default_factory=dict)
    vendors: list[dict] = field(default_factory=list)
    costs: dict[str, float] = field(default_factory=dict)
    objective: float | None = None  # None: the sum of costs
    kpis: dict | None = None  # None: {'total_cost': objective}
    status: Status = Status.optimal

    def staff(self, t: int, q: str) -> dict:
        return next(r for r in self.staffing if r["period"] == t and r["queue"] == q)

    def drop_assignment(self, t: int, q: str) -> None:
        self.assignments = [a for a in self.assignments if not (a["period"] == t and a["queue"] == q)]

    def assignment(self, t: int, q: str) -> dict:
        return next(a for a in self.assignments if a["period"] == t and a["queue"] == q)

    def vendor_row(self, v: str, week: int = 0) -> dict:
        return next(r for r in self.vendors if r["vendor"] == v and r["week"] == week)

    def shift(self, template: str, start: int) -> dict:
        return next(s for s in self.shifts if s["template"] == template and s["start_period"] == start)

    def bump(self, component: str, delta: float) -> None:
        self.costs[component] = self.costs.get(component, 0.0) + delta

    def result(self, scenario: Scenario) -> Result:
        starts = scenario.config.horizon.period_starts()
        staffing = pd.DataFrame(
            [{**r, "period_start": starts[r["period"]], "service_level": 1.0, "asa_s": 0.0, "occupancy": 0.5}
             for r in self.staffing],
            columns=TABLE_COLUMNS["staffing"],
        )
        shifts = pd.DataFrame(
            [{**s, "start": starts[s["start_period"]]} for s in self.shifts], columns=TABLE_COLUMNS["shifts"]
        )
        objective = sum(self.costs.values()) if self.objective is None else self.objective
        return Result(
            status=self.status,
            scenario=scenario.name,
            solver="hand",
            objective=objective,
            staffing=staffing,
            shifts=shifts,
            headcount=pd.DataFrame(list(self.headcount.items()), columns=TABLE_COLUMNS["headcount"]),
            assignments=pd.DataFrame(self.assignments, columns=TABLE_COLUMNS["assignments"]),
            vendors=pd.DataFrame(self.vendors, columns=TABLE_COLUMNS["vendors"]),
            costs=pd.DataFrame(list(self.costs.items()), columns=TABLE_COLUMNS["costs"]),
            kpis={"total_cost": objective} if self.kpis is None else self.kpis,
        )


def srow(t: int, q: str, p: str, contacts: float, required: float = 1, staffed: float | None = None,
         shortfall: float = 0.0) -> dict:
    return {"period": t, "queue": q, "provider": p, "contacts": contacts, "required": required,
            "staffed": required if staffed is None else staffed, "shortfall": shortfall}


def vrow(v: str, week: int = 0, used_hours=0.0, billed_hours=0.0, used_contacts=0.0, billed_contacts=0.0,
         fee=0.0, cost=0.0) -> dict:
    return {"vendor": v, "week": week, "used_hours": used_hours, "billed_hours": billed_hours,
            "used_contacts": used_contacts, "billed_contacts": billed_contacts, "fee": fee, "cost": cost}


def base_plan() -> Plan:
    p = Plan()
    for t in range(24):
        p.staffing.append(srow(t, "en_mail", "in_house" if t in IN_HOUSE_EN else "v_night", 10.0))
        if t in IN_HOUSE_EN:
            p.assignments.append({"period": t, "group": "g_en", "queue": "en_mail", "agents": 1.0})
    for t in DE_OPEN:
        p.staffing.append(srow(t, "de_pay", "v_pci", 5.0))
    p.shifts = [
        {"group": "g_en", "template": "day8", "start_period": 8, "count": 2},
        {"group": "g_en", "template": "day8", "start_period": 12, "count": 2},
        {"group": "g_en", "template": "night8", "start_period": 21, "count": 2},
    ]
    p.headcount = {"g_en": 6}
    p.vendors = [
        vrow("v_night", used_hours=4, billed_hours=6, used_contacts=40, fee=10, cost=70),
        vrow("v_pci", used_hours=8, used_contacts=40, billed_contacts=40, cost=80),
    ]
    p.costs = {"in_house_pay": 1071.25, "in_house_headcount": 60.0, "vendor_hours": 60.0,
               "vendor_contacts": 80.0, "vendor_fees": 10.0, "shortfall_penalty": 0.0}
    return p


def rules(violations: list[Violation]) -> set[str]:
    return {v.rule for v in violations}


def check(plan: Plan, cfg: dict | None = None, demand: pd.DataFrame | None = None) -> list[Violation]:
    sc = make_scenario(base_config() if cfg is None else cfg, demand)
    out = verify(sc, plan.result(sc))
    assert all(isinstance(v, Violation) and v.rule in RULES for v in out), out
    return out


# ---------------------------------------------------------------------------
# the valid plan and the API


@pytest.mark.parametrize("tz", ["UTC", "Asia/Tokyo", "America/New_York"])
def test_valid_plan_has_no_violations(tz):
    assert check(base_plan(), base_config(tz)) == []


def test_violation_is_frozen_and_readable():
    v = Violation("language", "queue q, period 3", "nobody speaks fi")
    assert str(v) == "[language] queue q, period 3: nobody speaks fi"
    with pytest.raises(AttributeError):
        v.rule = "x"  # type: ignore[misc]  # the point: a frozen Violation refuses the assignment


def test_round_trip_through_result_folder(tmp_path):
    sc = make_scenario(base_config("Europe/Berlin"))
    res = base_plan().result(sc)
    loaded = load_result(res.to_folder(tmp_path / "out"))
    assert verify(sc, loaded) == []


def test_verify_imports_no_model_code():
    """Every module of the verification package, top-level and function-level imports alike, may share with the
    rest of staffmix only the scenario types, the result container, the errors and the queueing mathematics."""
    allowed = {
        "staffmix.scenario.schema",
        "staffmix.scenario.container",
        "staffmix.results.result",
        "staffmix.errors",
        "staffmix.queueing",
    }
    package = Path(__file__).parents[1] / "src" / "staffmix" / "verification"
    modules = sorted(package.glob("*.py"))
    assert len(modules) > 5  # the package, not an empty folder
    for src in modules:
        imported = set()
        for node in ast.walk(ast.parse(src.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module == "staffmix":  # from staffmix import queueing
                    imported |= {f"staffmix.{a.name}" for a in node.names}
                else:
                    imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported |= {a.name for a in node.names}
        own = {m for m in imported if m == "staffmix" or m.startswith("staffmix.")}
        foreign = {m for m in own if m not in allowed and not m.startswith("staffmix.verification")}
        assert not foreign, f"{src.name} imports {sorted(foreign)}"


# ---------------------------------------------------------------------------
# results without a plan


def test_infeasible_result_with_empty_tables_is_fine():
    sc = make_scenario(base_config())
    assert verify(sc, Result(status=Status.infeasible, scenario="tiny", solver="hand")) == []


def test_infeasible_result_with_plan_tables_is_reported():
    sc = make_scenario(base_config())
    res = base_plan().result(sc).with_(status=Status.infeasible)
    assert rules(verify(sc, res)) == {"no_plan"}


# ---------------------------------------------------------------------------
# coverage


def test_dropped_queue_period():
    p = base_plan()
    p.staffing.remove(p.staff(10, "en_mail"))
    p.drop_assignment(10, "en_mail")
    out = check(p)
    assert rules(out) == {"coverage"}
    assert "queue en_mail" in out[0].where and "period 10" in out[0].where


def test_duplicated_queue_period():
    p = base_plan()
    p.staffing.append(dict(p.staff(10, "en_mail")))
    assert "coverage" in rules(check(p))


def test_contacts_must_match_demand():
    p = base_plan()
    p.staff(10, "en_mail")["contacts"] = 9.0
    assert rules(check(p)) == {"coverage"}


def test_row_without_demand():
    demand = base_demand()
    demand.loc[(demand["period"] == 20) & (demand["queue"] == "en_mail"), "contacts"] = 0.0
    assert rules(check(base_plan(), demand=demand)) == {"coverage"}


def test_row_for_closed_queue_period():
    cfg = mutate(base_config(), "queues.1.open_hours", [{"start_hour": 10, "end_hour": 17}])
    out = check(base_plan(), cfg)
    assert rules(out) == {"opening_hours"}
    assert len(out) == 1 and "period 9" in out[0].where


# ---------------------------------------------------------------------------
# eligibility


def swap_vendor(p: Plan, old: str, new: str) -> Plan:
    for r in p.staffing:
        if r["provider"] == old:
            r["provider"] = new
    for r in p.vendors:
        if r["vendor"] == old:
            r["vendor"] = new
    return p


@pytest.mark.parametrize(
    "vendor, rule", [("v_nocert", "certification"), ("v_pci_us", "region"), ("v_en_pci", "language")]
)
def test_pci_queue_to_unqualified_vendor(vendor, rule):
    out = check(swap_vendor(base_plan(), "v_pci", vendor))
    assert rules(out) == {rule}
    assert len(out) == len(DE_OPEN)
    assert all("queue de_pay" in v.where and f"provider {vendor}" in v.where and "period" in v.where for v in out)


def test_night_vendor_at_noon():
    p = base_plan()
    p.staff(12, "en_mail")["provider"] = "v_night"
    p.drop_assignment(12, "en_mail")
    p.vendor_row("v_night")["used_hours"] = 5
    p.vendor_row("v_night")["used_contacts"] = 50
    out = check(p)  # billed stays at the 6 h minimum: same cost
    assert rules(out) == {"window"}
    assert "period 12" in out[0].where and "provider v_night" in out[0].where


def test_group_must_speak_language_and_hold_certification():
    p = base_plan()
    p.staff(12, "de_pay")["provider"] = "in_house"
    p.assignments.append({"period": 12, "group": "g_en", "queue": "de_pay", "agents": 1.0})
    row = p.vendor_row("v_pci")
    row.update(used_hours=7, used_contacts=35, billed_contacts=35, cost=70)
    p.bump("vendor_contacts", -10)
    out = check(p)
    assert rules(out) == {"language", "certification"}
    assert all("group g_en" in v.where and "provider in_house" in v.where for v in out)


def test_group_region():
    cfg = mutate(base_config(), "queues.0.regions", ["eu", "asia"])
    cfg = mutate(cfg, "groups.0.region", "us")
    out = check(base_plan(), cfg)
    assert rules(out) == {"region"}
    assert len(out) == len(IN_HOUSE_EN)


@pytest.mark.parametrize(
    "path, value, rule",
    [
        ("queues.0.providers_allowed", ["in_house"], "providers_allowed"),
        ("queues.0.providers_forbidden", ["v_night"], "providers_allowed"),
        ("policy", {"in_house_queues": ["en_mail"]}, "in_house_queue"),
    ],
)
def test_policy_on_providers(path, value, rule):
    out = check(base_plan(), mutate(base_config(), path, value))
    assert rules(out) == {rule}
    assert len(out) == len(NIGHT_VENDOR_EN)


# ---------------------------------------------------------------------------
# requirements and service


def test_misreported_requirement():
    p = base_plan()
    p.staff(12, "en_mail").update(required=2, staffed=2)
    p.assignment(12, "en_mail")["agents"] = 2.0  # capacity at 12: 4 on duty x 0.5 = 2
    assert rules(check(p)) == {"requirement"}


@pytest.mark.parametrize(
    "path, value",
    [
        ("vendors.0.aht_factor", 1.5),  # v_night: load 1.5 -> 2 agents, plan says 1
        ("queues.0.service_level", {"max_occupancy": 0.8}),  # en_mail: 1 / 0.8 -> 2 agents
    ],
)
def test_requirement_follows_aht_factor_and_occupancy(path, value):
    assert "requirement" in rules(check(base_plan(), mutate(base_config(), path, value)))


def test_understaffed():
    p = base_plan()
    p.staff(10, "en_mail")["staffed"] = 0.0
    p.drop_assignment(10, "en_mail")
    out = check(p)
    assert rules(out) == {"understaffed"}
    assert "queue en_mail" in out[0].where and "period 10" in out[0].where and "provider in_house" in out[0].where


def test_staffed_must_match_assignments():
    p = base_plan()
    p.drop_assignment(10, "en_mail")
    assert rules(check(p)) == {"in_house_staffed"}


def test_shortfall_needs_soft_service_level():
    p = base_plan()
    p.staff(10, "en_mail").update(staffed=0.0, shortfall=1.0)
    p.drop_assignment(10, "en_mail")
    assert rules(check(p)) == {"shortfall"}


def test_unserved_needs_soft_service_level():
    p = base_plan()
    p.staff(10, "en_mail").update(provider=UNSERVED, staffed=0.0, shortfall=1.0)
    p.drop_assignment(10, "en_mail")
    assert rules(check(p)) == {"shortfall"}


def test_soft_service_level_allows_priced_shortfall():
    cfg = mutate(base_config(), "policy", {"soft_service_level": {"penalty_per_agent_hour": 100}})
    p = base_plan()
    p.staff(10, "en_mail").update(staffed=0.0, shortfall=1.0)
    p.drop_assignment(10, "en_mail")
    p.staff(11, "en_mail").update(provider=UNSERVED, staffed=0.0, shortfall=1.0)
    p.drop_assignment(11, "en_mail")
    p.bump("shortfall_penalty", 200.0)
    assert check(p, cfg) == []
    p.bump("shortfall_penalty", -200.0)
    assert rules(check(p, cfg)) == {"cost"}


# ---------------------------------------------------------------------------
# shifts, capacity, headcount


def test_cyclic_night_shift_covers_first_morning():
    assert check(base_plan()) == []  # night8 @21 x2 covers periods 0-4 through the wrap
    cfg = mutate(base_config(), "horizon.cyclic", False)
    out = check(base_plan(), cfg)
    assert rules(out) == {"in_house_capacity"}
    assert sorted(int(v.where.split("period ")[1].split()[0]) for v in out) == [0, 1, 2, 3, 4]


def test_capacity_follows_shrinkage():
    out = check(base_plan(), mutate(base_config(), "groups.0.shrinkage", 0.6))
    assert rules(out) == {"in_house_capacity"}
    assert len(out) == 20 - 4  # every in-house period but 12-15, where 4 are on duty


def test_group_may_not_work_template():
    cfg = mutate(base_config(), "groups.0.templates", ["day8"])
    out = check(base_plan(), cfg)
    assert rules(out) == {"shift_template"}
    assert "template night8" in out[0].where


@pytest.mark.parametrize(
    "path, value",
    [("templates.0.start_hours", [12]), ("templates.0.days", ["tue", "wed"])],
)
def test_shift_start_outside_template(path, value):
    assert rules(check(base_plan(), mutate(base_config(), path, value))) == {"shift_start"}


def test_fractional_shift_count():
    p = base_plan()
    p.shift("day8", 12)["count"] = 2.5
    assert "shift_count" in rules(check(p))


def test_headcount_above_max():
    out = check(base_plan(), mutate(base_config(), "groups.0.max_headcount", 6))
    assert out == []
    assert rules(check(base_plan(), mutate(base_config(), "groups.0.max_headcount", 5))) == {"headcount"}
    assert rules(check(base_plan(), mutate(base_config(), "groups.0.min_headcount", 7))) == {"headcount"}


def test_more_shifts_a_day_than_heads():
    cfg = mutate(base_config(), "groups.0.max_hours_per_week", 70)  # 6 x 70 / 7 = 60 h >= 55 h
    p = base_plan()
    p.shift("day8", 12)["count"] = 3  # 7 shifts start on Monday, 6 heads
    p.bump("in_house_pay", 160.0)
    out = check(p, cfg)
    assert rules(out) == {"one_shift_per_day"}
    assert "2026-01-05" in out[0].where


def test_more_shifts_a_day_than_max_shifts_per_day():
    """The plan starts 6 shifts on its one day (Monday): a cap of 6 holds, 5 is broken; an edited plan with a
    seventh shift breaks a cap of 6."""
    assert check(base_plan(), mutate(base_config(), "groups.0.max_shifts_per_day", [6])) == []
    out = check(base_plan(), mutate(base_config(), "groups.0.max_shifts_per_day", [5]))
    assert rules(out) == {"day_cap"}
    assert out[0].where == "group g_en, day Mon 2026-01-05"
    assert "6 shifts start this day; max_shifts_per_day allows 5" in out[0].message
    cfg = mutate(mutate(base_config(), "groups.0.max_hours_per_week", 70), "groups.0.max_shifts_per_day", [6])
    p = base_plan()
    p.shift("day8", 12)["count"] = 3  # 7 shifts start on Monday
    p.headcount["g_en"] = 7
    p.bump("in_house_pay", 160.0)
    p.bump("in_house_headcount", 10.0)
    assert rules(check(p, cfg)) == {"day_cap"}


def test_weekly_hours():
    cfg = mutate(base_config(), "groups.0.max_hours_per_week", 40)  # 6 x 40 / 7 = 34.3 h < 47 h
    assert rules(check(base_plan(), cfg)) == {"weekly_hours"}


# ---------------------------------------------------------------------------
# vendors


def test_vendor_usage_misreported():
    p = base_plan()
    p.vendor_row("v_night")["used_hours"] = 5
    assert rules(check(p)) == {"vendor_usage"}


@pytest.mark.parametrize(
    "vendor, field, value, n",
    [("v_pci", "capacity_contacts", 4, len(DE_OPEN)), ("v_night", "capacity_agents", 0.5, len(NIGHT_VENDOR_EN))],
)
def test_vendor_capacity(vendor, field, value, n):
    cfg = base_config()
    cfg = mutate(cfg, f"vendors.{vendor_index(cfg, vendor)}.{field}", value)
    out = check(base_plan(), cfg)
    assert rules(out) == {"vendor_capacity"}
    assert len(out) == n


def test_billed_below_take_or_pay_minimum():
    p = base_plan()
    p.vendor_row("v_night").update(billed_hours=4, cost=50)
    p.bump("vendor_hours", -20)
    out = check(p)
    assert rules(out) == {"take_or_pay"}
    assert "vendor v_night" in out[0].where


def test_per_contact_take_or_pay():
    cfg = base_config()
    cfg = mutate(cfg, f"vendors.{vendor_index(cfg, 'v_pci')}.min_contacts_per_week", 350)  # 50 this day
    assert rules(check(base_plan(), cfg)) == {"take_or_pay"}


def test_vendor_fee():
    p = base_plan()
    p.vendor_row("v_night").update(fee=0, cost=60)
    p.bump("vendor_fees", -10)
    assert rules(check(p)) == {"vendor_fee"}


def test_contracted_vendor_needs_row_for_every_week():
    p = base_plan()
    p.vendors.remove(p.vendor_row("v_pci"))
    p.bump("vendor_contacts", -80)
    assert rules(check(p)) == {"vendor_weeks"}


def test_vendor_row_cost():
    p = base_plan()
    p.vendor_row("v_pci")["cost"] = 81
    assert rules(check(p)) == {"cost"}


# ---------------------------------------------------------------------------
# policy


def test_max_vendors():
    assert check(base_plan(), mutate(base_config(), "policy", {"max_vendors": 2})) == []
    out = check(base_plan(), mutate(base_config(), "policy", {"max_vendors": 1}))
    assert rules(out) == {"max_vendors"}


def test_min_in_house_share():
    # in-house contacts 20 x 10 = 200 of 240 + 40 = 280 (71.4 %)
    assert check(base_plan(), mutate(base_config(), "policy", {"min_in_house_share": 0.7})) == []
    out = check(base_plan(), mutate(base_config(), "policy", {"min_in_house_share": 0.75}))
    assert rules(out) == {"in_house_share"}


# ---------------------------------------------------------------------------
# cost and KPIs


def test_objective_misreported_by_one():
    p = base_plan()
    p.objective = 1282.25
    p.kpis = {"total_cost": 1282.25}
    out = check(p)
    assert rules(out) == {"cost"}
    assert out[0].where == "objective"


def test_cost_component_misreported_by_one():
    p = base_plan()
    p.bump("in_house_pay", 1.0)
    p.objective = 1281.25
    p.kpis = {"total_cost": 1281.25}
    out = check(p)
    assert rules(out) == {"cost"}
    assert out[0].where == "cost component in_house_pay"


def test_kpi_total_cost():
    p = base_plan()
    p.kpis = {"total_cost": 1000.0}
    assert rules(check(p)) == {"kpis"}


def test_night_premium_counts_clock_hours():
    # night8 starting 21:00 has 7 night hours of 8; a premium of 1.0 instead of 0.5 adds 300 * 0.5 * 7/8
    cfg = mutate(base_config(), "groups.0.night_premium", 1.0)
    p = base_plan()
    p.bump("in_house_pay", 2 * 20 * 7.5 * 0.5 * 7 / 8)
    assert check(p, cfg) == []


# ---------------------------------------------------------------------------
# demand given as required agents


def agents_config() -> dict:
    return {
        "name": "agents",
        "horizon": {"start": "2026-01-05T00:00", "periods": 24},
        "queues": [{"id": "en_voice", "language": "en", "aht_s": 300}],
        "templates": [{"id": "full12", "length_h": 12, "start_hours": [0, 12]}],
        "groups": [{"id": "g", "languages": ["en"], "rate_per_hour": 10, "shrinkage": 0.0,
                    "max_hours_per_week": 84, "templates": ["full12"]}],
        "vendors": [
            {"id": "v_agent", "languages": ["en"], "rate_per_hour": 10, "aht_factor": 1.5},
            {"id": "v_contact", "languages": ["en"], "pricing": "per_contact", "price_per_contact": 1},
        ],
    }


def in_house_only(queue: str, required: int, contacts: float | None) -> Plan:
    """All 24 periods in-house with `required` agents: 2 x required 12-hour shifts, shrinkage 0."""
    p = Plan()
    for t in range(24):
        p.staffing.append(srow(t, queue, "in_house", math.nan if contacts is None else contacts, required))
        p.assignments.append({"period": t, "group": "g", "queue": queue, "agents": float(required)})
    p.shifts = [{"group": "g", "template": "full12", "start_period": s, "count": required} for s in (0, 12)]
    p.headcount = {"g": 2 * required}  # one shift a day; 24 x required h <= 2 x required x 84 / 7
    p.costs = {c: 0.0 for c in COST_COMPONENTS}
    p.costs["in_house_pay"] = 2 * required * 12 * 10.0
    return p


def agents_demand() -> pd.DataFrame:
    return pd.DataFrame({"period": range(24), "queue": "en_voice", "contacts": math.nan,
                         "aht_s": 300.0, "required_agents": 1.2})


def route_period_3(p: Plan, vendor: str, required: int) -> Plan:
    p.staff(3, "en_voice").update(provider=vendor, required=required, staffed=required)
    p.drop_assignment(3, "en_voice")
    per_agent = vendor == "v_agent"
    p.vendors = [vrow(vendor, used_hours=required, billed_hours=required if per_agent else 0.0,
                      cost=10.0 * required if per_agent else 0.0)]
    p.bump("vendor_hours", 10.0 * required if per_agent else 0.0)
    return p


def test_required_agents_demand():
    plan = in_house_only("en_voice", 2, None)  # ceil(1.2) = 2
    assert check(plan, agents_config(), agents_demand()) == []
    # v_agent is 50 % slower: ceil(1.2 x 1.5) = 2 agents
    assert (
        check(route_period_3(in_house_only("en_voice", 2, None), "v_agent", 2), agents_config(), agents_demand()) == []
    )
    out = check(route_period_3(in_house_only("en_voice", 2, None), "v_agent", 1), agents_config(), agents_demand())
    assert rules(out) == {"requirement"}


def test_per_contact_vendor_cannot_take_required_agents_demand():
    plan = route_period_3(in_house_only("en_voice", 2, None), "v_contact", 2)
    assert rules(check(plan, agents_config(), agents_demand())) == {"pricing"}


def test_in_house_share_weighted_by_required_agent_hours():
    plan = route_period_3(in_house_only("en_voice", 2, None), "v_agent", 2)  # 46 of 48 agent-hours in-house
    cfg = mutate(agents_config(), "policy", {"min_in_house_share": 0.95})
    assert check(plan, cfg, agents_demand()) == []
    cfg = mutate(agents_config(), "policy", {"min_in_house_share": 0.96})
    assert rules(check(plan, cfg, agents_demand())) == {"in_house_share"}


# ---------------------------------------------------------------------------
# voice and chat: Erlang C through staffmix.queueing


def erlang_c_agents(contacts: float, aht_s: float, interval_s: float, target: float, within_s: float) -> int:
    """Smallest N with 1 - C(N, A) exp(-(N - A) t / aht) >= target, by the Erlang B recursion."""
    a = contacts * aht_s / interval_s
    n = math.floor(a) + 1
    while True:
        b = 1.0
        for k in range(1, n + 1):
            b = a * b / (k + a * b)
        c = n * b / (n - a * (1 - b))
        if 1 - c * math.exp(-(n - a) * within_s / aht_s) >= target:
            return n
        n += 1


@pytest.mark.parametrize(
    "queue",
    [
        {"id": "q", "language": "en", "channel": "voice", "aht_s": 180},
        {"id": "q", "language": "en", "channel": "chat", "aht_s": 360, "concurrency": 2.0},  # effective 180 s
    ],
)
def test_voice_and_chat_requirement(queue):
    pytest.importorskip("staffmix.queueing", reason="staffmix.queueing not written yet")
    n = erlang_c_agents(100, 180, 3600, 0.8, 20)  # 5 Erlangs at 80/20
    assert n == 8
    cfg = agents_config()
    cfg["queues"] = [queue]
    cfg["vendors"] = []
    demand = pd.DataFrame({"period": range(24), "queue": "q", "contacts": 100.0,
                           "aht_s": float(queue["aht_s"]), "required_agents": math.nan})
    assert check(in_house_only("q", n, 100.0), cfg, demand) == []
    p = in_house_only("q", n, 100.0)
    p.staff(7, "q")["required"] = n - 1
    out = check(p, cfg, demand)
    assert rules(out) == {"requirement"}
    assert "period 7" in out[0].where


# ---------------------------------------------------------------------------
# weekly routing (two weeks, one open hour a week)


def test_weekly_routing_same_provider_every_week():
    cfg = {
        "name": "weekly",
        "horizon": {"start": "2026-01-05T00:00", "periods": 336},
        "queues": [{"id": "en_mail", "language": "en", "channel": "email", "aht_s": 360,
                    "open_hours": [{"start_hour": 10, "end_hour": 11, "days": ["mon"]}]}],
        "vendors": [{"id": v, "languages": ["en"], "rate_per_hour": 10} for v in ("v1", "v2")],
        "policy": {"routing": "weekly"},
    }
    demand = pd.DataFrame({"period": range(336), "queue": "en_mail", "contacts": 10.0,
                           "aht_s": 360.0, "required_agents": math.nan})

    def plan(second: str) -> Plan:
        p = Plan(staffing=[srow(10, "en_mail", "v1", 10.0), srow(178, "en_mail", second, 10.0)])
        for v in sorted({"v1", second}):
            for w, t in ((0, 10), (1, 178)):
                mine = p.staff(t, "en_mail")["provider"] == v
                p.vendors.append(vrow(v, w, used_hours=float(mine), billed_hours=float(mine),
                                      used_contacts=10.0 * mine, cost=10.0 * mine))
        p.costs = {"vendor_hours": 20.0}
        return p

    assert check(plan("v1"), cfg, demand) == []
    out = check(plan("v2"), cfg, demand)
    assert rules(out) == {"weekly_routing"}
    assert "mon 10:00" in out[0].where


# ---------------------------------------------------------------------------
# strange plans are reported, never raised


def test_garbage_is_reported_not_raised():
    sc = make_scenario(base_config())
    good = base_plan().result(sc)
    staffing = good.staffing.astype(object)
    staffing.loc[0, "period"] = "soon"
    staffing.loc[1, "queue"] = "nope"
    staffing.loc[2, "required"] = np.nan
    staffing.loc[3, "provider"] = "ghost"
    shifts = good.shifts.astype(object)
    shifts.loc[0, "template"] = "nope"
    vendors = good.vendors.astype(object)
    vendors.loc[0, "week"] = "w1"
    costs = good.costs.astype(object)
    costs.loc[0, "amount"] = "lots"
    bad = good.with_(staffing=staffing, shifts=shifts, vendors=vendors, costs=costs, objective=None,
                     kpis={"total_cost": "x"}, assignments="not a table")
    out = verify(sc, bad)
    assert "malformed" in rules(out)
    assert all(isinstance(v, Violation) for v in out)


@pytest.mark.parametrize(
    "changes",
    [
        {"staffing": pd.DataFrame({"x": [1]})},
        {"headcount": None},
        {"status": "sideways"},
        {"vendors": pd.DataFrame({"vendor": ["v_pci"], "week": [0]})},
    ],
)
def test_unreadable_tables(changes):
    sc = make_scenario(base_config())
    out = verify(sc, base_plan().result(sc).with_(**changes))
    assert "malformed" in rules(out)


def test_unreadable_scenario():
    out = verify(object(), base_plan().result(make_scenario(base_config())))  # type: ignore[arg-type]  # not a Scenario, on purpose
    assert rules(out) == {"malformed"}
