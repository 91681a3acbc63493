"""Deterministic mode (work_limit), `staffmix bench` against a baseline, and `staffmix export --mps`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import highspy
import pytest
from conftest import ROOT

from staffmix import StaffmixError, export_mps, load_scenario, solve
from staffmix.cli import main
from staffmix.scenario.generate import generate

SMALL = "required-agents"  # tests/data: optimum 1,880 by hand (tests/test_cli.py), in well under a second
SMALL_OPTIMUM = 1880.0


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "scenarios"
    out.mkdir()
    shutil.copytree(ROOT / "tests" / "data" / SMALL, out / SMALL)
    return out


def test_work_limit_gives_the_same_plan_twice_and_is_core_only() -> None:
    s = generate(1, 1)
    a = solve(s, backend="core", work_limit=5, threads=1, mip_gap=1e-4)
    b = solve(s, backend="core", work_limit=5, threads=1, mip_gap=1e-4)
    assert a.status.has_plan
    assert (a.objective, a.bound) == (b.objective, b.bound)
    assert a.bound <= a.objective + 1e-6
    assert a.options["work_limit"] == 5
    with pytest.raises(StaffmixError, match="work_limit"):
        solve(s, backend="highs", work_limit=5)
    with pytest.raises(StaffmixError, match="work_limit"):
        solve(s, backend="core", work_limit=0)


def test_bench_writes_then_passes_then_catches_a_regression(folder: Path, tmp_path: Path, capsys) -> None:
    baseline = tmp_path / "quality.json"
    assert main(["bench", str(folder), "--baseline", str(baseline)]) == 0
    data = json.loads(baseline.read_text())
    entry = data["scenarios"][SMALL]
    assert entry["objective"] == pytest.approx(SMALL_OPTIMUM, rel=1e-4)  # the plan is worth keeping
    assert main(["bench", str(folder), "--baseline", str(baseline)]) == 0
    assert "no quality regression" in capsys.readouterr().out
    # a baseline that knew a cheaper plan than this run finds: a regression, exit 1
    entry["objective"] = entry["objective"] * 0.99
    baseline.write_text(json.dumps(data))
    assert main(["bench", str(folder), "--baseline", str(baseline)]) == 1
    out = capsys.readouterr().out
    assert "REGRESSED: plan +1.01 %" in out and "quality regressed" in out
    # a scenario of the baseline that is gone is a regression too
    data["scenarios"][SMALL]["objective"] = entry["objective"] / 0.99
    data["scenarios"]["gone"] = {"status": "optimal", "objective": 1.0, "bound": 1.0}
    baseline.write_text(json.dumps(data))
    assert main(["bench", str(folder), "--baseline", str(baseline)]) == 1


def test_bench_bad_baseline_is_bad_input(folder: Path, tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["bench", str(folder), "--baseline", str(bad)]) == 2
    assert "not a staffmix bench baseline" in capsys.readouterr().err
    assert main(["bench", str(tmp_path / "nowhere"), "--baseline", str(tmp_path / "q.json")]) == 2


def test_export_mps_is_the_model_highs_proves(tmp_path: Path) -> None:
    """The exported file, read by HiGHS itself, has the reference backend's proven optimum."""
    s = load_scenario(ROOT / "tests" / "data" / SMALL)
    path = export_mps(s, tmp_path / "m.mps")
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(str(path))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.run()
    assert h.getInfo().objective_function_value == pytest.approx(SMALL_OPTIMUM, rel=1e-9)
    with pytest.raises(StaffmixError, match="already exists"):
        export_mps(s, path)
    assert main(["export", str(ROOT / "tests" / "data" / SMALL), "--mps", str(tmp_path / "cli.mps")]) == 0
    assert (tmp_path / "cli.mps").stat().st_size > 0
    assert main(["export", str(ROOT / "tests" / "data" / SMALL), "--mps", str(tmp_path / "cli.mps")]) == 2
