"""A plan as one Excel workbook (plan.xlsx): a summary sheet, then a sheet per table, units under each header.

Planners work in spreadsheets, so `staffmix solve --out D` writes D/plan.xlsx
beside the CSV tables (`Result.to_workbook` in code). Each table of the
result becomes a sheet of the same name whose row 1 holds the column names
exactly as in the CSV files and row 2 the unit of each column (agents,
contacts, share, hours, the currency, local time in the plan's time zone);
data start on row 3, with the header rows frozen, number formats that read
(shares as percentages, money with two decimals) and column widths fitted to
the text. The "summary" sheet comes first: status, cost, bound, gap and the
cost components, then the headline numbers and any warning.

This module sits in the io layer, below `staffmix.results.result`: it takes the
tables and the summary as plain mappings, so it never imports the Result
type (`Result.to_workbook` passes them). It writes through
`staffmix.util.atomic`, so a reader never sees half a workbook.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from staffmix.errors import StaffmixError
from staffmix.util.atomic import write_bytes

MAX_SHEET_ROWS = 1_048_576
"""Rows an Excel sheet holds (two of them are the header and the units row)."""
MAX_WIDTH = 48
"""Widest column, in characters; longer texts wrap off the edge rather than push the table apart."""
SAMPLE_ROWS = 2_000
"""Rows measured to fit a column's width (a long table's first rows say enough)."""

CURRENCY = "{currency}"
"""Placeholder in UNITS for the result's currency."""
UNITS: dict[str, str] = {
    "period": "index",
    "period_start": "local time",
    "start": "local time",
    "start_period": "index",
    "queue": "",
    "provider": "",
    "group": "",
    "template": "",
    "vendor": "",
    "component": "",
    "reason": "",
    "measured": "",
    "contacts": "contacts",
    "required": "agents",
    "staffed": "agents",
    "shortfall": "agents",
    "agents": "agents",
    "service_level": "share",
    "target": "share",
    "period_floor": "share",
    "occupancy": "share",
    "asa_s": "seconds",
    "count": "shifts",
    "headcount": "people",
    "week": "index",
    "used_hours": "hours",
    "billed_hours": "hours",
    "used_contacts": "contacts",
    "billed_contacts": "contacts",
    "fee": CURRENCY,
    "cost": CURRENCY,
    "amount": CURRENCY,
    "arrived": "contacts",
    "handled": "contacts",
    "unanswered": "contacts",
    "backlog": "contacts",
    "within_target": "contacts",
    "oldest_wait_h": "hours",
    "wait_h": "hours",
}
"""The unit of every column of a result table, shown in row 2 of its sheet ("" for names and labels)."""

_FORMATS = {
    "share": "0.0%",
    CURRENCY: "#,##0.00",
    "contacts": "#,##0.##",
    "agents": "#,##0.##",
    "hours": "#,##0.##",
    "seconds": "#,##0.0",
    "local time": "yyyy-mm-dd hh:mm",
}


def write_workbook(
    path: str | os.PathLike[str],
    tables: Mapping[str, pd.DataFrame],
    summary: Mapping[str, Any],
) -> Path:
    """Write `tables` (name -> DataFrame, in sheet order) and `summary` (Result.summary()) to `path` as .xlsx.

    Time stamps are written on the local clock of `summary["timezone"]` (Excel
    has no time zones; the units row names the zone). Raises StaffmixError,
    before writing anything, when a table has more rows than a sheet holds.
    """
    from openpyxl import Workbook  # here, not at the top: `import staffmix` loads no spreadsheet library

    for name, frame in tables.items():
        if len(frame) > MAX_SHEET_ROWS - 2:
            raise StaffmixError(
                f"{Path(path).name}: table {name} has {len(frame):,} rows, more than an Excel sheet holds "
                f"({MAX_SHEET_ROWS - 2:,} below the header and units rows); read {name}.csv instead"
            )
    currency = summary.get("currency") or ""
    timezone = summary.get("timezone") or "UTC"
    book = Workbook()
    _summary_sheet(book.active, tables.get("costs"), summary, currency)
    for name, frame in tables.items():
        _table_sheet(book.create_sheet(title=name[:31]), frame, currency, timezone)
    buffer = io.BytesIO()
    book.save(buffer)
    return write_bytes(path, buffer.getvalue())


def unit_of(column: str, currency: str, timezone: str) -> str:
    """The unit shown under a column's name: the currency for money, the time zone for times."""
    unit = UNITS.get(column, "")
    if unit == CURRENCY:
        return currency or "money"
    if unit == "local time":
        return f"local time ({timezone})"
    return unit


