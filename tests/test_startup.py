"""Fast start: `import staffmix` loads no heavy library, `dir(staffmix)` is the public API, `staffmix --help` is
instant.

The heavy libraries (pandas, pydantic, PuLP, SciPy, HiGHS, matplotlib) load
when a call needs them. What is loaded is checked in a fresh interpreter
(sys.modules, or `-X importtime` for the `staffmix --help` process), which holds
on any machine; the time of `staffmix --help` is measured in
benchmarks/test_bench_startup.py, never asserted by a test.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import staffmix
from staffmix.cli import EXIT_OK, main

HEAVY = ("pulp", "scipy", "highspy", "matplotlib", "pandas", "pydantic", "numpy", "ciw")


def loaded_after(code: str) -> set[str]:
    """Top-level packages in sys.modules after running `code` in a fresh interpreter."""
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_import_staffmix_loads_no_heavy_library() -> None:
    assert not loaded_after("import staffmix") & set(HEAVY)


def test_help_and_version_load_no_heavy_library() -> None:
    code = ("from staffmix.cli import main\nimport contextlib, io\nwith contextlib.redirect_stdout(io.StringIO()):\n   "
            " main(['--help']); main(['solve', '--help']); main(['--version'])")
    assert not loaded_after(code) & set(HEAVY)


def test_solve_loads_what_it_needs_on_first_use() -> None:
    loaded = loaded_after("import staffmix\nstaffmix.solve")
    assert {"pandas", "pydantic", "scipy"} <= loaded  # the solve path itself
    assert not loaded & {"pulp", "highspy", "matplotlib"}  # the backend loads only when a solve picks it


def test_dir_is_exactly_the_public_api() -> None:
    assert dir(staffmix) == sorted(staffmix.__all__) == staffmix.__all__
    assert set(staffmix.__all__) == {*staffmix._LAZY, "__version__"}
    assert "annotations" not in dir(staffmix) and "Any" not in dir(staffmix)
    for name in staffmix.__all__:
        assert getattr(staffmix, name) is not None
    namespace: dict = {}
    exec("from staffmix import *", namespace)
    assert set(staffmix.__all__) <= set(namespace)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        staffmix.nope  # noqa: B018 - the attribute access itself is under test


def test_solve_and_verify_are_the_functions() -> None:
    from staffmix.solvers.dispatch import solve
    from staffmix.verification import verify

    assert staffmix.solve is solve and staffmix.verify is verify
    assert staffmix.simulate.__module__ == "staffmix.simulation"


def test_version(capsys) -> None:
    assert main(["--version"]) == EXIT_OK
    assert capsys.readouterr().out.strip() == f"staffmix {staffmix.__version__}"


def test_help_command_answers_without_loading_a_heavy_library() -> None:
    """`staffmix --help` as a user runs it (its own process, `python -m staffmix.cli`) answers and imports none of the
    heavy libraries: what makes it instant on any machine. `-X importtime` lists every module that process imported
    (its time is measured in benchmarks/test_bench_startup.py, never asserted here)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "staffmix.cli", "--help"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "staffmix solve" in proc.stdout
    imported = {line.rsplit("|", 1)[1].strip().split(".")[0] for line in proc.stderr.splitlines()
                if line.startswith("import time:") and line.count("|") == 2}
    assert "staffmix" in imported  # the probe sees the package's own imports, so an empty set cannot pass
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))
