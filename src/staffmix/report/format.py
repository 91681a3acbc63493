"""One way to write numbers in the reports, and DataFrames as HTML tables.

Amounts, counts and seconds with two decimals (thousands separated by
commas), shares as percentages with two decimals, missing values as an en
dash. Every numeric table cell also carries its exact value in a
`data-value` attribute, so the numbers stay machine-readable.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def summary_numbers(summary: pd.DataFrame, column: str) -> pd.Series:
    """A column of a batch summary as numbers: NaN where a cell is empty or not a number, or the column is missing
    (summaries of older batches lack newer columns)."""
    if column not in summary.columns:
        return pd.Series(math.nan, index=summary.index, dtype=float)
    return pd.to_numeric(summary[column], errors="coerce")


def fmt_number(value: Any, kind: str = "number") -> str:
    """One formatting rule for every number in the reports.

    kind: 'number' (two decimals, comma thousands), 'share' (percent, two
    decimals), 'int' (whole number), 'seconds' (a number; infinite: 'not
    reached'), 'text' (str()). Missing values print as an en dash; infinite
    ones as 'inf'.
    """
    if _is_missing(value):
        return "\u2013"
    if kind == "text" or isinstance(value, str):
        return str(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "none"
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isinf(x):
        if kind == "seconds" and x > 0:  # a wait without end: a period with no capacity for its contacts
            return "not reached"
        return "inf" if x > 0 else "-inf"
    if kind == "share":
        return f"{x * 100:,.2f}%"
    if kind == "int":
        return f"{x:,.0f}"
    return f"{x:,.2f}"


def table_cell(value: Any, kind: str = "number") -> str:
    """One <td>, formatted by fmt_number; numeric cells right-aligned with their exact value in data-value."""
    text = html.escape(fmt_number(value, kind))
    numeric = kind != "text" and not isinstance(value, (str, list, tuple)) and not _is_missing(value)
    if numeric:
        try:
            raw = float(value)
        except (TypeError, ValueError):
            return f"<td>{text}</td>"
        return f'<td class="num" data-value="{raw!r}">{text}</td>'
    return f"<td>{text}</td>"


def html_table(
    df: pd.DataFrame, kinds: dict[str, str] | None = None, table_id: str | None = None,
    total: dict[str, Any] | None = None, links: dict[str, Sequence[str | None]] | None = None,
    labels: dict[str, str] | None = None,
) -> str:
    """A DataFrame as an HTML table; `kinds` maps column -> fmt_number kind (default by dtype).

    `total` adds a bold last row; `links` maps a column to per-row hrefs; `labels` maps a column to the
    header a planner reads ("ASA (s)" for asa_s; the column's own name when it has none).
    """
    kinds = dict(kinds or {})
    for col in df.columns:
        if col not in kinds:
            kinds[col] = (
                "number"
                if pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_bool_dtype(df[col])
                else "text"
            )
    ident = f' id="{html.escape(table_id)}"' if table_id else ""
    out = [
        f"<table{ident}>",
        "<thead><tr>"
        + "".join(f"<th>{html.escape(str((labels or {}).get(c, c)))}</th>" for c in df.columns)
        + "</tr></thead>",
        "<tbody>",
    ]
    for i, row in enumerate(df.itertuples(index=False, name=None)):
        cells = []
        for col, value in zip(df.columns, row, strict=True):
            cell = table_cell(value, kinds[col])
            href = links.get(col, [None] * len(df))[i] if links else None
            if href:
                inner = cell[cell.index(">") + 1 : -len("</td>")]
                cell = cell[: cell.index(">") + 1] + f'<a href="{html.escape(href)}">{inner}</a></td>'
            cells.append(cell)
        out.append("<tr>" + "".join(cells) + "</tr>")
    if total is not None:
        cells = [
            table_cell(total.get(c, ""), kinds[c] if c in total and not isinstance(total[c], str) else "text")
            for c in df.columns
        ]
        out.append('<tr class="total">' + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)
