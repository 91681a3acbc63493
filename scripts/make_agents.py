"""Write the agents.csv of every worked example under scenarios/, sized from the scenario's own plan.

    python scripts/make_agents.py          # (re)write scenarios/*/agents.csv
    python scripts/make_agents.py --check  # also roster each plan against its file and print the outcome

Each scenario is solved deterministically (core, work_limit 50, one thread:
the plan the roster test solves). Per in-house group the team is sized from
the plan by the days-off bound, max(shifts on the busiest day, ceil(shifts in
the week / 5)), plus a tenth for cover, within the group's min and max
headcount: a group whose headcount is fixed (already employed) gets exactly
that many, so its file may not roster the plan and the roster's diagnosis and
feedback solve show why (webshop-startup). Contracts are 40 h a week, or 24 h
for every third agent of a group that works short (part) shifts; every fourth
agent prefers early shifts, every fifth late ones, every sixth weekends off,
and one agent of each group cannot work Wednesdays: deterministic, so a rerun
writes byte-identical files.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import staffmix  # noqa: E402 - after the sys.path line above, so the script runs from a checkout
from staffmix.util.atomic import write_text  # noqa: E402 - after the sys.path line above, as staffmix

PLAN_OPTIONS = {"backend": "core", "work_limit": 50, "threads": 1, "time_limit_s": None}
"""How each scenario's plan is solved here and in tests/test_roster_bundled.py: the same plan on any machine."""


def team_size(group, shifts) -> int:
    mine = shifts[shifts["group"] == group.id]
    if mine.empty:
        return group.min_headcount
    days = mine.assign(day=mine["start"].astype(str).str[:10]).groupby("day")["count"].sum()
    need = max(int(days.max()), math.ceil(mine["count"].sum() / 5))
    size = need + math.ceil(need / 10)
    if group.max_headcount is not None:
        size = min(size, group.max_headcount)
    return max(size, group.min_headcount)


def agents_csv(scenario, shifts) -> str:
    lines = ["id,group,contract_h_per_week,unavailable,prefers,weekends_off"]
    for g in scenario.config.groups:
        short = any(scenario.config.template(t).paid_h < 6 for t in g.templates)
        for i in range(team_size(g, shifts)):
            contract = 24 if short and i % 3 == 2 else 40
            prefers = "early" if i % 4 == 1 else "late" if i % 5 == 2 else ""
            weekends = "yes" if i % 6 == 5 else ""
            unavailable = "wed" if i == 3 else ""
            lines.append(f"{g.id}-{i + 1:02d},{g.id},{contract},{unavailable},{prefers},{weekends}")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="roster each plan against the file written")
    args = parser.parse_args()
    for folder in sorted(p for p in (ROOT / "scenarios").iterdir() if (p / "scenario.yaml").is_file()):
        scenario = staffmix.load_scenario(folder)
        plan = staffmix.solve(scenario, **PLAN_OPTIONS)
        write_text(folder / "agents.csv", agents_csv(scenario, plan.shifts), newline="\n")
        print(f"{folder.name}: plan {plan.status}, {int(plan.shifts['count'].sum())} shifts; agents.csv written")
        if args.check:
            out = staffmix.roster(scenario, plan, time_limit_s=120)
            print(out.summary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
