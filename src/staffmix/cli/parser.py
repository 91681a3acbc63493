"""The command line's parser: every command, its options and its help text.

Each command's options are added by its own `_add_<command>` function, and
the command is named as "module:function" (`COMMANDS`), imported only when it
runs: building the parser imports nothing but argparse and the backend names,
so `staffmix --help` answers at once.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from typing import NoReturn, TypeVar

from staffmix import __version__
from staffmix.cli.help_texts import (
    BATCH_EPILOG,
    EPILOG,
    ERLANG_EPILOG,
    IMPORT_EPILOG,
    INIT_EPILOG,
    REPORT_EPILOG,
    ROSTER_EPILOG,
    SIMULATE_EPILOG,
)
from staffmix.scenario.backend_names import BACKEND_NAMES

MAX_THREADS = 256
"""Most solver threads (staffmix.scenario.schema.MAX_THREADS; a test keeps the two equal, so --help imports no
pydantic)."""

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
EXIT_INTERRUPTED = 130

COMMANDS: dict[str, str] = {
    "solve": "staffmix.cli.scenario_commands:cmd_solve",
    "validate": "staffmix.cli.scenario_commands:cmd_validate",
    "schema": "staffmix.cli.scenario_commands:cmd_schema",
    "batch": "staffmix.cli.batch:cmd_batch",
    "report": "staffmix.cli.batch:cmd_report",
    "erlang": "staffmix.cli.erlang:cmd_erlang",
    "simulate": "staffmix.cli.simulate:cmd_simulate",
    "export": "staffmix.cli.quality:cmd_export",
    "bench": "staffmix.cli.quality:cmd_bench",
    "import": "staffmix.cli.import_demand:cmd_import",
    "init": "staffmix.cli.init:cmd_init",
    "roster": "staffmix.cli.roster_command:cmd_roster",
}
"""Command name -> "module:function" that runs it (the function takes the parsed arguments, returns the exit code)."""



Number = TypeVar("Number", int, float)


class _Parser(argparse.ArgumentParser):
    """argparse that prints one 'staffmix: error:' line (plus usage) and exits 2 on a bad option."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"staffmix: error: {message}\n")


def _positive(kind: Callable[[str], Number]) -> Callable[[str], Number]:
    def parse(text: str) -> Number:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a {'number' if kind is float else 'whole number'}"
            ) from None
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


def _gap(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be a relative gap between 0 and 1 (0.01 is 1 %), got {text}")
    return value


def _threads(text: str) -> int:
    value = _positive(int)(text)
    if value > MAX_THREADS:
        raise argparse.ArgumentTypeError(f"at most {MAX_THREADS}, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The `staffmix` parser with every command (each added by its `_add_<command>` function)."""
    parser = _Parser(
        prog="staffmix",
        description="Plan contact-centre staffing hour by hour: in-house shifts versus outsourced vendors.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--version", action="version", version=f"staffmix {__version__}")
    # --debug is accepted after the command too (staffmix solve X --debug)
    common = _Parser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help: str, epilog: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help[:1].upper() + help[1:] + ".", epilog=epilog,
                           formatter_class=argparse.RawDescriptionHelpFormatter, parents=[common])
        p.set_defaults(run=COMMANDS[name])
        return p

    _add_solve(command)
    _add_validate(command)
    _add_schema(command)
    _add_batch(command)
    _add_report(command)
    _add_erlang(command)
    _add_simulate(command)
    _add_export(command)
    _add_bench(command)
    _add_import(command)
    _add_init(command)
    _add_roster(command)
    return parser


def _add_solve(command) -> None:
    p = command("solve", "solve one scenario folder and print a summary",
                "example:\n  staffmix solve scenarios/2can-split --out out/2can --report")
    p.add_argument("path", help="scenario folder (holding scenario.yaml) or the yaml file")
    p.add_argument("--variant", help="solve this named variant of the scenario")
    p.add_argument("--backend", choices=BACKEND_NAMES, help="solver backend (default: the scenario's, else cbc)")
    p.add_argument("--time-limit", type=_positive(float), metavar="S", help="solver time limit in seconds")
    p.add_argument(
        "--gap", type=_gap, metavar="REL", help="relative MIP gap at which to stop, 0 to 1 (default 1e-4: 0.01 %%)"
    )
    p.add_argument("--threads", type=_threads, help=f"solver threads (1 to {MAX_THREADS})")
    p.add_argument(
        "--work-limit",
        type=_positive(int),
        metavar="N",
        help="core only: deterministic mode, N units of solver work instead of time (same plan on any machine)",
    )
    p.add_argument(
        "--out",
        metavar="DIR",
        help="write the result tables (CSV + summary.json) to DIR (new or empty; checked before solving)",
    )
    p.add_argument("--overwrite", action="store_true", help="with --out: replace what DIR holds")
    p.add_argument("--report", action="store_true", help="also write report.html into --out")
    p.add_argument(
        "--no-xlsx",
        action="store_true",
        help="with --out: skip plan.xlsx (the workbook of every table, written by default)",
    )
    p.add_argument("--json", action="store_true", help="print summary.json instead of the text summary")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr (phase, best cost, bound, elapsed time)")
    p.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 when the plan misses a target (queue-periods short, unserved or below their service level)",
    )



