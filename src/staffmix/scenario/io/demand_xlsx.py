"""Demand from an Excel workbook (demand.xlsx): the same columns, checks and wording as demand.csv, by sheet and row.

Planners keep demand in spreadsheets. A scenario folder may hold
`demand.xlsx` instead of `demand.csv` (`demand_source` picks the file; both
present is an error, since staffmix would have to guess), or name a
workbook in `demand.file`. The sheet read is the one named "demand" (any
case), else the first. Its row 1 is the header, with the CSV's columns
(period_start, queue, contacts or required_agents, optional aht_s); each
cell is turned into the text a CSV would hold (a date-time cell into ISO
8601 on the same wall clock, a number into its shortest decimal) and the
rows go through the CSV reader's checks (`demand_from_columns`), so every
problem reads "demand.xlsx, sheet demand: row 7: contacts 'x' is not a
number" as it does for a CSV line.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from staffmix.errors import ScenarioError
from staffmix.scenario.io.demand_csv import demand_from_columns, demand_path, header_problems, max_demand_rows
from staffmix.scenario.messages import clip
from staffmix.scenario.schema import ScenarioConfig

DEFAULT_FILES = ("demand.csv", "demand.xlsx")
"""The demand files a scenario folder may hold when scenario.yaml names none."""
SHEET = "demand"
"""The sheet read when a workbook has one of this name; else its first sheet."""
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def demand_source(config: ScenarioConfig, folder: Path, label: str) -> Path:
    """The demand file of a scenario folder: the one demand.file names, or demand.csv or demand.xlsx.

    When scenario.yaml leaves demand.file out, a folder holding only
    demand.xlsx is read from it; one holding both is refused (which one is
    meant?). A named file that is missing while the other one exists says so.
    """
    named = "file" in config.demand.model_fields_set
    if not named:
        present = [n for n in DEFAULT_FILES if (folder / n).exists()]
        if len(present) == 2:
            raise ScenarioError(
                f"{label}: the scenario folder holds both demand.csv and demand.xlsx; keep one, "
                "or name the one to read in demand.file"
            )
        if present == ["demand.xlsx"]:
            config = config.model_copy(update={"demand": config.demand.model_copy(update={"file": "demand.xlsx"})})
    try:
        return demand_path(config, folder, label)
    except ScenarioError as e:
        other = [n for n in DEFAULT_FILES if n != config.demand.file and (folder / n).is_file()]
        if other and "does not exist" in str(e):
            raise ScenarioError(f"{e} (the folder holds {other[0]}: set demand.file: {other[0]})") from None
        raise


def is_workbook(path: Path) -> bool:
    return path.suffix.lower() in WORKBOOK_SUFFIXES


def read_demand_xlsx(
    config: ScenarioConfig, path: Path, name: str, notes: list[str]
) -> tuple[pd.DataFrame | None, list[str]]:
    """Read the demand sheet of a workbook into the dense demand frame; returns (frame or None, problems)."""
    try:
        sheet_name, header, rows, lines = _read_sheet(path, name, max_demand_rows(config))
    except ScenarioError as e:
        return None, e.problems
    where = f"{name}, sheet {sheet_name}"
    if not any(header):
        return None, [f"{where}: row 1: no header; expected period_start, queue, contacts (or required_agents)"]
    problems = header_problems(header, where, "row 1")
    if problems:
        return None, problems
    stopped_at = 0
    if len(rows) > max_demand_rows(config):
        stopped_at = int(lines[max_demand_rows(config)])
        rows, lines = rows[: max_demand_rows(config) + 1], lines[: max_demand_rows(config) + 1]
    cols = {}
    for j, column in enumerate(header):
        codes, uniques = pd.factorize(np.array([row[j] for row in rows], dtype=object))
        raw = np.asarray(uniques, dtype=object)
        stripped = np.array([u.strip() for u in raw], dtype=object) if len(raw) else np.zeros(0, dtype=object)
        cols[column] = (codes.astype(np.int32), raw, stripped)
    return demand_from_columns(
        config, header, cols, np.asarray(lines, dtype=np.int64), stopped_at, where, notes, row_word="row"
    )


def _read_sheet(path: Path, name: str, max_rows: int) -> tuple[str, list[str], list[list[str]], list[int]]:
    """(sheet name, header texts, rows as texts, the sheet row of each) of the demand sheet; blank rows dropped.

    Reads at most `max_rows` + 1 data rows (the caller reports the overflow).
    """
    from openpyxl import load_workbook  # here: `import staffmix` loads no spreadsheet library
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        hint = " (an old .xls file? save it as .xlsx)" if path.suffix.lower() == ".xls" else ""
        raise ScenarioError(f"{name}: cannot read it as an Excel workbook (.xlsx){hint}: {clip(str(e), 200)}") from None
    try:
        sheets = book.sheetnames
        chosen = next((s for s in sheets if s.strip().lower() == SHEET), sheets[0])
        sheet = book[chosen]
        it = sheet.iter_rows(values_only=True)
        first = next(it, None)
        header = [cell_text(v).strip() for v in (first or ())]
        while header and not header[-1]:
            header.pop()
        n = len(header)
        rows: list[list[str]] = []
        lines: list[int] = []
        for number, values in enumerate(it, start=2):
            texts = [cell_text(v) for v in values]
            if not any(t.strip() for t in texts):
                continue
            beyond = [j for j, t in enumerate(texts[n:], start=n) if t.strip()]
            if beyond:
                raise ScenarioError(
                    f"{name}, sheet {chosen}: row {number}: a value in column {get_column_letter(beyond[0] + 1)}, "
                    f"right of the header's {n} columns"
                )
            rows.append((texts + [""] * n)[:n])
            lines.append(number)
            if len(rows) > max_rows:
                break
        return chosen, header, rows, lines
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
