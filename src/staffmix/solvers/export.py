"""`export_mps(scenario, path)`: the planning MIP as an MPS file, for any other solver to read.

backend="core" writes the core's matrix (the one `solve(..., backend="core")`
solves) through HiGHS; "cbc"/"highs" write the reference PuLP model. Both
are the same mathematics (tests check the optima agree). The side-by-side
benchmark (benchmarks/test_bench_side_by_side.py) runs other solvers on
this file. An existing file is never overwritten.
"""

from __future__ import annotations

import os
from pathlib import Path

from staffmix.errors import StaffmixError
from staffmix.scenario.backend_names import BACKEND_NAMES

__all__ = ["export_mps"]


def export_mps(scenario, path: str | os.PathLike[str], backend: str = "core") -> Path:
    """Write the scenario's MIP (minimise cost) to `path` (.mps) and return the path."""
    from staffmix.scenario.container import Scenario

    if not isinstance(scenario, Scenario):
        from staffmix.scenario.io import load_scenario

        scenario = load_scenario(scenario)
    out = Path(path)
    if out.suffix.lower() != ".mps":
        raise StaffmixError(f"{out}: the MPS file name must end in .mps")
    if out.exists():
        raise StaffmixError(f"{out}: already exists (not overwritten)")
    if not out.parent.is_dir():
        raise StaffmixError(f"{out.parent}: no such folder")
    if backend == "core":
        from staffmix.model.index_sets import build_index
        from staffmix.solvers import highs as hx
        from staffmix.solvers.core.matrix import build_matrix

        m = build_matrix(build_index(scenario))
        h = hx.model_highs(m, None, relax=False)
        status = h.writeModel(str(out))
        # kWarning: HiGHS names the unnamed columns and rows itself (c0, r0, ...)
        if status == hx.highspy.HighsStatus.kError or not out.is_file():
            raise StaffmixError(f"{out}: HiGHS could not write the model ({status})")
    elif backend in ("cbc", "highs"):
        from staffmix.model.pulp_model import build_model

        build_model(scenario).writeMPS(str(out))
    else:
        raise StaffmixError(f"unknown backend {backend!r}; choose one of {', '.join(BACKEND_NAMES)}")
    return out
