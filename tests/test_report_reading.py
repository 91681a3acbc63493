"""What a planner reads in the report and the summary (issue #21, defect 8): words and units for column names,
whole contacts, weeks counted one way in chart and table, hours on the heatmap, headcount and shifts, and the
target of a queue measured per period."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import without_time_limit

import staffmix
from staffmix.report import heatmap_figure, render_report
from staffmix.results.summary import format_summary

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "data" / "batch" / "good" / "tiny-split"


@pytest.fixture(scope="module")
def plan():
    scenario = without_time_limit(staffmix.load_scenario(TINY))
    return scenario, staffmix.solve(scenario)


def _table(page: str, table_id: str) -> str:
    return page[page.index(f'<table id="{table_id}">') :][
        : page[page.index(f'<table id="{table_id}">') :].index("</table>")
    ]


def test_report_tables_read_as_words_with_whole_contacts(plan) -> None:
    scenario, result = plan
    page = render_report(result, scenario)
    service = _table(page, "service")
    for raw in ("service_level", "asa_s", "used_hours", "longest_wait_h"):
        assert f"<th>{raw}</th>" not in page
    assert "<th>ASA (s)</th>" in service and "<th>service level</th>" in service
    phone_contacts = float(result.staffing.loc[result.staffing["queue"] == "phone", "contacts"].sum())
    assert f">{phone_contacts:,.0f}</td>" in service and f">{phone_contacts:,.2f}</td>" not in service
    # vendors: week 1 in the table as in the chart (vendors.csv counts from 0)
    vendors = _table(page, "vendors")
    assert "<th>billed hours</th>" in vendors
    weeks = [int(w) for w in re.findall(r'<tr><td>nightco</td><td class="num" data-value="[^"]*">(\d+)</td>', vendors)]
    assert weeks == [int(w) + 1 for w in result.vendors["week"]]


def test_heatmap_has_hour_ticks(plan) -> None:
    scenario, result = plan
    fig = heatmap_figure(result, scenario)
    ax = fig.axes[0]
    minor = [t.get_text() for t in ax.get_xticklabels(minor=True)]
    assert minor[:3] == ["06", "12", "18"] and len(minor) == 21


def test_headcount_shifts_and_period_targets_in_summary_and_report(plan) -> None:
    scenario, result = plan
    heads = int(result.headcount["headcount"].sum())
    shifts = int(result.shifts["count"].sum())
    assert heads > 0 and shifts > 0
    text = format_summary(result, scenario.config.horizon.timezone, scenario)
    assert f"  in-house: {heads} head{'s' if heads != 1 else ''}, {shifts} shifts started" in text
    phone = next(line for line in text.splitlines() if line.strip().startswith("phone "))
    assert "(target 80.0% in every period)" in phone  # tiny-split: phone 80 % within 20 s
    page = render_report(result, scenario)
    assert f"{heads} head{'s' if heads != 1 else ''}, {shifts} shifts" in page
