"""`staffmix simulate`: check a plan by discrete-event simulation."""

from __future__ import annotations

import argparse
import json
import sys

from staffmix.cli.display import ReplicationDisplay, SolveDisplay
from staffmix.cli.parser import EXIT_FAILED, EXIT_OK
from staffmix.cli.paths import output_folder, result_folder
from staffmix.errors import StaffmixError


def cmd_simulate(args: argparse.Namespace) -> int:
    from staffmix.results.result import load_result
    from staffmix.scenario.io import load_scenario
    from staffmix.simulation import simulate
    from staffmix.simulation.presentation import format_simulation

    if args.cv is not None and args.handling != "lognormal":
        raise StaffmixError("--cv needs --handling lognormal")
    if args.result and (args.backend or args.time_limit):
        raise StaffmixError("--backend and --time-limit apply when solving first, not with --result")
    out = output_folder(args.out, overwrite=args.overwrite) if args.out else None
    scenario = load_scenario(args.path)
    if args.variant:
        scenario = scenario.variant(args.variant)
    if args.result:
        result = load_result(result_folder(args.result, "--result"))
    else:
        from staffmix.solvers.dispatch import solve

        display = SolveDisplay(scenario.name, currency=scenario.config.currency, enabled=not args.quiet)
        try:
            result = solve(scenario, backend=args.backend, time_limit_s=args.time_limit, progress=display)
        finally:
            display.close()
        if not args.quiet:
            print(f"simulate: solved {scenario.name}: {result.status}, cost {result.objective}", file=sys.stderr)
        if not result.status.has_plan:
            print(
                f"staffmix: error: scenario {scenario.name}: the solve ended {result.status}; no plan to simulate",
                file=sys.stderr,
            )
            return EXIT_FAILED
    replications = ReplicationDisplay(enabled=not args.quiet)
    try:
        sim = simulate(
            scenario,
            result,
            replications=args.replications,
            seed=args.seed,
            arrivals=args.arrivals,
            handling=args.handling,
            handling_cv=args.cv,
            by_period=args.by_period,
            jobs=args.jobs,
            progress=replications,
        )
    finally:
        replications.close()
    if args.json:
        tables = {name: json.loads(getattr(sim, name).to_json(orient="records"))
                  for name in ("by_queue", "by_day", "by_period") if getattr(sim, name) is not None}
        print(json.dumps({**sim.summary(), **tables}, indent=2))
    else:
        print(format_simulation(sim))
    if out is not None:
        from staffmix.report import write_report

        sim.to_folder(out, overwrite=True)  # checked above: new, empty, or --overwrite
        if not args.result:
            result.to_folder(out / "plan")
        write_report(result, out / "report.html", scenario=scenario, simulation=sim)
        print(f"simulation written to {out}", file=sys.stderr if args.json else sys.stdout)
    return EXIT_OK
