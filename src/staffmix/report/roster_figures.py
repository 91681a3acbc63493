"""The roster's charts and its page: who works when, and the rostered agents against the plan.

- `roster_chart`: one row per agent (grouped by group), a bar per shift from
  its local start to its end, night shifts dark, weekend days shaded, each
  break a white notch;
- `roster_coverage_chart`: agents on duty per period from the roster (a step
  line) over the plan's shifts on duty (bars): the two agree when every
  planned shift is worked;
- `write_roster_page`: roster.html, both charts, the summary and the agents'
  hours, self-contained like the plan's report.

Everything is drawn from the roster table (roster.csv's columns) and the
plan's shifts table, so it also draws a roster read back from a folder.
"""

from __future__ import annotations

import datetime as dt
import html
import os
from pathlib import Path
from typing import Any

import pandas as pd

from staffmix.report.figures import (
    IN_HOUSE_COLOR,
    PALETTE,
    figure_to_data_uri,
    new_figure,
)
from staffmix.report.format import html_table
from staffmix.util.atomic import write_text

NIGHT_COLOR = "#3b3b6d"
DAY_COLOR = "#6fa8dc"
WEEKEND_SHADE = "#f3e5c0"
MAX_ROWS = 80
"""Agents drawn in the roster chart at most (the first of each group in order); the CSV and workbook hold all."""


def _times(roster: pd.DataFrame) -> pd.DataFrame:
    out = roster.copy()
    for col in ("start", "end", "break_start", "break_end"):
        out[col] = pd.to_datetime(out[col].replace("", None), errors="coerce")
    out["night"] = out["night"].astype(str).str.lower() == "true"
    return out


