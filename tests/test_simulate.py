"""The simulation of a plan, against values computed without it.

- Steady state: one queue at a constant rate for many periods with
  exponential handling is an M/M/n queue (M/M/n+M with patience), whose
  exact service level, ASA, waiting probability and abandonment are
  staffmix.queueing's Erlang C and Erlang A. The simulated figures' own 95 %
  intervals must hold the exact values (fixed seed; the horizon is cyclic, so
  its last day runs first as a warm-up and is not counted).
- Carry-over: no agents in hour 1, plenty in hour 2, so every caller of hour
  1 is answered at 01:00 sharp: a wait of 3600 s minus the arrival time, by
  hand.
- Handling: the vendor's AHT factor applies to whoever answers, and
  lognormal handling has the lognormal's parameters for the given CV.
"""

from __future__ import annotations

import json
import math
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, SCENARIOS, read_stderr_until, wait_for_exit

from staffmix import queueing
from staffmix.errors import StaffmixError
from staffmix.model.index_sets import build_index
from staffmix.model.requirements import achieved_service
from staffmix.results.result import Result, Status
from staffmix.scenario.container import Scenario
from staffmix.scenario.schema import ScenarioConfig
from staffmix.simulation import simulate
from staffmix.simulation.engine import simulate_queue
from staffmix.simulation.timeline import build_timelines

BUNDLED = sorted(p.parent.name for p in SCENARIOS.glob("*/scenario.yaml"))
VENDOR = {"id": "slowco", "languages": ["en"], "pricing": "per_agent_hour", "rate_per_hour": 20.0, "aht_factor": 2.0}


def hand_case(contacts, agents, *, aht_s=300.0, within_s=20.0, patience_s=None, cyclic=True, providers=None,
              channel="voice", concurrency=1.0, target=0.8, vendors=(VENDOR,)) -> tuple[Scenario, Result]:
    """One queue 'q' with the given contacts and agents per hourly period, and the plan that staffs it so."""
    contacts = np.asarray(contacts, dtype=float)
    agents = np.asarray(agents, dtype=float)
    H = len(contacts)
    sl = {"target": target, "within_s": within_s}
    if patience_s is not None:
        sl["patience_s"] = patience_s
    queue = {"id": "q", "language": "en", "channel": channel, "aht_s": aht_s, "service_level": sl}
    if channel == "chat":
        queue["concurrency"] = concurrency
    config = ScenarioConfig.model_validate({
        "name": "hand", "horizon": {"start": "2026-03-02T00:00", "periods": H, "cyclic": cyclic},
        "queues": [queue], "vendors": list(vendors),
    })
    demand = pd.DataFrame({"period": np.arange(H), "queue": "q", "contacts": contacts, "aht_s": aht_s,
                           "required_agents": np.nan})
    scenario = Scenario(config=config, demand=demand)
    rows = np.flatnonzero(contacts > 0)
    provider = np.array([(providers[p] if providers else "in_house") for p in rows], dtype=object)
    factor = np.where(provider == "slowco", VENDOR["aht_factor"], 1.0)
    level, asa, occ = achieved_service(config.queues[0], agents[rows], contacts[rows], aht_s * factor, 3600.0)
    staffing = pd.DataFrame({
        "period": rows, "period_start": config.horizon.period_starts()[rows], "queue": "q", "provider": provider,
        "contacts": contacts[rows], "required": agents[rows].astype(np.int64), "staffed": agents[rows],
        "shortfall": 0.0, "service_level": level, "asa_s": asa, "occupancy": occ,
    })
    return scenario, Result(status=Status.optimal, scenario="hand", solver="by hand", staffing=staffing)


def within(table: pd.DataFrame, name: str, exact: float, row: int = 0) -> tuple[float, float, float]:
    lo, mean, hi = (float(table[c].iloc[row]) for c in (f"{name}_lo", name, f"{name}_hi"))
    assert lo <= exact <= hi, (
        f"{name}: exact {exact:.5g} outside the 95 % interval [{lo:.5g}, {hi:.5g}] (mean {mean:.5g})"
    )
    return lo, mean, hi


# ------------------------------------------------------------------ steady state against the exact formulas
RATE, AHT, WITHIN, PERIODS = 96.0, 300.0, 20.0, 48
LOAD = RATE * AHT / 3600.0  # 8 Erlangs


