"""Honest warnings: a plan that misses a target says so everywhere a planner looks, and --strict fails on it.

A queue-period misses its target when it is unserved, short of the agents it
needs, or its achieved service level is under the queue's target. The counts
are checked against a recount from the staffing table and the targets read
straight from scenario.yaml (not through staffmix's schema), and the same
count must appear in the text summary, summary.json, the report's status
card, summary.csv and index.html.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import without_time_limit

import staffmix
from staffmix.cli import EXIT_FAILED, EXIT_OK, main
from staffmix.results.targets import below_target, lowest_service_level

ROOT = Path(__file__).resolve().parents[1]
WEBSHOP = ROOT / "scenarios" / "webshop-startup"
TINY = ROOT / "tests" / "data" / "batch" / "good" / "tiny-split"


def test_below_target_row_by_row() -> None:
    config = staffmix.load_scenario(TINY).config  # phone: 80 % target; mail: 100 %
    staffing = pd.DataFrame({
        "queue": ["phone", "phone", "phone", "phone", "mail", "mail", "phone"],
        "provider": ["in_house", "in_house", "in_house", "unserved", "in_house", "nightco", "in_house"],
        "contacts": [50.0, 50.0, 50.0, 10.0, 5.0, 5.0, np.nan],
        "shortfall": [0.0, 0.0, 1.0, 2.0, 0.0, 0.0, 0.0],
        "service_level": [0.81, 0.79, 0.85, 0.0, 1.0, 0.999, np.nan],
    })
    #            meets  under   short  unserved  meets  under   no contacts given: nothing to judge
    expected = [False, True, True, True, False, True, False]
    assert below_target(staffing, config).tolist() == expected
    assert lowest_service_level(staffing) == 0.0
    assert lowest_service_level(staffing.iloc[:2]) == 0.79


def test_below_target_on_a_queue_measured_per_day() -> None:
    """Per day: an hour misses only under its floor, or when its day's contact-weighted level misses the target."""
    config = staffmix.load_scenario(TINY).config
    phone = config.queue("phone").model_copy(update={"service_level": config.queue("phone").service_level.model_copy(
        update={"measured": "day", "period_floor": 0.5})})
    config = config.model_copy(update={"queues": [phone if q.id == "phone" else q for q in config.queues]})
    starts = pd.to_datetime(["2026-01-05 09:00", "2026-01-05 10:00", "2026-01-06 09:00", "2026-01-06 10:00",
                             "2026-01-07 09:00", "2026-01-07 10:00"]).tz_localize("Europe/Helsinki")
    staffing = pd.DataFrame({
        "period_start": starts, "queue": ["phone"] * 6, "provider": ["in_house"] * 6,
        "contacts": [50.0, 50.0, 50.0, 50.0, 90.0, 10.0], "shortfall": [0.0] * 6,
        "service_level": [0.9, 0.7, 0.9, 0.6, 0.85, 0.4],
    })
    # by hand: day 1 (0.9 + 0.7) / 2 = 0.80 meets 80 %; day 2 0.75 misses (both hours flagged);
    # day 3 (90 x 0.85 + 10 x 0.4) / 100 = 0.805 meets, but its second hour is under the 50 % floor
    assert below_target(staffing, config).tolist() == [False, False, True, True, False, True]


@pytest.fixture(scope="module")
def no_vendor():
    """webshop-startup without its vendor, under a soft service level: the plan of issue #16 (optimal, yet far
    short)."""
    scenario = without_time_limit(staffmix.load_scenario(WEBSHOP).variant("no-vendor"))  # it asserts optimal
    return scenario, staffmix.solve(scenario, backend="core")


def recount(staffing: pd.DataFrame, backlog: pd.DataFrame | None = None) -> tuple[int, float]:
    """Queue-periods below target and the lowest service level, from the tables and the yaml alone (a deferrable
    queue-period is below target when contacts that arrived in it are left unanswered)."""
    raw = yaml.safe_load((WEBSHOP / "scenario.yaml").read_text())
    target = {q["id"]: q.get("service_level", {}).get("target", 0.8) for q in raw["queues"]}
    flagged = 0
    lowest = 1.0
    for row in staffing.itertuples():
        missed = row.provider == "unserved" or row.shortfall > 1e-6
        if row.contacts > 0 and not np.isnan(row.service_level):
            missed = missed or row.service_level < target[row.queue] - 1e-6
            lowest = min(lowest, row.service_level)
        flagged += bool(missed)
    if backlog is not None:
        flagged += int((backlog["unanswered"] > 1e-6).sum())
    return flagged, lowest


