"""A telephony or ticketing export (CSV or xlsx) read as a table of texts, with the line of every row.

`staffmix import` (io/importer.py) reads exports as they come: CSV with a
comma, semicolon, tab or pipe between fields (found from the header line
unless given), UTF-8 with or without a byte-order mark, or an Excel
workbook (the sheet named, else the first; read by io/worksheet.py, as the
demand workbook is). Every cell becomes the text a CSV would hold
(io/worksheet.cell_text), so one set of checks serves both.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from staffmix.errors import ScenarioError
from staffmix.scenario.io.csv_columns import check_utf8
from staffmix.scenario.io.worksheet import WORKBOOK_SUFFIXES, read_sheet
from staffmix.scenario.messages import clip

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
"""The field separators an export may use, and their names for messages."""
MAX_ROWS = 5_000_000
"""Rows an export may hold (a year of 15-minute intervals for 140 queues, in long form)."""


@dataclass(frozen=True)
class ExportTable:
    """An export's header and rows as stripped texts; `lines[i]` is the file line (or sheet row) of row i."""

    name: str
    """How messages name the file ("export.csv", or "export.xlsx, sheet Calls")."""
    row_word: str
    """ "line" for a CSV file, "row" for a sheet."""
    header: list[str]
    rows: list[list[str]]
    lines: list[int]


def read_export(path: Path, *, delimiter: str | None = None, sheet: str | None = None) -> ExportTable:
    """Read an export file: an Excel workbook by its suffix, else CSV (delimiter found from the header if not given)."""
    name = path.name
    try:
        if not path.is_file():
            raise ScenarioError(
                f"{name}: no such file ({clip(str(path), 200)})" if not path.exists() else f"{name}: not a regular file"
            )
    except OSError as e:
        raise ScenarioError(f"{name}: cannot open ({e.strerror or e})") from None
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        return _read_workbook(path, sheet)
    if sheet:
        raise ScenarioError(f"{name}: --sheet is for Excel workbooks (.xlsx); this is read as CSV")
    return _read_csv(path, delimiter)


def _read_csv(path: Path, delimiter: str | None) -> ExportTable:
    name = path.name
    check_utf8(path, name)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        first = fh.readline()
        if delimiter is None:
            counts = {d: first.count(d) for d in DELIMITERS}
            delimiter = max(counts, key=lambda d: counts[d])
            if not counts[delimiter]:
                delimiter = ","
        fh.seek(0)  # back to the start (utf-8-sig skips a byte-order mark again)
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            header = [h.strip() for h in next(reader, [])]
            rows: list[list[str]] = []
            lines: list[int] = []
            n = len(header)
            for row in reader:
                if not any(c.strip() for c in row):
                    continue
                if len(row) > n and any(c.strip() for c in row[n:]):
                    raise ScenarioError(
                        f"{name}: line {reader.line_num}: {len(row)} fields, but the header has {n} "
                        f"(fields split at the {DELIMITERS.get(delimiter, repr(delimiter))}; --delimiter sets another)"
                    )
                rows.append([c.strip() for c in (row + [""] * n)[:n]])
                lines.append(reader.line_num)
                if len(rows) > MAX_ROWS:
                    raise ScenarioError(
                        f"{name}: line {reader.line_num}: more than {MAX_ROWS:,} rows; split the export"
                    )
        except csv.Error as e:
            raise ScenarioError(f"{name}: line {reader.line_num}: cannot parse CSV ({e})") from None
    if not any(header):
        raise ScenarioError(f"{name}: line 1: no header (the first line names the columns)")
    return ExportTable(name, "line", header, rows, lines)


def _read_workbook(path: Path, sheet: str | None) -> ExportTable:
    def pick(names: list[str]) -> str:
        if sheet is not None and sheet not in names:
            raise ScenarioError(f"{path.name}: no sheet {sheet!r} (sheets: {clip(', '.join(names), 200)})")
        return sheet or names[0]

    read = read_sheet(path, path.name, pick, MAX_ROWS)
    name = f"{path.name}, sheet {read.name}"
    if len(read.rows) > MAX_ROWS:
        raise ScenarioError(f"{name}: row {read.lines[-1]}: more than {MAX_ROWS:,} rows; split the export")
    if not any(read.header):
        raise ScenarioError(f"{name}: row 1: no header (the first row names the columns)")
    return ExportTable(name, "row", read.header, read.rows, read.lines)
