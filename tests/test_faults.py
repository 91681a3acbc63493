"""Solver and batch faults (issue 7): a time limit too short for any plan, a solver binary that is
missing, crashes or is killed, HiGHS thread-pool changes, a batch interrupted by a signal or killed
outright. Each ends in a typed status or a clear one-line error, never a traceback, and a batch
never loses a finished result nor passes off a half-written one as finished.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import pandas as pd
import pulp
import pytest
from conftest import TINY, read_stderr_until, wait_for_exit

import staffmix
from staffmix import Status, load_result
from staffmix.batch import JOB_FILE, discover_jobs, run_job
from staffmix.cli import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, main
from staffmix.scenario.checks import ScenarioWarning
from staffmix.scenario.generate import generate

HANG_GUARD_S = 120  # guards against hangs, not speed requirements


def tiny():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScenarioWarning)
        return staffmix.load_scenario(TINY)


# ================================================================ time limits


@pytest.fixture(scope="module")
def four_weeks_six_languages():
    return generate(4, 6)


@pytest.mark.parametrize("backend", ["cbc", "highs"])
def test_time_limit_too_short_for_any_plan_is_a_status(four_weeks_six_languages, backend):
    scenario = four_weeks_six_languages
    """Four weeks of six languages in 0.01 s: the solver stops on the limit, with or without a first plan (where it
    stops depends on the machine); each of the two outcomes must be complete and honest."""
    result = staffmix.solve(scenario, backend=backend, time_limit_s=0.01)
    assert result.status in (Status.no_solution, Status.feasible), (result.status, result.message)
    if result.status == Status.no_solution:
        assert result.message == "stopped on the time limit before finding a plan"
        assert result.objective is None and result.gap is None and not result.status.has_plan
        assert result.staffing.empty and result.shifts.empty
    else:
        assert result.message == "stopped on the time limit"
        assert result.objective is not None and result.objective > 0
        assert staffmix.verify(scenario, result) == []
        if result.bound is not None:  # a bound, if the solver proved one, is below the plan and the gap is its distance
            assert result.bound <= result.objective * (1 + 1e-9)
            assert result.gap == pytest.approx(max(0.0, result.objective - result.bound) / result.objective, abs=1e-12)
    assert result.options["time_limit_s"] == 0.01


def test_a_solve_stopped_after_its_first_plan_is_feasible_with_that_plan(monkeypatch):
    """The `feasible` branch above on every run, deterministically: HiGHS is interrupted (its user-interrupt callback,
    no clock) at its first check after finding a plan, a stop like a time limit's after a first plan; the solve must
    report that plan as `feasible` (never `optimal`), verified, with a bound at most its cost."""
    import highspy

    real_run = highspy.Highs.run

    def run_until_the_first_plan(self):
        found = []
        self.cbMipImprovingSolution.subscribe(lambda e: found.append(True))
        self.cbMipInterrupt.subscribe(lambda e: e.interrupt() if found else None)
        self.setOptionValue(
            "mip_heuristic_effort", 0.0
        )  # the first plan from branching, not a root heuristic that may be optimal
        return real_run(self)

    monkeypatch.setattr(highspy.Highs, "run", run_until_the_first_plan)
    scenario = generate(1, 1)
    result = staffmix.solve(scenario, backend="highs", mip_gap=0.0, threads=1)
    assert result.status == Status.feasible, (result.status, result.message)
    assert result.message == "stopped on the time limit"
    assert staffmix.verify(scenario, result) == []
    assert result.bound is not None and result.bound <= result.objective * (1 + 1e-9)
    assert result.gap == pytest.approx((result.objective - result.bound) / result.objective, abs=1e-12)


def test_a_solve_stopped_before_any_plan_is_no_solution(monkeypatch):
    """The `no_solution` branch on every run: HiGHS interrupted at its first check, before any plan."""
    import highspy

    real_run = highspy.Highs.run

    def run_and_stop_at_once(self):
        self.cbMipInterrupt.subscribe(lambda e: e.interrupt())
        self.setOptionValue("mip_heuristic_effort", 0.0)
        return real_run(self)

    monkeypatch.setattr(highspy.Highs, "run", run_and_stop_at_once)
    result = staffmix.solve(generate(1, 1), backend="highs", mip_gap=0.0, threads=1)
    assert result.status == Status.no_solution, (result.status, result.message)
    assert result.message == "stopped on the time limit before finding a plan"
    assert result.objective is None and result.staffing.empty


# ================================================================ a broken CBC binary


def _fake_cbc(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return path


FAKE_CBC = {
    "exits-1": (
        'echo "fake cbc: segmentation fault" >&2\nexit 1\n',
        "CBC failed: the solver process stopped with an error or was killed before it wrote a solution; "
        "its log ends with: fake cbc: segmentation fault",
    ),
    "killed": (
        "kill -9 $$\n",
        "CBC failed: the solver process stopped with an error or was killed before it wrote a solution",
    ),
    "no-solution-file": ("exit 0\n", "CBC failed: the solver process ended without writing a solution"),
    "garbage-solution": (
        'while [ $# -gt 0 ]; do if [ "$1" = "-solution" ]; then printf "Optimal - objective value 12\\n  0 bogus 1 '
        '0\\nnonsense\\n" > "$2"; fi; shift; done\n',
        "CBC failed: the solver failed or its answer could not be read (",
    ),
}


@pytest.fixture()
def private_tmp(tmp_path, monkeypatch):
    """A temp folder of its own for PuLP and tempfile, to see what a failed solve leaves behind."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setenv("TMP", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    return tmp