def roster_chart(roster: pd.DataFrame, title: str = "roster") -> Any:
    """One row per agent, a bar per shift (night shifts dark), weekends shaded, breaks as white notches."""
    r = _times(roster)
    agents = list(dict.fromkeys(zip(r["group"], r["agent"], strict=True)))[:MAX_ROWS]
    fig = new_figure(12, max(2.5, 0.22 * len(agents) + 1.2))
    ax = fig.add_subplot()
    if r.empty:
        ax.set_title(f"{title}: no shifts")
        return fig
    first, last = r["start"].min().normalize(), r["end"].max().ceil("D")
    day = first
    while day < last:
        if day.weekday() >= 5:
            ax.axvspan(day, day + pd.Timedelta(days=1), color=WEEKEND_SHADE, zorder=0)
        day += pd.Timedelta(days=1)
    row_of = {key: i for i, key in enumerate(agents)}
    for s in r.to_dict("records"):
        i = row_of.get((s["group"], s["agent"]))
        if i is None:
            continue
        color = NIGHT_COLOR if s["night"] else DAY_COLOR
        ax.barh(i, s["end"] - s["start"], left=s["start"], height=0.7, color=color, zorder=2)
        if pd.notna(s["break_start"]):
            ax.barh(i, s["break_end"] - s["break_start"], left=s["break_start"], height=0.7, color="white", zorder=3)
    ax.set_yticks(
        range(len(agents)), [f"{a} ({g})" if len({g for g, _ in agents}) > 1 else a for g, a in agents], fontsize=7
    )
    ax.invert_yaxis()
    ax.set_xlim(first, last)
    import matplotlib.dates as mdates

    ax.xaxis.set_major_locator(mdates.DayLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%a %d"))
    ax.grid(axis="x", color="#cccccc", linewidth=0.5, zorder=1)
    from matplotlib.patches import Patch

    fig.legend(
        handles=[
            Patch(color=DAY_COLOR, label="shift"),
            Patch(color=NIGHT_COLOR, label="night shift"),
            Patch(color=WEEKEND_SHADE, label="weekend"),
            Patch(facecolor="white", edgecolor="#999999", label="break"),
        ],
        loc="outside lower center",
        fontsize=8,
        ncols=4,
    )
    more = f" (first {MAX_ROWS} of {r['agent'].nunique()} agents)" if r["agent"].nunique() > MAX_ROWS else ""
    ax.set_title(f"{title}{more}")
    return fig


def on_duty(starts: pd.Series, ends: pd.Series, counts: pd.Series, periods: pd.DatetimeIndex) -> pd.Series:
    """Agents on duty at each period start: shifts with start <= t < end, weighted by their counts."""
    values = []
    s, e, c = starts.to_numpy(), ends.to_numpy(), counts.to_numpy()
    for t in periods.to_numpy():
        values.append(int(c[(s <= t) & (t < e)].sum()))
    return pd.Series(values, index=periods)


def roster_coverage_chart(
    roster: pd.DataFrame, plan_shifts: pd.DataFrame, scenario, title: str = "rostered vs planned"
) -> Any:
    """Agents on duty per period: the plan's shifts (bars) and the roster's (a line), per group."""
    h = scenario.config.horizon
    periods = h.period_starts().tz_localize(None)
    lengths = {t.id: t.length_h for t in scenario.config.templates}
    r = _times(roster)
    groups = sorted(set(plan_shifts["group"]) | set(r["group"]))
    fig = new_figure(12, 2.2 * max(1, len(groups)) + 0.6)
    for gi, g in enumerate(groups):
        ax = fig.add_subplot(len(groups), 1, gi + 1)
        mine = plan_shifts[plan_shifts["group"] == g]
        p_start = periods[mine["start_period"].astype(int).to_numpy()]
        p_end = p_start + pd.to_timedelta(mine["template"].map(lengths).astype(float), unit="h")
        planned = on_duty(pd.Series(p_start), pd.Series(p_end), mine["count"].astype(float), periods)
        rg = r[r["group"] == g]
        rostered = on_duty(rg["start"], rg["end"], pd.Series(1.0, index=rg.index), periods)
        width = pd.Timedelta(minutes=h.interval_min) / pd.Timedelta(days=1)
        ax.bar(periods, planned.to_numpy(), width=width, align="edge", color=PALETTE[9], label="planned on duty")
        ax.step(
            periods, rostered.to_numpy(), where="post", color=IN_HOUSE_COLOR, linewidth=1.2, label="rostered on duty"
        )
        ax.set_ylabel(f"{g}\nagents", fontsize=8)
        ax.legend(loc="upper right", fontsize=7, framealpha=1.0)
        import matplotlib.dates as mdates

        ax.xaxis.set_major_locator(mdates.DayLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%a %d"))
        if gi == 0:
            ax.set_title(title)
    return fig


def write_roster_page(path: str | os.PathLike[str], roster_result, plan_shifts: pd.DataFrame, scenario) -> Path:
    """roster.html: the summary, the roster chart, the coverage chart and the agents' hours, in one offline file."""
    esc = html.escape
    name = roster_result.scenario
    parts = [f"<h1>Roster of {esc(name)}</h1>", f"<pre>{esc(roster_result.summary())}</pre>"]
    if roster_result.has_roster:
        chart = roster_chart(roster_result.roster, name)
        parts.append(f'<h2>Who works when</h2><img alt="roster chart" src="{figure_to_data_uri(chart)}">')
        cover = roster_coverage_chart(roster_result.roster, plan_shifts, scenario)
        parts.append(f'<h2>Rostered against the plan</h2><img alt="coverage chart" src="{figure_to_data_uri(cover)}">')
        parts.append("<h2>Hours per agent</h2>" + html_table(roster_result.agent_hours))
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>roster {esc(name)}</title>\n<style>body{{font-family:sans-serif;margin:2em}} img{{max-width:100%}}"
        " table{border-collapse:collapse;font-size:12px} td,th{border:1px solid #ccc;padding:2px 6px}</style>\n"
        "</head>\n<body>\n"
        + "\n".join(parts)
        + f"\n<p>written by staffmix on {generated}</p>\n</body>\n</html>\n"
    )
    return write_text(Path(path), text)
