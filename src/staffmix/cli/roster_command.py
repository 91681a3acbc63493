"""`staffmix roster`: a plan's in-house shifts to named agents, written beside the plan (or to --out)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from staffmix.cli.display import SolveDisplay
from staffmix.cli.parser import EXIT_FAILED, EXIT_OK
from staffmix.cli.paths import result_folder
from staffmix.errors import StaffmixError

WRITTEN = ("roster.csv", "agent_hours.csv", "roster.xlsx", "roster.html")
"""What the command writes into the folder (checked before any work: nothing is replaced without --overwrite)."""


def _target(args: argparse.Namespace, plan_folder: Path) -> Path:
    out = Path(args.out) if args.out else plan_folder
    if out.exists() and not out.is_dir():
        raise StaffmixError(f"{out}: is a file, not a folder; --out needs a folder")
    there = [name for name in WRITTEN if (out / name).exists()]
    if there and not args.overwrite:
        raise StaffmixError(
            f"{out}: already holds {', '.join(there)}; pass --overwrite to replace them, or choose --out"
        )
    if args.feedback and (out / "feedback").exists() and not args.overwrite:
        raise StaffmixError(f"{out / 'feedback'}: exists; pass --overwrite to replace it")
    return out


def cmd_roster(args: argparse.Namespace) -> int:
    from staffmix.report.roster_figures import write_roster_page
    from staffmix.results.result import load_result
    from staffmix.rostering import roster
    from staffmix.rostering.agents import agents_path, load_agents
    from staffmix.scenario.io import load_scenario
    from staffmix.verification.roster_check import verify_roster

    plan_folder = result_folder(args.result, "--result")
    out = _target(args, plan_folder)
    scenario = load_scenario(args.path)
    if args.variant:
        scenario = scenario.variant(args.variant)
    agents_file = agents_path(scenario, args.agents)
    agents = load_agents(agents_file, scenario)
    result = load_result(plan_folder)
    if not result.status.has_plan:
        raise StaffmixError(f"{plan_folder}: the plan's solve ended {result.status}; no shifts to roster")
    time_limit = args.time_limit if args.time_limit is not None else scenario.config.solver.time_limit_s
    display = SolveDisplay(f"roster of {scenario.name}", enabled=not args.quiet)
    try:
        rostered = roster(scenario, result, agents, time_limit_s=time_limit, threads=args.threads, progress=display)
    finally:
        display.close()
    print(rostered.summary())
    if rostered.has_roster:
        found = verify_roster(scenario, result, rostered.roster, agents_file, strict_breaks=False)
        for v in found:
            print(f"  CHECK FAILED: {v}")
        rostered.to_folder(out, overwrite=True)  # checked above: no roster file there, or --overwrite
        write_roster_page(out / "roster.html", rostered, result.shifts, scenario)
        print(f"roster written to {out} (roster.csv, agent_hours.csv, roster.xlsx, roster.html)")
        return EXIT_OK if not found else EXIT_FAILED
    if not args.feedback:
        if rostered.status == "infeasible":
            print("  (--feedback solves the plan again within the agents' limits and rosters that)")
        return EXIT_FAILED
    from staffmix.rostering.feedback import feedback_solve

    display = SolveDisplay(
        f"{scenario.name} within the agents' limits", currency=scenario.config.currency, enabled=not args.quiet
    )
    try:
        fb = feedback_solve(scenario, result, agents, time_limit_s=time_limit, threads=args.threads, progress=display)
    finally:
        display.close()
    print(fb.summary(scenario.config.currency))
    if fb.roster.has_roster:
        print(fb.roster.summary())
        fed = scenario.with_changes(fb.changes)  # the scenario the re-solved plan was solved and rostered under
        found = verify_roster(fed, fb.result, fb.roster.roster, agents_file, strict_breaks=False)
        for v in found:
            print(f"  CHECK FAILED: {v}")
        folder = out / "feedback"
        fb.result.to_folder(folder, overwrite=True)  # checked above
        fb.roster.to_folder(folder, overwrite=True)
        write_roster_page(folder / "roster.html", fb.roster, fb.result.shifts, fed)
        print(f"the re-solved plan and its roster written to {folder}")
        return EXIT_OK if not found else EXIT_FAILED
    print(fb.roster.summary() if fb.roster.problems else "", file=sys.stdout)
    return EXIT_FAILED
