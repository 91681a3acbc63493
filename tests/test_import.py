"""staffmix import: hand-made telephony and ticketing exports whose hourly sums are worked out by hand below.

Each test writes a small export, runs `staffmix import` as a user would, and
compares demand.csv with the sums computed in the comments; the file must
then load as the scenario's demand.
"""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from conftest import one_error_line

from staffmix.cli import main
from staffmix.scenario.io import load_scenario

YAML = """\
name: importer
horizon:
  start: {start}
  periods: {periods}
  timezone: Europe/Berlin
queues:
  - id: support
    language: en
    aht_s: 300
  - id: payments
    language: en
    aht_s: 420
templates:
  - id: early
    length_h: 8
    start_hours: [6, 7, 8]
groups:
  - id: core
    languages: [en]
    rate_per_hour: 32
    templates: [early]
vendors:
  - id: anytime
    languages: [en]
    rate_per_hour: 40
"""


def _scenario(tmp_path, start="2026-01-05T08:00", periods=3):
    folder = tmp_path / "sc"
    folder.mkdir()
    (folder / "scenario.yaml").write_text(YAML.format(start=start, periods=periods))
    return folder


def _run(capsys, *argv):
    code = main(["import", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_wide_15_minute_export_summed_per_hour(tmp_path, capsys):
    folder = _scenario(tmp_path)  # 08:00, 09:00, 10:00 on Monday 5 January 2026, Berlin
    export = tmp_path / "calls.csv"
    export.write_text(
        "Interval;Support;Payments;Total\n"   # semicolons, as many European exports; names in other case
        "2026-01-05 08:00;3;1;4\n"
        "2026-01-05 08:15;2;;2\n"             # an empty cell is no call
        "2026-01-05 08:30;4;2;6\n"
        "2026-01-05 08:45;1;1;2\n"
        "2026-01-05 09:00;5;0;5\n"
        "2026-01-05 09:15;5;0;5\n"
        "2026-01-05 09:30;5;3;8\n"
        "2026-01-05 09:45;5;0;5\n"
        "2026-01-05 10:00;0;7;7\n"
        "2026-01-05 10:15;1;0;1\n"
        "2026-01-05 10:30;0;0;0\n"
        "2026-01-05 10:45;2;2;4\n"
        "2026-01-05 11:00;9;9;18\n"           # after the horizon: left out, and said
    )
    code, out, _ = _run(capsys, export, "--scenario", folder, "--ignore", "Total")
    assert code == 0
    written = pd.read_csv(folder / "demand.csv", dtype=str)
    # support 08:00 = 3+2+4+1 = 10, 09:00 = 5+5+5+5 = 20, 10:00 = 0+1+0+2 = 3
    # payments 08:00 = 1+0+2+1 = 4, 09:00 = 0+0+3+0 = 3, 10:00 = 7+0+0+2 = 9
    assert written.values.tolist() == [
        ["2026-01-05T08:00", "support", "10"], ["2026-01-05T08:00", "payments", "4"],
        ["2026-01-05T09:00", "support", "20"], ["2026-01-05T09:00", "payments", "3"],
        ["2026-01-05T10:00", "support", "3"], ["2026-01-05T10:00", "payments", "9"],
    ]
    assert "15-minute intervals" in out and "2 intervals (18 contacts) lie outside the horizon" in out
    demand = load_scenario(folder).demand
    assert demand.groupby("queue")["contacts"].sum().to_dict() == {"payments": 16.0, "support": 33.0}


def test_a_long_30_minute_workbook_with_date_and_time_columns_and_names_mapped(tmp_path, capsys):
    folder = _scenario(tmp_path, periods=2)  # 08:00 and 09:00
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Tickets"
    sheet.append(["Date", "Slot", "Queue", "Offered"])
    rows = [
        ("05.01.2026", "08:00", "Phone EN", 4),
        ("05.01.2026", "08:00", "Chat EN", 2),
        ("05.01.2026", "08:00", "Cards", 1),
        ("05.01.2026", "08:30", "Phone EN", "3,5"),
        ("05.01.2026", "08:30", "Cards", 0),
        ("05.01.2026", "09:00", "Phone EN", 6),
        ("05.01.2026", "09:30", "Chat EN", 1),
        ("05.01.2026", "09:30", "Cards", 5),
    ]
    for r in rows:
        sheet.append(list(r))
    export = tmp_path / "tickets.xlsx"
    book.save(export)
    code, out, err = _run(
        capsys, export, "--scenario", folder, "--date-column", "Date", "--time-column", "Slot",
        "--time-format", "%d.%m.%Y %H:%M", "--queue-column", "Queue", "--value-column", "Offered",
        "--map", "Phone EN=support", "--map", "Chat EN=support", "--map", "Cards=payments", "--decimal", ",",
    )
    assert code == 0, err
    written = pd.read_csv(folder / "demand.csv")
    # support 08:00 = 4 + 2 + 3.5 = 9.5, 09:00 = 6 + 1 = 7; payments 08:00 = 1 + 0 = 1, 09:00 = 5
    assert written.values.tolist() == [
        ["2026-01-05T08:00", "support", 9.5], ["2026-01-05T08:00", "payments", 1],
        ["2026-01-05T09:00", "support", 7], ["2026-01-05T09:00", "payments", 5],
    ]
    assert "30-minute intervals" in out


def test_a_tab_separated_export_with_a_byte_order_mark_and_a_workbook_of_date_time_cells(tmp_path, capsys):
    folder = _scenario(tmp_path, periods=2)  # 08:00 and 09:00
    export = tmp_path / "calls.tsv"
    export.write_bytes(
        "\ufeffInterval\tSUPPORT\tPayments\n2026-01-05 08:00\t1\t2\n2026-01-05 08:30\t3\t4\n2026-01-05 09:00\t5\t6\n"
        .encode("utf-8")
    )
    code, out, err = _run(capsys, export, "--scenario", folder)
    assert code == 0, err
    # support 08:00 = 1 + 3, payments 08:00 = 2 + 4; 09:00 holds one of its two half hours (said in a note)
    assert pd.read_csv(folder / "demand.csv")["contacts"].tolist() == [4, 6, 5, 6]
    assert "fewer than their 2 intervals of 30 minutes" in out
    book = openpyxl.Workbook()
    book.active.append(["Interval", "support", "payments"])
    for hour, minute, a, b in [(8, 0, 1, 2), (8, 30, 3, 4), (9, 0, 5, 6), (9, 30, 0, 1)]:
        book.active.append([pd.Timestamp(2026, 1, 5, hour, minute).to_pydatetime(), a, b])
    book.save(tmp_path / "calls.xlsx")
    code, out, err = _run(capsys, tmp_path / "calls.xlsx", "--scenario", folder, "--overwrite")
    assert code == 0, err
    assert pd.read_csv(folder / "demand.csv")["contacts"].tolist() == [4, 6, 5, 7]


@pytest.mark.filterwarnings(
    "ignore::staffmix.scenario.checks.ScenarioWarning"
)  # hours 00 and 04 have no row: zero, as said
def test_the_hour_the_clocks_fall_back_is_two_periods(tmp_path, capsys):
    # Berlin, Sunday 25 October 2026: at 03:00 summer time the clocks go back to 02:00, so 02:00-02:59 happens twice.
    # The horizon starts at 00:00 summer time (22:00 UTC on the 24th): 02:00 CEST is period 2, 02:00 CET period 3.
    folder = _scenario(tmp_path, start="2026-10-25T00:00", periods=6)
    export = tmp_path / "calls.csv"
    export.write_text(
        "start,support,payments\n"
        "2026-10-25 01:00,1,0\n2026-10-25 01:30,1,0\n"
        "2026-10-25 02:00,2,1\n2026-10-25 02:30,3,1\n"     # the first 02:00 hour (summer time): support 5, payments 2
        "2026-10-25 02:00,7,0\n2026-10-25 02:30,4,3\n"     # the second (standard time): support 11, payments 3
        "2026-10-25 03:00,1,1\n2026-10-25 03:30,0,0\n"
    )
    code, out, err = _run(capsys, export, "--scenario", folder)
    assert code == 0, err
    written = pd.read_csv(folder / "demand.csv", dtype=str)
    assert written["period_start"].unique().tolist() == [
        "2026-10-25T01:00", "2026-10-25T02:00+02:00", "2026-10-25T02:00+01:00", "2026-10-25T03:00",
    ]
    demand = load_scenario(folder).demand.set_index(["period", "queue"])["contacts"]
    assert demand[(1, "support")] == 2 and demand[(2, "support")] == 5 and demand[(3, "support")] == 11
    assert demand[(2, "payments")] == 2 and demand[(3, "payments")] == 3 and demand[(4, "support")] == 1


def test_a_time_the_clocks_skip_and_bad_cells_are_named_by_line_and_column(tmp_path, capsys):
    folder = _scenario(tmp_path, start="2026-03-29T00:00", periods=6)  # Berlin skips 02:00-02:59 that night
    export = tmp_path / "calls.csv"
    export.write_text(
        "start,support,payments\n"
        "2026-03-29 01:00,1,0\n"
        "2026-03-29 02:00,1,0\n"        # line 3: does not exist
        "2026-03-29 03:00,lots,0\n"     # line 4: not a number
        "2026-03-29 04:00,1,-2\n"       # line 5: negative
    )
    code, _, err = _run(capsys, export, "--scenario", folder)
    assert code == 2
    assert one_error_line(err) == (
        "staffmix: error: calls.csv: line 3: start '2026-03-29 02:00' does not exist in Europe/Berlin "
        "(the clocks spring forward over it) (and 2 more problems)"
    )
    assert "  calls.csv: line 4: column 'support': 'lots' is not a number" in err
    assert "  calls.csv: line 5: column 'payments': -2 is negative" in err
    assert not (folder / "demand.csv").exists()


def test_intervals_that_do_not_sum_into_periods_an_unknown_queue_and_no_overwrite(tmp_path, capsys):
    folder = _scenario(tmp_path)
    export = tmp_path / "calls.csv"
    export.write_text("start,support,payments\n2026-01-05 08:00,1,1\n2026-01-05 08:45,1,1\n")
    code, _, err = _run(capsys, export, "--scenario", folder)
    assert code == 2 and "the export's intervals are 45 minutes" in one_error_line(err)
    # quarter hours with one stray stamp and one repeated: both named by line, once per row (not per column)
    export.write_text(
        "start,support,payments\n2026-01-05 08:00,1,1\n2026-01-05 08:15,1,1\n2026-01-05 08:20,1,1\n"
        "2026-01-05 08:30,1,1\n2026-01-05 08:15,2,2\n"
    )
    code, _, err = _run(capsys, export, "--scenario", folder)
    assert [line for line in err.splitlines() if "calls.csv" in line] == [
        "staffmix: error: calls.csv: line 4: start '2026-01-05 08:20' is not on a 15-minute boundary of the horizon "
        "(which starts 2026-01-05 08:00) (and 1 more problem)",
        "  calls.csv: line 6: '2026-01-05 08:15' again (first at line 3)",
    ]
    export.write_text("start,support,billing\n2026-01-05 08:00,1,1\n")
    code, _, err = _run(capsys, export, "--scenario", folder)
    assert "column 'billing' is not a queue of the scenario" in one_error_line(err)
    assert "--map 'billing=QUEUE_ID'" in err and "--ignore 'billing'" in err
    (folder / "demand.csv").write_text("keep me\n")
    export.write_text("start,support,payments\n2026-01-05 08:00,1,1\n")
    code, _, err = _run(capsys, export, "--scenario", folder)
    assert code == 2 and "exists; pass --overwrite" in one_error_line(err)
    assert (folder / "demand.csv").read_text() == "keep me\n"
    code, _, err = _run(capsys, export, "--scenario", folder, "--overwrite")
    assert code == 0 and (folder / "demand.csv").read_text().startswith("period_start,queue,contacts\n")


def test_init_writes_a_commented_scenario_that_validates_and_refuses_a_full_folder(tmp_path, capsys):
    folder = tmp_path / "my-desk"
    assert main(["init", str(folder)]) == 0
    yaml = (folder / "scenario.yaml").read_text()
    for section in ("horizon:", "demand:", "queues:", "templates:", "groups:", "vendors:", "solver:", "variants:"):
        assert section in yaml
        before = yaml[: yaml.index("\n" + section)].rstrip().splitlines()[-1]
        assert before.startswith("#"), f"{section} has no comment above it"
    scenario = load_scenario(folder)
    demand = pd.read_csv(folder / "demand.csv")
    # Monday's English calls are the profile's sum
    # (HOURLY_EN: 1+0+0+0+0+1+2+6+14+20+22+21+18+19+20+18+16+13+10+8+6+4+3+2 = 224);
    # German is 0.6 of each hour, rounded
    monday = demand[demand["period_start"].str.startswith("2026-03-02")]
    assert monday[monday["queue"] == "support_en"]["contacts"].sum() == 224
    assert scenario.demand["contacts"].sum() == demand["contacts"].sum()
    capsys.readouterr()
    assert main(["init", str(folder)]) == 2
    assert "exists and is not empty" in one_error_line(capsys.readouterr().err)


@pytest.mark.slow
def test_init_scenario_solves_with_every_queue_served(tmp_path):
    from staffmix.solvers.dispatch import solve
    from staffmix.verification import verify

    assert main(["init", str(tmp_path / "d")]) == 0
    scenario = load_scenario(tmp_path / "d")
    result = solve(scenario)
    assert result.status.has_plan and verify(scenario, result) == [] and not result.warnings
