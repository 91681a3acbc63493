"""Where jobs run: a pool of spawned worker processes, or a Dask cluster; and the workers' life and death.

"process" runs jobs in a `concurrent.futures` ProcessPoolExecutor with the
spawn start method. Each worker leads its own process group and watches the
batch process, so Ctrl-C, a hard per-job timeout or the batch's death stops it
together with its solver (`worker_init`, `kill_workers`; the simulation's
replications use them too). A job whose worker dies is run again once, then
recorded as failed. "dask" submits the same `run_job` to a dask.distributed
cluster and cancels a job past its hard timeout.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from staffmix.batch.jobs import JobSpec, clean_leftovers
from staffmix.batch.progress import Progress
from staffmix.batch.run import failure_record, now_iso, run_job
from staffmix.errors import StaffmixError

EXECUTORS = ("process", "dask")

OnDone = Callable[[JobSpec, dict[str, Any]], None]


def worker_init(parent_pid: int | None = None) -> None:
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


def kill_workers(executor: Any) -> None:
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


def run_processes(specs: deque[JobSpec], jobs: int, on_done: OnDone, progress: Progress) -> None:
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    ctx = mp.get_context("spawn")
    out = Path(specs[0].out_dir).parent.parent  # every job folder is out/<scenario>/<variant>
    queue: deque[tuple[JobSpec, int]] = deque()  # (spec, crashes seen)
    while specs:  # consume the caller's queue: a finished job's scenario is freed
        queue.append((specs.popleft(), 0))
    while queue:
        executor = ProcessPoolExecutor(
            max_workers=max(1, min(jobs, len(queue))), mp_context=ctx, initializer=worker_init, initargs=(os.getpid(),)
        )
        running: dict[Any, tuple[JobSpec, int, float, str]] = {}
        restart = False
        try:
            while (queue or running) and not restart:
                while queue and len(running) < jobs and not restart:
                    spec, crashes = queue.popleft()
                    try:
                        running[executor.submit(run_job, spec)] = (spec, crashes, time.monotonic(), now_iso())
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
                            record = failure_record(
                                spec,
                                "the worker process running this job died twice (out of memory or a crash in the "
                                "solver?)",
                                time.monotonic() - t0,
                                started,
                            )
                        else:
                            queue.appendleft((spec, crashes + 1))
                            restart = True
                            continue
                    except Exception as exc:  # noqa: BLE001 - run_job itself failed (e.g. disk full)
                        record = failure_record(spec, f"{type(exc).__name__}: {exc}", time.monotonic() - t0, started)
                    progress.running = len(running)
                    on_done(spec, record)
                now = time.monotonic()
                late = [f for f, (spec, _, t0, _) in running.items()
                        if spec.hard_timeout_s and now - t0 > spec.hard_timeout_s and not f.done()]
                if late:
                    # a process pool cannot stop one task: stop them all, record the late ones, rerun the rest
                    for f in late:
                        spec, _, t0, started = running.pop(f)
                        progress.note(
                            f"{spec.name}: killed after {spec.hard_timeout_s:g} s (hard timeout); restarting the "
                            "workers"
                        )
                        progress.running = len(running)
                        on_done(
                            spec,
                            failure_record(
                                spec,
                                f"timed out: killed after {spec.hard_timeout_s:g} s wall time (hard per-job timeout)",
                                now - t0,
                                started,
                            ),
                        )
                    restart = True
                if restart:
                    for f, (spec, crashes, _, _) in running.items():
                        if not f.done() or f.exception() is not None:
                            queue.appendleft((spec, crashes))
                        else:  # pragma: no cover - finished in the meantime
                            on_done(spec, f.result())
                    running.clear()
                    kill_workers(executor)
                    clean_leftovers(out)  # the killed workers' temp folders
                progress.refresh()
        except BaseException:
            kill_workers(executor)
            executor.shutdown(wait=False, cancel_futures=True)
            clean_leftovers(out)
            raise
        executor.shutdown(wait=True, cancel_futures=True)


def require_dask() -> None:
    try:
        import distributed  # noqa: F401 - imported only to learn whether it is installed
    except ImportError:
        raise StaffmixError(
            "the dask executor needs dask.distributed: install staffmix[dask] (pip install 'staffmix[dask]')"
        ) from None


def run_dask(specs: deque[JobSpec], jobs: int | None, scheduler: Any, on_done: OnDone, progress: Progress) -> None:
    require_dask()
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
                    fut = client.submit(
                        run_job, spec, pure=False, key=f"staffmix-{spec.scenario}-{spec.variant}-{uuid.uuid4().hex[:8]}"
                    )
                    running[fut] = (spec, time.monotonic(), now_iso())
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
                    except Exception as exc:  # noqa: BLE001 - the job's failure is recorded, the batch goes on
                        record = failure_record(spec, f"{type(exc).__name__}: {exc}", time.monotonic() - t0, started)
                    progress.running = len(running)
                    on_done(spec, record)
                now = time.monotonic()
                for fut in [
                    f
                    for f, (s, t0, _) in running.items()
                    if s.hard_timeout_s and now - t0 > s.hard_timeout_s and not f.done()
                ]:
                    spec, t0, started = running.pop(fut)
                    client.cancel(fut)
                    progress.note(f"{spec.name}: cancelled after {spec.hard_timeout_s:g} s (hard timeout)")
                    progress.running = len(running)
                    on_done(
                        spec,
                        failure_record(
                            spec,
                            f"timed out: cancelled after {spec.hard_timeout_s:g} s wall time (hard per-job timeout)",
                            now - t0,
                            started,
                        ),
                    )
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
