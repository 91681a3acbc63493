"""The solver options a solve runs with, resolved and checked in one place.

`resolve_options` turns the arguments of `solve()` over a scenario's own
`solver` settings into one `SolverOptions` (scenario/schema.py), which every
backend, the diagnosis's re-solve and the result's `options` then read;
`check_options` holds the one check of each option's range, also used by the
batch (batch/__init__.py) on the options it is given before any job runs.
"""

from __future__ import annotations

from staffmix.errors import StaffmixError
from staffmix.scenario.backend_names import BACKEND_NAMES
from staffmix.scenario.container import Scenario
from staffmix.scenario.schema import MAX_THREADS, SolverOptions


def check_options(backend: str | None, time_limit_s: float | None, mip_gap: float | None = None,
                  threads: int | None = None, work_limit: int | None = None) -> None:
    """One clear error for the first option out of range (None: not given, nothing to check)."""
    if backend is not None and backend not in BACKEND_NAMES:
        raise StaffmixError(f"unknown backend {backend!r}; choose one of {', '.join(BACKEND_NAMES)}")
    if time_limit_s is not None and not time_limit_s > 0:
        raise StaffmixError(f"time_limit_s must be positive, got {time_limit_s}")
    if mip_gap is not None and not 0 <= mip_gap <= 1:
        raise StaffmixError(f"mip_gap must be between 0 and 1, got {mip_gap}")
    if threads is not None and not 1 <= threads <= MAX_THREADS:
        raise StaffmixError(f"threads must be between 1 and {MAX_THREADS}, got {threads}")
    if work_limit is not None:
        if isinstance(work_limit, bool) or not isinstance(work_limit, int) or work_limit < 1:
            raise StaffmixError(f"work_limit must be a whole number >= 1, got {work_limit!r}")
        if backend is not None and backend != "core":
            raise StaffmixError(f"work_limit is a deterministic mode of the core backend; backend {backend!r} has none")


def resolve_options(
    scenario: Scenario, backend: str | None, time_limit_s: float | None, mip_gap: float | None, threads: int | None,
    work_limit: int | None = None,
) -> SolverOptions:
    """The options a solve runs with: each argument given, else the scenario's own; one clear error if out of range."""
    s = scenario.config.solver
    backend = backend or s.backend
    time_limit_s = time_limit_s if time_limit_s is not None else s.time_limit_s
    mip_gap = mip_gap if mip_gap is not None else s.mip_gap
    threads = threads if threads is not None else s.threads
    work_limit = work_limit if work_limit is not None else s.work_limit
    check_options(backend, time_limit_s, mip_gap, threads, work_limit)
    return SolverOptions(
        backend=backend, time_limit_s=time_limit_s, mip_gap=mip_gap, threads=threads, work_limit=work_limit
    )


__all__ = ["check_options", "resolve_options"]
