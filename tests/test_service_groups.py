"""Service levels measured per day or week (issue #14), on every backend, against numbers computed independently.

- Brute force (tests/bruteforce.py, TinyDay): every provider and every whole
  number of agents of every queue-period enumerated, priced from first
  principles, each day's service level from its own Erlang C: cbc, highs and
  core find the same optimum.
- The per-period measure gives exactly the per-period model (and the brute
  force with one level per period).
- Each day's service level in `Result.service("day")` recomputed with the
  brute force's Erlang C from the staffing table; `verify` catches a plan
  edited below a day's target or a period's floor.
- Erlang A, chat, per-contact vendors, weeks and the soft service level:
  the backends agree with each other and the plans verify.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pandas as pd
import pytest
from bruteforce import TinyDay, erlang_c_service

from staffmix import Status, solve, verify
from staffmix.errors import ScenarioError
from staffmix.model.index_sets import build_index
from staffmix.scenario.container import Scenario, validate
from staffmix.scenario.schema import ScenarioConfig
from staffmix.solvers import highs as hx
from staffmix.solvers.core.levels import LEVEL_FORMULATIONS
from staffmix.solvers.core.matrix import build_matrix

BACKENDS = ("cbc", "highs", "core")
FLEX = {"id": "flex", "rate": 14.0, "aht_factor": 1.2}

CASES = {
    # quiet edges around a peak: the edges go to the vendor or sit below target, the peak above it
    "edges": TinyDay(contacts=[6, 24, 36, 24, 6], start_hour=9, vendors=[FLEX]),
    # 22:00-03:00: two local days, each measured on its own; a night vendor from 23:00
    "midnight": TinyDay(contacts=[14, 8, 3, 2, 10], start_hour=22,
                        vendors=[{"id": "night", "rate": 9.0, "aht_factor": 1.15, "start_hour": 23, "end_hour": 6}]),
    # no floor: a period may drop to the least stable staffing
    "no-floor": TinyDay(contacts=[6, 24, 36, 24, 6], start_hour=9, floor=None, vendors=[FLEX]),
    # a cheap vendor that can put at most 3 agents on the queue in any hour
    "capacity": TinyDay(contacts=[12, 30, 40, 30, 12], start_hour=9,
                        vendors=[{"id": "small", "rate": 8.0, "aht_factor": 1.2, "capacity": 3}]),
    # the same queue measured per period: one level per queue-period
    "period": TinyDay(contacts=[6, 24, 36, 24, 6], start_hour=9, measured="period", vendors=[FLEX]),
}


def tiny_scenario(tiny: TinyDay) -> Scenario:
    demand = pd.DataFrame([(t, "en", float(c), tiny.aht_s, np.nan) for t, c in enumerate(tiny.contacts)],
                          columns=["period", "queue", "contacts", "aht_s", "required_agents"])
    return Scenario(config=ScenarioConfig.model_validate(tiny.scenario_dict()), demand=demand)


@cache
def brute_force(case: str) -> float:
    return CASES[case].optimum()


@cache
def solved(case: str, backend: str):
    return solve(tiny_scenario(CASES[case]), backend=backend, mip_gap=0.0)  # no time limit: `optimal` is asserted


SLOW_CASES = {"no-floor", "capacity"}  # a second each of brute force: the slow lane


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "case", [pytest.param(c, marks=pytest.mark.slow) if c in SLOW_CASES else c for c in sorted(CASES)]
)
def test_matches_brute_force_enumeration_of_levels(case: str, backend: str) -> None:
    expected = brute_force(case)
    assert math.isfinite(expected)
    result = solved(case, backend)
    assert result.status == Status.optimal, result.message
    assert result.objective == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert verify(tiny_scenario(CASES[case]), result) == []


def test_measuring_per_day_pays_here() -> None:
    """The issue's point on a tiny scale: the same week measured per day is cheaper than per period (brute force)."""
    assert brute_force("edges") < brute_force("period")


def test_per_period_measure_is_the_per_period_model() -> None:
    """measured: period (written out) builds exactly the model of a scenario that never mentions it."""
    tiny = CASES["period"]
    d = tiny.scenario_dict()
    del d["queues"][0]["service_level"]["measured"]
    plain = Scenario(config=ScenarioConfig.model_validate(d), demand=tiny_scenario(tiny).demand)
    a, b = build_matrix(build_index(tiny_scenario(tiny))), build_matrix(build_index(plain))
    assert (a.n_cols, a.n_rows) == (b.n_cols, b.n_rows) and a.cols["level"].size == 0
    assert (a.A != b.A).nnz == 0 and np.array_equal(a.cost, b.cost) and np.array_equal(a.row_lo, b.row_lo)


