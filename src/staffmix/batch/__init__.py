"""Run a folder of scenario folders: every scenario and every variant, in parallel, resumable.

    summary = run_batch("scenarios", "out", jobs=4, time_limit_s=60)

Jobs: every subfolder of `folder` that holds a scenario.yaml, once as its
base (variant "base") and once per named variant. Each job's result goes to
`out/<scenario>/<variant>/`:

- the tables and summary.json of `Result.to_folder`,
- `report.html` (see `staffmix.report`),
- `job.json`: the input hash, options, timings, status, error, verify
  findings and the job's summary row. It is written last.

and the batch writes `out/summary.csv` (one row per job) and `out/index.html`
(the jobs side by side with a cost bar chart).

Guarantees:

- A job is written to a hidden temporary sibling folder and renamed into
  place only when complete, so `out/<scenario>/<variant>/job.json` exists
  only for finished jobs. An interrupted batch never leaves a half-written
  result that looks finished.
- `resume=True` skips every job whose job.json is there with a status and
  the same input hash (sha256 of the job's canonical scenario configuration,
  its demand CSV bytes, the variant, the solver options and the staffmix
  version); everything else runs again and replaces its folder atomically.
  Without `resume`, an `out` folder that is not empty is refused, so nothing
  already there is overwritten.
- A scenario folder that fails to load, a variant that does not apply, a job
  that raises or runs past its hard timeout: each is recorded as a job with
  status `error` and its message; the other jobs go on.
- Ctrl-C (KeyboardInterrupt): pending jobs are cancelled, the workers are
  stopped, every finished result is kept, summary.csv and index.html are
  written for what finished, and the KeyboardInterrupt is raised again.

The package: jobs.py (discovery, JobSpec, input hash, finished jobs),
run.py (one job and its record), executors.py (process pool or Dask; worker
life and death), progress.py (the progress line), summary.py (summary.csv);
`run_batch` here ties them together.

Executors: "process" (default) runs jobs in a `concurrent.futures`
ProcessPoolExecutor with the spawn start method (scripts that call
run_batch need the usual ``if __name__ == "__main__":`` guard); "dask"
submits the same top-level function `run_job` to a dask.distributed
cluster: the one at `scheduler` (an address, a Client or a Cluster) or a
LocalCluster started for the batch. With a remote cluster, `folder` is read
by this process but `out` must be on a file system the workers share.
"""

from __future__ import annotations

import os
import signal
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from staffmix.batch.executors import EXECUTORS, require_dask, run_dask, run_processes
from staffmix.batch.jobs import (
    BASE,
    JOB_FILE,
    JobSpec,
    clean_leftovers,
    discover_jobs,
    finished_at,
    finished_record,
    input_hash_of,
)
from staffmix.batch.progress import Progress
from staffmix.batch.run import FAILED_STATUSES, REPORT_FILE, run_job, summary_row
from staffmix.batch.summary_csv import (
    INDEX_FILE,
    SUMMARY_COLUMNS,
    SUMMARY_FILE,
    read_summary,
    summary_frame,
    write_summary,
)
from staffmix.errors import StaffmixError

__all__ = [
    "BASE", "EXECUTORS", "FAILED_STATUSES", "INDEX_FILE", "JOB_FILE", "REPORT_FILE", "SUMMARY_COLUMNS", "SUMMARY_FILE",
    "JobSpec", "Progress", "discover_jobs", "finished_record", "input_hash_of", "read_summary", "run_batch", "run_job",
    "summary_frame", "summary_row", "write_summary",
]


