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

Executors: "process" (default) runs jobs in a `concurrent.futures`
ProcessPoolExecutor with the spawn start method (scripts that call
run_batch need the usual ``if __name__ == "__main__":`` guard); "dask"
submits the same top-level function `run_job` to a dask.distributed
cluster: the one at `scheduler` (an address, a Client or a Cluster) or a
LocalCluster started for the batch. With a remote cluster, `folder` is read
by this process but `out` must be on a file system the workers share.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import signal
import sys
import time
import traceback
import uuid
import warnings
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from staffmix.atomic import is_leftover, open_text, remove, staged_folder
from staffmix.errors import ScenarioError, StaffmixError

BASE = "base"
"""Variant name of a scenario's base job."""
JOB_FILE = "job.json"
SUMMARY_FILE = "summary.csv"
INDEX_FILE = "index.html"
REPORT_FILE = "report.html"
EXECUTORS = ("process", "dask")

SUMMARY_COLUMNS = [
    "scenario", "variant", "status", "objective", "bound", "gap", "cost_per_contact", "in_house_share",
    "night_share_outsourced", "service_level",
    # service_level.<queue> columns go here
    "unmet_periods", "vendors_used", "violations", "solver", "build_s", "solve_s", "wall_s", "message", "error",
]
"""Columns of summary.csv, in order; one `service_level.<queue>` column per queue seen in any job follows `service_level`."""

FAILED_STATUSES = ("error", "infeasible", "no_solution")


@dataclass(frozen=True)
class JobSpec:
    """One job as shipped to a worker (picklable)."""

    scenario: str
    """Scenario folder name (the first level under `out`)."""
    variant: str
    """'base' or the variant's name (the second level under `out`)."""
    source: str
    """Absolute path of the scenario folder."""
    out_dir: str
    """Absolute path of the job's result folder."""
    input_hash: str | None
    backend: str | None
    time_limit_s: float | None
    hard_timeout_s: float | None
    report: bool = True
    """Write report.html into the job folder."""
    scenario_obj: Any = field(default=None, repr=False, compare=False)
    """The loaded (variant-applied) Scenario; None when it failed to load."""
    load_error: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.scenario}/{self.variant}"


# ====================================================================== jobs
def discover_jobs(
    folder: str | os.PathLike[str], out: str | os.PathLike[str], backend: str | None = None,
    time_limit_s: float | None = None, job_timeout_s: float | None = None, reports: bool = True,
) -> list[JobSpec]:
    """Every job of a batch, in order: scenario folders by name, base first, then variants in file order.

    Loads every scenario (that is how variants and input hashes are known);
    a folder that fails to load becomes one 'base' job carrying the error.
    """
    from staffmix.io import apply_variant, load_scenario

    root = Path(folder)
    if not root.is_dir():
        raise StaffmixError(f"{root}: no such folder of scenario folders")
    out_root = Path(out).resolve()
    subfolders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and (p / "scenario.yaml").is_file())
    if not subfolders:
        hint = " (it is a scenario folder itself: use `staffmix solve`, or put it in a folder of scenarios)" if (root / "scenario.yaml").is_file() else ""
        raise StaffmixError(f"{root}: no scenario folders (subfolders holding a scenario.yaml){hint}")
    specs: list[JobSpec] = []
    for sub in subfolders:
        source = str(sub.resolve())

        def spec(variant: str, scenario: Any = None, error: str | None = None, notes: Iterable[str] = ()) -> JobSpec:
            input_hash = opts = None
            hard = job_timeout_s
            if scenario is not None:
                opts = _resolved_options(scenario, backend, time_limit_s)
                input_hash = input_hash_of(scenario, variant, opts)
                if hard is None and opts["time_limit_s"] is not None:
                    hard = 2 * float(opts["time_limit_s"]) + 60
            return JobSpec(
                scenario=sub.name, variant=variant, source=source, out_dir=str(out_root / sub.name / variant),
                input_hash=input_hash, backend=backend, time_limit_s=time_limit_s, hard_timeout_s=hard, report=reports,
                scenario_obj=scenario, load_error=error, warnings=tuple(notes),
            )

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                base = load_scenario(sub)
            except ScenarioError as exc:
                specs.append(spec(BASE, error=_problems_text(exc)))
                continue
        base_notes = [str(w.message) for w in caught]
        specs.append(spec(BASE, base, notes=base_notes))
        for name in base.config.variants:
            if name == BASE:
                specs.append(spec(name, error=f"{sub.name}: variant name {BASE!r} is reserved for the base scenario in a batch; rename the variant"))
                continue
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    specs.append(spec(name, apply_variant(base, name), notes=[str(w.message) for w in caught]))
                except ScenarioError as exc:
                    specs.append(spec(name, error=_problems_text(exc)))
    return specs