@pytest.mark.parametrize("case", ["edges", "midnight"])
def test_day_service_recomputed_with_an_independent_erlang_c(case: str) -> None:
    """Each day's contact-weighted service level, recomputed from the staffing table with the brute force's own
    Erlang C (provider's AHT, whole agents), is what Result.service('day') reports, and meets the target; no
    period is below the floor."""
    tiny = CASES[case]
    result = solved(case, "core")
    factor = {v["id"]: v["aht_factor"] for v in tiny.vendors} | {"in_house": 1.0}
    s = result.staffing
    sl = [
        erlang_c_service(
            math.floor(n + 1e-6), c * tiny.aht_s * factor[p] / 3600.0, tiny.aht_s * factor[p], tiny.within_s
        )
        for n, c, p in zip(s["staffed"], s["contacts"], s["provider"], strict=True)
    ]
    day = s["period_start"].dt.strftime("%Y-%m-%d")
    by_day = pd.DataFrame({"day": day, "c": s["contacts"], "ok": s["contacts"] * np.array(sl)}).groupby("day").sum()
    expected = (by_day["ok"] / by_day["c"]).to_dict()
    daily = result.service("day").set_index("day")
    assert daily["service_level"].to_dict() == pytest.approx(expected, rel=1e-9)
    assert len(daily) == (2 if case == "midnight" else 1)
    assert (daily["service_level"] >= tiny.target - 1e-9).all()
    assert (daily["target"] == tiny.target).all() and (daily["period_floor"] == tiny.floor).all()
    assert (daily["measured"] == "day").all()
    assert min(sl) >= tiny.floor and daily["lowest_period"].min() == pytest.approx(min(sl))


def test_verify_catches_a_day_below_target_and_a_period_below_its_floor() -> None:
    scenario = tiny_scenario(CASES["edges"])
    result = solved("edges", "core")
    s = result.staffing
    peak = int(s["contacts"].idxmax())
    assert s.at[peak, "provider"] == "in_house"
    # one agent less at the peak: the day falls below 80 % (the plan had no agent to spare)
    a = result.assignments.copy()
    row = a.index[a["period"] == s.at[peak, "period"]][0]
    a.at[row, "agents"] -= 1
    s2 = s.copy()
    s2.at[peak, "staffed"] -= 1
    rules = {v.rule for v in verify(scenario, result.with_(staffing=s2, assignments=a))}
    assert "day_service" in rules
    # the vendor's edge hour at 1 agent below its lowest level: under the floor
    edge = int(s.index[s["provider"] == "flex"][0])
    s3 = s.copy()
    s3.at[edge, "staffed"] = s.at[edge, "required"] - 1
    rules = {v.rule for v in verify(scenario, result.with_(staffing=s3))}
    assert {"requirement", "period_floor"} <= rules


def test_every_level_formulation_has_the_same_optimum() -> None:
    """The two formulations the core keeps for comparison (docs/service-measures.md) solve to the same optimum."""
    ix = build_index(tiny_scenario(CASES["midnight"]))
    optima = []
    hx.reset_threads()  # HiGHS keeps one thread pool per process: start it for the count asked for here
    for f in LEVEL_FORMULATIONS:
        m = build_matrix(ix, f)
        optima.append(hx.run(hx.model_highs(m, 1, relax=False), mip=True, mip_gap=0.0).objective)
    assert optima == pytest.approx([brute_force("midnight")] * len(optima), rel=1e-9)


# ---------------------------------------------------------------- features without a brute force


