"""Replications in parallel processes, each seeded on its own so the answer never depends on the worker count.

Replication r of queue i draws from numpy's SeedSequence([seed, r, i]):
the same seed gives the same tables with one process or eight. Workers are
started with the spawn method and the batch runner's care (their own process
group, SIGINT ignored, a watch on the parent) and without the caller's
__main__ (so a script calling `simulate` needs no main guard): Ctrl-C in the parent cancels
what is pending, kills the workers and re-raises, so no worker is left
behind; a worker whose parent dies stops itself.
"""

from __future__ import annotations

import os
import sys
import time
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np

from staffmix.simulation.engine import period_sums, simulate_queue
from staffmix.simulation.timeline import QueueTimeline

Sums = dict[str, dict[str, np.ndarray]]
"""queue -> engine.SUM_COLUMNS -> per-horizon-period array, for one replication."""


def run_replication(
    timelines: list[QueueTimeline], seed: int, rep: int, arrivals: str, handling: str, cv: float
) -> Sums:
    """One replication of every queue; top-level and picklable for the process pool."""
    out: Sums = {}
    for i, tl in enumerate(timelines):
        rng = np.random.default_rng(np.random.SeedSequence([seed, rep, i]))
        out[tl.queue] = period_sums(tl, simulate_queue(tl, rng, arrivals, handling, cv))
    return out


def run_replications(
    timelines: list[QueueTimeline], replications: int, seed: int, arrivals: str, handling: str, cv: float,
    jobs: int | None = None, progress: bool | Callable[[int, int, float], None] = False,
) -> list[Sums]:
    """Every replication, in order of replication number (parallel when jobs > 1 and there are several)."""
    report = _progress(progress)
    jobs = max(1, min(jobs or os.cpu_count() or 1, replications))
    t0 = time.monotonic()
    results: list[Sums | None] = [None] * replications
    if jobs == 1:
        for r in range(replications):
            results[r] = run_replication(timelines, seed, r, arrivals, handling, cv)
            report(r + 1, replications, time.monotonic() - t0)
        return _every(results)

    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    from staffmix.batch.executors import kill_workers, worker_init

    with _main_left_out():  # every worker starts here: submit starts them one by one up to max_workers
        executor = ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("spawn"), initializer=worker_init,
                                       initargs=(os.getpid(),))
        pending = {
            executor.submit(run_replication, timelines, seed, r, arrivals, handling, cv): r for r in range(replications)
        }
    try:
        finished = 0
        while pending:
            done, _ = wait(list(pending), timeout=0.5, return_when=FIRST_COMPLETED)
            for fut in done:
                results[pending.pop(fut)] = fut.result()
                finished += 1
                report(finished, replications, time.monotonic() - t0)
    except BaseException:
        for fut in list(pending):
            fut.cancel()
        kill_workers(executor)
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown(wait=True)
    return _every(results)


def _every(results: list[Sums | None]) -> list[Sums]:
    """The sums of every replication: each slot is filled, or the run raised before returning."""
    missing = [r for r, sums in enumerate(results) if sums is None]
    if missing:  # pragma: no cover - a bug, never a user's input
        raise RuntimeError(f"replications {missing} returned nothing")
    return [sums for sums in results if sums is not None]


@contextmanager
def _main_left_out() -> Iterator[None]:
    """Start spawned workers without the caller's __main__.

    A spawned worker imports the parent's main module first: a user's script
    would run again in every worker (solving again, or failing outright when
    there is no file: stdin, a notebook). The workers need nothing from it
    (they run `run_replication` from this module), so while they start,
    __main__ is an empty module.
    """
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def _progress(progress: bool | Callable[[int, int, float], None]) -> Callable[[int, int, float], None]:
    if callable(progress):
        return progress
    if not progress:
        return lambda done, total, elapsed_s: None

    def line(done: int, total: int, elapsed_s: float) -> None:
        print(f"simulate: replication {done}/{total} done ({elapsed_s:.1f} s)", file=sys.stderr, flush=True)

    return line