def test_the_issue_plan_is_flagged(no_vendor) -> None:
    scenario, result = no_vendor
    assert result.status == "optimal"
    flagged, lowest = recount(result.staffing, result.backlog)
    assert flagged > 50 and lowest == 0.0  # the phone queue goes unanswered in places
    assert result.kpis["below_target_periods"] == result.below_target_periods == flagged
    assert result.kpis["min_service_level"] == lowest
    unanswered = int((result.backlog["unanswered"] > 1e-6).sum())  # deferrable email left unanswered
    assert result.kpis["unmet_periods"] == len(result.unmet) + unanswered <= flagged
    (warning,) = result.warnings
    assert warning.startswith(f"{flagged} queue-periods below target") and "lowest service level 0.0%" in warning
    assert result.summary()["warnings"] == [warning]
    from staffmix.results.summary import format_summary

    lines = format_summary(result).splitlines()
    assert lines[1] == f"  WARNING: {warning}"  # right under the status line


def test_report_status_card_is_amber_with_the_count(no_vendor, tmp_path: Path) -> None:
    from staffmix.report import write_report

    scenario, result = no_vendor
    page = write_report(result, tmp_path / "r.html", scenario=scenario).read_text()
    card = re.search(r'<div class="card warn"><div class="label">status</div><div class="value">(.*?)</div>', page)
    assert card is not None
    # the soft service level left every one of them short: the summary's status line, in amber
    short = int(((result.staffing["shortfall"] > 1e-6) | (result.staffing["provider"] == "unserved")).sum())
    short += int((result.backlog["unanswered"] > 1e-6).sum())  # mails left unanswered, period by period
    assert short == result.below_target_periods
    assert (
        card.group(1)
        == f'<span class="status-warning">optimal under the soft service level: {short:,} periods short</span>'
    )
    assert 'class="status-optimal"' not in page
    assert f'<p class="warn" id="warning">Warning: {result.warnings[0]}' in page


def test_a_plan_on_target_has_no_warning(tmp_path: Path) -> None:
    from staffmix.report import write_report

    result = staffmix.solve(TINY, backend="highs")
    assert result.below_target_periods == 0 and result.warnings == []
    assert recount_tiny(result.staffing) == 0
    page = write_report(result, tmp_path / "r.html").read_text()
    assert '<span class="status-optimal">optimal</span>' in page and "Warning" not in page


def recount_tiny(staffing: pd.DataFrame) -> int:
    raw = yaml.safe_load((TINY / "scenario.yaml").read_text())
    target = {q["id"]: q["service_level"]["target"] for q in raw["queues"]}
    return int(sum((r.provider == "unserved") or r.shortfall > 1e-6 or r.service_level < target[r.queue] - 1e-6
                   for r in staffing.itertuples()))


def soft_copy(tmp_path: Path) -> Path:
    """tiny-split with a variant that drops the night vendor under a soft service level: nights go unserved."""
    folder = shutil.copytree(TINY, tmp_path / "in" / "tiny")
    yaml_file = folder / "scenario.yaml"
    yaml_file.write_text(
        yaml_file.read_text()
        + "  no-nights:\n    vendors: []\n    policy:\n      soft_service_level: {penalty_per_agent_hour: 50}\n"
    )
    return folder


def test_cli_strict_and_the_batch_files(capsys, tmp_path: Path) -> None:
    folder = soft_copy(tmp_path)
    code = main(["solve", str(folder), "--variant", "no-nights", "--quiet"])
    out = capsys.readouterr().out
    assert code == EXIT_OK and "\n  WARNING: " in out
    assert main(["solve", str(folder), "--variant", "no-nights", "--quiet", "--strict"]) == EXIT_FAILED
    assert main(["solve", str(folder), "--quiet", "--strict"]) == EXIT_OK  # the base plan meets every target
    capsys.readouterr()

    out = tmp_path / "out"
    code = main(
        ["batch", str(folder.parent), "--out", str(out), "--jobs", "1", "--backend", "highs", "--quiet", "--no-reports"]
    )
    stdout = capsys.readouterr().out
    assert code == EXIT_OK
    summary = pd.read_csv(out / "summary.csv").set_index("variant")
    expected = staffmix.load_result(out / "tiny" / "no-nights")
    assert summary.at["no-nights", "below_target_periods"] == expected.below_target_periods > 0
    assert summary.at["no-nights", "min_service_level"] == pytest.approx(0.0)
    assert summary.at["no-nights", "warning"] == expected.warnings[0]
    assert summary.at["base", "below_target_periods"] == 0 and pd.isna(summary.at["base", "warning"])
    columns = ["variant", *summary.columns]  # the index was a column
    # appended after the old last column, so the old columns keep their places
    assert columns[columns.index("error") + 1:] == ["below_target_periods", "min_service_level", "warning", "currency",
                                                    "deferred_within_target", "unanswered_contacts", "occupancy"]
    assert re.search(r"tiny/no-nights\s+optimal\s+.*\d+ queue-periods below target", stdout)
    index = (out / "index.html").read_text()
    assert "Warning: 1 job with a plan below target" in index
    assert f"optimal, {expected.below_target_periods} below target" in index
    code = main(["batch", str(folder.parent), "--out", str(out), "--resume", "--strict", "--quiet"])
    capsys.readouterr()
    assert code == EXIT_FAILED  # nothing re-solved: the finished jobs' rows decide