def scenario(measured: str = "day", contacts=(4, 12, 30, 30, 12, 4), *, floor=0.5, patience=None, channel="voice",
             vendor=True, per_contact=False, soft=None, start="2026-01-05T08:00", periods=None, days=1) -> Scenario:
    sl = {"target": 0.8, "within_s": 20, "measured": measured}
    if measured != "period":
        sl["period_floor"] = floor
    if patience:
        sl["patience_s"] = patience
    queue = {"id": "en", "language": "en", "aht_s": 300, "channel": channel, "service_level": sl}
    if channel == "chat":
        queue["concurrency"] = 2
    d = {"name": "t", "horizon": {"start": start, "periods": periods or len(contacts) * days, "cyclic": False},
         "queues": [queue],
         "templates": [{"id": "s3", "length_h": 3, "start_hours": list(range(24))}],
         "groups": [{"id": "team", "languages": ["en"], "rate_per_hour": 10, "shrinkage": 0.0, "templates": ["s3"]}],
         "vendors": [], "policy": {}}
    if vendor:
        d["vendors"].append({"id": "flex", "languages": ["en"], "rate_per_hour": 12, "aht_factor": 1.2})
    if per_contact:
        d["vendors"].append({"id": "bot", "languages": ["en"], "pricing": "per_contact", "price_per_contact": 1.5})
    if soft:
        d["policy"]["soft_service_level"] = {"penalty_per_agent_hour": soft}
    step = 24 if days > 1 else 1
    rows = [(k * step + t, "en", float(c), 300.0, np.nan) for k in range(days) for t, c in enumerate(contacts)]
    return Scenario(
        config=ScenarioConfig.model_validate(d),
        demand=pd.DataFrame(rows, columns=["period", "queue", "contacts", "aht_s", "required_agents"]),
    )


FEATURES = {
    "erlang-a": dict(patience=120),
    "chat": dict(channel="chat"),
    "per-contact-vendor": dict(per_contact=True),
    "soft-short-days": dict(vendor=False, soft=50.0, contacts=(4, 12, 60, 60, 12, 4)),
    "week": dict(measured="week", contacts=(4, 20, 10), periods=48, days=2),
}


SLOW_FEATURES = {"chat", "week", "per-contact-vendor"}


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW_FEATURES else n for n in sorted(FEATURES)]
)
def test_backends_agree_and_plans_verify(name: str) -> None:
    sc = scenario(**FEATURES[name])
    results = {b: solve(sc, backend=b, mip_gap=0.0) for b in BACKENDS}
    for b, r in results.items():
        assert r.status == Status.optimal, (b, r.message)
        assert verify(sc, r) == [], b
    assert results["cbc"].objective == pytest.approx(results["highs"].objective, rel=1e-9)
    assert results["core"].objective == pytest.approx(results["highs"].objective, rel=1e-9)


def test_per_contact_vendor_staffs_its_own_full_requirement() -> None:
    """A per-contact vendor's level is not ours to choose: it counts at the requirement for the full target."""
    sc = scenario(**FEATURES["per-contact-vendor"])
    ix = build_index(sc)
    bot = ix.providers.index("bot")
    full = solve(scenario("period", per_contact=True), backend="highs").staffing
    rows = ix.r_prov == bot
    assert not np.isin(np.nonzero(rows)[0], ix.step_req).any()  # one level only
    r = solve(sc, backend="highs", mip_gap=0.0).staffing
    for t, req in zip(ix.r_period[rows], ix.r_required[rows], strict=True):
        assert (
            req == full.loc[full["period"] == t, "required"].iloc[0]
            or full.loc[full["period"] == t, "provider"].iloc[0] != "bot"
        )
    on_bot = r[r["provider"] == "bot"]
    assert (on_bot["staffed"] == on_bot["required"]).all()


def test_soft_service_level_prices_the_contacts_a_day_is_short() -> None:
    """No vendor and a cheap penalty: the day misses its target; the penalty is the late contacts' agent time."""
    sc = scenario(**FEATURES["soft-short-days"])
    r = solve(sc, backend="highs", mip_gap=0.0)
    day = r.service("day").iloc[0]
    late = 0.8 * day["contacts"] - day["service_level"] * day["contacts"]
    penalty = r.costs.set_index("component").at["shortfall_penalty", "amount"]
    if late > 0:
        assert penalty == pytest.approx(late * 300 / 3600 * 50.0, rel=1e-9)
    assert day["service_level"] < 0.8  # it pays to miss here: 50 an agent-hour against shifts at 10 an hour x 3 h


def test_week_groups_are_iso_weeks_of_the_local_calendar() -> None:
    """A horizon from Saturday 00:00 to Tuesday: two ISO weeks (Sat-Sun, Mon-Tue), each measured on its own."""
    sc = scenario("week", contacts=(5, 10), start="2026-01-10T09:00", periods=96, days=4)
    ix = build_index(sc)
    assert ix.sg_label == ["2026-W02", "2026-W03"]
    assert ix.sg_contacts.tolist() == [30.0, 30.0]


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "queue_change, words",
    [
        (
            {"channel": "email", "service_level": {"target": 1.0, "within_s": 3600, "measured": "day"}},
            "applies to voice and chat",
        ),
        ({"service_level": {"period_floor": 0.5}}, "period_floor applies to measured: day or week"),
        ({"service_level": {"measured": "day", "target": 0.8, "period_floor": 0.9}}, "above target"),
    ],
)
def test_schema_refuses_what_is_not_defined(queue_change: dict, words: str) -> None:
    d = scenario("period").config.model_dump(mode="json")
    d["queues"][0].update(queue_change)
    with pytest.raises(ValueError, match=words):
        ScenarioConfig.model_validate(d)


