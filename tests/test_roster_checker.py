"""The independent roster checker (staffmix.verify_roster): it passes the rosters staffmix makes and catches edited
ones.

A hand-written valid roster of a small week is edited one rule at a time; the
checker must name exactly that rule. It must also import nothing of
staffmix.roster (the model it checks).
"""

from __future__ import annotations

import ast
import math
from pathlib import Path

import pandas as pd
import pytest

import staffmix
from staffmix.results.result import Result, Status
from staffmix.rostering import Agent
from staffmix.rostering.table import ROSTER_COLUMNS
from staffmix.scenario.container import Scenario
from staffmix.scenario.schema import ScenarioConfig
from staffmix.verification.roster_check import ROSTER_RULES, verify_roster

COLUMNS = ROSTER_COLUMNS  # roster.csv's columns, as staffmix writes them


def scenario(shrinkage: float = 0.5, **rules) -> Scenario:
    config = ScenarioConfig.model_validate(
        {
            "name": "check",
            "horizon": {
                "start": "2026-03-02T00:00",
                "periods": 168,
                "interval_min": 60,
                "timezone": "UTC",
                "cyclic": True,
            },
            "queues": [{"id": "q", "language": "en", "aht_s": 300}],
            "templates": [
                {
                    "id": "early",
                    "length_h": 8,
                    "start_hours": [6],
                    "rest_break": {"length_min": 30, "earliest_h": 3, "latest_end_h": 5},
                },
                {"id": "late", "length_h": 8, "start_hours": [14]},
            ],
            "groups": [
                {
                    "id": "g",
                    "languages": ["en"],
                    "rate_per_hour": 10,
                    "shrinkage": shrinkage,
                    "templates": ["early", "late"],
                }
            ],
            "roster": {"max_consecutive_nights": None, **rules},
        }
    )
    return Scenario(
        config=config,
        demand=pd.DataFrame(
            {"period": [0], "queue": ["q"], "contacts": [1.0], "aht_s": [300.0], "required_agents": [math.nan]}
        ),
    )


def shift(agent: str, template: str, day: int, break_at: str = "09:30") -> tuple:
    hour = 6 if template == "early" else 14
    start = pd.Timestamp("2026-03-02") + pd.Timedelta(days=day, hours=hour)
    end = start + pd.Timedelta(hours=8)
    b0 = b1 = ""
    if template == "early":
        b0 = f"{start:%Y-%m-%d}T{break_at}"
        b1 = f"{pd.Timestamp(b0) + pd.Timedelta(minutes=30):%Y-%m-%dT%H:%M}"
    return (
        agent,
        "g",
        template,
        f"{start:%Y-%m-%d}",
        f"{start:%Y-%m-%dT%H:%M}",
        f"{end:%Y-%m-%dT%H:%M}",
        day * 24 + hour,
        b0,
        b1,
        False,
        day >= 5,
    )


def valid() -> pd.DataFrame:
    """Ann works early Mon-Fri (off Sat-Sun), Bo late Wed-Sun (off Mon-Tue): 5 days each, rest 16 h between days."""
    rows = [shift("ann", "early", d) for d in range(5)] + [shift("bo", "late", d) for d in range(2, 7)]
    return pd.DataFrame(rows, columns=COLUMNS)


def plan_of(table: pd.DataFrame) -> Result:
    counts = table.groupby(["group", "template", "start_period"]).size().rename("count").reset_index()
    counts["start"] = pd.NaT
    return Result(status=Status.optimal, scenario="check", solver="hand", shifts=counts)


PLAN = plan_of(valid())


def rules_broken(table: pd.DataFrame, sc: Scenario | None = None, plan: Result = PLAN) -> set[str]:
    return {v.rule for v in verify_roster(sc or scenario(), plan, table)}


def test_the_valid_roster_passes():
    assert verify_roster(scenario(), PLAN, valid()) == []


def test_rest_violation_is_caught():
    """Ann and Bo swap Thursday: Bo's Wednesday late ends 22:00 and his Thursday early starts 06:00 (8 h of rest,
    11 required); Ann's Thursday late ends 22:00 before her Friday early at 06:00 (8 h again)."""
    t = valid()
    thu = t["date"] == "2026-03-05"
    t.loc[thu, "agent"] = t.loc[thu, "agent"].map({"ann": "bo", "bo": "ann"})
    found = verify_roster(scenario(), PLAN, t)
    assert [(v.rule, v.where) for v in found] == [("rest", "ann"), ("rest", "bo")]
    assert found[1].message.startswith("8 h between")


def test_missing_day_off_is_caught():
    """Ann also works Saturday: 6 days, 1 day off, 2 required."""
    t = pd.concat([valid(), pd.DataFrame([shift("ann", "early", 5)], columns=COLUMNS)], ignore_index=True)
    assert rules_broken(t, plan=plan_of(t)) == {
        "days_off",
        "consecutive_days_off",
    }  # one day off: no two in a row either


def test_days_off_not_consecutive_are_caught():
    """Ann works Mon-Thu and Sat, off Fri and Sun: two days off, not in a row."""
    t = valid()
    t = t[~((t["agent"] == "ann") & (t["date"] == "2026-03-06"))]
    t = pd.concat([t, pd.DataFrame([shift("ann", "early", 5)], columns=COLUMNS)], ignore_index=True)
    assert rules_broken(t, plan=plan_of(t)) == {"consecutive_days_off"}
    assert rules_broken(t, scenario(consecutive_days_off=0), plan=plan_of(t)) == set()


