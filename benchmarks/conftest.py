"""Shared settings of the benchmark suite.

STAFFMIX_BENCH_QUICK=1  CI mode: the 1-week instances only, one round each (about a minute).
STAFFMIX_BENCH_HEAVY=1  also the long comparisons (cbc for 300 s on the 13-week instance).
"""

from __future__ import annotations

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