def test_day_measure_needs_contacts_not_required_agents() -> None:
    sc = scenario("day")
    demand = sc.demand.assign(contacts=np.nan, required_agents=2.0)
    with pytest.raises(
        ScenarioError, match=r"queues\[0\] \(id 'en'\)\.service_level\.measured: day needs demand given as contacts"
    ):
        validate(Scenario(config=sc.config, demand=demand))


def test_summary_reads_the_day_measure() -> None:
    from staffmix.results.summary import format_summary

    text = format_summary(solved("edges", "core"))
    assert "measured per day: lowest day 80." in text and "(floor 50.0%)" in text


def test_erlang_c_levels_are_concave_and_every_lowest_level_is_stable() -> None:
    """Erlang C's service level rises by less with every agent above the load (so each step adds less than the one
    below it), and the lowest level of every row keeps the queue stable (more agents than Erlangs of load). The
    step binaries do not rely on it (each step needs the one below), but it is why the LP relaxation is tight."""
    ix = build_index(scenario("day", contacts=(4, 12, 30, 60, 90, 30, 4)))
    same_row = ix.step_req[1:] == ix.step_req[:-1]
    assert same_row.any() and (np.diff(ix.step_gain)[same_row] <= 1e-12).all()
    load = ix.r_contacts * ix.r_aht / 3600.0
    assert (ix.r_required[ix.m_req] > load[ix.m_req]).all()


@pytest.mark.parametrize("start, periods, fits", [
    ("2026-01-05T00:00", 336, True),  # from a Monday: every day inside one week block
    ("2026-01-07T06:00", 336, False),  # from a Wednesday 06:00: a day crosses the block boundary
])
def test_week_blocks_hold_every_measured_day_or_the_whole_model_is_planned(
    start: str, periods: int, fits: bool
) -> None:
    from staffmix.solvers.core.blocks import groups_fit_blocks

    sc = scenario("day", contacts=(5,) * 24, start=start, periods=periods, days=14)
    assert groups_fit_blocks(build_matrix(build_index(sc)), 168) is fits


@pytest.mark.slow
def test_thirteen_weeks_measured_per_day_roll_week_by_week_and_verify() -> None:
    """A horizon too large for the exact path (w13-l1 measured per day: 53,286 columns) is planned in week blocks
    with each day's service-level row inside its block. Time-limited: only what holds wherever it stops."""
    from staffmix.scenario.generate import generate
    from staffmix.solvers.core.blocks import groups_fit_blocks
    from staffmix.solvers.core.strategy import EXACT_MAX_COLS

    sc = generate(13, 1, measured="day")
    m = build_matrix(build_index(sc))
    assert m.n_cols > EXACT_MAX_COLS and groups_fit_blocks(m, 168)  # the week-block path
    r = solve(sc, backend="core", time_limit_s=30, mip_gap=0.005, threads=1)
    assert r.status.has_plan, r.message
    assert r.bound is not None and r.bound <= r.objective * (1 + 1e-9)
    assert verify(sc, r) == []


def test_an_infeasible_day_is_explained() -> None:
    """No vendor and five heads at most for 40 calls an hour: 5 agents answer 70.8 % in 20 s (bruteforce's Erlang C),
    above the floor of 30 % but below the day's 80 %. The elastic re-solve names the day."""
    sc = scenario("day", contacts=(40, 40, 40), floor=0.3, vendor=False)
    d = sc.config.model_dump(mode="json")
    d["groups"][0].update(max_headcount=5, max_hours_per_week=168)
    sc = Scenario(config=ScenarioConfig.model_validate(d), demand=sc.demand)
    r = solve(sc, backend="highs")
    assert r.status == Status.infeasible
    assert list(r.diagnosis["queue"]) == ["en"] and r.diagnosis["period"].iloc[0] == 0
    expected = erlang_c_service(5, 40 * 300 / 3600, 300, 20)
    assert f"the day 2026-01-05 reaches {expected:.1%} of its 80.0% target" in r.diagnosis["reason"].iloc[0]
