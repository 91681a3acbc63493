"""The bundled scenarios answer the questions their READMEs ask.

Each is solved with the scenario's own backend (`core`), as the README's
main job does, but with no time limit and a requested gap of 2 %: the answer
then cannot depend on how fast the machine is (a wall-clock limit could cut a
solve short on a busy machine and change the plan the assertions read).
That cbc, highs and core agree on every bundled scenario is
tests/test_conformance.py's job.
"""

from __future__ import annotations

from functools import cache

import pytest
from conftest import SCENARIOS, bundled_names, without_time_limit

from staffmix import Result, load_scenario, solve, verify
from staffmix.scenario.schema import IN_HOUSE

ROOT = SCENARIOS
NAMES = bundled_names()
MIP_GAP = 0.02


@cache
def solved(name: str, variant: str | None = None) -> Result:
    scenario = load_scenario(ROOT / name)
    if variant:
        scenario = scenario.variant(variant)
    result = solve(without_time_limit(scenario), mip_gap=MIP_GAP)
    assert result.status == "optimal", f"{name}/{variant}: {result.status} {result.message}"
    assert result.solver == "core"
    assert result.status.has_plan, f"{name}/{variant}: {result.status} {result.message}"
    assert verify(scenario, result) == [], f"{name}/{variant} plan does not verify"
    return result


def test_all_four_are_bundled() -> None:
    assert NAMES == ["2can-split", "eu-ecommerce-pci", "saas-24x7", "webshop-startup"]



def test_2can_split_keeps_the_day_in_house_and_sends_the_night_to_nightowl() -> None:
    r = solved("2can-split")
    s = r.staffing.assign(hour=r.staffing["period_start"].dt.tz_convert("Europe/Helsinki").dt.hour)
    day = s[s["hour"].between(9, 17)]
    night = s[(s["hour"] >= 22) | (s["hour"] < 6)]
    assert (day.loc[day["provider"] == IN_HOUSE, "contacts"].sum() / day["contacts"].sum()) > 0.6
    assert (night["provider"] == "nightowl").all()


@pytest.mark.slow  # about 10 s to a 2 % gap
def test_eu_pci_payments_never_go_to_the_uncertified_vendor() -> None:
    r = solved("eu-ecommerce-pci")
    pay = r.staffing[r.staffing["queue"].str.startswith("payments")]
    assert len(pay) > 0 and not (pay["provider"] == "cheapcc").any()
    # cheapcc is cheaper: where a sales queue can go to it, the plan uses it somewhere
    assert (r.staffing["provider"] == "cheapcc").any()


def test_saas_24x7_compares_the_vendor_plan_with_in_house_only() -> None:
    mixed = solved("saas-24x7")
    in_house = solved("saas-24x7", "in-house-only")
    assert (in_house.staffing["provider"] == IN_HOUSE).all()
    # the forced variant can never beat the free choice's proven bound
    assert in_house.objective >= mixed.bound - 1e-6


def test_saas_24x7_measured_per_day_is_cheaper_and_every_day_meets_its_target() -> None:
    """Issue #14 on a bundled scenario: the service level promised over the day (at least 50 % in every hour) costs
    less than the same targets met in every hour, and the day plan keeps its promise, recomputed here with the
    brute force's own Erlang C (tests/bruteforce.py), not staffmix's."""
    import math

    import numpy as np
    import pandas as pd
    from bruteforce import erlang_c_service

    scenario = load_scenario(ROOT / "saas-24x7")
    day, per_period = solved("saas-24x7"), solved("saas-24x7", "per-period")
    assert day.objective < per_period.bound  # cheaper than any plan meeting 80 % in every hour
    s = day.staffing
    queues = {q.id: q for q in scenario.config.queues}
    factor = {v.id: v.aht_factor for v in scenario.config.vendors} | {IN_HOUSE: 1.0}
    sl = np.array([
        erlang_c_service(math.floor(n + 1e-6), c * queues[q].aht_s * factor[p] / 3600.0, queues[q].aht_s * factor[p],
                         queues[q].service_level.within_s)
        for q, p, n, c in zip(s["queue"], s["provider"], s["staffed"], s["contacts"], strict=True)
    ])
    local_day = s["period_start"].dt.tz_convert("Europe/London").dt.strftime("%Y-%m-%d")
    by_day = pd.DataFrame({"queue": s["queue"], "day": local_day, "c": s["contacts"], "ok": s["contacts"] * sl})
    daily = by_day.groupby(["queue", "day"])[["c", "ok"]].sum()
    assert len(daily) == 14 and ((daily["ok"] / daily["c"]) >= 0.8 - 1e-9).all()
    assert sl.min() >= 0.5  # the period floor
    assert sl.min() < 0.8  # and some hours do run below the target: that is where the saving comes from
    # the per-period variant meets 80 % in every hour
    p = per_period.staffing
    assert (p["service_level"] >= 0.8 - 1e-9).all()


@pytest.mark.parametrize("name", NAMES)
def test_bundled_scenario_round_trips_and_its_variants_validate(name: str, tmp_path) -> None:
    import warnings

    import pandas as pd

    from staffmix import save_scenario
    from staffmix.scenario.checks import ScenarioWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", ScenarioWarning)  # a bundled scenario loads without warnings
        scenario = load_scenario(ROOT / name)
        again = load_scenario(save_scenario(scenario, tmp_path / name))
    assert again.config == scenario.config
    pd.testing.assert_frame_equal(again.demand, scenario.demand)
    for variant in scenario.config.variants:
        changed = scenario.variant(variant)
        assert changed.config != scenario.config, variant  # every variant changes something


def _local_hour(table, name: str):
    tz = load_scenario(ROOT / name).config.horizon.timezone
    return table["period_start"].dt.tz_convert(tz).dt.hour


def test_webshop_email_waits_for_a_working_hour_and_never_past_its_deadline() -> None:
    """Issue #13: nobody answers mail at night (the back office would cost 6 a mail); it waits for the team or
    flexdesk, within 48 hours and 95 % within 24. Promising every mail within the hour costs more: the night's and
    Sunday's mail then go to the back office."""
    r = solved("webshop-startup")

    def night(hour):
        return (hour >= 22) | (hour < 6)

    b, h = r.backlog, r.handled
    assert b.loc[night(_local_hour(b, "webshop-startup")), "arrived"].sum() > 0  # mail does arrive at night
    assert h.loc[night(_local_hour(h, "webshop-startup")), "handled"].sum() == 0  # and is answered by day
    assert "mailroom" not in set(h["provider"])
    assert b["wait_h"].max() <= 48
    svc = r.service("queue").set_index("queue")
    assert svc.loc["email", "service_level"] >= 0.95 - 1e-9
    within_hour = solved("webshop-startup", "email-within-hour")
    assert within_hour.objective > r.bound
    wh = within_hour.handled
    assert wh.loc[night(_local_hour(wh, "webshop-startup")) & (wh["provider"] == "mailroom"), "handled"].sum() > 0
    assert within_hour.backlog["wait_h"].max() <= 1


def test_saas_24x7_tickets_wait_for_the_day_and_within_the_hour_needs_night_staff() -> None:
    r = solved("saas-24x7")
    within_hour = solved("saas-24x7", "tickets-within-hour")
    assert r.backlog["wait_h"].max() <= 24
    assert r.service("queue").set_index("queue").loc["tickets", "service_level"] >= 0.9 - 1e-9
    assert within_hour.objective > r.bound  # answering night tickets at once needs night shifts
