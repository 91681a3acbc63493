"""demand.xlsx: a scenario folder's demand from a workbook reads as the same demand.csv would, with its problems
named by file, sheet, row and column."""

from __future__ import annotations

import datetime as dt
import shutil

import openpyxl
import pandas as pd
import pytest
from conftest import DATA

from staffmix.cli import main
from staffmix.errors import ScenarioError
from staffmix.scenario.io import load_scenario

MINIMAL = DATA / "minimal"


def _folder(tmp_path, rows, header=("period_start", "queue", "contacts"), sheets=("demand",), keep_csv=False):
    """The minimal scenario with its demand in a hand-made workbook: `rows` on the sheet named sheets[-1]."""
    folder = tmp_path / "s"
    folder.mkdir(parents=True)
    yaml = (MINIMAL / "scenario.yaml").read_text()
    (folder / "scenario.yaml").write_text(yaml)
    if keep_csv:
        shutil.copy(MINIMAL / "demand.csv", folder / "demand.csv")
    book = openpyxl.Workbook()
    book.active.title = sheets[0]
    for extra in sheets[1:]:
        book.create_sheet(extra)
    sheet = book[sheets[-1]]
    if len(sheets) > 1:
        book[sheets[0]].append(["notes", "this sheet is not the demand"])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    book.save(folder / "demand.xlsx")
    return folder


def _csv_rows():
    csv = pd.read_csv(MINIMAL / "demand.csv")
    rows = zip(csv["period_start"], csv["queue"], csv["contacts"], strict=True)
    return [(dt.datetime.fromisoformat(t), q, c) for t, q, c in rows]


def test_a_workbook_with_date_time_cells_reads_as_the_same_csv(tmp_path):
    folder = _folder(tmp_path, _csv_rows())
    assert load_scenario(folder).demand.equals(load_scenario(MINIMAL).demand)


def test_texts_numbers_as_text_and_excel_rounding_read_the_same(tmp_path):
    rows = []
    for t, q, c in _csv_rows():
        if q == "support":  # as text, as a typed-in sheet holds it
            rows.append((t.strftime("%Y-%m-%dT%H:%M"), q, str(c)))
        else:  # a time Excel stores a hair early (fractions of a day): 08:00 as 07:59:59.9999
            rows.append((t - dt.timedelta(microseconds=100), q, float(c)))
    folder = _folder(tmp_path, rows)
    assert load_scenario(folder).demand.equals(load_scenario(MINIMAL).demand)


def test_the_sheet_named_demand_is_read_not_the_first(tmp_path):
    folder = _folder(tmp_path, _csv_rows(), sheets=("Notes", "Demand"))
    assert load_scenario(folder).demand["contacts"].sum() == pd.read_csv(MINIMAL / "demand.csv")["contacts"].sum()


def test_row_problems_name_file_sheet_row_and_column(tmp_path):
    rows = _csv_rows()
    rows[3] = (rows[3][0], rows[3][1], "lots")  # sheet row 5 (header in row 1)
    rows[6] = (rows[6][0], "suport", 4)  # sheet row 8
    folder = _folder(tmp_path, rows)
    with pytest.raises(ScenarioError) as e:
        load_scenario(folder)
    assert e.value.problems == [
        "demand.xlsx, sheet demand: row 5: contacts 'lots' is not a number",
        "demand.xlsx, sheet demand: row 8: unknown queue 'suport' (did you mean 'support'?)",
    ]


def test_header_problems_and_a_value_right_of_the_header(tmp_path):
    folder = _folder(tmp_path, _csv_rows(), header=("period_start", "queues", "contacts"))
    with pytest.raises(ScenarioError) as e:
        load_scenario(folder)
    assert "demand.xlsx, sheet demand: row 1: missing column 'queue'" in e.value.problems
    rows = _csv_rows()
    rows[1] = (*rows[1], None, "stray")  # column E of sheet row 3
    folder = _folder(tmp_path / "b", rows)
    with pytest.raises(
        ScenarioError, match=r"demand.xlsx, sheet demand: row 3: a value in column E, right of the header's 3 columns"
    ):
        load_scenario(folder)


def test_both_files_present_is_refused_and_a_non_workbook_is_named(tmp_path):
    folder = _folder(tmp_path, _csv_rows(), keep_csv=True)
    with pytest.raises(ScenarioError, match="holds both demand.csv and demand.xlsx; keep one"):
        load_scenario(folder)
    (folder / "demand.csv").unlink()
    (folder / "demand.xlsx").write_text("period_start,queue,contacts\n")
    with pytest.raises(ScenarioError, match=r"^demand.xlsx: cannot read it as an Excel workbook \(.xlsx\)"):
        load_scenario(folder)


def test_validate_on_the_command_line(tmp_path, capsys):
    good = _folder(tmp_path, _csv_rows())
    assert main(["validate", str(good)]) == 0
    rows = _csv_rows()
    rows[0] = ("2026-02-30T00:00", rows[0][1], rows[0][2])
    bad = _folder(tmp_path / "bad", rows)
    assert main(["validate", str(bad)]) == 2
    out = capsys.readouterr().out
    assert "demand.xlsx, sheet demand: row 2: period_start '2026-02-30T00:00' is not a date-time" in out