@pytest.mark.skipif(os.name != "posix", reason="shell-script stand-ins for cbc")
@pytest.mark.parametrize("case", sorted(FAKE_CBC))
def test_crashing_cbc_gives_status_error(tmp_path, monkeypatch, private_tmp, case):
    body, message = FAKE_CBC[case]
    monkeypatch.setattr(pulp.PULP_CBC_CMD, "pulp_cbc_path", str(_fake_cbc(tmp_path, case, body)))
    result = staffmix.solve(tiny(), backend="cbc")
    assert result.status == Status.error
    assert result.message.startswith(message), result.message
    assert result.objective is None and not result.status.has_plan
    assert list(private_tmp.iterdir()) == []  # no model or solution files left behind


def test_missing_cbc_gives_status_error(tmp_path, monkeypatch):
    missing = tmp_path / "no-such-cbc"
    monkeypatch.setattr(pulp.PULP_CBC_CMD, "pulp_cbc_path", str(missing))
    result = staffmix.solve(tiny(), backend="cbc")  # was: SolverError raised
    assert result.status == Status.error
    assert result.message == (
        f"CBC is not available: PuLP's bundled cbc binary is missing or cannot run ({missing}); "
        "reinstall pulp, or use backend 'highs'"
    )


@pytest.mark.skipif(os.name != "posix", reason="shell-script stand-ins for cbc")
@pytest.mark.parametrize("case", ["missing", "killed"])
def test_cli_with_a_broken_cbc_exits_1_with_one_line(tmp_path, monkeypatch, capsys, case):
    path = tmp_path / "no-such-cbc" if case == "missing" else _fake_cbc(tmp_path, case, FAKE_CBC[case][0])
    monkeypatch.setattr(pulp.PULP_CBC_CMD, "pulp_cbc_path", str(path))
    code = main(["solve", str(TINY), "--backend", "cbc"])
    out, err = capsys.readouterr()
    assert code == EXIT_FAILED
    assert out == "" and "Traceback" not in err
    lines = [line for line in err.splitlines() if not line.startswith("solving tiny-split: ")]  # the progress lines
    assert len(lines) == 1, err
    expected = "CBC is not available" if case == "missing" else FAKE_CBC["killed"][1]
    assert lines[0].startswith(f"staffmix: error: scenario tiny-split: {expected}"), lines[0]


