"""The `staffmix` command line.

Exit codes: 0 ok; 1 infeasible, no plan, or failed jobs; 2 bad input (a
scenario, file or option the user can fix). Errors print as one line without
a traceback unless --debug is given.

Commands: solve, validate, schema, batch, report, erlang, simulate (`staffmix COMMAND --help`).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from staffmix.backends import BACKEND_NAMES
from staffmix.errors import ScenarioError, SolverError, StaffmixError

if TYPE_CHECKING:
    import pandas as pd

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
EXIT_INTERRUPTED = 130

EPILOG = """\
examples:
  staffmix solve scenarios/2can-split
  staffmix solve scenarios/saas-24x7 --variant in-house-only --backend highs --out out/saas
  staffmix validate scenarios/*
  staffmix schema > scenario.schema.json
  staffmix batch scenarios --out out/batch --jobs 4 --time-limit 60
  staffmix report out/batch/2can-split/base
  staffmix erlang --contacts 120 --aht 300
  staffmix simulate scenarios/2can-split --replications 20 --out out/2can-sim

exit codes: 0 ok, 1 infeasible / no plan / failed jobs, 2 bad input
"""

BATCH_EPILOG = """\
examples:
  staffmix batch scenarios --out out/batch --jobs 4 --time-limit 60
  staffmix batch scenarios --out out/batch --resume          # after Ctrl-C: finish what is left
  staffmix batch scenarios --out out/batch --executor dask --scheduler tcp://10.0.0.5:8786

Every subfolder of FOLDER holding a scenario.yaml is one job for its base and
one per variant. Results go to DIR/<scenario>/<variant>/ (tables, report.html,
job.json); DIR/summary.csv has one row per job, DIR/index.html compares them.

exit codes: 0 every job has a plan, 1 a job failed, was infeasible or found
no plan, 2 bad input, 130 interrupted (finished jobs are kept; use --resume)
"""

REPORT_EPILOG = """\
examples:
  staffmix report out/batch/2can-split/base
  staffmix report out/2can --scenario scenarios/2can-split --out /tmp/2can.html

Without --scenario the scenario is found through the folder's job.json (batch
results); failing that, the report is drawn from the tables alone (times in
UTC, no target or commitment lines).
"""

ERLANG_EPILOG = """\
examples:
  staffmix erlang --contacts 120 --aht 300
  staffmix erlang --contacts 300 --aht 240 --interval-min 30 --target 0.9 --within 15 --max-occupancy 0.85
  staffmix erlang --contacts 120 --aht 300 --patience 90     # Erlang A: callers hang up after 90 s on average
"""


SIMULATE_EPILOG = """\
examples:
  staffmix simulate scenarios/2can-split                        # solve, then 20 replications, seed 0
  staffmix simulate scenarios/2can-split --result out/2can --out out/2can-sim
  staffmix simulate scenarios/saas-24x7 --handling lognormal --cv 1.3 --arrivals replay --json

Each replication runs every queue through the whole horizon: calls left
waiting at the end of an hour are still waiting in the next. Figures are means
with 95 % intervals over the replications, beside the plan's Erlang figures;
a queue-day is flagged when its whole interval lies below the target.
--out writes the tables (CSV), simulation.json, report.html (the plan's
report with the simulation chart) and, when it solved first, the plan in plan/.
"""


class _Parser(argparse.ArgumentParser):
    """argparse that prints one 'staffmix: error:' line (plus usage) and exits 2 on a bad option."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"staffmix: error: {message}\n")


def _positive(kind: type) -> object:
    def parse(text: str) -> float | int:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a {'number' if kind is float else 'whole number'}") from None
        if not (value > 0 and math.isfinite(value)):
            raise argparse.ArgumentTypeError(f"must be positive, got {text}")
        return value

    return parse


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (value >= 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be a number >= 0, got {text}")
    return value


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="staffmix",
        description="Plan contact-centre staffing hour by hour: in-house shifts versus outsourced vendors.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    # --debug is accepted after the command too (staffmix solve X --debug)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help: str, epilog: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=help[:1].upper() + help[1:] + ".", epilog=epilog,
                              formatter_class=argparse.RawDescriptionHelpFormatter, parents=[common])

    p = command("solve", "solve one scenario folder and print a summary",
                "example:\n  staffmix solve scenarios/2can-split --out out/2can --report")
    p.add_argument("path", help="scenario folder (holding scenario.yaml) or the yaml file")
    p.add_argument("--variant", help="solve this named variant of the scenario")
    p.add_argument("--backend", choices=BACKEND_NAMES, help="solver backend (default: the scenario's, else cbc)")
    p.add_argument("--time-limit", type=_positive(float), metavar="S", help="solver time limit in seconds")
    p.add_argument("--gap", type=float, metavar="REL", help="relative MIP gap at which to stop (default 1e-4)")
    p.add_argument("--threads", type=_positive(int), help="solver threads")
    p.add_argument("--out", metavar="DIR", help="write the result tables (CSV + summary.json) to DIR (must not exist or be empty)")
    p.add_argument("--report", action="store_true", help="also write report.html into --out")
    p.add_argument("--json", action="store_true", help="print summary.json instead of the text summary")
    p.set_defaults(func=cmd_solve)

    p = command("validate", "check scenarios without solving and list every problem",
                "example:\n  staffmix validate scenarios/*\n\nexit codes: 0 all valid, 2 a scenario has problems")
    p.add_argument("paths", nargs="+", help="scenario folders")
    p.set_defaults(func=cmd_validate)

    p = command("schema", "print the JSON Schema of scenario.yaml", "example:\n  staffmix schema > scenario.schema.json")
    p.set_defaults(func=cmd_schema)

    p = command("batch", "solve every scenario folder in a folder, base and variants, in parallel", BATCH_EPILOG)
    p.add_argument("folder", metavar="FOLDER", help="folder whose subfolders are scenario folders")
    p.add_argument("--out", metavar="DIR", required=True, help="results folder (new or empty, or an earlier batch with --resume)")
    p.add_argument("--jobs", type=_positive(int), metavar="N", help="parallel workers (default: the number of CPUs)")
    p.add_argument("--resume", action="store_true", help="continue an earlier batch in DIR: skip jobs finished with unchanged inputs")
    p.add_argument("--backend", choices=BACKEND_NAMES, help="solver backend for every job (default: each scenario's)")
    p.add_argument("--time-limit", type=_positive(float), metavar="S", help="solver time limit per job in seconds")
    p.add_argument("--job-timeout", type=_positive(float), metavar="S",
                   help="hard wall-time limit per job; a job past it is stopped and recorded as an error (default: 2 x time limit + 60 s)")
    p.add_argument("--executor", choices=["process", "dask"], default="process", help="where jobs run (default: local processes)")
    p.add_argument("--scheduler", metavar="ADDR", help="dask scheduler address (with --executor dask; default: a local cluster)")
    p.add_argument("--no-reports", action="store_true", help="skip each job's report.html (faster; `staffmix report` draws one later)")
    p.add_argument("--quiet", action="store_true", help="no progress line on stderr")
    p.set_defaults(func=cmd_batch)

    p = command("report", "rebuild report.html from a result folder", REPORT_EPILOG)
    p.add_argument("result_dir", metavar="RESULT_DIR", help="a result folder (written by solve --out or batch)")
    p.add_argument("--scenario", metavar="PATH", help="the scenario folder the result was solved from (local times, targets, commitments)")
    p.add_argument("--variant", help="with --scenario: the variant the result was solved from")
    p.add_argument("--out", metavar="FILE", help="write the report here instead of RESULT_DIR/report.html")
    p.set_defaults(func=cmd_report)

    p = command("erlang", "Erlang C / A calculator: agents needed for a service level", ERLANG_EPILOG)
    p.add_argument("--contacts", type=_non_negative, required=True, metavar="N", help="contacts arriving in one interval")
    p.add_argument("--aht", type=_positive(float), required=True, metavar="S", help="average handling time, seconds")
    p.add_argument("--interval-min", type=_positive(float), default=60.0, metavar="MIN", help="interval length in minutes (default 60)")
    p.add_argument("--target", type=_share, default=0.8, metavar="SHARE", help="service-level target (default 0.8)")
    p.add_argument("--within", type=_non_negative, default=20.0, metavar="S", help="answer-time threshold in seconds (default 20)")
    p.add_argument("--max-occupancy", type=_share, metavar="SHARE", help="cap on agent occupancy, e.g. 0.85")
    p.add_argument("--max-asa", type=_non_negative, metavar="S", help="cap on the average speed of answer, seconds")
    p.add_argument("--patience", type=_positive(float), metavar="S", help="mean caller patience in seconds: use Erlang A (callers abandon)")
    p.add_argument("--max-abandon", type=_share, metavar="SHARE", help="with --patience: cap on the abandonment share")
    p.set_defaults(func=cmd_erlang)

    p = command("simulate", "check a plan by discrete-event simulation: service level, ASA, abandonment on the day", SIMULATE_EPILOG)
    p.add_argument("path", help="scenario folder (holding scenario.yaml) or the yaml file")
    p.add_argument("--result", metavar="DIR", help="the plan to simulate: a result folder (solve --out); default: solve first")
    p.add_argument("--variant", help="the named variant of the scenario")
    p.add_argument("--replications", type=_positive(int), default=20, metavar="N", help="independent runs of the horizon (default 20)")
    p.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives the same figures (default 0)")
    p.add_argument("--arrivals", choices=["poisson", "replay"], default="poisson", help="Poisson at each period's rate (default), or the demand's counts")
    p.add_argument("--handling", choices=["exponential", "lognormal"], default="exponential", help="handling-time distribution (default exponential)")
    p.add_argument("--cv", type=_positive(float), metavar="X", help="with --handling lognormal: coefficient of variation (default 1)")
    p.add_argument("--by-period", action="store_true", help="also the per-period table (in --out and --json)")
    p.add_argument("--jobs", type=_positive(int), metavar="N", help="worker processes (default: the number of CPUs)")
    p.add_argument("--backend", choices=BACKEND_NAMES, help="when solving first: solver backend")
    p.add_argument("--time-limit", type=_positive(float), metavar="S", help="when solving first: solver time limit in seconds")
    p.add_argument("--out", metavar="DIR", help="write tables, simulation.json and report.html to DIR (must not exist or be empty)")
    p.add_argument("--json", action="store_true", help="print the summary and tables as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.set_defaults(func=cmd_simulate)
    return parser


# ====================================================================== solve
def cmd_solve(args: argparse.Namespace) -> int:
    from staffmix.io import load_scenario
    from staffmix.solving import solve
    from staffmix.summary import format_summary
    from staffmix.verification import verify

    if args.report and not args.out:
        raise StaffmixError("--report needs --out DIR")
    scenario = load_scenario(args.path)
    if args.variant:
        scenario = scenario.variant(args.variant)
    result = solve(scenario, backend=args.backend, time_limit_s=args.time_limit, mip_gap=args.gap, threads=args.threads)
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
    if args.out:
        out = result.to_folder(args.out)
        if args.report:
            from staffmix.report import write_report

            write_report(result, out / "report.html", scenario=scenario)
        print(f"  result written to {out}", file=sys.stderr if args.json else sys.stdout)  # --json: stdout is JSON alone
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
    from staffmix.schema import scenario_json_schema

    print(json.dumps(scenario_json_schema(), indent=2))
    return EXIT_OK


# ====================================================================== batch
def cmd_batch(args: argparse.Namespace) -> int:
    from staffmix.batch import FAILED_STATUSES, INDEX_FILE, SUMMARY_FILE, run_batch

    if args.scheduler and args.executor != "dask":
        raise StaffmixError("--scheduler needs --executor dask")
    summary = run_batch(
        args.folder, args.out, jobs=args.jobs, backend=args.backend, time_limit_s=args.time_limit,
        resume=args.resume, executor=args.executor, scheduler=args.scheduler, progress=not args.quiet,
        job_timeout_s=args.job_timeout, reports=not args.no_reports,
    )
    print(format_batch(summary))
    out = Path(args.out)
    print(f"summary: {out / SUMMARY_FILE}\nindex:   {out / INDEX_FILE}")
    failed = summary["status"].isin(FAILED_STATUSES) | (summary["violations"].fillna(0) > 0)
    return EXIT_FAILED if failed.any() else EXIT_OK


def format_batch(summary: pd.DataFrame) -> str:
    """The batch summary as a short fixed-width table: one line per job."""
    import pandas as pd

    from staffmix.report import fmt_number

    names = [f"{s}/{v}" for s, v in zip(summary["scenario"], summary["variant"])]
    width = max([len("job")] + [len(n) for n in names])
    lines = [f"{'job':<{width}}  {'status':<11} {'cost':>14}  {'in-house':>8}  {'service':>8}  note"]
    for name, r in zip(names, summary.to_dict("records")):
        note = r.get("error") or (r.get("message") if r.get("status") != "optimal" else "") or ""
        if r.get("violations") and not pd.isna(r["violations"]):
            note = f"{int(r['violations'])} verify findings; " + note
        note = str(note).splitlines()[0] if note else ""
        if len(note) > 90:
            note = note[:87] + "..."
        lines.append(
            f"{name:<{width}}  {r['status']:<11} {fmt_number(r.get('objective')):>14}  "
            f"{fmt_number(r.get('in_house_share'), 'share'):>8}  {fmt_number(r.get('service_level'), 'share'):>8}  {note}".rstrip()
        )
    return "\n".join(lines)


# ===================================================================== report
def cmd_report(args: argparse.Namespace) -> int:
    from staffmix.io import load_scenario
    from staffmix.report import write_report
    from staffmix.result import load_result

    folder = Path(args.result_dir)
    if not folder.is_dir():
        raise StaffmixError(f"{folder}: no such result folder")
    result = load_result(folder)
    scenario = None
    title = None
    if args.scenario:
        scenario = load_scenario(args.scenario)
        if args.variant:
            scenario = scenario.variant(args.variant)
    elif args.variant:
        raise StaffmixError("--variant needs --scenario PATH")
    else:
        scenario, title = _scenario_from_job(folder)
    target = Path(args.out) if args.out else folder / "report.html"
    write_report(result, target, scenario=scenario, title=title)
    how = "with its scenario" if scenario is not None else "drawn from the result tables alone: no scenario given or found"
    print(f"report written to {target} ({how})")
    return EXIT_OK


def _scenario_from_job(folder: Path) -> tuple[object | None, str | None]:
    """The scenario named in a batch result's job.json, if it still loads; else (None, None)."""
    import warnings

    from staffmix.batch import BASE, JOB_FILE
    from staffmix.io import load_scenario

    try:
        job = json.loads((folder / JOB_FILE).read_text(encoding="utf-8"))
        source, variant = job["source"], job["variant"]
    except (OSError, ValueError, KeyError, TypeError):
        return None, None
    title = f"{job.get('scenario')}/{variant}"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scenario = load_scenario(source)
            if variant != BASE:
                scenario = scenario.variant(variant)
    except (StaffmixError, OSError) as exc:
        print(f"staffmix: note: the scenario in {folder / JOB_FILE} does not load ({exc}); drawing from the tables alone", file=sys.stderr)
        return None, title
    return scenario, title


# ===================================================================== erlang
def cmd_erlang(args: argparse.Namespace) -> int:
    import numpy as np

    from staffmix import queueing

    if args.max_abandon is not None and args.patience is None:
        raise StaffmixError("--max-abandon needs --patience (abandonment follows from caller patience)")
    interval_s = args.interval_min * 60.0
    try:
        load = float(queueing.offered_load(args.contacts, args.aht, interval_s))
        required = int(queueing.required_agents(
            args.contacts, args.aht, interval_s, args.target, args.within,
            max_occupancy=args.max_occupancy if args.max_occupancy is not None else 1.0,
            max_asa_s=args.max_asa, patience_s=args.patience, max_abandon=args.max_abandon,
        ))
        agents = np.arange(max(1, required - 3) if required else 0, required + 4)
        erlang_a = args.patience is not None
        if erlang_a:
            sl = queueing.erlang_a_service_level(agents, load, args.aht, args.patience, args.within)
            asa = queueing.erlang_a_asa_s(agents, load, args.aht, args.patience)
            occ = queueing.erlang_a_occupancy(agents, load, args.aht, args.patience)
            abandon = queueing.erlang_a_abandon_probability(agents, load, args.aht, args.patience)
        else:
            sl = queueing.service_level(agents, load, args.aht, args.within)
            asa = queueing.asa_s(agents, load, args.aht)
            occ = queueing.occupancy(agents, load)
            abandon = None
    except ValueError as exc:
        raise StaffmixError(str(exc)) from None

    model = f"Erlang A (mean patience {args.patience:g} s)" if erlang_a else "Erlang C"
    targets = [f"{args.target:.0%} answered within {args.within:g} s"]
    if args.max_occupancy is not None:
        targets.append(f"occupancy <= {args.max_occupancy:.0%}")
    if args.max_asa is not None:
        targets.append(f"ASA <= {args.max_asa:g} s")
    if args.max_abandon is not None:
        targets.append(f"abandonment <= {args.max_abandon:.1%}")
    print(f"offered load:    {load:,.2f} Erlangs ({args.contacts:g} contacts x {args.aht:g} s / {interval_s:g} s)")
    print(f"required agents: {required} productive agents ({model}; {', '.join(targets)})")
    print()
    header = f"{'agents':>6}  {'service level':>13}  {'ASA (s)':>9}  {'occupancy':>9}"
    if abandon is not None:
        header += f"  {'abandoned':>9}"
    print(header)
    for i, n in enumerate(agents):
        a = float(asa[i])
        row = f"{int(n):>6}  {float(sl[i]):>13.1%}  {('inf' if math.isinf(a) else f'{a:,.1f}'):>9}  {float(occ[i]):>9.1%}"
        if abandon is not None:
            row += f"  {float(abandon[i]):>9.1%}"
        if int(n) == required:
            row += "  <- required"
        print(row)
    return EXIT_OK


# =================================================================== simulate
def cmd_simulate(args: argparse.Namespace) -> int:
    from staffmix.io import load_scenario
    from staffmix.result import load_result
    from staffmix.simulation import simulate
    from staffmix.simulation.report import format_simulation

    if args.cv is not None and args.handling != "lognormal":
        raise StaffmixError("--cv needs --handling lognormal")
    if args.result and (args.backend or args.time_limit):
        raise StaffmixError("--backend and --time-limit apply when solving first, not with --result")
    out = Path(args.out) if args.out else None
    if out is not None and out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise StaffmixError(f"{out}: exists and is not empty; choose another folder")
    scenario = load_scenario(args.path)
    if args.variant:
        scenario = scenario.variant(args.variant)
    if args.result:
        if not Path(args.result).is_dir():
            raise StaffmixError(f"{args.result}: no such result folder")
        result = load_result(args.result)
    else:
        from staffmix.solving import solve

        result = solve(scenario, backend=args.backend, time_limit_s=args.time_limit)
        if not args.quiet:
            print(f"simulate: solved {scenario.name}: {result.status}, cost {result.objective}", file=sys.stderr)
        if not result.status.has_plan:
            print(f"staffmix: error: scenario {scenario.name}: the solve ended {result.status}; no plan to simulate", file=sys.stderr)
            return EXIT_FAILED
    sim = simulate(scenario, result, replications=args.replications, seed=args.seed, arrivals=args.arrivals,
                   handling=args.handling, handling_cv=args.cv, by_period=args.by_period, jobs=args.jobs, progress=not args.quiet)
    if args.json:
        tables = {name: json.loads(getattr(sim, name).to_json(orient="records"))
                  for name in ("by_queue", "by_day", "by_period") if getattr(sim, name) is not None}
        print(json.dumps({**sim.summary(), **tables}, indent=2))
    else:
        print(format_simulation(sim))
    if out is not None:
        from staffmix.report import write_report

        sim.to_folder(out, overwrite=True)  # checked empty above
        if not args.result:
            result.to_folder(out / "plan")
        write_report(result, out / "report.html", scenario=scenario, simulation=sim)
        print(f"simulation written to {out}", file=sys.stderr if args.json else sys.stdout)
    return EXIT_OK


# ======================================================================= main
def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a bad option (2): return the code instead of exiting
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    debug = getattr(args, "debug", False)
    try:
        return int(args.func(args))
    except (ScenarioError, FileNotFoundError) as exc:
        if debug:
            raise
        print(f"staffmix: error: {exc}", file=sys.stderr)
        if isinstance(exc, ScenarioError) and len(exc.problems) > 1:
            for problem in exc.problems[1:]:
                print(f"  {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except StaffmixError as exc:
        if debug:
            raise
        print(f"staffmix: error: {exc}", file=sys.stderr)
        return EXIT_FAILED if isinstance(exc, SolverError) else EXIT_BAD_INPUT
    except BrokenPipeError:  # output piped into `head`: stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:  # permissions, a file where a folder should be, ...
        if debug:
            raise
        print(f"staffmix: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("staffmix: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
