"""One worksheet read as texts (scenario/io/worksheet.py), for the demand workbook and exports alike."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from staffmix.errors import ScenarioError
from staffmix.scenario.io.export_table import read_export
from staffmix.scenario.io.worksheet import read_sheet


def _book(path, sheets: dict[str, list[list]]):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_a_sheet_read_as_stripped_texts_with_its_rows(tmp_path):
    """Row 1 is the header (trailing blank cells dropped); cells stripped, numbers and date-times as a CSV holds
    them; the blank row 3 is left out, so rows keep their sheet row numbers; at most max_rows + 1 rows."""
    path = _book(tmp_path / "a.xlsx", {"Calls": [
        [" period_start ", "queue", "contacts", None],
        [dt.datetime(2026, 1, 5, 8, 0), " support ", 3.0],
        [None, "", None],
        [dt.datetime(2026, 1, 5, 9, 0), "support", 2.5],
        [dt.datetime(2026, 1, 5, 10, 0), "support", 1],
        [dt.datetime(2026, 1, 5, 11, 0), "support", 7],
    ]})
    sheet = read_sheet(path, "a.xlsx", lambda names: names[0], max_rows=2)
    assert sheet.name == "Calls"
    assert sheet.header == ["period_start", "queue", "contacts"]
    assert sheet.rows == [
        ["2026-01-05T08:00", "support", "3"],
        ["2026-01-05T09:00", "support", "2.5"],
        ["2026-01-05T10:00", "support", "1"],
    ]
    assert sheet.lines == [2, 4, 5]


def test_an_export_workbook_with_a_value_right_of_the_header_is_refused_as_a_demand_workbook_is(tmp_path):
    """A CSV export with more fields than its header is refused; a workbook export now is too (it used to drop the
    value unseen), in the demand workbook's words."""
    path = _book(tmp_path / "calls.xlsx", {"Calls": [["Interval", "support"], ["2026-01-05 08:00", 3, None, "note"]]})
    with pytest.raises(ScenarioError, match=r"^calls.xlsx, sheet Calls: row 2: a value in column D, right of the "
                                            r"header's 2 columns$"):
        read_export(path)


def test_an_export_names_its_sheet_or_reads_the_first_and_a_missing_one_is_named(tmp_path):
    path = _book(tmp_path / "calls.xlsx", {"Notes": [["n"], ["x"]], "Calls": [["Interval", "support"], ["08:00", 3]]})
    assert read_export(path).name == "calls.xlsx, sheet Notes"
    table = read_export(path, sheet="Calls")
    assert (table.name, table.header, table.rows, table.lines) == (
        "calls.xlsx, sheet Calls", ["Interval", "support"], [["08:00", "3"]], [2]
    )
    with pytest.raises(ScenarioError, match=r"^calls.xlsx: no sheet 'calls' \(sheets: Notes, Calls\)$"):
        read_export(path, sheet="calls")


def test_a_sheet_without_a_header_is_said_so_not_its_first_value(tmp_path):
    path = _book(tmp_path / "calls.xlsx", {"Calls": [[None, None], ["2026-01-05 08:00", 3]]})
    assert read_sheet(path, "calls.xlsx", lambda names: names[0], max_rows=10).rows == []
    with pytest.raises(ScenarioError, match=r"^calls.xlsx, sheet Calls: row 1: no header"):
        read_export(path)
