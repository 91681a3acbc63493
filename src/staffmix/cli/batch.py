"""The batch commands: solve a folder of scenarios (`batch`) and redraw a result's report (`report`)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from staffmix.cli.parser import EXIT_FAILED, EXIT_OK
from staffmix.cli.paths import result_folder
from staffmix.errors import StaffmixError

if TYPE_CHECKING:
    import pandas as pd

    from staffmix.scenario.container import Scenario


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
    if args.strict:
        failed |= summary["below_target_periods"].fillna(0) > 0
    return EXIT_FAILED if failed.any() else EXIT_OK


def format_batch(summary: pd.DataFrame) -> str:
    """The batch summary as a short fixed-width table: one line per job; `service` is the live queues' share
    answered within their seconds, `deferred` the deferrable contacts' share within their response target."""
    import pandas as pd

    from staffmix.report import fmt_number

    names = [f"{s}/{v}" for s, v in zip(summary["scenario"], summary["variant"], strict=True)]
    width = max([len("job")] + [len(n) for n in names])
    currencies = {str(c) for c in summary.get("currency", pd.Series([], dtype=object)) if isinstance(c, str) and c}
    mixed = len(currencies) > 1  # one unit for every job goes in the header; several, beside each cost
    cost = f"cost {next(iter(currencies))}" if len(currencies) == 1 else "cost"
    cost_width = 18 if mixed else 14
    # one column per measure (issue #21): live queues within their seconds, deferrable work within its target
    lines = [
        f"{'job':<{width}}  {'status':<11} {cost:>{cost_width}}  {'in-house':>8}  {'service':>8}  {'deferred':>8}  note"
    ]
    for name, r in zip(names, summary.to_dict("records"), strict=True):
        amount = fmt_number(r.get("objective"))
        if (
            mixed
            and isinstance(r.get("currency"), str)
            and r["currency"]
            and r.get("objective") is not None
            and not pd.isna(r["objective"])
        ):
            amount += f" {r['currency']}"
        note = r.get("error") or r.get("warning") or (r.get("message") if r.get("status") != "optimal" else "") or ""
        if r.get("violations") and not pd.isna(r["violations"]):
            note = f"{int(r['violations'])} verify findings; " + note
        note = str(note).splitlines()[0] if note else ""
        if len(note) > 90:
            note = note[:87] + "..."
        lines.append(
            f"{name:<{width}}  {r['status']:<11} {amount:>{cost_width}}  "
            f"{fmt_number(r.get('in_house_share'), 'share'):>8}  {fmt_number(r.get('service_level'), 'share'):>8}  "
            f"{fmt_number(r.get('deferred_within_target'), 'share'):>8}  {note}".rstrip()
        )
    return "\n".join(lines)


# ===================================================================== report
def cmd_report(args: argparse.Namespace) -> int:
    from staffmix.report import write_report
    from staffmix.results.result import load_result
    from staffmix.scenario.io import load_scenario

    folder = result_folder(args.result_dir)
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
        if scenario is None and title is None:
            scenario = _scenario_from_solve(folder)
    target = Path(args.out) if args.out else folder / "report.html"
    if target.exists() and not args.overwrite:  # a report made at solve time is the user's: never replaced silently
        raise StaffmixError(f"{target}: exists; pass --overwrite to replace it, or --out FILE to write elsewhere")
    write_report(result, target, scenario=scenario, title=title)
    if scenario is not None:
        how = f"with its scenario {scenario.name}"
    else:
        from staffmix.report.page import WITHOUT_SCENARIO

        how = (
            f"drawn from the result tables alone, no scenario given or found: {WITHOUT_SCENARIO}; pass --scenario PATH"
        )
    print(f"report written to {target} ({how})")
    return EXIT_OK


def _scenario_from_solve(folder: Path) -> Scenario | None:
    """The scenario `staffmix solve --out` recorded in the folder (SOURCE_FILE), if it still loads; else None."""
    import warnings

    from staffmix.cli.scenario_commands import SOURCE_FILE
    from staffmix.scenario.io import load_scenario

    try:
        source = json.loads((folder / SOURCE_FILE).read_text(encoding="utf-8"))
        path, variant = source["path"], source.get("variant")
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scenario = load_scenario(path)
            return scenario.variant(variant) if variant else scenario
    except (StaffmixError, OSError) as exc:
        print(
            f"staffmix: note: the scenario recorded in {folder / SOURCE_FILE} does not load ({exc}); "
            "drawing from the tables alone",
            file=sys.stderr,
        )
        return None


def _scenario_from_job(folder: Path) -> tuple[Scenario | None, str | None]:
    """The scenario named in a batch result's job.json, if it still loads; else (None, None)."""
    import warnings

    from staffmix.batch import BASE, JOB_FILE
    from staffmix.scenario.io import load_scenario

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
        print(
            f"staffmix: note: the scenario in {folder / JOB_FILE} does not load ({exc}); drawing from the tables alone",
            file=sys.stderr,
        )
        return None, title
    return scenario, title