@pytest.mark.slow
def test_erlang_c_steady_state_lies_in_the_intervals() -> None:
    agents = 10
    scenario, result = hand_case([RATE] * PERIODS, [agents] * PERIODS, aht_s=AHT, within_s=WITHIN)
    sim = simulate(scenario, result, replications=20, seed=0, jobs=1)
    q = sim.by_queue
    _, sl, hi = within(q, "service_level", queueing.service_level(agents, LOAD, AHT, WITHIN))
    assert hi - sl < 0.03  # a meaningful interval, not a wide one that holds anything
    within(q, "asa_s", queueing.asa_s(agents, LOAD, AHT))
    within(q, "wait_probability", queueing.wait_probability(agents, LOAD))
    within(q, "occupancy", LOAD / agents)
    within(q, "aht_s", AHT)
    assert (q["abandon"] == 0).all()
    # the plan's promise is the same exact figure
    assert q["promised_service_level"].iloc[0] == pytest.approx(
        queueing.service_level(agents, LOAD, AHT, WITHIN), rel=1e-12
    )


@pytest.mark.slow
def test_erlang_a_steady_state_lies_in_the_intervals() -> None:
    agents, patience = 8, 120.0  # as many agents as Erlangs: only abandonment keeps the queue stable
    scenario, result = hand_case([RATE] * PERIODS, [agents] * PERIODS, aht_s=AHT, within_s=WITHIN, patience_s=patience)
    sim = simulate(scenario, result, replications=20, seed=0, jobs=1)
    q = sim.by_queue
    lo, ab, hi = within(q, "abandon", queueing.erlang_a_abandon_probability(agents, LOAD, AHT, patience))
    assert ab > 0.05 and hi - lo < 0.02
    within(q, "service_level", queueing.erlang_a_service_level(agents, LOAD, AHT, patience, WITHIN))
    within(q, "asa_s", queueing.erlang_a_asa_s(agents, LOAD, AHT, patience))
    within(q, "wait_probability", queueing.erlang_a_wait_probability(agents, LOAD, AHT, patience))
    within(q, "occupancy", queueing.erlang_a_occupancy(agents, LOAD, AHT, patience))
    assert q["model"].iloc[0] == "erlang_a"
    assert q["promised_abandon"].iloc[0] == pytest.approx(
        queueing.erlang_a_abandon_probability(agents, LOAD, AHT, patience)
    )


