"""Every writer publishes atomically and leaves ordinary files: the mode the umask gives, never a private 0600.

The expected modes are the hand-computed `0o666 & ~umask` (files) and
`0o777 & ~umask` (folders) for two umasks, written out as numbers below.
"""

from __future__ import annotations

import os
import shutil
import stat
import warnings
from pathlib import Path

import pandas as pd
import pytest
from conftest import TINY

from staffmix.batch import discover_jobs, run_job, write_summary
from staffmix.report import write_index, write_report
from staffmix.scenario.checks import ScenarioWarning
from staffmix.scenario.io import load_scenario, save_scenario
from staffmix.simulation import simulate
from staffmix.solvers.dispatch import solve
from staffmix.util import atomic

MODES = {  # umask -> (file mode, folder mode), by hand
    0o027: (0o640, 0o750),
    0o002: (0o664, 0o775),
}


@pytest.fixture(params=sorted(MODES), ids=lambda m: f"umask-{m:03o}")
def umask(request):
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


@pytest.fixture(scope="module")
def tiny():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScenarioWarning)
        scenario = load_scenario(TINY)
    return scenario, solve(scenario)


def assert_ordinary(root: Path, mask: int) -> None:
    """`root` and everything below it carry the umask's mode; no temporary is left beside or inside it."""
    file_mode, folder_mode = MODES[mask]
    paths = [root, *root.rglob("*")] if root.is_dir() else [root]
    for p in paths:
        mode = stat.S_IMODE(p.stat().st_mode)
        expected = folder_mode if p.is_dir() else file_mode
        assert mode == expected, f"{p}: mode {mode:o}, expected {expected:o}"
        assert not p.name.startswith("."), f"temporary left: {p}"
    assert not [p for p in root.parent.iterdir() if p.name.startswith(".")], "temporary left beside the target"


def test_save_scenario_files_follow_the_umask(umask, tiny, tmp_path):
    folder = save_scenario(tiny[0], tmp_path / "saved")
    assert sorted(p.name for p in folder.iterdir()) == ["demand.csv", "scenario.yaml"]
    assert_ordinary(folder, umask)


def test_result_folder_follows_the_umask(umask, tiny, tmp_path):
    out = tiny[1].to_folder(tmp_path / "result")
    assert (out / "summary.json").is_file()
    assert_ordinary(out, umask)
    tiny[1].to_folder(out, overwrite=True)  # replacing an old result
    assert_ordinary(out, umask)


def test_reports_follow_the_umask(umask, tiny, tmp_path):
    scenario, result = tiny
    report = write_report(result, tmp_path / "reports" / "report.html", scenario=scenario)
    index = write_index(
        pd.DataFrame(
            {"scenario": ["tiny"], "variant": ["base"], "status": ["optimal"], "objective": [result.objective]}
        ),
        tmp_path / "reports" / "index.html",
    )
    assert_ordinary(report.parent, umask)
    assert {report.name, index.name} == {p.name for p in report.parent.iterdir()}


def test_batch_job_folder_and_summary_follow_the_umask(umask, tmp_path):
    folder = tmp_path / "scenarios"
    shutil.copytree(TINY, folder / "tiny")
    out = tmp_path / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScenarioWarning)
        specs = discover_jobs(folder, out, reports=False)  # report.html: test_reports_follow_the_umask
    records = {(s.scenario, s.variant): run_job(s) for s in specs}
    write_summary(list(records), records, out)
    assert (out / "tiny" / "base" / "job.json").is_file() and (out / "summary.csv").is_file()
    assert_ordinary(out, umask)


def test_simulation_folder_follows_the_umask(umask, tiny, tmp_path):
    sim = simulate(*tiny, replications=2, seed=0, jobs=1)
    out = sim.to_folder(tmp_path / "sim")
    assert (out / "simulation.json").is_file()
    assert_ordinary(out, umask)


# ------------------------------------------------------------------ the helper itself


def test_write_text_replaces_or_leaves_the_old_file(tmp_path):
    path = tmp_path / "a.txt"
    atomic.write_text(path, "old\n")
    with pytest.raises(RuntimeError):
        with atomic.open_text(path) as fh:
            fh.write("half of the new")
            raise RuntimeError("disk full")
    assert path.read_text() == "old\n"
    atomic.write_text(path, "new\r\n", newline="")
    assert path.read_bytes() == b"new\r\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_staged_folder_replaces_the_old_folder_or_keeps_it(tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "old.csv").write_text("old")
    with pytest.raises(RuntimeError):
        with atomic.staged_folder(target) as tmp:
            (tmp / "new.csv").write_text("new")
            raise RuntimeError("killed")
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert [p.name for p in target.iterdir()] == ["old.csv"]
    with atomic.staged_folder(target) as tmp:
        (tmp / "new.csv").write_text("new")
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert [p.name for p in target.iterdir()] == ["new.csv"]


def test_publish_folder_replaces_a_file(tmp_path):
    target = tmp_path / "out"
    target.write_text("a file where the folder goes")
    tmp = atomic.temp_folder(target)
    assert atomic.is_leftover(tmp.name)
    (tmp / "x.csv").write_text("x")
    atomic.publish_folder(tmp, target)
    assert [p.name for p in target.iterdir()] == ["x.csv"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
