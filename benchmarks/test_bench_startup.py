"""Benchmark: how fast staffmix starts. `import staffmix` and `staffmix --help` in a fresh interpreter each round.

Each round starts a new Python process, so the time includes the interpreter's
own start-up (measured alone as the baseline). `extra_info` records which
heavy libraries the process loaded (none is the point: they load when a
solve needs them).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from conftest import QUICK

ROUNDS = 3 if QUICK else 15
HEAVY = ("pandas", "pydantic", "numpy", "scipy", "pulp", "highspy", "matplotlib")


def _run(argv: list[str]) -> str:
    return subprocess.run(argv, capture_output=True, text=True, check=True, timeout=60).stdout


def _heavy_loaded(code: str) -> list[str]:
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    return sorted(set(json.loads(_run([sys.executable, "-c", probe]).splitlines()[-1])) & set(HEAVY))


def test_python_baseline(benchmark):
    """The interpreter alone (`python -c pass`): what every other case pays before staffmix runs."""
    benchmark.pedantic(_run, args=([sys.executable, "-c", "pass"],), rounds=ROUNDS, iterations=1, warmup_rounds=1)


def test_import_staffmix(benchmark):
    benchmark.pedantic(
        _run, args=([sys.executable, "-c", "import staffmix"],), rounds=ROUNDS, iterations=1, warmup_rounds=1
    )
    benchmark.extra_info["heavy_loaded"] = _heavy_loaded("import staffmix")
    assert benchmark.extra_info["heavy_loaded"] == []


def test_staffmix_help(benchmark):
    """The installed console script, as a user types it."""
    exe = shutil.which("staffmix")
    if exe is None:
        pytest.skip("the staffmix console script is not on PATH")
    out = benchmark.pedantic(_run, args=([exe, "--help"],), rounds=ROUNDS, iterations=1, warmup_rounds=1)
    assert "staffmix solve" in out
    benchmark.extra_info["heavy_loaded"] = _heavy_loaded(
        "import contextlib, io\nfrom staffmix.cli import main\nwith contextlib.redirect_stdout(io.StringIO()):\n    "
        "main(['--help'])"
    )
    assert benchmark.extra_info["heavy_loaded"] == []
    benchmark.extra_info["target_s"] = 0.5  # recorded beside the time, not asserted: no check depends on the machine
