"""Demand from an Excel workbook (demand.xlsx): the same columns, checks and wording as demand.csv, by sheet and row.

Planners keep demand in spreadsheets. A scenario folder may hold
`demand.xlsx` instead of `demand.csv` (`demand_source` picks the file; both
present is an error, since staffmix would have to guess), or name a
workbook in `demand.file`. The sheet read is the one named "demand" (any
case), else the first. Its row 1 is the header, with the CSV's columns
(period_start, queue, contacts or required_agents, optional aht_s); the
sheet is read by io/worksheet.py, each cell turned into the text a CSV
would hold (a date-time cell into ISO 8601 on the same wall clock, a number
into its shortest decimal), and the rows go through the CSV reader's checks
(`demand_from_columns`), so every
problem reads "demand.xlsx, sheet demand: row 7: contacts 'x' is not a
number" as it does for a CSV line.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from staffmix.errors import ScenarioError
from staffmix.scenario.io.demand_csv import demand_from_columns, demand_path, header_problems, max_demand_rows
from staffmix.scenario.io.worksheet import WORKBOOK_SUFFIXES, read_sheet
from staffmix.scenario.schema import ScenarioConfig

DEFAULT_FILES = ("demand.csv", "demand.xlsx")
"""The demand files a scenario folder may hold when scenario.yaml names none."""
SHEET = "demand"
"""The sheet read when a workbook has one of this name; else its first sheet."""


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
        sheet = read_sheet(path, name, _demand_sheet, max_demand_rows(config))
    except ScenarioError as e:
        return None, e.problems
    header, rows, lines = sheet.header, sheet.rows, sheet.lines
    where = f"{name}, sheet {sheet.name}"
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
        texts = np.asarray(uniques, dtype=object)  # already stripped: raw and stripped texts are the same
        cols[column] = (codes.astype(np.int32), texts, texts)
    return demand_from_columns(
        config, header, cols, np.asarray(lines, dtype=np.int64), stopped_at, where, notes, row_word="row"
    )


def _demand_sheet(names: list[str]) -> str:
    """The sheet named "demand" (any case), else the first."""
    return next((s for s in names if s.strip().lower() == SHEET), names[0])