def _problems_text(exc: ScenarioError) -> str:
    return "; ".join(exc.problems) if exc.problems else str(exc)


def _resolved_options(scenario: Any, backend: str | None, time_limit_s: float | None) -> dict[str, Any]:
    from staffmix.solve import resolve_options

    return resolve_options(scenario, backend, time_limit_s, None, None).as_dict()


def input_hash_of(scenario: Any, variant: str, options: dict[str, Any]) -> str:
    """sha256 over the canonical configuration JSON, the demand CSV bytes, the variant, the solver options and the staffmix version."""
    from staffmix import __version__

    h = hashlib.sha256()
    config = scenario.config.model_dump(mode="json")
    h.update(json.dumps(config, sort_keys=True, separators=(",", ":")).encode())
    h.update(b"\0demand\0")
    demand_file = Path(scenario.source or ".") / scenario.config.demand.file
    try:
        h.update(demand_file.read_bytes())
    except OSError:  # not read from a folder: hash the table instead
        h.update(scenario.demand.to_csv(index=False).encode())
    h.update(b"\0variant\0" + variant.encode())
    h.update(b"\0options\0" + json.dumps(options, sort_keys=True).encode())
    h.update(b"\0version\0" + __version__.encode())
    return h.hexdigest()


# ============================================================ the job itself
def run_job(spec: JobSpec) -> dict[str, Any]:
    """Solve one job and publish its folder atomically; returns the job record (what job.json holds).

    Top-level and picklable, so process pools (spawn) and Dask workers can
    run it. Errors of the solve are recorded, not raised.
    """
    started = _now()
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
            from staffmix.solve import solve

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
                    from staffmix.verify import verify

                    violations = [str(v) for v in verify(spec.scenario_obj, result)]
                except Exception as exc:  # noqa: BLE001
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
        "finished_at": _now(),
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
    row.update({
        "unmet_periods": k.get("unmet_periods"),
        "vendors_used": ";".join(k.get("vendors_used") or []) if result is not None and result.status.has_plan else None,
        "violations": len(violations) if violations is not None else None,
        "solver": result.solver if result is not None else (spec.backend or ""),
        "build_s": result.build_s if result is not None else None,
        "solve_s": result.solve_s if result is not None else None,
        "wall_s": wall_s,
        "message": result.message if result is not None else "",
        "error": error,
    })
    return _jsonable(row)


def _failure_record(spec: JobSpec, error: str, wall_s: float = 0.0, started: str | None = None) -> dict[str, Any]:
    """Record a job the worker could not finish (timeout, crashed worker) and publish its folder (job.json only)."""
    record = _record(spec, None, error, started=started or _now(), wall_s=wall_s)
    try:
        with staged_folder(spec.out_dir) as tmp:
            _write_json(tmp / JOB_FILE, record)
    except OSError as exc:
        record["error"] += f" (and its folder could not be written: {exc})"
        record["row"]["error"] = record["error"]
    return record


def _write_json(path: Path, data: dict[str, Any]) -> None:
    with open_text(path) as f:
        json.dump(_jsonable(data), f, indent=2, default=str)
        f.write("\n")


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        try:
            obj = obj.item()
        except (TypeError, ValueError):
            pass
    if isinstance(obj, float) and (math.isnan(obj) or math.isinf(obj)):
        return None
    return obj


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


