"""The `staffmix` command line.

Exit codes: 0 ok; 1 infeasible, no plan, or failed jobs; 2 bad input (a
scenario, file or option the user can fix). Errors print as one line without
a traceback unless --debug is given.

Commands: solve, validate, schema, batch, report, erlang, simulate, export, bench, import, init
(`staffmix COMMAND --help`).

The package: parser.py (every command's options and help; commands are
imported only when they run, so `--help` is instant), scenario.py (solve,
validate, schema), batch.py (batch, report), erlang.py, simulate.py; `main`
here runs a command and turns errors into one line and an exit code.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

from staffmix.cli.parser import (
    COMMANDS,
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    build_parser,
)
from staffmix.errors import ScenarioError, SolverError, StaffmixError

__all__ = ["COMMANDS", "EXIT_BAD_INPUT", "EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_OK", "build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run `staffmix` with `argv` (default: the process's arguments) and return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a bad option (2): return the code instead of exiting
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    debug = getattr(args, "debug", False)
    try:
        module, func = args.run.split(":")
        return int(getattr(importlib.import_module(module), func)(args))
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