def test_uncovered_and_extra_shifts_are_caught():
    t = valid().iloc[1:]  # Ann's Monday shift dropped: the plan still starts it
    assert [(v.rule, v.message) for v in verify_roster(scenario(), PLAN, t)] == [
        ("roster_coverage", "1 planned, 0 rostered")
    ]


def test_break_overlap_and_window_are_caught():
    t = valid()
    t.loc[0, "break_end"] = "2026-03-02T10:30"  # a 60-minute break where 30 are planned
    assert rules_broken(t) == {"break_window"}
    t = valid()
    t.loc[0, ["break_start", "break_end"]] = [
        "2026-03-02T13:30",
        "2026-03-02T14:00",
    ]  # outside the shift's 3-5 h window
    assert rules_broken(t) == {"break_window"}


def test_break_budget_is_caught():
    """One agent on duty: shrinkage 50 % allows 30 break minutes an hour (Ann's 09:30-10:00 fits), 25 % only 15."""
    found = verify_roster(scenario(shrinkage=0.25), PLAN, valid())
    assert [(v.rule, v.where, v.message) for v in found][:1] == [
        ("break_budget", "group g, period 9", "30 break minutes, budget 15")
    ]
    assert len(found) == 5  # one a weekday
    assert verify_roster(scenario(shrinkage=0.25), PLAN, valid(), strict_breaks=False) == []


def test_consecutive_day_and_night_caps():
    t = valid()
    broken = {v.rule for v in verify_roster(scenario(max_consecutive_work_days=4), PLAN, t)}
    assert broken == {"consecutive_days"}


def test_hours_cap_from_agents_csv():
    people = pd.DataFrame({"id": ["ann", "bo"], "group": ["g", "g"], "contract_h_per_week": ["36", "40"]})
    found = verify_roster(scenario(hours_tolerance_share=0.0), PLAN, valid(), people)
    assert [(v.rule, v.where) for v in found] == [("hours", "ann")]  # 5 x 8 = 40 paid hours > 36


def test_checker_passes_what_staffmix_rosters():
    sc = scenario(consecutive_days_off=2)
    out = staffmix.roster(sc, PLAN, [Agent("ann", "g", 40), Agent("bo", "g", 40)])
    assert out.status == "optimal"
    assert verify_roster(sc, PLAN, out.roster, strict_breaks=False) == []


def test_checker_imports_nothing_of_the_roster_model():
    src = Path(staffmix.__file__).parent / "verification" / "roster_check.py"
    imported = set()
    for node in ast.walk(ast.parse(src.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
    assert not {m for m in imported if m.startswith("staffmix.rostering")}
    assert set(ROSTER_RULES) >= {"rest", "days_off", "roster_coverage", "break_window", "break_budget"}


@pytest.mark.parametrize("edit", ["not a time", ""])
def test_unreadable_times_are_malformed_not_exceptions(edit):
    t = valid()
    t["start_period"] = t["start_period"].astype(str)
    t.loc[0, "start_period"] = edit
    assert "malformed" in {v.rule for v in verify_roster(scenario(), PLAN, t)}


def people_with(ann: str, bo: str) -> pd.DataFrame:
    return pd.DataFrame({"id": ["ann", "bo"], "group": ["g", "g"], "contract_h_per_week": ["40", "40"],
                         "unavailable": [ann, bo]})


def test_unavailability_kept_passes():
    """Ann (early 06-14 Mon-Fri) cannot work Saturday, nor Wed 2026-03-04 from 15 h, nor Monday from 14 h (her
    shift ends at 14:00 exactly: it does not touch); Bo (late 14-22 Wed-Sun) cannot work Mondays nor Tue 08-12."""
    people = people_with("sat; 2026-03-04 15-24; mon 14-24", "mon; tue 08-12")
    assert verify_roster(scenario(), PLAN, valid(), people) == []


def test_unavailability_broken_is_caught():
    """The same roster against windows it touches: Ann's Wednesday shift (06-14) meets "wed 13-14", Bo's Sunday
    shift meets the date 2026-03-08 and his Friday 14-22 meets "fri 21-24": three violations, named by agent."""
    people = people_with("wed 13-14", "2026-03-08; fri 21-24")
    found = verify_roster(scenario(), PLAN, valid(), people)
    assert sorted((v.rule, v.where) for v in found) == [("unavailable", "ann"), ("unavailable", "bo"),
                                                        ("unavailable", "bo")]
    assert any("Wed 2026-03-04 06:00-14:00 touches Wed 2026-03-04 13:00-14:00" in v.message for v in found)


def test_unreadable_unavailability_is_malformed():
    found = verify_roster(scenario(), PLAN, valid(), people_with("someday", ""))
    assert [(v.rule, v.where) for v in found] == [("malformed", "ann")]


def test_staffmix_roster_keeps_unavailability_by_the_checker(tmp_path):
    """staffmix's roster of agents with windows (read by its own agents.csv reader) passes the checker's
    independent reading of the same file."""
    from staffmix.rostering import load_agents

    sc = scenario(consecutive_days_off=2)
    path = tmp_path / "agents.csv"
    people_with("sat; sun", "mon; tue 08-16").to_csv(path, index=False)
    out = staffmix.roster(sc, PLAN, load_agents(path, sc))
    assert out.status == "optimal"
    assert verify_roster(sc, PLAN, out.roster, path, strict_breaks=False) == []