def _host() -> str:
    try:
        return os.uname().nodename
    except AttributeError:  # pragma: no cover - Windows
        import platform

        return platform.node()


def finished_record(spec: JobSpec) -> dict[str, Any] | None:
    """The job.json of an earlier run of this job if it is complete and its input hash matches, else None."""
    return _finished_at(spec.out_dir, spec.input_hash)


def _finished_at(out_dir: str, input_hash: str | None) -> dict[str, Any] | None:
    if input_hash is None:
        return None
    path = Path(out_dir) / JOB_FILE
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("row"), dict):
        return None
    if record.get("status") not in ("optimal", "feasible", "infeasible", "no_solution", "error"):
        return None
    if record.get("input_hash") != input_hash:
        return None
    return record


def _clean_leftovers(out: Path) -> None:
    """Remove temp folders an interrupted batch left behind (hidden *.partial-* / *.old-* entries)."""
    if not out.is_dir():
        return
    for sub in out.iterdir():
        if not sub.is_dir() or sub.name.startswith("."):
            continue
        for entry in sub.iterdir():
            if is_leftover(entry.name):
                remove(entry)


# ================================================================== progress
class Progress:
    """One progress line on stderr: rewritten in place on a terminal, one line per finished job otherwise."""

    def __init__(self, total: int, enabled: bool = True, stream: TextIO | None = None) -> None:
        self.total = total
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = time.monotonic()
        self.done = self.failed = self.skipped = self.running = 0
        self.last = ""
        self._width = 0

    @property
    def finished(self) -> int:
        return self.done + self.failed + self.skipped

    def elapsed(self) -> str:
        return str(dt.timedelta(seconds=int(time.monotonic() - self.start)))

    def line(self) -> str:
        skipped = f", skipped {self.skipped}" if self.skipped else ""
        text = (f"[{self.finished}/{self.total}] done {self.done}, running {self.running}, failed {self.failed}"
                f"{skipped}, elapsed {self.elapsed()}")
        return f"{text} \u2014 {self.last}" if self.last else text

    def job_finished(self, row: dict[str, Any], skipped: bool = False) -> None:
        status = row.get("status")
        if skipped:
            self.skipped += 1
        elif status in FAILED_STATUSES:
            self.failed += 1
        else:
            self.done += 1
        what = f"{status}"
        if row.get("objective") is not None:
            what += f" {row['objective']:,.2f}"
        elif row.get("error"):
            err = str(row["error"]).splitlines()[0]
            what += f": {err[:100]}{'...' if len(err) > 100 else ''}"
        if skipped:  # counted, not shown: the opening line says how many were done earlier
            return
        self.last = f"{row.get('scenario')}/{row.get('variant')} {what}"
        self._emit(newline=not self.tty)

    def note(self, text: str) -> None:
        """A message of its own line (e.g. a job killed on timeout)."""
        if not self.enabled:
            return
        if self.tty and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
        self.stream.write(text + "\n")
        self._width = 0
        self.stream.flush()

    def refresh(self) -> None:
        """Redraw the line (terminal only; e.g. to tick the elapsed time)."""
        if self.tty:
            self._emit(newline=False)

    def _emit(self, newline: bool) -> None:
        if not self.enabled:
            return
        text = self.line()
        if newline:
            self.stream.write(text + "\n")
        else:
            pad = max(0, self._width - len(text))
            self.stream.write("\r" + text + " " * pad)
            self._width = len(text)
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.tty and self._width:
            self.stream.write("\n")
            self.stream.flush()
            self._width = 0


# ================================================================= executors
OnDone = Callable[[JobSpec, dict[str, Any]], None]


def _worker_init(parent_pid: int | None = None) -> None:
    """Each process-pool worker leads its own process group: Ctrl-C at the terminal reaches only the
    parent (which stops the workers itself), and a worker can be killed together with its solver subprocess.

    `parent_pid` is the batch process: a worker that starts only after the batch died (it was
    still importing) sees itself already adopted and must stop at once, not watch its new parent."""
    if hasattr(os, "setpgrp"):
        try:
            os.setpgrp()
        except OSError:
            pass
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except (ValueError, OSError):  # pragma: no cover
        pass
    _watch_parent(parent_pid)