def _summary_sheet(sheet: Any, costs: pd.DataFrame | None, summary: Mapping[str, Any], currency: str) -> None:
    """Status, cost, bound, gap and the cost components, then the headline numbers: item | value | unit."""
    sheet.title = "summary"
    money = currency or "money"
    rows: list[tuple[str, Any, str]] = [
        ("scenario", summary.get("scenario"), ""),
        ("status", summary.get("status"), ""),
        ("solver", summary.get("solver"), ""),
        ("total cost", summary.get("objective"), money),
        ("bound", summary.get("bound"), money),
        ("gap", summary.get("gap"), "share"),
        ("time zone", summary.get("timezone"), ""),
        ("solve time", (summary.get("build_s") or 0) + (summary.get("solve_s") or 0), "seconds"),
    ]
    if summary.get("message"):
        rows.append(("message", summary["message"], ""))
    for text in summary.get("warnings") or []:
        rows.append(("WARNING", text, ""))
    rows.append(("", None, ""))
    rows.append(("cost components", None, ""))
    if costs is not None:
        for component, amount in zip(costs.get("component", []), costs.get("amount", []), strict=True):
            rows.append((str(component), _cell(amount), money))
    kpis = summary.get("kpis") or {}
    if kpis:
        rows.append(("", None, ""))
        rows.append(("headline numbers", None, ""))
        for key, value in kpis.items():
            if isinstance(value, list | tuple):
                value = ", ".join(map(str, value))
            unit = "share" if "share" in key or key.startswith(("service_level", "min_service_level")) else ""
            unit = money if key in ("total_cost", "cost_per_contact") else unit
            rows.append((key, _cell(value), unit))
    sheet.append(["item", "value", "unit"])
    for item, value, unit in rows:
        sheet.append([item, value, unit])
        cell = sheet.cell(row=sheet.max_row, column=2)
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if unit == "share" and number:
            cell.number_format = "0.000%" if item == "gap" else "0.0%"
        elif unit == money and number:
            cell.number_format = "#,##0.00"
    _bold(sheet, 1)
    sheet.freeze_panes = "A2"
    _fit_widths(
        sheet,
        [[str(r[0]) for r in rows], [_shown(r[1]) for r in rows], [r[2] for r in rows]],
        ["item", "value", "unit"],
    )


def _table_sheet(sheet: Any, frame: pd.DataFrame, currency: str, timezone: str) -> None:
    """One table: names in row 1 (as in the CSV), units in row 2, the rows from row 3, header frozen."""
    columns = [str(c) for c in frame.columns]
    sheet.append(columns)
    sheet.append([unit_of(c, currency, timezone) for c in columns])
    data = [_column(frame[c], timezone) for c in frame.columns]
    for row in zip(*data, strict=True):
        sheet.append(list(row))
    for j, column in enumerate(columns, start=1):
        fmt = _FORMATS.get(UNITS.get(column, ""))
        if fmt and len(frame):
            for (cell,) in sheet.iter_rows(min_row=3, max_row=len(frame) + 2, min_col=j, max_col=j):
                cell.number_format = fmt
    _bold(sheet, 1)
    sheet.freeze_panes = "A3"
    _fit_widths(sheet, [[_shown(v) for v in col[:SAMPLE_ROWS]] for col in data], columns,
                [unit_of(c, currency, timezone) for c in columns])


def _column(series: pd.Series, timezone: str) -> list[Any]:
    """A column's cells: numbers as numbers, NaN as empty, time stamps naive on the local clock."""
    if pd.api.types.is_datetime64_any_dtype(series):
        times = series
        if getattr(series.dt, "tz", None) is not None:
            times = series.dt.tz_convert(timezone).dt.tz_localize(None)
        return [None if pd.isna(t) else t.to_pydatetime() for t in times]
    return [_cell(v) for v in series.tolist()]


def _cell(value: Any) -> Any:
    """A value openpyxl writes: numpy scalars as Python numbers, NaN and infinities as empty cells."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
    return str(value)


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    if hasattr(value, "strftime"):
        return "2026-01-01 00:00"
    return str(value)


def _bold(sheet: Any, row: int) -> None:
    from openpyxl.styles import Font

    for cell in sheet[row]:
        cell.font = Font(bold=True)


def _fit_widths(sheet: Any, shown: list[list[str]], *heads: list[str]) -> None:
    """Each column as wide as its widest text (header, unit, sampled cells), between 6 and MAX_WIDTH characters."""
    from openpyxl.utils import get_column_letter

    for j, texts in enumerate(shown):
        longest = max([len(h[j]) for h in heads if j < len(h)] + [len(t) for t in texts] + [4])
        sheet.column_dimensions[get_column_letter(j + 1)].width = min(MAX_WIDTH, longest + 2)
