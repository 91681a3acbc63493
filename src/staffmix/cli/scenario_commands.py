"""The scenario commands: solve one scenario, validate scenarios, print the schema."""

from __future__ import annotations

import argparse
import json
import sys

from staffmix.cli.display import SolveDisplay
from staffmix.cli.parser import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK
from staffmix.cli.paths import output_folder
from staffmix.errors import ScenarioError, StaffmixError

SOURCE_FILE = "scenario_source.json"
"""Where `solve --out` records the scenario folder and variant it solved, so `staffmix report DIR` redraws the
report with the scenario (targets, vendor commitments, description) as it was made at solve time."""


def _record_source(out, path: str, variant: str | None) -> None:
    from pathlib import Path

    from staffmix.util.atomic import write_text

    write_text(
        Path(out) / SOURCE_FILE, json.dumps({"path": str(Path(path).resolve()), "variant": variant}, indent=2) + "\n"
    )


def cmd_solve(args: argparse.Namespace) -> int:
    from staffmix.results.summary import format_summary
    from staffmix.scenario.io import load_scenario
    from staffmix.solvers.dispatch import solve
    from staffmix.verification import verify

    if args.report and not args.out:
        raise StaffmixError("--report needs --out DIR")
    out = output_folder(args.out, overwrite=args.overwrite) if args.out else None  # before the solve, not after it
    scenario = load_scenario(args.path)
    if args.variant:
        scenario = scenario.variant(args.variant)
    display = SolveDisplay(scenario.name, currency=scenario.config.currency, enabled=not args.quiet)
    try:
        result = solve(
            scenario,
            backend=args.backend,
            time_limit_s=args.time_limit,
            mip_gap=args.gap,
            threads=args.threads,
            work_limit=args.work_limit,
            progress=display,
        )
    finally:
        display.close()
    if args.json:
        print(json.dumps(result.summary(), indent=2, default=str))
    elif result.status == "error":  # the solver failed: one line on stderr, like every other error
        message = " ".join(str(result.message).split()) or "the solver failed"
        print(f"staffmix: error: scenario {result.scenario}: {message}", file=sys.stderr)
    else:
        print(format_summary(result, scenario.config.horizon.timezone, scenario))
    violations = verify(scenario, result) if result.status.has_plan else []
    for v in violations:
        print(f"  VERIFY: {v}", file=sys.stderr)
    if out is not None:
        out = result.to_folder(out, overwrite=args.overwrite)
        _record_source(out, args.path, args.variant)
        if not args.no_xlsx:  # planners open the workbook first: written unless asked not to
            try:
                result.to_workbook(out / "plan.xlsx", overwrite=True)  # the folder was just replaced
            except StaffmixError as exc:  # a table longer than a sheet: the CSV tables stand, say so
                print(f"  plan.xlsx not written: {exc}", file=sys.stderr)
        if args.report:
            from staffmix.report import write_report

            write_report(result, out / "report.html", scenario=scenario)
        # --json: stdout is JSON alone
        print(f"  result written to {out}", file=sys.stderr if args.json else sys.stdout)
    below = args.strict and result.warnings
    return EXIT_OK if result.status.has_plan and not violations and not below else EXIT_FAILED


def cmd_validate(args: argparse.Namespace) -> int:
    from staffmix.scenario.io import load_scenario

    bad = 0
    for path in args.paths:
        try:
            import warnings

            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                scenario = load_scenario(path)
                for name in scenario.config.variants:
                    scenario.variant(name)
            print(
                f"{path}: ok ({scenario.config.horizon.periods} periods, {len(scenario.config.queues)} queues, "
                f"{len(scenario.config.variants)} variants)"
            )
            for w in caught:
                print(f"  warning: {w.message}")
        except ScenarioError as exc:
            bad += 1
            print(f"{path}: {exc.count} problem{'s' if exc.count > 1 else ''}")
            for problem in exc.problems:
                print(f"  {problem}")
    return EXIT_BAD_INPUT if bad else EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from staffmix.scenario.schema import scenario_json_schema

    print(json.dumps(scenario_json_schema(), indent=2))
    return EXIT_OK
