"""Progress of a solve: the events solve() reports, and how the command line draws them on a terminal and in a pipe.

The events are checked against a second solve: every plan cost reported is
at least the optimum and every bound at most it (the optimum found by the
reference model with HiGHS, without a time limit), and the figures move one
way only. The display is checked through a real pseudo-terminal and a pipe.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

import staffmix
from staffmix.util.solve_progress import PHASES, SolveProgress

TINY = Path(__file__).parent / "data" / "batch" / "good" / "tiny-split"


@pytest.fixture(scope="module")
def scenario():
    return staffmix.load_scenario(TINY)


@pytest.fixture(scope="module")
def optimum(scenario) -> float:
    result = staffmix.solve(scenario, backend="highs", mip_gap=0.0)
    assert result.status == "optimal"
    return result.objective


@pytest.mark.parametrize("backend", ["cbc", "highs", "core"])
def test_events_are_honest_and_ordered(scenario, optimum, backend, capsys) -> None:
    events: list[SolveProgress] = []
    result = staffmix.solve(scenario, backend=backend, mip_gap=0.0, progress=events.append)
    assert capsys.readouterr() == ("", "")  # the library never prints
    phases = [e.phase for e in events if e.event == "phase"]
    expected = (
        ["requirements", "build", "bound", "plan", "read back"]
        if backend == "core"
        else ["requirements", "build", "plan", "read back"]
    )
    assert phases == expected and set(phases) <= set(PHASES)
    assert events[-1].event == "done" and events[-1].phase == "done"
    assert [e.elapsed_s for e in events] == sorted(e.elapsed_s for e in events)
    costs = [e.objective for e in events if e.objective is not None]
    bounds = [e.bound for e in events if e.bound is not None]
    assert costs == sorted(costs, reverse=True) and bounds == sorted(bounds)  # better plans, higher bounds only
    tol = 1e-6 * optimum
    assert all(c >= optimum - tol for c in costs)  # a reported plan is a plan: never below the optimum
    assert all(b <= optimum + tol for b in bounds)  # a reported bound is a bound: never above it
    assert events[-1].objective == pytest.approx(result.objective)
    assert events[-1].gap == pytest.approx(0.0, abs=1e-6)
    if backend == "core":  # the core's contract LPs give a bound before any plan
        first_bound = next(i for i, e in enumerate(events) if e.event == "bound")
        assert all(e.objective is None for e in events[: first_bound + 1])


def test_no_listener_and_an_infeasible_solve(scenario, tmp_path) -> None:
    assert staffmix.solve(scenario, backend="highs").status == "optimal"  # progress is optional
    data = scenario.config.model_dump()
    data["groups"][0]["max_headcount"] = 1  # one agent cannot answer the days: the solver proves it infeasible
    tight = staffmix.Scenario(config=staffmix.ScenarioConfig.model_validate(data), demand=scenario.demand)
    events: list[SolveProgress] = []
    result = staffmix.solve(tight, backend="highs", progress=events.append)
    assert result.status == "infeasible"
    assert "explain" in [e.phase for e in events]
    # the elastic re-solve that explains it finds 'plans' that break the rules: none is reported as a plan
    assert all(e.objective is None for e in events)


def test_gap_of_an_event() -> None:
    assert SolveProgress("bound", "plan", 1.0, objective=200.0, bound=150.0).gap == pytest.approx(0.25)
    assert SolveProgress("bound", "plan", 1.0, objective=None, bound=150.0).gap is None


# ------------------------------------------------------------ the command line's display
def run_in_terminal(argv: list[str], columns: int = 160) -> tuple[int, str]:
    """Run `argv` with stdin, stdout and stderr on a pseudo-terminal of `columns` columns; (exit code, all it wrote)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return proc.wait(timeout=120), b"".join(chunks).decode()


CLI = [sys.executable, "-m", "staffmix.cli"]


def test_terminal_shows_one_line_rewritten_in_place() -> None:
    code, text = run_in_terminal([*CLI, "solve", str(TINY), "--backend", "cbc"])
    assert code == 0, text
    progress, summary = text.split("scenario tiny-split: optimal", 1)
    assert "\n" not in progress  # one line, redrawn with carriage returns, then cleared for the summary
    drawn = [part.strip() for part in progress.split("\r") if part.strip()]
    assert drawn[0].startswith("solving tiny-split: requirements (48 periods x 2 queues)")
    assert any(d.startswith("solving tiny-split: plan (cbc") for d in drawn)
    assert any("best 11,727.00 | bound" in d for d in drawn)
    assert all(d.endswith(("0:00:00", "0:00:01", "0:00:02")) or "|" in d for d in drawn)
    assert progress.endswith("\r")  # cleared: the summary starts at the left margin
    assert "total cost 11,727.00" in summary


def test_pipe_gets_one_line_per_phase_and_json_stays_clean() -> None:
    proc = subprocess.run(
        [*CLI, "solve", str(TINY), "--backend", "core", "--json"], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["objective"] == pytest.approx(11727.0)  # stdout: the JSON alone
    lines = proc.stderr.splitlines()
    assert "\r" not in proc.stderr
    assert [line.split(": ")[1].split(" ")[0] for line in lines] == [
        "requirements",
        "build",
        "bound",
        "plan",
        "read",
        "done",
    ]
    assert all(line.startswith("solving tiny-split: ") for line in lines)  # not "staffmix:", which marks an error
    assert "best 11,727.00" in lines[-1]


def test_quiet_turns_it_off(capsys) -> None:
    from staffmix.cli import main

    assert main(["solve", str(TINY), "--backend", "highs", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and "total cost 11,727.00" in captured.out
    assert main(["solve", str(TINY), "--backend", "highs"]) == 0
    assert capsys.readouterr().err.startswith("solving tiny-split: requirements")
