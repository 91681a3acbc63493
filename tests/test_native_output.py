"""Native solver output never reaches stdout (highspy 1.16 prints a banner on construction)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT

SCRIPT = r"""
import ctypes, os, sys
from staffmix.util.native_output import silenced_stdout
print("before", flush=True)
with silenced_stdout():
    os.write(1, b"native write\n")
    ctypes.CDLL(None).printf(b"buffered C printf\n")  # C stdio, flushed inside the block
print("after")
"""


def test_native_writes_inside_the_block_are_dropped_and_python_output_kept() -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["before", "after"]


@pytest.mark.parametrize("backend", ["highs", "core"])
def test_solve_json_output_is_pure_json(backend: str) -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "staffmix.cli",
            "solve",
            str(ROOT / "tests" / "data" / "required-agents"),
            "--backend",
            backend,
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["objective"] == pytest.approx(1880.0)  # by hand: tests/test_cli.py