def _watch_parent(parent: int | None = None, poll_s: float = 1.0) -> None:
    """Stop this worker (and its solver) when the batch process dies without stopping it (e.g. SIGKILL):
    orphaned pool workers would otherwise wait for work forever."""
    import threading

    if parent is None:
        parent = os.getppid()

    def stop() -> None:
        try:
            if hasattr(os, "killpg") and os.getpgrp() == os.getpid():
                os.killpg(os.getpid(), signal.SIGKILL)
        finally:
            os._exit(1)

    if os.getppid() != parent:  # the batch died while this worker was starting
        stop()

    def watch() -> None:
        while True:
            time.sleep(poll_s)
            if os.getppid() != parent:
                stop()

    threading.Thread(target=watch, name="staffmix-parent-watch", daemon=True).start()


def _kill_workers(executor: Any) -> None:
    """Kill every worker process of a ProcessPoolExecutor (and the solver processes it started)."""
    procs = list((getattr(executor, "_processes", None) or {}).values())
    for p in procs:
        if p.pid is None or not p.is_alive():
            continue
        try:
            if hasattr(os, "killpg") and os.getpgid(p.pid) == p.pid and p.pid != os.getpgrp():
                os.killpg(p.pid, signal.SIGKILL)
            else:
                p.kill()
        except (ProcessLookupError, PermissionError, OSError):
            pass
    for p in procs:
        try:
            p.join(timeout=5)
        except (AssertionError, ValueError):  # pragma: no cover
            pass


def _run_processes(specs: deque[JobSpec], jobs: int, on_done: OnDone, progress: Progress) -> None:
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    ctx = mp.get_context("spawn")
    out = Path(specs[0].out_dir).parent.parent  # every job folder is out/<scenario>/<variant>
    queue: deque[tuple[JobSpec, int]] = deque()  # (spec, crashes seen)
    while specs:  # consume the caller's queue: a finished job's scenario is freed
        queue.append((specs.popleft(), 0))
    while queue:
        executor = ProcessPoolExecutor(max_workers=max(1, min(jobs, len(queue))), mp_context=ctx, initializer=_worker_init,
                                       initargs=(os.getpid(),))
        running: dict[Any, tuple[JobSpec, int, float, str]] = {}
        restart = False
        try:
            while (queue or running) and not restart:
                while queue and len(running) < jobs and not restart:
                    spec, crashes = queue.popleft()
                    try:
                        running[executor.submit(run_job, spec)] = (spec, crashes, time.monotonic(), _now())
                    except BrokenProcessPool:  # a worker died since the last look: start a new pool
                        queue.appendleft((spec, crashes))
                        restart = True
                progress.running = len(running)
                done, _ = wait(list(running), timeout=0.5, return_when=FIRST_COMPLETED) if running else (set(), set())
                for fut in done:
                    spec, crashes, t0, started = running.pop(fut)
                    try:
                        record = fut.result()
                    except BrokenProcessPool:
                        # a worker died (killed, out of memory, crashed): we cannot tell whose job did it
                        if crashes >= 1:
                            record = _failure_record(spec, "the worker process running this job died twice (out of memory or a crash in the solver?)",
                                                     time.monotonic() - t0, started)
                        else:
                            queue.appendleft((spec, crashes + 1))
                            restart = True
                            continue
                    except Exception as exc:  # noqa: BLE001 - run_job itself failed (e.g. disk full)
                        record = _failure_record(spec, f"{type(exc).__name__}: {exc}", time.monotonic() - t0, started)
                    progress.running = len(running)
                    on_done(spec, record)
                now = time.monotonic()
                late = [f for f, (spec, _, t0, _) in running.items()
                        if spec.hard_timeout_s and now - t0 > spec.hard_timeout_s and not f.done()]
                if late:
                    # a process pool cannot stop one task: stop them all, record the late ones, rerun the rest
                    for f in late:
                        spec, _, t0, started = running.pop(f)
                        progress.note(f"{spec.name}: killed after {spec.hard_timeout_s:g} s (hard timeout); restarting the workers")
                        progress.running = len(running)
                        on_done(spec, _failure_record(spec, f"timed out: killed after {spec.hard_timeout_s:g} s wall time (hard per-job timeout)",
                                                      now - t0, started))
                    restart = True
                if restart:
                    for f, (spec, crashes, _, _) in running.items():
                        if not f.done() or f.exception() is not None:
                            queue.appendleft((spec, crashes))
                        else:  # pragma: no cover - finished in the meantime
                            on_done(spec, f.result())
                    running.clear()
                    _kill_workers(executor)
                    _clean_leftovers(out)  # the killed workers' temp folders
                progress.refresh()
        except BaseException:
            _kill_workers(executor)
            executor.shutdown(wait=False, cancel_futures=True)
            _clean_leftovers(out)
            raise
        executor.shutdown(wait=True, cancel_futures=True)


