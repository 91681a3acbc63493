"""The infeasibility listing (issue #21, defect 5): one line per queue and reason, with the hours it holds for
as ranges per day ("Sat 08-20"), days capitalised one way, deferrable work listed by arrival."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from conftest import without_time_limit

import staffmix
from staffmix.results.period_ranges import hour_ranges
from staffmix.results.summary import format_summary

ROOT = Path(__file__).resolve().parents[1]


def test_hour_ranges_by_hand() -> None:
    starts = pd.Series(pd.to_datetime(
        ["2026-03-07 08:00", "2026-03-07 09:00", "2026-03-07 10:00", "2026-03-08 08:00", "2026-03-02 03:00",
         "2026-03-07 23:00", "2026-03-08 00:00"]))
    # Mon 2 Mar 03:00 alone; Sat 7 Mar 08-10; Sat 23 and Sun 00 are two dates, two ranges; Sun 08 alone
    assert hour_ranges(starts) == "Mon 03, Sat 08-10, Sat 23, Sun 00, Sun 08"
    assert hour_ranges(starts, max_ranges=2) == "Mon 03, Sat 08-10 and 3 more"


def test_mail_nobody_can_answer_is_listed_once_by_arrival() -> None:
    """The web shop without vendors, every mail within 2 hours: mail arriving after the team's last shift
    cannot be answered in time. Before, the listing had one line per hour, each with its own deadline."""
    scenario = without_time_limit(staffmix.load_scenario(ROOT / "scenarios" / "webshop-startup").with_changes({
        "vendors": [],
        "queues": {"email": {"response_within_h": 2, "response_target": None},
                   "phone": {"providers_forbidden": []}, "chat": {"providers_forbidden": []}},
    }))
    result = staffmix.solve(scenario)
    assert result.status == "infeasible"
    d = result.diagnosis
    assert set(d["queue"]) == {"email"} and len(d) > 1
    text = format_summary(result, scenario.config.horizon.timezone, scenario)
    listing = [line for line in text.splitlines() if line.startswith("    email: ")]
    assert len(listing) == 1, text
    local = pd.to_datetime(d["period_start"]).dt.tz_convert("Europe/London")
    first = local.min()
    assert f"{first:%a %H}" in listing[0] and listing[0].endswith(f"({len(d)} periods)")
    for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        assert f" {day} " not in listing[0]  # one way of writing days: "Mon"
