"""Running one job: solve, verify, report, and publish its folder with job.json last.

`run_job` is top-level and picklable, so process pools (spawn) and Dask
workers can run it. The job's folder is built aside and renamed into place
only when complete (util/atomic.py), so `out/<scenario>/<variant>/job.json` exists
only for finished jobs. A failed solve is recorded in the job, not raised.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
import traceback
from pathlib import Path
from typing import Any

from staffmix.batch.jobs import JOB_FILE, JobSpec
from staffmix.errors import StaffmixError
from staffmix.util.atomic import open_text, staged_folder
from staffmix.util.jsonable import jsonable

REPORT_FILE = "report.html"
FAILED_STATUSES = ("error", "infeasible", "no_solution")
"""Job statuses that count as failed (the batch exits 1)."""


def run_job(spec: JobSpec) -> dict[str, Any]:
    """Solve one job and publish its folder atomically; returns the job record (what job.json holds).

    Top-level and picklable, so process pools (spawn) and Dask workers can
    run it. Errors of the solve are recorded, not raised.
    """
    started = now_iso()
    t0 = time.perf_counter()
    result = None
    error = ""
    tb = ""
    violations: list[str] | None = None
    report_error = ""
    with staged_folder(spec.out_dir) as tmp:  # published once job.json is in; removed on any error
        if spec.load_error is not None:
            error = spec.load_error
        else:
            from staffmix.solvers.dispatch import solve

            try:
                result = solve(spec.scenario_obj, backend=spec.backend, time_limit_s=spec.time_limit_s)
            except StaffmixError as exc:
                error = str(exc)
            except Exception as exc:  # noqa: BLE001 - a job's failure is recorded, the batch goes on
                error = f"{type(exc).__name__}: {exc}"
                tb = traceback.format_exc()
        if result is not None:
            result = result.with_(model=None)
            result.to_folder(tmp)  # into the empty staging folder
            if result.status.has_plan:
                try:
                    from staffmix.verification import verify

                    violations = [str(v) for v in verify(spec.scenario_obj, result)]
                except Exception as exc:  # noqa: BLE001 - a check that failed is recorded as such
                    violations = [f"verify failed: {type(exc).__name__}: {exc}"]
            if spec.report:
                try:
                    from staffmix.report import write_report

                    write_report(result, tmp / REPORT_FILE, scenario=spec.scenario_obj, title=spec.name)
                except Exception as exc:  # noqa: BLE001 - a plan without a picture is still a plan
                    report_error = f"{type(exc).__name__}: {exc}"
        wall_s = time.perf_counter() - t0
        record = _record(spec, result, error, started=started, wall_s=wall_s, violations=violations,
                         report_error=report_error, traceback_text=tb)
        _write_json(tmp / JOB_FILE, record)  # last: its presence marks the folder complete
    return record


def _record(
    spec: JobSpec, result: Any, error: str, started: str, wall_s: float, violations: list[str] | None = None,
    report_error: str = "", traceback_text: str = "",
) -> dict[str, Any]:
    from staffmix import __version__

    status = str(result.status) if result is not None else "error"
    if result is not None and not error and result.status == "error":
        error = result.message
    row = summary_row(spec, result, error, wall_s, violations)
    return {
        "scenario": spec.scenario,
        "variant": spec.variant,
        "source": spec.source,
        "input_hash": spec.input_hash,
        "staffmix_version": __version__,
        "options": {
            "backend": spec.backend, "time_limit_s": spec.time_limit_s, "hard_timeout_s": spec.hard_timeout_s,
            "solver": result.options if result is not None else None,
        },
        "status": status,
        "error": error,
        "message": result.message if result is not None else "",
        "started_at": started,
        "finished_at": now_iso(),
        "wall_s": wall_s,
        "build_s": result.build_s if result is not None else None,
        "solve_s": result.solve_s if result is not None else None,
        "pid": os.getpid(),
        "host": _host(),
        "warnings": list(spec.warnings),
        "violations": violations,
        "report": REPORT_FILE if result is not None and spec.report and not report_error else None,
        "report_error": report_error,
        "traceback": traceback_text,
        "row": row,
    }


def summary_row(spec: JobSpec, result: Any, error: str, wall_s: float, violations: list[str] | None) -> dict[str, Any]:
    """The job's row of summary.csv."""
    k = result.kpis if result is not None else {}
    row: dict[str, Any] = {
        "scenario": spec.scenario,
        "variant": spec.variant,
        "status": str(result.status) if result is not None else "error",
        "objective": result.objective if result is not None else None,
        "bound": result.bound if result is not None else None,
        "gap": result.gap if result is not None else None,
        "cost_per_contact": k.get("cost_per_contact"),
        "in_house_share": k.get("in_house_share"),
        "night_share_outsourced": k.get("night_share_outsourced"),
        "service_level": k.get("service_level"),
    }
    for key, value in k.items():
        if key.startswith("service_level."):
            row[key] = value
    row.update(
        {
            "unmet_periods": k.get("unmet_periods"),
            "vendors_used": ";".join(k.get("vendors_used") or [])
            if result is not None and result.status.has_plan
            else None,
            "violations": len(violations) if violations is not None else None,
            "solver": result.solver if result is not None else (spec.backend or ""),
            "build_s": result.build_s if result is not None else None,
            "solve_s": result.solve_s if result is not None else None,
            "wall_s": wall_s,
            "message": result.message if result is not None else "",
            "error": error,
            "below_target_periods": result.below_target_periods
            if result is not None and result.status.has_plan
            else None,
            "min_service_level": k.get("min_service_level"),
            "warning": "; ".join(result.warnings) if result is not None else "",
            "currency": result.currency if result is not None else None,
            "deferred_within_target": k.get("deferred_within_target"),
            "unanswered_contacts": k.get("unanswered_contacts"),
            "occupancy": k.get("occupancy"),
        }
    )
    return jsonable(row)


def failure_record(spec: JobSpec, error: str, wall_s: float = 0.0, started: str | None = None) -> dict[str, Any]:
    """Record a job the worker could not finish (timeout, crashed worker) and publish its folder (job.json only)."""
    record = _record(spec, None, error, started=started or now_iso(), wall_s=wall_s)
    try:
        with staged_folder(spec.out_dir) as tmp:
            _write_json(tmp / JOB_FILE, record)
    except OSError as exc:
        record["error"] += f" (and its folder could not be written: {exc})"
        record["row"]["error"] = record["error"]
    return record


def _write_json(path: Path, data: dict[str, Any]) -> None:
    with open_text(path) as f:
        json.dump(jsonable(data), f, indent=2, default=str)
        f.write("\n")


def now_iso() -> str:
    """The current UTC time as ISO 8601 text, to the millisecond (job records' started_at / finished_at)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def _host() -> str:
    try:
        return os.uname().nodename
    except AttributeError:  # pragma: no cover - Windows
        import platform

        return platform.node()
