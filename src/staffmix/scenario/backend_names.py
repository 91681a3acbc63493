"""The solver backends by name: the one list the scenario schema, the CLI and `solve` derive from.

Each name maps to the function that solves `IndexSets` with it, written as
"module:function" so that naming a backend imports nothing: PuLP, SciPy and
HiGHS load only when a solve needs them. Every backend has the signature
``solve(index: IndexSets, options: SolverOptions, deadline: float | None) -> Outcome``
(solvers/outcome.py), where `deadline` is the time.perf_counter() moment it must be done by, computed once by
solvers/dispatch.solve_deadline from the moment `solve()` began (None: no time limit, or the work-limit mode).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

BACKENDS: dict[str, str] = {
    "cbc": "staffmix.solvers.pulp_backends:solve_cbc",
    "highs": "staffmix.solvers.pulp_backends:solve_highs",
    "core": "staffmix.solvers.core:solve",
}
"""Backend name -> "module:function". cbc and highs solve the reference PuLP model; core is the fast core."""

BACKEND_NAMES: tuple[str, ...] = tuple(BACKENDS)


def backend_function(name: str) -> Callable[..., Any]:
    """The solve function of backend `name` (imported on first use)."""
    module, func = BACKENDS[name].split(":")
    return getattr(importlib.import_module(module), func)