def _require_dask() -> None:
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise StaffmixError("the dask executor needs dask.distributed: install staffmix[dask] (pip install 'staffmix[dask]')") from None


def _run_dask(specs: deque[JobSpec], jobs: int | None, scheduler: Any, on_done: OnDone, progress: Progress) -> None:
    _require_dask()
    from distributed import Client, LocalCluster
    from distributed import wait as dask_wait

    cluster = client = None
    own_client = True
    try:
        if scheduler is None:
            n = max(1, jobs or os.cpu_count() or 1)
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster)
        elif isinstance(scheduler, Client):
            client, own_client = scheduler, False
        else:
            client = Client(scheduler)  # an address or a Cluster object
        slots = sum(client.nthreads().values()) or 1
        if jobs:
            slots = min(slots, jobs)
        queue = specs
        running: dict[Any, tuple[JobSpec, float, str]] = {}
        try:
            while queue or running:
                while queue and len(running) < slots:
                    spec = queue.popleft()
                    fut = client.submit(run_job, spec, pure=False, key=f"staffmix-{spec.scenario}-{spec.variant}-{uuid.uuid4().hex[:8]}")
                    running[fut] = (spec, time.monotonic(), _now())
                progress.running = len(running)
                try:
                    dask_wait(list(running), timeout=0.5, return_when="FIRST_COMPLETED")
                except (TimeoutError, Exception) as exc:  # distributed raises its own TimeoutError subclasses
                    if not _is_timeout(exc):
                        raise
                for fut in [f for f in running if f.done()]:
                    spec, t0, started = running.pop(fut)
                    try:
                        record = fut.result()
                    except Exception as exc:  # noqa: BLE001
                        record = _failure_record(spec, f"{type(exc).__name__}: {exc}", time.monotonic() - t0, started)
                    progress.running = len(running)
                    on_done(spec, record)
                now = time.monotonic()
                for fut in [f for f, (s, t0, _) in running.items() if s.hard_timeout_s and now - t0 > s.hard_timeout_s and not f.done()]:
                    spec, t0, started = running.pop(fut)
                    client.cancel(fut)
                    progress.note(f"{spec.name}: cancelled after {spec.hard_timeout_s:g} s (hard timeout)")
                    progress.running = len(running)
                    on_done(spec, _failure_record(spec, f"timed out: cancelled after {spec.hard_timeout_s:g} s wall time (hard per-job timeout)",
                                                  now - t0, started))
                progress.refresh()
        except BaseException:
            if running:
                client.cancel(list(running))
            raise
    finally:
        if client is not None and own_client:
            client.close()
        if cluster is not None:
            cluster.close()


def _is_timeout(exc: BaseException) -> bool:
    import asyncio

    return isinstance(exc, (TimeoutError, asyncio.TimeoutError)) or "Timeout" in type(exc).__name__


