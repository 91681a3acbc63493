"""Shared settings of the benchmark suite (run in one process: no xdist workers, see pytest_xdist_auto_num_workers).

STAFFMIX_BENCH_QUICK=1  CI mode: the 1-week instances only, one round each (about a minute).
STAFFMIX_BENCH_HEAVY=1  also the long comparisons (cbc for 300 s on the 13-week instance).
"""

from __future__ import annotations

import json
import os
import resource
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

QUICK = bool(os.environ.get("STAFFMIX_BENCH_QUICK"))
HEAVY = bool(os.environ.get("STAFFMIX_BENCH_HEAVY"))


def peak_rss_mb() -> float:
    """The process's peak resident memory so far, in MB (Linux reports kB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024.0 if sys.platform != "darwin" else peak / 2**20


@pytest.fixture
def quick() -> bool:
    return QUICK


KNOWN_BEST = Path(__file__).resolve().parent / "known-best.json"


def known_best(instance: str) -> dict:
    """The best plan cost and best proven bound known for an instance (benchmarks/known-best.json)."""
    if not KNOWN_BEST.exists():
        return {}
    data = json.loads(KNOWN_BEST.read_text())
    return data["instances"].get(instance, {})


def distance_from_best(instance: str, objective: float | None, bound: float | None) -> dict:
    """How far a run's plan is above the best known plan, and its bound below the best known bound
    (relative, >= 0 unless the run beat the record), so plan quality and proof quality read apart."""
    best = known_best(instance)
    out = {}
    plan = best.get("plan", {}).get("objective")
    proof = best.get("bound", {}).get("value")
    if plan and objective is not None:
        out["plan_above_best"] = round(objective / plan - 1.0, 6)
    if proof and bound is not None:
        out["bound_below_best"] = round(1.0 - bound / proof, 6)
    return out


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """No worker processes for the benchmarks: the test lanes run on pytest-xdist (`-n logical` in pyproject's
    addopts), but a benchmark times itself and pytest-benchmark switches itself off under xdist, so
    `python -m pytest benchmarks ...` runs in this one process (an explicit `-n N` still wins)."""
    return 0
