"""Results and scenarios as values: equality, round trips through folders, short reprs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import TINY

from staffmix import load_result, load_scenario, save_scenario, solve


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(TINY)


@pytest.fixture(scope="module")
def result(scenario):
    return solve(scenario, backend="highs")


# ------------------------------------------------------------------ scenarios
def test_a_scenario_equals_itself_loaded_again(scenario, tmp_path: Path) -> None:
    # was: ValueError: The truth value of a DataFrame is ambiguous
    assert scenario == load_scenario(TINY)
    assert scenario == load_scenario(save_scenario(scenario, tmp_path / "copy"))  # another folder, same scenario
    assert scenario != scenario.variant("pricey-vendor")
    assert scenario != "tiny-split"


def test_scenarios_differing_only_in_demand_are_not_equal(scenario) -> None:
    demand = scenario.demand.copy()
    demand.loc[demand.index[0], "contacts"] += 1
    assert scenario != scenario.model_copy(update={"demand": demand})


def test_scenario_repr_is_short_and_says_what_it_holds(scenario) -> None:
    text = repr(scenario)
    assert len(text) < 300, text  # was 3,800 characters
    assert text.startswith("Scenario(name='tiny-split'")
    assert "2 queues" in text and "1 vendor" in text and f"{len(scenario.demand)} demand rows" in text


# -------------------------------------------------------------------- results
def test_a_result_equals_itself_loaded_from_its_folder(result, tmp_path: Path) -> None:
    # was: ValueError: The truth value of a DataFrame is ambiguous
    loaded = load_result(result.to_folder(tmp_path / "res"))
    assert loaded == result and result == loaded


def test_a_loaded_result_keeps_the_local_time_zone(result, tmp_path: Path) -> None:
    # was: period_start came back in UTC, so a loaded result's days were UTC days
    loaded = load_result(result.to_folder(tmp_path / "res"))
    assert str(loaded.staffing["period_start"].dt.tz) == "Europe/Helsinki"
    assert loaded.service("day")["day"].tolist() == result.service("day")["day"].tolist()


def test_results_that_differ_are_not_equal(result) -> None:
    assert result != result.with_(objective=result.objective + 1)
    assert result != result.with_(status="feasible")
    staffing = result.staffing.copy()
    staffing.loc[staffing.index[0], "staffed"] += 1
    assert result != result.with_(staffing=staffing)
    assert result != result.with_(kpis={**result.kpis, "in_house_share": 0.5})
    # timings measure the run, not the plan
    assert result == result.with_(solve_s=result.solve_s + 10)


def test_nan_equals_nan_in_tables(result) -> None:
    staffing = result.staffing.copy()
    staffing["asa_s"] = np.nan
    assert result.with_(staffing=staffing) == result.with_(staffing=staffing.copy())


def test_result_repr_is_short(result) -> None:
    text = repr(result)
    assert len(text) < 300, text  # was 6,500 characters
    assert text.startswith("Result(status='optimal', scenario='tiny-split', solver='highs'")
    assert f"staffing={len(result.staffing)} rows" in text