def _add_roster(command) -> None:
    p = command("roster", "roster a plan's in-house shifts to named agents (days off, rest, breaks)", ROSTER_EPILOG)
    p.add_argument("path", help="scenario folder (holding scenario.yaml) or the yaml file")
    p.add_argument("--result", metavar="DIR", required=True, help="the plan: a result folder (solve --out)")
    p.add_argument("--variant", help="the named variant of the scenario the plan was solved from")
    p.add_argument("--agents", metavar="FILE", help="agents.csv to read (default: the one beside scenario.yaml)")
    p.add_argument("--out", metavar="DIR", help="write the roster files here instead of the result folder")
    p.add_argument("--overwrite", action="store_true", help="replace roster files already there")
    p.add_argument(
        "--time-limit",
        type=_positive(float),
        metavar="S",
        help="CP-SAT time limit in seconds (default: the scenario's)",
    )
    p.add_argument(
        "--threads", type=_threads, help=f"CP-SAT workers (1 to {MAX_THREADS}; default 1, the same roster every run)"
    )
    p.add_argument(
        "--feedback",
        action="store_true",
        help="when it cannot be rostered: solve the plan again within the agents' limits, roster that",
    )
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")


def _add_validate(command) -> None:
    p = command("validate", "check scenarios without solving and list every problem",
                "example:\n  staffmix validate scenarios/*\n\nexit codes: 0 all valid, 2 a scenario has problems")
    p.add_argument("paths", nargs="+", help="scenario folders")


def _add_schema(command) -> None:
    command("schema", "print the JSON Schema of scenario.yaml", "example:\n  staffmix schema > scenario.schema.json")


def _add_batch(command) -> None:
    p = command("batch", "solve every scenario folder in a folder, base and variants, in parallel", BATCH_EPILOG)
    p.add_argument("folder", metavar="FOLDER", help="folder whose subfolders are scenario folders")
    p.add_argument(
        "--out", metavar="DIR", required=True, help="results folder (new or empty, or an earlier batch with --resume)"
    )
    p.add_argument("--jobs", type=_positive(int), metavar="N", help="parallel workers (default: the number of CPUs)")
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue an earlier batch in DIR: skip jobs finished with unchanged inputs",
    )
    p.add_argument("--backend", choices=BACKEND_NAMES, help="solver backend for every job (default: each scenario's)")
    p.add_argument("--time-limit", type=_positive(float), metavar="S", help="solver time limit per job in seconds")
    p.add_argument(
        "--job-timeout",
        type=_positive(float),
        metavar="S",
        help="hard wall-time limit per job; a job past it is stopped and recorded as an error (default: 2 x time limit "
             "+ 60 s)",
    )
    p.add_argument(
        "--executor", choices=["process", "dask"], default="process", help="where jobs run (default: local processes)"
    )
    p.add_argument(
        "--scheduler", metavar="ADDR", help="dask scheduler address (with --executor dask; default: a local cluster)"
    )
    p.add_argument(
        "--no-reports",
        action="store_true",
        help="skip each job's report.html (faster; `staffmix report` draws one later)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress line on stderr")
    p.add_argument(
        "--strict", action="store_true", help="exit 1 when a job's plan misses a target (as well as on failed jobs)"
    )


