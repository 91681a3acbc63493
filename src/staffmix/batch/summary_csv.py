"""summary.csv: one row per finished job, written beside the batch's index page and read back with its types."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from staffmix.util.atomic import open_text

SUMMARY_FILE = "summary.csv"
INDEX_FILE = "index.html"

SUMMARY_COLUMNS = [
    "scenario", "variant", "status", "objective", "bound", "gap", "cost_per_contact", "in_house_share",
    "night_share_outsourced", "service_level",
    # service_level.<queue> columns go here
    "unmet_periods", "vendors_used", "violations", "solver", "build_s", "solve_s", "wall_s", "message", "error",
    # added later, at the end, so that readers of older files by position still work
    "below_target_periods", "min_service_level", "warning", "currency",
    "deferred_within_target", "unanswered_contacts", "occupancy",
]
"""Columns of summary.csv, in order; one `service_level.<queue>` column per queue seen in any job follows
`service_level`.

below_target_periods: queue-periods short, unserved or under their service-level target (staffmix.results.targets);
min_service_level: the lowest service level of any queue-period; warning: the plan's warnings (Result.warnings);
currency: the scenario's currency (of objective, bound and cost_per_contact), empty when it names none.
One column per measure (issue #21): service_level is the live queues' share answered within their target
seconds, deferred_within_target the deferrable contacts' share handled within their response target
(empty without deferrable queues); unanswered_contacts those nobody answers (soft service level);
occupancy agent-time weighted (staffmix.results.kpis)."""


def summary_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows of finished jobs as the summary table (fixed column order, service_level.<queue> after service_level)."""
    queues: list[str] = []
    for r in rows:
        for k in r:
            if k.startswith("service_level.") and k not in queues:
                queues.append(k)
    at = SUMMARY_COLUMNS.index("service_level") + 1
    columns = SUMMARY_COLUMNS[:at] + queues + SUMMARY_COLUMNS[at:]
    df = pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=columns)
    for col in ("objective", "bound", "gap", "cost_per_contact", "in_house_share", "night_share_outsourced",
                "service_level", *queues, "build_s", "solve_s", "wall_s", "min_service_level",
                "deferred_within_target", "unanswered_contacts", "occupancy"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    for col in ("unmet_periods", "violations", "below_target_periods"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("Int64")
    for col in ("vendors_used", "message", "error", "warning", "currency"):
        df[col] = df[col].astype(object).where(df[col].notna(), "")
    return df


def write_summary(
    order: list[tuple[str, str]], records: dict[tuple[str, str], dict[str, Any]], out: Path
) -> pd.DataFrame:
    """Write out/summary.csv and out/index.html for the finished jobs, in job order; return the table."""
    rows = [records[key]["row"] for key in order if key in records]
    df = summary_frame(rows)
    with open_text(out / SUMMARY_FILE, newline="") as f:
        df.to_csv(f, index=False)
    try:
        from staffmix.report import write_index

        write_index(df, out / INDEX_FILE, title=f"staffmix batch: {out.name}")
    except Exception as exc:  # noqa: BLE001 - the CSV is what counts
        print(f"staffmix: warning: could not write {out / INDEX_FILE}: {type(exc).__name__}: {exc}", file=sys.stderr)
    return df


def read_summary(out: str | os.PathLike[str]) -> pd.DataFrame:
    """Read out/summary.csv back with the right types."""
    df = pd.read_csv(Path(out) / SUMMARY_FILE, keep_default_na=True)
    return summary_frame([{str(k): v for k, v in row.items()} for row in df.to_dict("records")])