def run_batch(
    folder: str | os.PathLike[str],
    out: str | os.PathLike[str],
    jobs: int | None = None,
    backend: str | None = None,
    time_limit_s: float | None = None,
    resume: bool = False,
    executor: str = "process",
    scheduler: Any = None,
    progress: bool = True,
    *,
    job_timeout_s: float | None = None,
    reports: bool = True,
) -> pd.DataFrame:
    """Solve every scenario folder under `folder` (base and variants) and write results under `out`.

    jobs: parallel workers (default os.cpu_count()). backend / time_limit_s:
    passed to every solve (None: each scenario's own solver settings).
    resume: continue an earlier batch in `out`, skipping finished jobs with
    unchanged inputs. executor: "process" or "dask" (then `scheduler` is an
    address, a dask Client or Cluster, or None for a LocalCluster).
    progress: a progress line on stderr. job_timeout_s: hard wall-time limit
    per job (default 2 x the solver time limit + 60 s; none without a time
    limit); a job past it is stopped and recorded as an error. reports: write
    each job's report.html (False saves about a second a job; `staffmix
    report` draws one later).

    Returns the summary table (also written to out/summary.csv), one row per
    job that finished; see SUMMARY_COLUMNS.
    """
    from staffmix.solvers.options import check_options

    if executor not in EXECUTORS:
        raise StaffmixError(f"unknown executor {executor!r}; choose one of {', '.join(EXECUTORS)}")
    check_options(backend, time_limit_s)  # the same check as every solve's (solvers/options.py)
    if jobs is not None and jobs < 1:
        raise StaffmixError(f"jobs must be at least 1, got {jobs}")
    if job_timeout_s is not None and not job_timeout_s > 0:
        raise StaffmixError(f"job_timeout_s must be positive, got {job_timeout_s}")
    if executor == "dask":
        require_dask()  # before any work
    out_path = Path(out)
    if out_path.exists() and not out_path.is_dir():
        raise StaffmixError(f"{out_path}: exists and is not a folder")
    if out_path.is_dir() and any(out_path.iterdir()) and not resume:
        raise StaffmixError(
            f"{out_path}: out/ holds an earlier batch; pass --resume to continue it or choose another folder"
        )

    specs = discover_jobs(folder, out_path, backend=backend, time_limit_s=time_limit_s, job_timeout_s=job_timeout_s,
                          reports=reports)
    out_path.mkdir(parents=True, exist_ok=True)
    if resume:
        clean_leftovers(out_path)

    bar = Progress(len(specs), enabled=progress)
    records: dict[tuple[str, str], dict[str, Any]] = {}

    def on_done(spec: JobSpec, record: dict[str, Any], skipped: bool = False) -> None:
        records[(spec.scenario, spec.variant)] = record
        bar.job_finished(record["row"], skipped=skipped)

    todo: deque[JobSpec] = deque()
    quick: list[JobSpec] = []
    order = [(s.scenario, s.variant) for s in specs]
    for spec in specs:
        earlier = finished_record(spec) if resume else None
        if earlier is not None:
            on_done(spec, earlier, skipped=True)
        elif spec.load_error is not None:
            quick.append(spec)
        else:
            todo.append(spec)
    del specs  # the executors consume `todo`, so each scenario is freed once its job is done
    job_dirs = {(s.scenario, s.variant): (s.out_dir, s.input_hash) for s in todo}
    n_workers = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    if progress:
        skipped = f", {bar.skipped} done earlier" if bar.skipped else ""
        where = "a dask cluster" if executor == "dask" else f"{n_workers} worker process{'es' if n_workers > 1 else ''}"
        bar.note(f"staffmix batch: {len(order)} jobs from {folder}{skipped}; {len(todo)} to solve on {where}")
    restore = _sigterm_as_interrupt()
    try:
        for spec in quick:  # nothing to solve: record the load error here
            on_done(spec, run_job(spec))
        if todo:
            if executor == "dask":
                run_dask(todo, jobs, scheduler, on_done, bar)
            else:
                run_processes(todo, n_workers, on_done, bar)
    except KeyboardInterrupt:
        bar.close()
        # a worker may have published a job between its last report and the interrupt: count it too,
        # so summary.csv lists every complete job folder on disk
        for key, (out_dir, input_hash) in job_dirs.items():
            if key not in records:
                earlier = finished_at(out_dir, input_hash)
                if earlier is not None:
                    records[key] = earlier
        write_summary(order, records, out_path)
        if progress:
            bar.note(
                f"interrupted: {len(records)} of {len(order)} jobs finished and kept in {out_path}; "
                "run the same command again with --resume to finish"
            )
        raise
    finally:
        restore()
    bar.close()
    return write_summary(order, records, out_path)


def _sigterm_as_interrupt() -> Callable[[], None]:
    """While the batch runs, SIGTERM (a job scheduler stopping us) is handled like Ctrl-C: the
    workers are stopped and the finished results kept. Returns the function restoring the old handler."""
    import threading

    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        return lambda: None

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    try:
        old = signal.signal(signal.SIGTERM, handler)
    except (ValueError, OSError):  # pragma: no cover
        return lambda: None

    def restore() -> None:
        signal.signal(signal.SIGTERM, old)

    return restore