# ------------------------------------------------------------------ reproducible
def test_same_seed_same_tables_other_seed_other_tables() -> None:
    scenario, result = hand_case([30.0] * 12, [4] * 12)
    a = simulate(scenario, result, replications=3, seed=7, jobs=1, by_period=True)
    b = simulate(scenario, result, replications=3, seed=7, jobs=1, by_period=True)
    c = simulate(scenario, result, replications=3, seed=8, jobs=1, by_period=True)
    for name in ("overall", "by_queue", "by_day", "by_period"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert not a.by_period["service_level"].equals(c.by_period["service_level"])
    assert a.by_queue["arrivals"].iloc[0] != c.by_queue["arrivals"].iloc[0]


@pytest.mark.slow
def test_parallel_processes_give_the_same_tables() -> None:
    scenario, result = hand_case([30.0] * 12, [4] * 12)
    one = simulate(scenario, result, replications=4, seed=3, jobs=1)
    two = simulate(scenario, result, replications=4, seed=3, jobs=2)
    pd.testing.assert_frame_equal(one.by_day, two.by_day)


# ------------------------------------------------------------------ queues carry over period boundaries
def test_callers_of_an_unstaffed_hour_are_answered_when_the_next_hour_starts() -> None:
    # hour 1: 10 callers, nobody on duty; hour 2: 20 agents of a vendor twice as slow, 1 caller
    scenario, result = hand_case([10.0, 1.0], [0, 20], cyclic=False, providers=["in_house", "slowco"])
    tl = build_timelines(scenario, result)[0]
    calls = simulate_queue(tl, np.random.default_rng(1), arrivals="replay")
    first = calls.period == 0
    assert first.sum() == 10 and (~first).sum() == 1  # replay: the demand's counts exactly
    assert calls.answered.all()
    np.testing.assert_allclose(calls.start_s[first], 3600.0)  # all answered at 01:00 sharp
    np.testing.assert_allclose(calls.wait_s[first], 3600.0 - calls.arrival_s[first])
    assert calls.wait_s[~first][0] == 0.0  # 20 agents, 10 busy: the hour-2 caller is answered at once

    sim = simulate(scenario, result, replications=40, seed=0, arrivals="replay", jobs=1, by_period=True)
    p0 = sim.by_period[sim.by_period["period"] == 0]
    # by hand: a wait of 3600 - U(0, 3600) s has mean 1800 s; it is within 20 s with probability 20/3600
    within(p0, "asa_s", 1800.0)
    within(p0, "service_level", 20.0 / 3600.0)
    # answered in hour 2 by slowco, so handled at its factor: mean 2 x 300 s
    within(p0, "aht_s", 600.0)
    # Erlang cannot see it: no agents is no service and an infinite wait
    assert p0["promised_service_level"].iloc[0] == 0.0 and math.isinf(p0["promised_asa_s"].iloc[0])


def test_agents_stay_through_an_hour_without_demand_to_clear_the_queue() -> None:
    scenario, result = hand_case([40.0, 0.0, 0.0, 5.0], [2, 0, 0, 5], cyclic=False)
    tl = build_timelines(scenario, result)[0]
    assert tl.servers.tolist() == [2, 2, 0, 5, 5]  # hour 2 keeps hour 1's agents; the drain keeps hour 4's
    assert tl.planned.tolist() == [True, False, False, True, False]
    calls = simulate_queue(tl, np.random.default_rng(0), arrivals="replay")
    first = calls.period == 0
    # 40 calls of 300 s on 2 agents is ~6000 s of work: all answered by 2 agents before 02:00 ends, or at 03:00
    late = calls.start_s[first] >= 7200.0
    assert (calls.start_s[first][late] >= 3 * 3600.0).all()
    assert calls.answered.all()


# ------------------------------------------------------------------ handling times
def test_vendor_factor_scales_the_handling_time() -> None:
    scenario, result = hand_case([30.0] * 24, [12] * 24, providers=["slowco"] * 24, cyclic=False)
    sim = simulate(scenario, result, replications=8, seed=0, jobs=1)
    lo, mean, hi = within(sim.by_queue, "aht_s", 600.0)
    assert lo > 450.0  # clearly not the queue's own 300 s


def test_lognormal_handling_has_the_requested_cv() -> None:
    cv = 0.5
    scenario, result = hand_case([400.0] * 24, [60] * 24, cyclic=False)
    tl = build_timelines(scenario, result)[0]
    calls = simulate_queue(tl, np.random.default_rng(5), handling="lognormal", cv=cv)
    x = np.log(calls.handle_s[calls.answered] / 300.0)
    n = len(x)
    # a lognormal with mean m and CV c: sigma^2 = ln(1 + c^2), mu = ln m - sigma^2 / 2
    sigma = math.sqrt(math.log(1 + cv * cv))
    assert n > 9000
    assert abs(x.mean() + sigma**2 / 2) < 4 * sigma / math.sqrt(n)
    assert abs(x.std(ddof=1) - sigma) < 4 * sigma / math.sqrt(2 * n)
    exp_calls = simulate_queue(tl, np.random.default_rng(5))
    y = exp_calls.handle_s[exp_calls.answered] / 300.0
    assert abs(y.std(ddof=1) / y.mean() - 1.0) < 0.05  # exponential: CV 1


def test_lognormal_changes_what_is_simulated() -> None:
    scenario, result = hand_case([30.0] * 12, [4] * 12)
    a = simulate(scenario, result, replications=3, seed=0, jobs=1)
    b = simulate(scenario, result, replications=3, seed=0, jobs=1, handling="lognormal", handling_cv=2.0)
    assert a.by_queue["service_level"].iloc[0] != b.by_queue["service_level"].iloc[0]
    assert b.handling_cv == 2.0 and a.handling_cv is None


# ------------------------------------------------------------------ channels
def test_chat_agents_hold_concurrent_chats_and_email_is_a_backlog() -> None:
    scenario, result = hand_case([20.0] * 6, [3] * 6, channel="chat", concurrency=2.0, aht_s=600.0)
    tl = build_timelines(scenario, result)[0]
    assert set(tl.servers.tolist()) == {6}
    sim = simulate(scenario, result, replications=3, seed=0, jobs=1)
    assert sim.by_queue["model"].iloc[0] == "erlang_c"

    scenario, result = hand_case([10.0] * 6, [2] * 6, channel="email", within_s=3600.0, target=1.0, aht_s=480.0)
    sim = simulate(scenario, result, replications=3, seed=0, jobs=1)
    q = sim.by_queue.iloc[0]
    assert q["model"] == "workload"
    assert math.isnan(q["promised_asa_s"]) and 0.0 <= q["service_level"] <= 1.0
    assert any("backlog" in n for n in sim.notes)


# ------------------------------------------------------------------ bad input
def test_a_result_of_another_scenario_is_refused() -> None:
    scenario, result = hand_case([10.0] * 4, [2] * 4)
    other, _ = hand_case([10.0, 10.0, 11.0, 10.0], [2] * 4)
    with pytest.raises(StaffmixError, match="period 2 has 10 contacts in the plan, 11 in the scenario"):
        simulate(other, result, replications=2, jobs=1)
    bad = result.with_(staffing=result.staffing.assign(queue="nope"))
    with pytest.raises(StaffmixError, match="queue 'nope', which the scenario does not have"):
        simulate(scenario, bad, replications=2, jobs=1)
    short, _ = hand_case([10.0] * 3, [2] * 3)
    with pytest.raises(StaffmixError, match="horizon has 3 periods"):
        simulate(short, result, replications=2, jobs=1)
    twice = result.with_(staffing=pd.concat([result.staffing, result.staffing.iloc[[1]]]))
    with pytest.raises(StaffmixError, match="two staffing rows in period 1"):
        simulate(scenario, twice, replications=2, jobs=1)
    nan = result.with_(staffing=result.staffing.assign(staffed=[2.0, np.nan, 2.0, 2.0]))
    with pytest.raises(StaffmixError, match="period 1 has staffed nan"):
        simulate(scenario, nan, replications=2, jobs=1)
    with pytest.raises(StaffmixError, match="has no plan"):
        simulate(scenario, result.with_(status=Status.infeasible), jobs=1)


@pytest.mark.parametrize("kwargs, message", [
    ({"replications": 0}, "replications"),
    ({"seed": -1}, "seed"),
    ({"arrivals": "bursty"}, "arrivals"),
    ({"handling": "normal"}, "handling"),
    ({"handling_cv": 0.5}, "lognormal handling only"),
    ({"handling": "lognormal", "handling_cv": -1.0}, "handling_cv"),
    ({"jobs": 0}, "jobs"),
])
def test_bad_settings_raise_one_clear_error(kwargs, message) -> None:
    scenario, result = hand_case([10.0] * 2, [2] * 2)
    with pytest.raises(StaffmixError, match=message):
        simulate(scenario, result, **kwargs)


def test_to_folder_writes_tables_and_never_overwrites(tmp_path: Path) -> None:
    scenario, result = hand_case([10.0] * 4, [2] * 4)
    sim = simulate(scenario, result, replications=2, jobs=1)
    out = sim.to_folder(tmp_path / "sim")
    assert sorted(p.name for p in out.iterdir()) == ["by_day.csv", "by_queue.csv", "overall.csv", "simulation.json"]
    summary = json.loads((out / "simulation.json").read_text())
    assert summary["replications"] == 2 and summary["seed"] == 0 and summary["below_target"] == []
    with pytest.raises(StaffmixError, match="not empty"):
        sim.to_folder(out)


def test_below_target_needs_the_whole_interval_under_the_target() -> None:
    # 60 calls of 300 s an hour on 5 agents: load 5 on 5 agents, the queue grows all day
    scenario, result = hand_case([60.0] * 24, [5] * 24, cyclic=False)
    sim = simulate(scenario, result, replications=4, seed=0, jobs=1)
    day = sim.by_day.iloc[0]
    assert day["service_level_hi"] < 0.8 and bool(day["below_target"])
    scenario, result = hand_case([60.0] * 24, [9] * 24, cyclic=False)
    sim = simulate(scenario, result, replications=4, seed=0, jobs=1)
    assert not sim.by_day["below_target"].any()


# ------------------------------------------------------------------ command line
def plan_without_solving(name: str) -> tuple[object, Result]:
    """A plan for a bundled scenario that needs no solver: every queue-period to its first eligible provider at its
    requirement."""
    from staffmix.scenario.io import load_scenario

    scenario = load_scenario(SCENARIOS / name)
    req = build_index(scenario).requirements_frame().groupby(["period", "queue"], sort=False).first().reset_index()
    starts = scenario.config.horizon.period_starts()
    staffing = pd.DataFrame({
        "period": req["period"], "period_start": starts[req["period"].to_numpy()], "queue": req["queue"],
        "provider": req["provider"], "contacts": req["contacts"], "required": req["required"],
        "staffed": req["required"].astype(float), "shortfall": 0.0,
    })
    parts = []
    for q in scenario.config.queues:
        m = staffing["queue"] == q.id
        sl, asa, occ = achieved_service(
            q,
            staffing.loc[m, "staffed"].to_numpy(),
            staffing.loc[m, "contacts"].to_numpy(),
            req.loc[m, "aht_s"].to_numpy(),
            3600.0,
        )
        parts.append(staffing[m].assign(service_level=sl, asa_s=asa, occupancy=occ))
    staffing = pd.concat(parts).sort_values(["period", "queue"]).reset_index(drop=True)
    return scenario, Result(status=Status.feasible, scenario=scenario.name, solver="by hand", staffing=staffing)


def cli(*argv: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "staffmix.cli", *argv], capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", BUNDLED)
def test_cli_simulates_every_bundled_scenario_into_its_report(name: str, tmp_path: Path) -> None:
    _, result = plan_without_solving(name)
    result.to_folder(tmp_path / "plan")
    out = tmp_path / "sim"
    proc = cli("simulate", str(SCENARIOS / name), "--result", str(tmp_path / "plan"), "--replications", "2",
               "--jobs", "1", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "replication 2/2 done" in proc.stderr
    assert "service level [95% CI]" in proc.stdout and "below target with 95 % confidence" in proc.stdout
    report = (out / "report.html").read_text()
    assert "Simulation: what the plan gives on the day" in report
    assert 'alt="simulated against promised service level per day" src="data:image/png;base64,' in report
    by_day = pd.read_csv(out / "by_day.csv")
    assert set(by_day["queue"]) == set(result.staffing["queue"])
    assert by_day["service_level"].between(0, 1).all()


@pytest.mark.slow
def test_cli_json_solving_first_and_bad_input(tmp_path: Path) -> None:
    minimal = ROOT / "tests" / "data" / "minimal"
    proc = cli("simulate", str(minimal), "--replications", "2", "--jobs", "1", "--json", "--quiet", "--by-period")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["replications"] == 2 and {r["queue"] for r in data["by_queue"]} == {"support", "payments"}
    assert len(data["by_period"]) > 0 and proc.stderr == ""

    _, result = plan_without_solving("2can-split")
    result.to_folder(tmp_path / "plan")
    proc = cli("simulate", str(SCENARIOS / "saas-24x7"), "--result", str(tmp_path / "plan"), "--replications", "2")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert [line for line in proc.stderr.splitlines() if line.startswith("staffmix:")] == [
        "staffmix: error: result of '2can-split' does not belong to scenario 'saas-24x7': "
        "staffing names queue 'support_en', which the scenario does not have"]
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "keep.txt").write_text("mine")
    proc = cli(
        "simulate", str(SCENARIOS / "2can-split"), "--result", str(tmp_path / "plan"), "--out", str(tmp_path / "taken")
    )
    assert proc.returncode == 2 and "not empty" in proc.stderr
    assert (tmp_path / "taken" / "keep.txt").read_text() == "mine"


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGINT") or sys.platform == "win32", reason="POSIX signals")
def test_interrupt_leaves_no_worker_behind(tmp_path: Path) -> None:
    _, result = plan_without_solving("2can-split")
    result.to_folder(tmp_path / "plan")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "staffmix.cli",
            "simulate",
            str(SCENARIOS / "2can-split"),
            "--result",
            str(tmp_path / "plan"),
            "--replications",
            "400",
            "--jobs",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
    )
    # the first replication reported done: the worker pool is up and busy (the test waits on the pipe, no polling)
    read_stderr_until(proc, rb"^simulate: replication 1/400 done", timeout_s=120)
    workers = [pid for pid in _children(proc.pid) if _alive(pid)]
    assert len(workers) >= 2, "the workers never started"
    proc.send_signal(signal.SIGINT)
    err = proc.communicate(timeout=60)[1].decode()
    assert proc.returncode == 130 and "interrupted" in err
    assert wait_for_exit(workers, timeout_s=30) == []  # each worker's exit awaited (pidfd), no polling


def _children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(d.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"

