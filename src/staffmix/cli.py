"""The `staffmix` command line.

Exit codes: 0 ok; 1 infeasible, no plan, or failed jobs; 2 bad input (a
scenario, file or option the user can fix). Errors print as one line without
a traceback unless --debug is given.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from staffmix.errors import ScenarioError, SolverError, StaffmixError

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2

EPILOG = """\
examples:
  staffmix solve scenarios/2can-split
  staffmix solve scenarios/saas-24x7 --variant in-house-only --backend highs --out out/saas
  staffmix validate scenarios/*
  staffmix schema > scenario.schema.json

exit codes: 0 ok, 1 infeasible / no plan / failed jobs, 2 bad input
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="staffmix",
        description="Plan contact-centre staffing hour by hour: in-house shifts versus outsourced vendors.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "solve", help="solve one scenario folder and print a summary",
        epilog="example:\n  staffmix solve scenarios/2can-split --out out/2can --report",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("path", help="scenario folder (holding scenario.yaml) or the yaml file")
    p.add_argument("--variant", help="solve this named variant of the scenario")
    p.add_argument("--backend", choices=["cbc", "highs", "core"], help="solver backend (default: the scenario's, else cbc)")
    p.add_argument("--time-limit", type=float, metavar="S", help="solver time limit in seconds")
    p.add_argument("--gap", type=float, metavar="REL", help="relative MIP gap at which to stop (default 1e-4)")
    p.add_argument("--threads", type=int, help="solver threads")
    p.add_argument("--out", metavar="DIR", help="write the result tables (CSV + summary.json) to DIR (must not exist or be empty)")
    p.add_argument("--report", action="store_true", help="also write report.html into --out")
    p.add_argument("--json", action="store_true", help="print summary.json instead of the text summary")
    p.set_defaults(func=cmd_solve)

    p = sub.add_parser(
        "validate", help="check scenarios without solving and list every problem",
        epilog="example:\n  staffmix validate scenarios/*", formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="+", help="scenario folders")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("schema", help="print the JSON Schema of scenario.yaml")
    p.set_defaults(func=cmd_schema)
    return parser


def cmd_solve(args: argparse.Namespace) -> int:
    from staffmix.io import load_scenario
    from staffmix.solve import solve
    from staffmix.summary import format_summary
    from staffmix.verify import verify

    scenario = load_scenario(args.path)
    if args.variant:
        scenario = scenario.variant(args.variant)
    result = solve(scenario, backend=args.backend, time_limit_s=args.time_limit, mip_gap=args.gap, threads=args.threads)
    if args.json:
        print(json.dumps(result.summary(), indent=2, default=str))
    else:
        print(format_summary(result, scenario.config.horizon.timezone))
    violations = verify(scenario, result) if result.status.has_plan else []
    for v in violations:
        print(f"  VERIFY: {v}", file=sys.stderr)
    if args.out:
        out = result.to_folder(args.out)
        if args.report:
            from staffmix.report import write_report

            write_report(result, out / "report.html", scenario=scenario)
        print(f"  result written to {out}")
    elif args.report:
        raise StaffmixError("--report needs --out DIR")
    return EXIT_OK if result.status.has_plan and not violations else EXIT_FAILED


def cmd_validate(args: argparse.Namespace) -> int:
    from staffmix.io import load_scenario

    bad = 0
    for path in args.paths:
        try:
            import warnings

            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                scenario = load_scenario(path)
                for name in scenario.config.variants:
                    scenario.variant(name)
            print(f"{path}: ok ({scenario.config.horizon.periods} periods, {len(scenario.config.queues)} queues, {len(scenario.config.variants)} variants)")
            for w in caught:
                print(f"  warning: {w.message}")
        except ScenarioError as exc:
            bad += 1
            print(f"{path}: {len(exc.problems)} problem{'s' if len(exc.problems) > 1 else ''}")
            for problem in exc.problems:
                print(f"  {problem}")
    return EXIT_BAD_INPUT if bad else EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from staffmix.scenario import scenario_json_schema

    print(json.dumps(scenario_json_schema(), indent=2))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except (ScenarioError, FileNotFoundError) as exc:
        if args.debug:
            raise
        print(f"staffmix: error: {exc}", file=sys.stderr)
        if isinstance(exc, ScenarioError) and len(exc.problems) > 1:
            for problem in exc.problems[1:]:
                print(f"  {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except StaffmixError as exc:
        if args.debug:
            raise
        print(f"staffmix: error: {exc}", file=sys.stderr)
        return EXIT_FAILED if isinstance(exc, SolverError) else EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("staffmix: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
