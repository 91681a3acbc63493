"""`staffmix init FOLDER`: a small commented scenario folder to start from, that validates and solves as written.

The scenario is a week of a two-language help desk in Berlin: English and
German calls, one in-house team on day and late shifts, one vendor for the
evenings and nights. Every section of scenario.yaml carries a comment saying
what it means and what to change; docs/reference/scenario.md has every field.
The demand is made here from a day profile and weekday factors (whole
contacts, the same every time), so a planner sees the shape a real week has
and replaces it with `staffmix import`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from staffmix.cli.parser import EXIT_OK
from staffmix.errors import StaffmixError

START = "2026-03-02"
"""The Monday the example week starts (no clock change in Berlin that week)."""
QUEUES = {"support_en": 1.0, "support_de": 0.6}
"""The example's queues and their volume relative to support_en."""
HOURLY_EN = [1, 0, 0, 0, 0, 1, 2, 6, 14, 20, 22, 21, 18, 19, 20, 18, 16, 13, 10, 8, 6, 4, 3, 2]
"""support_en's calls per hour of a Monday, 00:00 to 23:00."""
DAY_FACTOR = [1.0, 0.95, 0.9, 0.9, 0.85, 0.45, 0.35]
"""Volume of each day of the week against Monday (Monday to Sunday)."""

SCENARIO_YAML = """\
# A starting point made by `staffmix init`: edit it, then `staffmix validate` and `staffmix solve` this folder.
# Every field is described in docs/reference/scenario.md (or `staffmix schema`).
name: {name}
description: >-
  A week of a two-language help desk: English and German calls, one in-house
  team, and a vendor for the evenings and nights. Which hours stay in-house?

currency: EUR                  # the unit of every rate, price and fee below (an ISO 4217 code)

# When the plan runs: one week of hourly periods, read on Berlin's clock.
horizon:
  start: {start}T00:00      # the first period's local start (a Monday here)
  periods: 168                 # 7 days x 24 hours
  interval_min: 60             # the period length: 15, 30 or 60 minutes
  timezone: Europe/Berlin      # hours of day and days of week are local to it; demand times too
  cyclic: true                 # a typical week: a night shift may wrap from Sunday into Monday

# The demand table: period_start, queue, contacts (`staffmix import` makes it from a telephony export).
demand:
  file: demand.csv

# Who calls: one queue per language and channel, each with its handling time and service level.
queues:
  - id: support_en
    language: en
    channel: voice             # voice and chat use Erlang C; email is workload
    aht_s: 360                 # average handling time, seconds
    service_level: {{target: 0.8, within_s: 20}}   # 80 % answered within 20 s, every hour
  - id: support_de
    language: de
    channel: voice
    aht_s: 420
    service_level: {{target: 0.8, within_s: 30}}

# The shifts the in-house team may work (start_hours are local hours; length and paid hours in hours).
templates:
  - id: day
    length_h: 8
    paid_hours: 7.5            # a 30-minute unpaid break
    start_hours: [7, 8, 9]
  - id: late
    length_h: 8
    paid_hours: 7.5
    start_hours: [12, 13, 14]

# The in-house team: languages spoken, cost and availability.
groups:
  - id: team
    languages: [en, de]
    region: eu
    rate_per_hour: 30          # cost per paid hour
    shrinkage: 0.3             # 30 % of paid time is breaks, training, meetings: not on the phones
    max_hours_per_week: 40
    templates: [day, late]

# Outsourced capacity on offer: when it may answer, in which languages, at what price.
vendors:
  - id: nightdesk
    windows:
      - {{start_hour: 18, end_hour: 8}}    # 18:00 to 08:00 the next morning, every day
    languages: [en, de]
    region: eu
    pricing: per_agent_hour
    rate_per_hour: 26          # per agent-hour it staffs for us
    aht_factor: 1.2            # its calls last 20 % longer (less product knowledge)
    fee_per_week: 100          # paid in any week it is used

# How to solve: the fast core, stopped at a 0.1 % gap or after 60 seconds.
solver:
  backend: core
  time_limit_s: 60
  mip_gap: 0.001

# What-ifs: `staffmix solve {name_folder} --variant vendor-from-16` solves the same week with changes.
variants:
  vendor-from-16:              # the vendor offers to start at 16:00 instead of 18:00: is the late shift still worth it?
    vendors:
      nightdesk:
        windows:
          - {{start_hour: 16, end_hour: 8}}
"""


def demand_csv() -> str:
    """The example week's demand.csv: calls per hour and queue, whole numbers, the same on every run."""
    import pandas as pd

    lines = ["period_start,queue,contacts"]
    days = pd.date_range(START, periods=7, freq="D")
    for d, day in enumerate(days):
        for hour, base in enumerate(HOURLY_EN):
            stamp = f"{day:%Y-%m-%d}T{hour:02d}:00"
            for queue, share in QUEUES.items():
                lines.append(f"{stamp},{queue},{round(base * share * DAY_FACTOR[d])}")
    return "\n".join(lines) + "\n"


def cmd_init(args: argparse.Namespace) -> int:
    from staffmix.util.atomic import staged_folder, write_text

    folder = Path(args.folder)
    if folder.exists() and not folder.is_dir():
        raise StaffmixError(f"{folder}: is a file; init writes a new scenario folder")
    if folder.is_dir() and any(folder.iterdir()):
        raise StaffmixError(f"{folder}: exists and is not empty; init writes only into a new or empty folder")
    name = _scenario_name(folder)
    with staged_folder(folder) as tmp:
        write_text(
            tmp / "scenario.yaml", SCENARIO_YAML.format(name=name, start=START, name_folder=folder), newline="\n"
        )
        write_text(tmp / "demand.csv", demand_csv(), newline="\n")
    print(f"wrote {folder}/scenario.yaml and {folder}/demand.csv (scenario {name}: a week, 2 queues, 1 team, 1 vendor)")
    print(f"next: staffmix validate {folder} && staffmix solve {folder}")
    return EXIT_OK


def _scenario_name(folder: Path) -> str:
    """The folder's name as a scenario id (letters, digits, - and _), or my-desk."""
    import re

    name = re.sub(r"[^A-Za-z0-9_-]+", "-", folder.resolve().name).strip("-_")
    return name if name and name[0].isalnum() else "my-desk"
