"""Side by side (optional extra `bench`): core, HiGHS, SCIP and CP-SAT on the same exported MPS.

Each case runs one solver on one instance with the same time limit, in its own process
(side_by_side.run_isolated), and records objective, bound, gap, seconds and peak memory in
extra_info. SCIP and CP-SAT are skipped when pyscipopt / ortools are not installed. The full
table for docs/performance.md comes from `python benchmarks/side_by_side.py` (see its docstring).
Quick mode: the small bundled scenario only, 20 s.
"""

from __future__ import annotations

import pytest
from conftest import QUICK
from side_by_side import SOLVERS, available, load, run_isolated

from staffmix import export_mps

INSTANCES = ["webshop-startup"] if QUICK else ["2can-split", "eu-ecommerce-pci", "w1-l6", "w4-l6"]
LIMIT_S = 20.0 if QUICK else 60.0


@pytest.fixture(scope="module")
def mps_files(tmp_path_factory):
    out = {}
    for inst in INSTANCES:
        path = tmp_path_factory.mktemp("mps") / f"{inst}.mps"
        export_mps(load(inst), path)
        out[inst] = str(path)
    return out


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("instance", INSTANCES)
def test_side_by_side(benchmark, mps_files, instance: str, solver: str) -> None:
    if not available(solver):
        pytest.skip(f"{solver} not installed (pip install -e '.[bench]')")
    r = benchmark.pedantic(
        run_isolated, args=(solver, instance, mps_files[instance], LIMIT_S, 2), rounds=1, iterations=1
    )
    benchmark.extra_info.update(r)
    if r.get("objective") is not None and r.get("bound") is not None:
        assert r["bound"] <= r["objective"] * (1 + 1e-6) + 1e-6
    if solver == "core":
        assert r.get("verified"), r
