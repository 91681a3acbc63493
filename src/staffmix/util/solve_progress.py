"""What a solve reports while it works: its phase, the best plan's cost and the bound so far.

`solve(scenario, progress=callback)` calls `callback(event)` with a
`SolveProgress` when a phase begins (requirements, build, bound, plan, read
back), whenever a cheaper plan or a higher lower bound is found, and once at
the end. The library never prints: the command line draws these events
(staffmix.cli.display), a notebook or a service may log them.

The layers report through three one-line calls, `phase`, `incumbent` and
`bound`, which find the listener of the solve running in this thread in a
context variable: no signature changes through the layers, and nothing to do
when nobody listens. Only values that hold are reported: an incumbent is the
cost of a plan that meets every rule, a bound a proven lower bound on every
plan's cost; the event keeps the least cost and the greatest bound seen.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any, Literal

from staffmix.util.gap import relative_gap

__all__ = ["PHASES", "SolveProgress", "bound", "incumbent", "listening", "phase", "relaxation"]

PHASES = ("requirements", "build", "bound", "plan", "read back")
"""The phases of a solve, in order: Erlang requirements and index sets; the model; a lower bound (LP relaxations,
contract scores; the core only); the search for plans; reading the plan back into tables."""


Event = Literal["phase", "incumbent", "bound", "done"]
"""The kinds of progress event."""


@dataclass(frozen=True)
class SolveProgress:
    """One progress event of a solve."""

    event: Event
    """What happened: a phase began, a cheaper plan or a higher bound was found, or the solve ended."""
    phase: str
    """The phase the solve is in (one of PHASES; "explain" while an infeasibility is explained; "done" at the end)."""
    elapsed_s: float
    """Seconds since the solve began."""
    objective: float | None = None
    """Cost of the best plan found so far (None: none yet)."""
    bound: float | None = None
    """Greatest proven lower bound on the cost so far (None: none yet)."""
    detail: str = ""
    """A few words on the phase (the backend, the model's size)."""

    @property
    def gap(self) -> float | None:
        """Relative gap between the best plan and the bound, (objective - bound) / |objective|; None without both."""
        return relative_gap(self.objective, self.bound)


Listener = Callable[[SolveProgress], None]
"""What `solve(progress=...)` takes: a function called with each event."""


class _Solve:
    """The state of one listened-to solve: where it is and the best figures so far."""

    def __init__(self, callback: Listener) -> None:
        self.callback = callback
        self.started = time.perf_counter()
        self.last = SolveProgress("phase", "", 0.0)

    def emit(self, event: Event, **changes: Any) -> None:  # changes: fields of SolveProgress
        self.last = replace(self.last, event=event, elapsed_s=time.perf_counter() - self.started, **changes)
        self.callback(self.last)


_current: ContextVar[_Solve | None] = ContextVar("staffmix_solve_progress", default=None)
_relaxed: ContextVar[bool] = ContextVar("staffmix_solve_relaxed", default=False)


@contextmanager
def relaxation() -> Iterator[None]:
    """Within the block the search runs on a relaxation of the model (the core's deferrable work without its
    share targets): its bounds hold for the model, its plans need not, so they are not reported as plans."""
    token = _relaxed.set(True)
    try:
        yield
    finally:
        _relaxed.reset(token)


@contextmanager
def listening(callback: Listener | None) -> Iterator[None]:
    """Within the block, this thread's progress calls go to `callback` (None: nowhere); a "done" event closes it."""
    if callback is None:
        yield
        return
    state = _Solve(callback)
    token = _current.set(state)
    try:
        yield
        state.emit("done", phase="done", detail="")
    finally:
        _current.reset(token)


def phase(name: str, detail: str = "") -> None:
    """The solve enters phase `name` (one of PHASES)."""
    state = _current.get()
    if state is not None:
        state.emit("phase", phase=name, detail=detail)


def incumbent(objective: float | None) -> None:
    """A plan meeting every rule costs `objective`; reported when cheaper than the best so far."""
    state = _current.get()
    if state is None or objective is None or not math.isfinite(objective) or _relaxed.get():
        return
    best = state.last.objective
    if best is None or objective < best - 1e-9 * max(1.0, abs(best)):
        state.emit("incumbent", objective=float(objective))


def bound(value: float | None) -> None:
    """No plan costs less than `value`; reported when higher than the best bound so far."""
    state = _current.get()
    if state is None or value is None or not math.isfinite(value):
        return
    best = state.last.bound
    if best is None or value > best + 1e-9 * max(1.0, abs(best)):
        state.emit("bound", bound=float(value))