def _add_report(command) -> None:
    p = command("report", "rebuild report.html from a result folder", REPORT_EPILOG)
    p.add_argument("result_dir", metavar="RESULT_DIR", help="a result folder (written by solve --out or batch)")
    p.add_argument(
        "--scenario",
        metavar="PATH",
        help="the scenario folder the result was solved from (local times, targets, commitments)",
    )
    p.add_argument("--variant", help="with --scenario: the variant the result was solved from")
    p.add_argument("--out", metavar="FILE", help="write the report here instead of RESULT_DIR/report.html")
    p.add_argument("--overwrite", action="store_true", help="replace the report file if it exists")


def _add_erlang(command) -> None:
    p = command("erlang", "Erlang C / A calculator: agents needed for a service level", ERLANG_EPILOG)
    p.add_argument(
        "--contacts", type=_non_negative, required=True, metavar="N", help="contacts arriving in one interval"
    )
    p.add_argument("--aht", type=_positive(float), required=True, metavar="S", help="average handling time, seconds")
    p.add_argument(
        "--interval-min",
        type=_positive(float),
        default=60.0,
        metavar="MIN",
        help="interval length in minutes (default 60)",
    )
    p.add_argument("--target", type=_share, default=0.8, metavar="SHARE", help="service-level target (default 0.8)")
    p.add_argument(
        "--within", type=_non_negative, default=20.0, metavar="S", help="answer-time threshold in seconds (default 20)"
    )
    p.add_argument("--max-occupancy", type=_share, metavar="SHARE", help="cap on agent occupancy, e.g. 0.85")
    p.add_argument("--max-asa", type=_non_negative, metavar="S", help="cap on the average speed of answer, seconds")
    p.add_argument(
        "--patience",
        type=_positive(float),
        metavar="S",
        help="mean caller patience in seconds: use Erlang A (callers abandon)",
    )
    p.add_argument("--max-abandon", type=_share, metavar="SHARE", help="with --patience: cap on the abandonment share")


def _add_simulate(command) -> None:
    p = command(
        "simulate",
        "check a plan by discrete-event simulation: service level, ASA, abandonment on the day",
        SIMULATE_EPILOG,
    )
    p.add_argument("path", help="scenario folder (holding scenario.yaml) or the yaml file")
    p.add_argument(
        "--result", metavar="DIR", help="the plan to simulate: a result folder (solve --out); default: solve first"
    )
    p.add_argument("--variant", help="the named variant of the scenario")
    p.add_argument(
        "--replications",
        type=_positive(int),
        default=20,
        metavar="N",
        help="independent runs of the horizon (default 20)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives the same figures (default 0)")
    p.add_argument(
        "--arrivals",
        choices=["poisson", "replay"],
        default="poisson",
        help="Poisson at each period's rate (default), or the demand's counts",
    )
    p.add_argument(
        "--handling",
        choices=["exponential", "lognormal"],
        default="exponential",
        help="handling-time distribution (default exponential)",
    )
    p.add_argument(
        "--cv",
        type=_positive(float),
        metavar="X",
        help="with --handling lognormal: coefficient of variation (default 1)",
    )
    p.add_argument("--by-period", action="store_true", help="also the per-period table (in --out and --json)")
    p.add_argument("--jobs", type=_positive(int), metavar="N", help="worker processes (default: the number of CPUs)")
    p.add_argument("--backend", choices=BACKEND_NAMES, help="when solving first: solver backend")
    p.add_argument(
        "--time-limit", type=_positive(float), metavar="S", help="when solving first: solver time limit in seconds"
    )
    p.add_argument(
        "--out",
        metavar="DIR",
        help="write tables, simulation.json and report.html to DIR (new or empty; checked first)",
    )
    p.add_argument("--overwrite", action="store_true", help="with --out: replace what DIR holds")
    p.add_argument("--json", action="store_true", help="print the summary and tables as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")