# =================================================================== the batch
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
    from staffmix.solve import BACKENDS

    if executor not in EXECUTORS:
        raise StaffmixError(f"unknown executor {executor!r}; choose one of {', '.join(EXECUTORS)}")
    if backend is not None and backend not in BACKENDS:
        raise StaffmixError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if time_limit_s is not None and not time_limit_s > 0:
        raise StaffmixError(f"time_limit_s must be positive, got {time_limit_s}")
    if jobs is not None and jobs < 1:
        raise StaffmixError(f"jobs must be at least 1, got {jobs}")
    if job_timeout_s is not None and not job_timeout_s > 0:
        raise StaffmixError(f"job_timeout_s must be positive, got {job_timeout_s}")
    if executor == "dask":
        _require_dask()  # before any work
    out_path = Path(out)
    if out_path.exists() and not out_path.is_dir():
        raise StaffmixError(f"{out_path}: exists and is not a folder")
    if out_path.is_dir() and any(out_path.iterdir()) and not resume:
        raise StaffmixError(f"{out_path}: out/ holds an earlier batch; pass --resume to continue it or choose another folder")

    specs = discover_jobs(folder, out_path, backend=backend, time_limit_s=time_limit_s, job_timeout_s=job_timeout_s,
                          reports=reports)
    out_path.mkdir(parents=True, exist_ok=True)
    if resume:
        _clean_leftovers(out_path)

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
                _run_dask(todo, jobs, scheduler, on_done, bar)
            else:
                _run_processes(todo, n_workers, on_done, bar)
    except KeyboardInterrupt:
        bar.close()
        # a worker may have published a job between its last report and the interrupt: count it too,
        # so summary.csv lists every complete job folder on disk
        for key, (out_dir, input_hash) in job_dirs.items():
            if key not in records:
                earlier = _finished_at(out_dir, input_hash)
                if earlier is not None:
                    records[key] = earlier
        write_summary(order, records, out_path)
        if progress:
            bar.note(f"interrupted: {len(records)} of {len(order)} jobs finished and kept in {out_path}; run again with resume to finish")
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
    return lambda: signal.signal(signal.SIGTERM, old)


def summary_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows of finished jobs as the summary table (fixed column order, service_level.<queue> after service_level)."""
    queues: list[str] = []
    for r in rows:
        for k in r:
            if k.startswith("service_level.") and k not in queues:
                queues.append(k)
    at = SUMMARY_COLUMNS.index("service_level") + 1
    columns = SUMMARY_COLUMNS[:at] + queues + SUMMARY_COLUMNS[at:]
    df = pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=columns)
    for col in ("objective", "bound", "gap", "cost_per_contact", "in_house_share", "night_share_outsourced",
                "service_level", *queues, "build_s", "solve_s", "wall_s"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    for col in ("unmet_periods", "violations"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("Int64")
    for col in ("vendors_used", "message", "error"):
        df[col] = df[col].astype(object).where(df[col].notna(), "")
    return df


def write_summary(order: list[tuple[str, str]], records: dict[tuple[str, str], dict[str, Any]], out: Path) -> pd.DataFrame:
    """Write out/summary.csv and out/index.html for the finished jobs, in job order; return the table."""
    rows = [records[key]["row"] for key in order if key in records]
    df = summary_frame(rows)
    with open_text(out / SUMMARY_FILE, newline="") as f:
        df.to_csv(f, index=False)
    try:
        from staffmix.report import write_index

        write_index(df, out / INDEX_FILE, title=f"staffmix batch: {out.name}")
    except Exception as exc:  # noqa: BLE001 - the CSV is what counts
        print(f"staffmix: warning: could not write {out / INDEX_FILE}: {type(exc).__name__}: {exc}", file=sys.stderr)
    return df


def read_summary(out: str | os.PathLike[str]) -> pd.DataFrame:
    """Read out/summary.csv back with the right types."""
    df = pd.read_csv(Path(out) / SUMMARY_FILE, keep_default_na=True)
    return summary_frame(df.to_dict("records"))
