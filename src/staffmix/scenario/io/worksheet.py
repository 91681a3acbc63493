"""One worksheet of an Excel workbook read as texts, the way a CSV reader sees its lines.

Two readers take their rows from a sheet: the demand workbook (io/demand_xlsx.py) and a telephony or
ticketing export in Excel (io/export_table.py). Both read it here, with `read_sheet`: row 1 is the
header, every cell becomes the text a CSV would hold (`cell_text`), stripped; blank rows are left out,
a value right of the header's columns is an error naming its row and column (as a CSV line with too
many fields is), and reading stops one row past the most rows the caller takes, so the caller words the
overflow (and a missing header: no rows are read without one). Which sheet is read is the caller's
choice (`pick`).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from staffmix.errors import ScenarioError
from staffmix.scenario.messages import clip

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
"""The file suffixes read as Excel workbooks."""


@dataclass(frozen=True)
class Sheet:
    """A sheet's header and rows as stripped texts; `lines[i]` is the sheet row of rows[i]."""

    name: str
    """The sheet's name in its workbook."""
    header: list[str]
    """Row 1's texts, without the blank cells after the last named column."""
    rows: list[list[str]]
    """Each non-blank row, cut or padded to the header's width."""
    lines: list[int]


def read_sheet(path: Path, label: str, pick: Callable[[list[str]], str], max_rows: int) -> Sheet:
    """The sheet `pick(sheet names)` chooses of the workbook at `path` (`label` names it in messages), with at most
    `max_rows` + 1 rows: one more than the caller takes, so it can say the sheet holds too many. `pick` may raise
    a ScenarioError (a sheet asked for that is not there)."""
    from openpyxl import load_workbook  # here: `import staffmix` loads no spreadsheet library
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        hint = " (an old .xls file? save it as .xlsx)" if path.suffix.lower() == ".xls" else ""
        raise ScenarioError(
            f"{label}: cannot read it as an Excel workbook (.xlsx){hint}: {clip(str(e), 200)}"
        ) from None
    try:
        chosen = pick(book.sheetnames)
        it = book[chosen].iter_rows(values_only=True)
        header = [cell_text(v).strip() for v in (next(it, None) or ())]
        while header and not header[-1]:
            header.pop()
        n = len(header)
        rows: list[list[str]] = []
        lines: list[int] = []
        if not n:  # no header: the caller says so, in its words
            return Sheet(chosen, header, rows, lines)
        for number, values in enumerate(it, start=2):
            texts = [cell_text(v).strip() for v in values]
            if not any(texts):
                continue
            beyond = [j for j, t in enumerate(texts[n:], start=n) if t]
            if beyond:
                raise ScenarioError(
                    f"{label}, sheet {chosen}: row {number}: a value in column {get_column_letter(beyond[0] + 1)}, "
                    f"right of the header's {n} columns"
                )
            rows.append((texts + [""] * n)[:n])
            lines.append(number)
            if len(rows) > max_rows:
                break
        return Sheet(chosen, header, rows, lines)
    finally:
        book.close()


def cell_text(value: Any) -> str:
    """A cell as the text a CSV would hold: ISO 8601 for date-times (whole seconds), shortest decimals for numbers."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.microsecond:  # Excel keeps times as fractions of a day: 08:00 may read 07:59:59.999999
            value = (value + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
        text = value.isoformat(timespec="seconds")
        return text[:-3] if text.endswith(":00") and value.tzinfo is None else text
    if isinstance(value, dt.date):
        return value.isoformat() + "T00:00"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


__all__ = ["WORKBOOK_SUFFIXES", "Sheet", "cell_text", "read_sheet"]