def _add_export(command) -> None:
    p = command("export", "write a scenario's MIP as an MPS file for other solvers",
                "example:\n  staffmix export scenarios/2can-split --mps 2can.mps")
    p.add_argument("path", help="scenario folder (holding scenario.yaml) or the yaml file")
    p.add_argument("--variant", help="export this named variant of the scenario")
    p.add_argument("--mps", required=True, metavar="FILE", help="the .mps file to write (must not exist)")
    p.add_argument("--backend", choices=["core", "cbc", "highs"], default="core",
                   help="whose model: the core's matrix (default) or the reference PuLP model")


def _add_bench(command) -> None:
    p = command(
        "bench",
        "plan quality of every scenario in a folder against a baseline (for CI)",
        "examples:\n  staffmix bench scenarios --baseline quality.json      # first run: writes the baseline\n"
        "  staffmix bench scenarios --baseline quality.json      # later: compares, exit 1 on a regression\n\n"
        "Deterministic: the core with a work limit and one thread, the same plan on any machine;\n"
        "time is shown, never judged. exit codes: 0 no regression (or baseline written), 1 regression, 2 bad input",
    )
    p.add_argument("folder", metavar="FOLDER", help="a scenario folder, or a folder of scenario folders")
    p.add_argument(
        "--baseline", required=True, metavar="FILE", help="baseline JSON: written when missing, else compared against"
    )
    p.add_argument(
        "--work-limit",
        type=_positive(int),
        metavar="N",
        help="units of solver work per scenario (default: the baseline's, else 20)",
    )
    p.add_argument(
        "--gap", type=_gap, metavar="REL", help="relative MIP gap (default: the baseline's, else each scenario's)"
    )
    p.add_argument(
        "--tolerance",
        type=_share,
        default=1e-3,
        metavar="REL",
        help="relative loss of plan cost or bound allowed (default 0.001)",
    )
    p.add_argument("--variants", action="store_true", help="also every variant of every scenario")
    p.add_argument("--update", action="store_true", help="write the baseline anew even when FILE exists")


def _add_import(command) -> None:
    p = command(
        "import", "turn a telephony or ticketing export (CSV or xlsx) into a scenario's demand.csv", IMPORT_EPILOG
    )
    p.add_argument("export", metavar="EXPORT", help="the export file: CSV (comma, semicolon, tab or pipe) or .xlsx")
    p.add_argument("--scenario", required=True, metavar="PATH",
                   help="the scenario folder (or its yaml): queues, time zone and period length come from it")
    p.add_argument("--out", metavar="FILE", help="the demand CSV to write (default: the scenario folder's demand.csv)")
    p.add_argument("--overwrite", action="store_true", help="replace FILE if it exists")
    p.add_argument("--time-column", metavar="COL", help="the column of interval starts (default: the first column)")
    p.add_argument(
        "--date-column", metavar="COL", help="a separate date column (the time column then holds the time of day)"
    )
    p.add_argument(
        "--time-format",
        metavar="FMT",
        help='strftime format of the time stamps, e.g. "%%d.%%m.%%Y %%H:%%M" (default: ISO 8601)',
    )
    p.add_argument(
        "--queue-column",
        metavar="COL",
        help="long export: the column naming the queue (default: wide, a column per queue)",
    )
    p.add_argument(
        "--value-column", metavar="COL", help="long export: the column of contacts (default: the only other column)"
    )
    p.add_argument(
        "--map",
        action="append",
        metavar="NAME=QUEUE",
        help="export queue name -> scenario queue id (repeat; several names may map to one queue: summed)",
    )
    p.add_argument(
        "--ignore",
        action="append",
        metavar="COL",
        help="wide export: a column that is not a queue, e.g. a total (repeat)",
    )
    p.add_argument(
        "--interval-min",
        type=_positive(int),
        metavar="MIN",
        help="the export's interval (default: the smallest step between its time stamps)",
    )
    p.add_argument(
        "--delimiter",
        metavar="D",
        help="CSV field separator: comma, semicolon, tab, pipe or one character (default: found from the header)",
    )
    p.add_argument("--decimal", default=".", choices=[".", ","], help="decimal mark of the numbers (default .)")
    p.add_argument("--sheet", metavar="NAME", help="xlsx: the sheet to read (default: the first)")


def _add_init(command) -> None:
    p = command("init", "write a small commented scenario folder to start from", INIT_EPILOG)
    p.add_argument("folder", metavar="FOLDER", help="the folder to create (new or empty)")