@pytest.mark.skipif(os.name != "posix", reason="shell-script stand-ins for cbc")
def test_batch_job_with_a_crashing_cbc_is_recorded_as_an_error(tmp_path, monkeypatch):
    monkeypatch.setattr(pulp.PULP_CBC_CMD, "pulp_cbc_path", str(_fake_cbc(tmp_path, "exits-1", FAKE_CBC["exits-1"][0])))
    folder = tmp_path / "in"
    shutil.copytree(TINY, folder / "tiny")
    spec = discover_jobs(folder, tmp_path / "out", backend="cbc", reports=False)[0]
    record = run_job(spec)  # what a batch worker runs
    assert record["status"] == "error"
    assert record["error"].startswith(FAKE_CBC["exits-1"][1][:60])
    on_disk = json.loads((tmp_path / "out" / "tiny" / "base" / JOB_FILE).read_text())
    assert on_disk["status"] == "error" and on_disk["input_hash"] == spec.input_hash
    assert load_result(tmp_path / "out" / "tiny" / "base").status == Status.error


def test_highs_missing_or_failing_gives_status_error(monkeypatch):
    monkeypatch.setattr(pulp.HiGHS, "available", lambda self: False)
    result = staffmix.solve(tiny(), backend="highs")
    assert result.status == Status.error
    assert result.message == "HiGHS is not available: install highspy (pip install highspy), or use backend 'cbc'"
    monkeypatch.undo()

    def boom(self, lp, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(pulp.HiGHS, "actualSolve", boom)
    result = staffmix.solve(tiny(), backend="highs")
    assert result.status == Status.error
    assert result.message.startswith(
        "HiGHS failed: the solver failed or its answer could not be read (RuntimeError: boom)"
    )


def test_highs_thread_count_can_change_between_solves():
    # was: the second solve ended with "HiGHS ended with Not Set" (HiGHS keeps one thread pool per process)
    scenario = tiny()
    statuses = [staffmix.solve(scenario, backend="highs", threads=n).status for n in (1, 2, 1)]
    assert statuses == [Status.optimal] * 3


def test_threads_beyond_the_limit_are_refused_before_solving(capsys):
    with pytest.raises(staffmix.StaffmixError, match="threads must be between 1 and 256, got 100000"):
        staffmix.solve(tiny(), backend="highs", threads=100_000)
    assert main(["solve", str(TINY), "--backend", "highs", "--threads", "100000"]) == 2
    err = capsys.readouterr().err
    # the command line refuses it while parsing, naming the option as typed (usage lines above it)
    assert err.splitlines()[-1] == "staffmix: error: argument --threads: at most 256, got 100000"


# ================================================================ interrupting a batch


def _batch_cmd(folder: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "staffmix.cli", "batch", str(folder), "--out", str(out), "--jobs", "2",
            "--backend", "highs", "--no-reports", *extra]


def _job_dirs(out: Path) -> set[tuple[str, str]]:
    return {(p.parent.name, p.name) for p in out.glob("*/*") if p.is_dir() and not p.name.startswith(".")}


def _finished(out: Path) -> dict[tuple[str, str], bytes]:
    return {(p.parent.parent.name, p.parent.name): p.read_bytes() for p in out.glob(f"*/*/{JOB_FILE}")}


def _start_and_wait_for_first_job(folder: Path, out: Path) -> tuple[subprocess.Popen, str]:
    """The batch in its own process, once it reports its first finished job (`[1/40] done 1, ...` on stderr, printed
    after that job's folder is published): the test waits on the pipe, no polling. Returns the process and its
    stderr so far (the rest comes from `communicate`)."""
    proc = subprocess.Popen(
        _batch_cmd(folder, out), stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0,
        # SIGINT as a terminal delivers it: a shell without job control starts background jobs with SIGINT ignored,
        # and Python then keeps it ignored (a CI lane started with `&` saw the batch run all 40 jobs to the end)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    seen = read_stderr_until(proc, rb"^\[\d+/\d+\] done [1-9]", HANG_GUARD_S)
    assert list(out.glob(f"*/*/{JOB_FILE}")), seen  # the job the line reports is on disk
    return proc, seen.decode()


N_JOBS = 40  # enough that the batch is still running when the signal lands (a job takes ~0.2 s)


@pytest.fixture()
def many_jobs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    for i in range(N_JOBS // 2):  # tiny-split has a base and one variant
        shutil.copytree(TINY, folder / f"tiny-{i:02d}")
    return folder


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.slow  # a 40-job batch in a child process, interrupted and resumed
def test_interrupted_batch_keeps_finished_results_and_resumes(many_jobs: Path, tmp_path: Path, sig):
    out = tmp_path / "out"
    proc, stderr = _start_and_wait_for_first_job(many_jobs, out)
    proc.send_signal(sig)
    stderr += proc.communicate(timeout=HANG_GUARD_S)[1].decode()
    assert proc.returncode == EXIT_INTERRUPTED, stderr
    assert "Traceback" not in stderr
    assert stderr.splitlines()[-1] == "staffmix: interrupted"

    finished = _finished(out)
    assert 1 <= len(finished) < N_JOBS, sorted(finished)
    assert f"interrupted: {len(finished)} of {N_JOBS} jobs finished and kept in {out}" in stderr
    assert "run the same command again with --resume to finish" in stderr  # the option by its name (issue #21)
    # no half-written folder looks finished: every job folder has its job.json, no temp folder is left
    assert _job_dirs(out) == set(finished)
    assert list(out.glob("*/.*")) == []
    summary = pd.read_csv(out / "summary.csv")
    assert set(zip(summary["scenario"], summary["variant"], strict=True)) == set(finished)
    for (scen, var), raw in finished.items():
        record = json.loads(raw)
        result = load_result(out / scen / var)
        assert result.status == Status.optimal == record["status"]
        assert result.objective == pytest.approx(record["row"]["objective"])
        assert not result.staffing.empty
    if sig == signal.SIGTERM:  # handled exactly like Ctrl-C; resuming is checked once, after SIGINT
        return

    resumed = subprocess.run(
        _batch_cmd(many_jobs, out, "--resume"), capture_output=True, text=True, timeout=HANG_GUARD_S
    )
    assert resumed.returncode == EXIT_OK, resumed.stderr
    assert (
        f"{N_JOBS} jobs from {many_jobs}, {len(finished)} done earlier; {N_JOBS - len(finished)} to solve"
        in resumed.stderr
    )
    after = _finished(out)
    assert len(after) == N_JOBS and _job_dirs(out) == set(after)
    assert {k: after[k] for k in finished} == finished  # finished jobs were not redone
    summary = pd.read_csv(out / "summary.csv")
    assert len(summary) == N_JOBS and set(summary["status"]) == {"optimal"}


def _children(pid: int) -> list[int]:
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                kids.append(int(entry))
    return kids


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.slow  # a 40-job batch in a child process, interrupted and resumed
def test_killed_batch_leaves_no_orphan_workers_and_resumes(many_jobs: Path, tmp_path: Path):
    out = tmp_path / "out"
    proc, _ = _start_and_wait_for_first_job(many_jobs, out)
    workers = _children(proc.pid)
    proc.kill()  # SIGKILL: no cleanup runs in the batch process
    proc.communicate(timeout=HANG_GUARD_S)
    orphans = wait_for_exit(workers, timeout_s=30)  # waits on each worker's exit (pidfd), no polling
    for w in orphans:  # do not leave them running if the assertion below fails
        os.kill(w, signal.SIGKILL)
    # was: a worker still starting up when the batch died adopted its new parent and waited forever
    assert orphans == []

    finished = _finished(out)
    assert finished and _job_dirs(out) == set(finished)  # killed jobs left at most hidden temp folders
    resumed = subprocess.run(
        _batch_cmd(many_jobs, out, "--resume"), capture_output=True, text=True, timeout=HANG_GUARD_S
    )
    assert resumed.returncode == EXIT_OK, resumed.stderr
    after = _finished(out)
    assert len(after) == N_JOBS and {k: after[k] for k in finished} == finished
    assert list(out.glob("*/.*")) == []
