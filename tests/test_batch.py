"""Batches: every scenario and variant, failures recorded, atomic job folders, resume, Ctrl-C, Dask."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import BATCH_DATA as DATA
from conftest import SCENARIOS

from staffmix import StaffmixError
from staffmix.batch import JOB_FILE, Progress, read_summary, run_batch
from staffmix.scenario.io import load_scenario

STATUSES = {"optimal", "feasible", "infeasible", "no_solution", "error"}
RESULT_FILES = {"staffing.csv", "costs.csv", "vendors.csv", "summary.json", JOB_FILE}


def expected_jobs(folder: Path) -> list[tuple[str, str]]:
    jobs = []
    for sub in sorted(p for p in folder.iterdir() if (p / "scenario.yaml").is_file()):
        try:
            variants = list(load_scenario(sub).config.variants)
        except Exception:  # noqa: BLE001 - a broken folder is one job
            variants = []
        jobs += [(sub.name, "base")] + [(sub.name, v) for v in variants]
    return jobs


def job_records(out: Path) -> dict[tuple[str, str], dict]:
    return {(p.parent.parent.name, p.parent.name): json.loads(p.read_text()) for p in out.glob(f"*/*/{JOB_FILE}")}


def hidden_leftovers(out: Path) -> list[Path]:
    return [p for p in out.glob("*/.*")]


@pytest.fixture()
def tiny_folder(tmp_path: Path) -> Path:
    """Two copies of the tiny scenario (2 jobs each): fast, deterministic jobs."""
    folder = tmp_path / "in"
    for name in ("tiny-a", "tiny-b"):
        shutil.copytree(DATA / "good" / "tiny-split", folder / name)
    return folder


# ------------------------------------------------------------- bundled scenarios
@pytest.fixture(scope="module")
def bundled_batch(tmp_path_factory) -> tuple[Path, Path, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("bundled") / "scenarios"
    shutil.copytree(SCENARIOS, folder, ignore=shutil.ignore_patterns("out", ".*"))
    shutil.copytree(DATA / "broken", folder / "zz-broken")
    out = folder.parent / "out"
    summary = run_batch(folder, out, jobs=2, backend="highs", time_limit_s=3, progress=False)
    return folder, out, summary


@pytest.mark.slow  # the batch of every bundled scenario and variant
def test_bundled_batch_has_one_row_per_job(bundled_batch) -> None:
    folder, out, summary = bundled_batch
    jobs = expected_jobs(folder)
    assert len(jobs) >= 5
    assert list(zip(summary["scenario"], summary["variant"], strict=True)) == jobs
    assert set(summary["status"]) <= STATUSES
    assert (out / "summary.csv").is_file() and (out / "index.html").is_file()
    again = read_summary(out)
    assert list(again["status"]) == list(summary["status"])
    pd.testing.assert_series_equal(again["objective"], summary["objective"])


@pytest.mark.slow  # the batch of every bundled scenario and variant
def test_broken_scenario_is_an_error_row_and_the_rest_finish(bundled_batch) -> None:
    _, out, summary = bundled_batch
    broken = summary[summary["scenario"] == "zz-broken"]
    assert len(broken) == 1
    row = broken.iloc[0]
    assert row["variant"] == "base" and row["status"] == "error"
    assert "horizon: required field is missing" in row["error"]
    assert "servce_level" in row["error"]
    others = summary[summary["scenario"] != "zz-broken"]
    assert (others["status"] != "error").all(), others[["scenario", "variant", "error"]]
    assert others["status"].isin(["optimal", "feasible"]).any()
    assert json.loads((out / "zz-broken" / "base" / JOB_FILE).read_text())["status"] == "error"


@pytest.mark.slow  # the batch of every bundled scenario and variant
def test_job_folders_are_complete(bundled_batch) -> None:
    _, out, summary = bundled_batch
    records = job_records(out)
    assert set(records) == set(zip(summary["scenario"], summary["variant"], strict=True))
    assert hidden_leftovers(out) == []
    for (scen, var), rec in records.items():
        row = summary[(summary["scenario"] == scen) & (summary["variant"] == var)].iloc[0]
        assert rec["status"] == row["status"]
        if scen == "zz-broken":
            continue
        assert len(rec["input_hash"]) == 64
        assert RESULT_FILES <= {p.name for p in (out / scen / var).iterdir()}
        assert (out / scen / var / "report.html").is_file()
        if rec["status"] in ("optimal", "feasible"):
            assert row["violations"] == 0, rec["violations"]
            assert row["vendors_used"] == ";".join(
                json.loads((out / scen / var / "summary.json").read_text())["kpis"]["vendors_used"]
            )
            queues = [c for c in summary.columns if c.startswith("service_level.")]
            assert any(pd.notna(row[c]) for c in queues)


@pytest.mark.slow  # the batch of every bundled scenario and variant
def test_out_with_an_earlier_batch_is_refused(bundled_batch) -> None:
    folder, out, _ = bundled_batch
    with pytest.raises(StaffmixError, match="holds an earlier batch; pass --resume"):
        run_batch(folder, out, jobs=1, progress=False)


# ------------------------------------------------------------------- resume
def test_resume_reruns_exactly_the_unfinished_or_changed_jobs(tiny_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    opts = dict(jobs=2, backend="highs", progress=False, reports=False)
    first = run_batch(tiny_folder, out, **opts)
    assert list(first["status"]) == ["optimal"] * 4
    before = {k: (out / k[0] / k[1] / JOB_FILE).read_bytes() for k in job_records(out)}

    shutil.rmtree(out / "tiny-a" / "base")                                     # never finished
    (out / "tiny-a" / "pricey-vendor" / JOB_FILE).write_text('{"status": "opt')  # torn job.json
    (out / "tiny-b" / ".base.partial-0123456789").mkdir()                      # a killed job's temp folder
    (out / "tiny-b" / ".base.partial-0123456789" / "staffing.csv").write_text("half")

    second = run_batch(tiny_folder, out, resume=True, **opts)
    after = {k: (out / k[0] / k[1] / JOB_FILE).read_bytes() for k in job_records(out)}
    assert {k for k in after if after[k] != before.get(k)} == {("tiny-a", "base"), ("tiny-a", "pricey-vendor")}
    assert hidden_leftovers(out) == []
    timing = ["build_s", "solve_s", "wall_s"]
    pd.testing.assert_frame_equal(second.drop(columns=timing), first.drop(columns=timing))

    # nothing changed: nothing reruns
    third = run_batch(tiny_folder, out, resume=True, **opts)
    assert {k: (out / k[0] / k[1] / JOB_FILE).read_bytes() for k in job_records(out)} == after
    pd.testing.assert_frame_equal(third, second)

    # an edited demand file changes the input hash of that scenario's jobs only
    demand = tiny_folder / "tiny-b" / "demand.csv"
    demand.write_text(demand.read_text().replace(",phone,1\n", ",phone,2\n", 1))
    run_batch(tiny_folder, out, resume=True, **opts)
    records = job_records(out)
    changed = {k for k in records if (out / k[0] / k[1] / JOB_FILE).read_bytes() != after[k]}
    assert changed == {("tiny-b", "base"), ("tiny-b", "pricey-vendor")}
    assert records[("tiny-b", "base")]["input_hash"] != json.loads(after[("tiny-b", "base")])["input_hash"]


# ----------------------------------------------------------------- Ctrl-C
def test_keyboard_interrupt_keeps_finished_jobs(tiny_folder: Path, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    original = Progress.job_finished

    def interrupt_after_first(self, row, skipped=False):
        original(self, row, skipped)
        raise KeyboardInterrupt

    monkeypatch.setattr(Progress, "job_finished", interrupt_after_first)
    with pytest.raises(KeyboardInterrupt):
        run_batch(tiny_folder, out, jobs=2, backend="highs", progress=False, reports=False)
    assert multiprocessing.active_children() == []  # the workers are gone
    summary = pd.read_csv(out / "summary.csv")
    # the first job's, and any the other worker published before it stopped: exactly the complete folders
    assert 1 <= len(summary) < 4
    assert set(job_records(out)) == set(zip(summary["scenario"], summary["variant"], strict=True))
    assert hidden_leftovers(out) == []

    monkeypatch.setattr(Progress, "job_finished", original)
    resumed = run_batch(tiny_folder, out, jobs=2, backend="highs", resume=True, progress=False, reports=False)
    assert len(resumed) == 4 and set(resumed["status"]) == {"optimal"}


# ------------------------------------------------------------ failures, progress
@pytest.mark.skipif(os.name != "posix", reason="a shell-script stand-in for cbc")
def test_hard_timeout_is_recorded_and_the_batch_goes_on(tiny_folder: Path, tmp_path: Path, monkeypatch) -> None:
    """Jobs that never finish, whatever the machine's speed: each spawned worker finds a `sitecustomize` (through
    PYTHONPATH) that points PuLP at a stand-in cbc which sleeps for an hour. The 1 s hard timeout must kill them
    (the worker's process group, stand-in included), record them, and let a resume rerun them."""
    shutil.rmtree(tiny_folder / "tiny-b")
    hook = tmp_path / "hook"
    hook.mkdir()
    never = hook / "cbc"
    never.write_text("#!/bin/sh\nexec sleep 3600\n")
    never.chmod(0o755)
    (hook / "sitecustomize.py").write_text(f"import pulp\npulp.PULP_CBC_CMD.pulp_cbc_path = {str(never)!r}\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (str(hook), os.environ.get("PYTHONPATH")) if p))
    out = tmp_path / "out"
    summary = run_batch(tiny_folder, out, jobs=2, backend="cbc", progress=False, job_timeout_s=1, reports=False)
    assert list(summary["status"]) == ["error", "error"]
    assert summary["error"].str.startswith("timed out: killed after 1 s wall time").all()
    assert multiprocessing.active_children() == []
    monkeypatch.undo()  # the workers of the resume find the real cbc
    # timed-out jobs have their input hash: a resume with other options reruns them (here another
    # backend; no wall-clock limit, since `optimal` is asserted)
    again = run_batch(tiny_folder, out, jobs=2, backend="highs", resume=True, progress=False, reports=False)
    assert list(again["status"]) == ["optimal", "optimal"]


def test_bad_arguments(tiny_folder: Path, tmp_path: Path) -> None:
    with pytest.raises(StaffmixError, match="unknown executor"):
        run_batch(tiny_folder, tmp_path / "o", executor="threads")
    with pytest.raises(StaffmixError, match="unknown backend"):
        run_batch(tiny_folder, tmp_path / "o", backend="gurobi")
    with pytest.raises(StaffmixError, match="no scenario folders"):
        run_batch(tmp_path / "o2", tmp_path / "o3") if (tmp_path / "o2").mkdir() is None else None
    with pytest.raises(StaffmixError, match="scenario folder itself"):
        run_batch(tiny_folder / "tiny-a", tmp_path / "o4")


def test_progress_lines(capsys) -> None:
    bar = Progress(3, enabled=True)
    bar.running = 2
    bar.job_finished({"scenario": "saas-24x7", "variant": "in-house-only", "status": "optimal", "objective": 12345.0})
    bar.running = 1
    bar.job_finished({"scenario": "x", "variant": "base", "status": "error", "objective": None, "error": "boom\nmore"})
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("[1/3] done 1, running 2, failed 0, elapsed 0:00:00")
    assert err[0].endswith("\u2014 saas-24x7/in-house-only optimal 12,345.00")
    assert err[1].startswith("[2/3] done 1, running 1, failed 1,") and err[1].endswith("x/base error: boom")


def test_progress_on_a_terminal_rewrites_one_line() -> None:
    import io

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Tty()
    bar = Progress(2, stream=stream)
    bar.job_finished({"scenario": "a", "variant": "base", "status": "optimal", "objective": 1.0})
    bar.job_finished({"scenario": "a", "variant": "v", "status": "infeasible", "objective": None})
    drawn = stream.getvalue()
    assert "\n" not in drawn  # one line, rewritten in place (tqdm): carriage returns, no new lines
    assert "\r[1/2] " in drawn and "done 1, running 0, failed 0" in drawn and "\r[2/2] " in drawn
    bar.close()
    text = stream.getvalue()
    assert text.count("\n") == 1  # the final counts stay as a line of their own
    assert text.endswith("\r[2/2] done 1, running 0, failed 1, elapsed 0:00:00 \u2014 a/v infeasible\n")


def test_dask_missing_is_a_clear_error(tiny_folder: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(StaffmixError, match=r"install staffmix\[dask\]"):
        run_batch(tiny_folder, tmp_path / "out", executor="dask", progress=False)
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------- Dask
@pytest.mark.slow  # starts a Dask cluster
def test_dask_executor_on_a_local_cluster(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    folder = tmp_path / "in"
    shutil.copytree(DATA / "good" / "tiny-split", folder / "tiny")
    out = tmp_path / "out"
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        summary = run_batch(folder, out, backend="highs", executor="dask",
                            scheduler=cluster.scheduler_address, progress=False)
    assert list(zip(summary["variant"], summary["status"], strict=True)) == [
        ("base", "optimal"),
        ("pricey-vendor", "optimal"),
    ]
    records = job_records(out)
    assert {r["status"] for r in records.values()} == {"optimal"}
    assert summary.loc[1, "objective"] > summary.loc[0, "objective"]  # the dearer vendor costs more
