"""plan.xlsx: `staffmix solve --out D` writes the plan as one workbook; read back with openpyxl, it holds the
same numbers as the CSV tables of the same folder (read with pandas), units under each header, the summary first."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest
from conftest import DATA

from staffmix.cli import main
from staffmix.errors import StaffmixError
from staffmix.results.result import TABLE_COLUMNS, load_result
from staffmix.scenario.io import workbook

MINIMAL = DATA / "minimal"


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    out = tmp_path_factory.mktemp("wb") / "plan"
    assert main(["solve", str(MINIMAL), "--out", str(out), "--quiet"]) == 0
    return out


def _rows(sheet):
    return list(sheet.iter_rows(values_only=True))


def test_a_sheet_per_table_after_the_summary_with_the_csv_header_and_units(solved):
    book = openpyxl.load_workbook(solved / "plan.xlsx")
    assert book.sheetnames == ["summary", *TABLE_COLUMNS]
    for name, columns in TABLE_COLUMNS.items():
        rows = _rows(book[name])
        assert list(rows[0]) == columns  # the CSV's header, column for column
        csv = pd.read_csv(solved / f"{name}.csv")
        assert len(rows) - 2 == len(csv), name  # every row, nothing more
    units = dict(zip(TABLE_COLUMNS["staffing"], _rows(book["staffing"])[1], strict=True))
    assert units["service_level"] == "share" and units["asa_s"] == "seconds" and units["staffed"] == "agents"
    assert units["period_start"] == "local time (Europe/Berlin)"
    cost_units = dict(zip(TABLE_COLUMNS["costs"], _rows(book["costs"])[1], strict=True))
    assert cost_units["amount"] == "money"  # no currency given
    # headers are readable: each column at least as wide as its name
    sheet = book["staffing"]
    for cell in sheet[1]:
        assert sheet.column_dimensions[cell.column_letter].width >= len(cell.value)


def test_the_cells_are_the_csv_values_and_times_are_on_the_local_clock(solved):
    book = openpyxl.load_workbook(solved / "plan.xlsx")
    for name in ("staffing", "shifts", "assignments", "costs", "headcount"):
        csv = pd.read_csv(solved / f"{name}.csv")
        cells = pd.DataFrame(_rows(book[name])[2:], columns=TABLE_COLUMNS[name])
        for column in csv.columns:
            if column in ("period_start", "start"):
                # the CSV holds instants with their offset; the sheet the same instant on the Berlin wall clock
                local = pd.to_datetime(csv[column], utc=True).dt.tz_convert("Europe/Berlin").dt.tz_localize(None)
                assert list(pd.to_datetime(cells[column])) == list(local), (name, column)
            elif pd.api.types.is_numeric_dtype(csv[column]):
                pd.testing.assert_series_equal(
                    cells[column].astype(float), csv[column].astype(float), check_names=False, rtol=1e-12
                )
            else:
                assert list(cells[column].fillna("")) == list(csv[column].fillna("")), (name, column)
    # one cell checked by hand: the horizon starts at 00:00 on 5 January 2026, Berlin (UTC+1 in winter)
    first = _rows(book["staffing"])[2]
    assert str(first[1]) == "2026-01-05 00:00:00"
    assert pd.read_csv(solved / "staffing.csv")["period_start"][0] == "2026-01-05 00:00:00+01:00"


def test_the_summary_sheet_states_status_cost_bound_gap_and_components_that_add_up(solved):
    book = openpyxl.load_workbook(solved / "plan.xlsx")
    items = {row[0]: row[1] for row in _rows(book["summary"])[1:] if row[0]}
    summary = json.loads((solved / "summary.json").read_text())
    assert items["status"] == summary["status"] == "optimal"
    assert items["total cost"] == pytest.approx(summary["objective"])
    assert items["bound"] == pytest.approx(summary["bound"])
    assert items["gap"] == pytest.approx(summary["gap"])
    costs = pd.read_csv(solved / "costs.csv")
    for component, amount in zip(costs["component"], costs["amount"], strict=True):
        assert items[component] == pytest.approx(amount)
    # the components are the cost: summed here, compared with the objective the solver reported
    assert sum(items[c] for c in costs["component"]) == pytest.approx(summary["objective"], rel=1e-9)


def test_the_folder_still_reads_back_and_no_xlsx_skips_the_workbook(solved, tmp_path):
    assert load_result(solved).status == "optimal"
    out = tmp_path / "plain"
    assert main(["solve", str(MINIMAL), "--out", str(out), "--quiet", "--no-xlsx"]) == 0
    assert not (out / "plan.xlsx").exists() and (out / "summary.json").is_file()


def test_to_workbook_refuses_to_overwrite_and_a_table_too_long_for_a_sheet(solved, tmp_path, monkeypatch):
    result = load_result(solved)
    with pytest.raises(StaffmixError, match="exists"):
        result.to_workbook(solved / "plan.xlsx")
    monkeypatch.setattr(workbook, "MAX_SHEET_ROWS", 10)
    target = tmp_path / "big.xlsx"
    with pytest.raises(
        StaffmixError, match=r"table staffing has \d+ rows, more than an Excel sheet holds.*staffing\.csv"
    ):
        result.to_workbook(target)
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a temporary file
