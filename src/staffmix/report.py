"""Self-contained HTML reports of a plan, and the index page of a batch.

`write_report(result, path, scenario=None)` writes one HTML file that opens
offline: every figure is a PNG embedded as a base64 data URI, the styles are
inline, and there are no scripts or external links. It shows

- a header: scenario, status, cost, gap, in-house share, service level;
- staffed agents over time per queue, stacked by provider, with the
  requirement as a line;
- an hour-of-week x provider heatmap: the share of contacts each provider
  takes at each hour of the week (the day/night split at a glance);
- the cost breakdown (bar chart and table);
- the achieved service level per queue and day, against the target when the
  scenario is given;
- vendor usage against commitment per week (used vs billed hours or
  contacts; the take-or-pay minimum when the scenario is given);
- tables of KPIs, costs, service per queue, vendors, headcount and shifts.

Without the scenario the report is drawn from the result's tables alone:
times stay in the result's time zone (UTC for a result read back with
`load_result`) and the target and commitment lines are left out.

`write_index(summary, path)` writes the comparison page of a batch
(`out/index.html`): one row per job with links to the job reports and a cost
bar chart.

Figures are drawn with matplotlib's object API (`matplotlib.figure.Figure`
rendered by the Agg canvas), so the caller's pyplot backend is never touched.

Numbers in tables are formatted one way throughout: amounts, counts and
seconds with two decimals (thousands separated by commas), shares as
percentages with two decimals. Every numeric cell also carries its exact value
in a `data-value` attribute.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd

from staffmix.atomic import write_text
from staffmix.result import UNSERVED, Result

IN_HOUSE = "in_house"
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2",
    "#bcbd22", "#17becf", "#7f7f7f", "#aec7e8", "#ffbb78", "#98df8a",
)
IN_HOUSE_COLOR = "#1f4e79"
UNSERVED_COLOR = "#d62728"
DPI = 100

CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 1.5em auto; max-width: 1100px;
       color: #222; line-height: 1.4; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
p.sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.92em; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; }
th { background: #f3f5f7; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; border-top: 2px solid #999; }
.cards { display: flex; flex-wrap: wrap; gap: 0.6em; margin: 1em 0; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 0.5em 0.9em; min-width: 8em; background: #fafbfc; }
.card .label { font-size: 0.8em; color: #666; }
.card .value { font-size: 1.25em; font-weight: 600; }
.status-optimal, .status-feasible { color: #1a7f37; }
.status-infeasible, .status-no_solution, .status-error { color: #c62828; }
img { max-width: 100%; height: auto; display: block; margin: 0.5em 0; }
.note { color: #666; font-style: italic; }
.msg { background: #fff8e1; border-left: 4px solid #f0b400; padding: 0.4em 0.8em; }
"""


# =================================================================== formatting
def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def fmt_number(value: Any, kind: str = "number") -> str:
    """One formatting rule for every number in the reports.

    kind: 'number' (two decimals, comma thousands), 'share' (percent, two
    decimals), 'int' (whole number), 'text' (str()). Missing values print as
    an en dash; infinite ones as 'inf'.
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
        return "inf" if x > 0 else "-inf"
    if kind == "share":
        return f"{x * 100:,.2f}%"
    if kind == "int":
        return f"{x:,.0f}"
    return f"{x:,.2f}"


def _cell(value: Any, kind: str = "number") -> str:
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
) -> str:
    """A DataFrame as an HTML table; `kinds` maps column -> fmt_number kind (default by dtype).

    `total` adds a bold last row; `links` maps a column to per-row hrefs.
    """
    kinds = dict(kinds or {})
    for col in df.columns:
        if col not in kinds:
            kinds[col] = "number" if pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_bool_dtype(df[col]) else "text"
    ident = f' id="{html.escape(table_id)}"' if table_id else ""
    out = [f"<table{ident}>", "<thead><tr>" + "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns) + "</tr></thead>", "<tbody>"]
    for i, row in enumerate(df.itertuples(index=False, name=None)):
        cells = []
        for col, value in zip(df.columns, row):
            cell = _cell(value, kinds[col])
            href = links.get(col, [None] * len(df))[i] if links else None
            if href:
                inner = cell[cell.index(">") + 1 : -len("</td>")]
                cell = cell[: cell.index(">") + 1] + f'<a href="{html.escape(href)}">{inner}</a></td>'
            cells.append(cell)
        out.append("<tr>" + "".join(cells) + "</tr>")
    if total is not None:
        cells = [_cell(total.get(c, ""), kinds[c] if c in total and not isinstance(total[c], str) else "text") for c in df.columns]
        out.append('<tr class="total">' + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


# =================================================================== figures
def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


def figure_to_data_uri(fig: Any) -> str:
    """PNG bytes of a matplotlib Figure as a data: URI."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _img(fig: Any, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="{figure_to_data_uri(fig)}">'


def provider_colors(providers: Iterable[str]) -> dict[str, str]:
    """Fixed colours: in-house dark blue, unserved red, vendors from a palette in sorted order."""
    colors: dict[str, str] = {IN_HOUSE: IN_HOUSE_COLOR, UNSERVED: UNSERVED_COLOR}
    vendors = sorted({p for p in providers if p not in colors})
    for i, v in enumerate(vendors):
        colors[v] = PALETTE[(i + 1) % len(PALETTE)]
    return colors


def provider_order(providers: Iterable[str]) -> list[str]:
    ps = set(providers)
    return [p for p in (IN_HOUSE,) if p in ps] + sorted(ps - {IN_HOUSE, UNSERVED}) + [p for p in (UNSERVED,) if p in ps]


def _local_starts(staffing: pd.DataFrame, timezone: str | None) -> pd.Series:
    """period_start in the scenario's time zone (if given), as naive local wall-clock time."""
    starts = pd.to_datetime(staffing["period_start"], utc=True)
    if timezone:
        starts = starts.dt.tz_convert(timezone)
    return starts.dt.tz_localize(None)


def _interval(starts: pd.Series, scenario: Any | None) -> pd.Timedelta:
    if scenario is not None:
        return pd.Timedelta(minutes=scenario.config.horizon.interval_min)
    u = np.sort(pd.to_datetime(starts).unique())
    if len(u) > 1:
        return pd.Timedelta(np.diff(u).min())
    return pd.Timedelta(hours=1)


def _date_axis(ax: Any, span: pd.Timedelta) -> None:
    import matplotlib.dates as mdates

    if span <= pd.Timedelta(days=15):  # a week or two: one labelled tick per day
        ax.xaxis.set_major_locator(mdates.DayLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%a %d %b"))
        ax.xaxis.set_minor_locator(mdates.HourLocator(byhour=[6, 12, 18]))
    else:
        locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _thousands(axis: Any) -> None:
    import matplotlib as mpl

    axis.set_major_formatter(mpl.ticker.FuncFormatter(lambda x, _pos: f"{x:,.0f}"))


def staffing_figure(result: Result, scenario: Any | None = None) -> Any | None:
    """Staffed agents per queue over time, stacked by provider, with the requirement line."""
    s = result.staffing
    if s.empty:
        return None
    tz = scenario.config.horizon.timezone if scenario is not None else None
    s = s.assign(_t=_local_starts(s, tz))
    step = _interval(s["_t"], scenario)
    queues = _queue_order(s["queue"], scenario)
    providers = provider_order(s["provider"])
    colors = provider_colors(providers)
    fig = _figure(11, 1.0 + 2.0 * len(queues))
    axes = fig.subplots(len(queues), 1, sharex=True, squeeze=False)[:, 0]
    import matplotlib as mpl

    if scenario is not None:  # the whole horizon, closed hours included
        grid = pd.DatetimeIndex(scenario.config.horizon.period_starts().tz_localize(None))
    else:
        grid = pd.date_range(s["_t"].min(), s["_t"].max(), freq=step)
    edges = grid.append(pd.DatetimeIndex([grid[-1] + step]))
    for ax, q in zip(axes, queues):
        sq = s[s["queue"] == q]
        staffed = sq.pivot_table(index="_t", columns="provider", values="staffed", aggfunc="sum").reindex(grid).fillna(0.0)
        required = sq.groupby("_t")["required"].sum().reindex(grid).fillna(0.0)
        base = np.zeros(len(grid) + 1)
        for p in providers:
            if p not in staffed.columns or not staffed[p].any():
                continue
            vals = staffed[p].to_numpy(dtype=float)
            vals = np.append(vals, vals[-1])
            label = "in-house" if p == IN_HOUSE else p
            ax.fill_between(edges, base, base + vals, step="post", color=colors[p], alpha=0.85, linewidth=0, label=label)
            base = base + vals
        req = required.to_numpy(dtype=float)
        ax.step(edges, np.append(req, req[-1]), where="post", color="black", linewidth=1.0, label="required")
        ax.set_ylabel("agents")
        ax.yaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
        ax.set_title(f"queue {q}", loc="left", fontsize=10)
        ax.set_ylim(bottom=0)
        ax.grid(axis="y", alpha=0.3)
        ax.grid(axis="x", which="major", alpha=0.3)
    handles: dict[str, Any] = {}
    for ax in axes:
        for h, label in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(label, h)
    handles["required"] = handles.pop("required")
    fig.legend(list(handles.values()), list(handles), loc="outside upper right", ncol=len(handles), fontsize=9, frameon=False)
    axes[-1].set_xlim(edges[0], edges[-1])
    _date_axis(axes[-1], edges[-1] - edges[0])
    where = f"local time, {tz}" if tz else "time zone of the result"
    fig.suptitle(f"Staffed agents by provider ({where}); black line: agents required", fontsize=11, x=0.01, ha="left")
    return fig


def _queue_order(queues: Iterable[str], scenario: Any | None) -> list[str]:
    """Queues in the scenario's order when known, else in order of appearance."""
    seen = list(dict.fromkeys(queues))
    if scenario is None:
        return seen
    order = [q.id for q in scenario.config.queues]
    return [q for q in order if q in seen] + [q for q in seen if q not in order]


def hour_of_week_shares(result: Result, timezone: str | None = None) -> pd.DataFrame:
    """Share of contacts each provider takes per hour of the week (rows: provider, columns 0..167, Monday 00:00 = 0).

    NaN where no contacts arrive at that hour of the week.
    """
    s = result.staffing
    if s.empty:
        return pd.DataFrame()
    t = _local_starts(s, timezone)
    how = t.dt.day_of_week * 24 + t.dt.hour
    table = s.assign(how=how).pivot_table(index="provider", columns="how", values="contacts", aggfunc="sum", fill_value=0.0)
    table = table.reindex(columns=range(168), fill_value=0.0).reindex(provider_order(table.index))
    totals = table.sum(axis=0)
    return table.div(totals.where(totals > 0), axis=1)


def heatmap_figure(result: Result, scenario: Any | None = None) -> Any | None:
    """Hour-of-week x provider heatmap of the share of contacts."""
    tz = scenario.config.horizon.timezone if scenario is not None else None
    shares = hour_of_week_shares(result, tz)
    if shares.empty:
        return None
    fig = _figure(11, 1.4 + 0.45 * len(shares))
    ax = fig.subplots()
    import matplotlib as mpl

    cmap = mpl.colormaps["Blues"].with_extremes(bad="#eeeeee")
    data = np.ma.masked_invalid(shares.to_numpy(dtype=float))
    im = ax.imshow(data, aspect="auto", cmap=cmap, vmin=0, vmax=1, interpolation="nearest",
                   extent=(0, 168, len(shares) - 0.5, -0.5))
    ax.set_yticks(range(len(shares)), ["in-house" if p == IN_HOUSE else p for p in shares.index])
    ax.set_xticks([d * 24 + 12 for d in range(7)], DAY_NAMES)
    ax.set_xticks([d * 24 + h for d in range(7) for h in (0, 6, 18)], minor=True)
    ax.tick_params(axis="x", which="major", length=0)
    for d in range(1, 7):
        ax.axvline(d * 24, color="white", linewidth=2)
    for d in range(7):
        for h in (6, 18):
            ax.axvline(d * 24 + h, color="white", linewidth=0.5, alpha=0.6)
    ax.set_xlim(0, 168)
    cb = fig.colorbar(im, ax=ax, fraction=0.03, pad=0.01)
    cb.set_label("share of contacts")
    cb.ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    where = f"local time, {tz}" if tz else "result time zone"
    ax.set_title(f"Who takes the contacts, by hour of week ({where}; thin lines at 06:00 and 18:00, grey: no contacts)",
                 loc="left", fontsize=10)
    return fig


def cost_figure(result: Result) -> Any | None:
    c = result.costs
    if c.empty:
        return None
    c = c[c["amount"].astype(float).abs() > 1e-9]
    if c.empty:
        return None
    fig = _figure(8, 0.8 + 0.45 * len(c))
    ax = fig.subplots()
    amounts = c["amount"].astype(float).to_numpy()
    labels = [str(x).replace("_", " ") for x in c["component"]]
    bars = ax.barh(labels, amounts, color=PALETTE[0])
    ax.invert_yaxis()
    ax.bar_label(bars, labels=[fmt_number(a) for a in amounts], padding=3, fontsize=9)
    ax.set_xlabel("cost")
    _thousands(ax.xaxis)
    ax.set_xlim(0, amounts.max() * 1.22 if amounts.max() > 0 else 1)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(f"Cost by component (total {fmt_number(amounts.sum())})", loc="left", fontsize=10)
    return fig


def daily_service(result: Result, timezone: str | None = None) -> pd.DataFrame:
    """Volume-weighted service level per queue and local day (columns: queue, day, contacts, service_level, asa_s, occupancy)."""
    from staffmix.result import service_rollup

    s = result.staffing
    if s.empty:
        return pd.DataFrame(columns=["queue", "day", "contacts", "service_level", "asa_s", "occupancy"])
    s = s.assign(period_start=_local_starts(s, timezone))
    return service_rollup(s, "day")


def service_figure(result: Result, scenario: Any | None = None) -> Any | None:
    tz = scenario.config.horizon.timezone if scenario is not None else None
    d = daily_service(result, tz)
    if d.empty or d["service_level"].isna().all():
        return None
    fig = _figure(11, 3.6)
    ax = fig.subplots()
    queues = _queue_order(d["queue"], scenario)
    days = sorted(d["day"].unique())
    x_of = {day: i for i, day in enumerate(days)}
    targets = _targets(scenario)
    for i, q in enumerate(queues):
        dq = d[d["queue"] == q]
        color = PALETTE[i % len(PALETTE)]
        ax.plot([x_of[v] for v in dq["day"]], dq["service_level"], marker="o", color=color, label=q)
        if q in targets:
            ax.hlines(targets[q], -0.3, len(days) - 0.7, colors=color, linestyles="dashed", linewidth=1)
    ax.set_xticks(range(len(days)), [pd.Timestamp(v).strftime("%a %d %b") for v in days])
    lo = min(float(d["service_level"].min()), min(targets.values(), default=1.0))
    ax.set_ylim(max(0.0, lo - 0.05), 1.01)
    import matplotlib as mpl

    ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, ncol=min(len(queues), 6), loc="lower left", frameon=False)
    what = "dashed: the queue's target" if targets else "targets need the scenario"
    ax.set_title(f"Achieved service level per queue and day (volume-weighted; {what})", loc="left", fontsize=10)
    return fig


def _targets(scenario: Any | None) -> dict[str, float]:
    if scenario is None:
        return {}
    return {q.id: float(q.service_level.target) for q in scenario.config.queues}


def _vendor_terms(scenario: Any | None) -> tuple[dict[str, Any], np.ndarray | None]:
    if scenario is None:
        return {}, None
    from staffmix.requirements import week_fractions

    return {v.id: v for v in scenario.config.vendors}, week_fractions(scenario.config)


def vendor_figure(result: Result, scenario: Any | None = None) -> Any | None:
    """Used vs billed hours (or contacts) per vendor and week, with the take-or-pay minimum."""
    v = result.vendors
    if v.empty:
        return None
    terms, fractions = _vendor_terms(scenario)
    hourly = v[v["billed_contacts"].astype(float).fillna(0) <= 0]
    per_contact = v[v["billed_contacts"].astype(float).fillna(0) > 0]
    panels = [(hourly, "used_hours", "billed_hours", "min_hours_per_week", "agent-hours"),
              (per_contact, "used_contacts", "billed_contacts", "min_contacts_per_week", "contacts")]
    panels = [p for p in panels if not p[0].empty]
    fig = _figure(9, 0.9 + 2.8 * len(panels))
    axes = fig.subplots(len(panels), 1, squeeze=False)[:, 0]
    for ax, (df, used_col, billed_col, min_attr, unit) in zip(axes, panels):
        labels = [f"{r.vendor}\nweek {int(r.week) + 1}" for r in df.itertuples()]
        x = np.arange(len(df))
        used = df[used_col].astype(float).to_numpy()
        billed = df[billed_col].astype(float).to_numpy()
        ax.bar(x - 0.2, used, width=0.4, label="used", color=PALETTE[0])
        ax.bar(x + 0.2, billed, width=0.4, label="billed", color=PALETTE[1])
        drew_min = False
        for i, r in enumerate(df.itertuples()):
            term = terms.get(r.vendor)
            if term is None:
                continue
            minimum = float(getattr(term, min_attr, 0.0) or 0.0)
            if fractions is not None and int(r.week) < len(fractions):
                minimum *= float(fractions[int(r.week)])
            if minimum > 0:
                ax.hlines(minimum, i - 0.45, i + 0.45, colors="black", linestyles="dashed", linewidth=1.5,
                          label=None if drew_min else "minimum commitment")
                drew_min = True
        ax.set_xticks(x, labels, fontsize=8)
        ax.set_ylabel(unit)
        _thousands(ax.yaxis)
        ax.grid(axis="y", alpha=0.3)
        ax.legend(fontsize=8, frameon=False)
        ax.set_title(f"Vendor {unit}: used vs billed per week" + ("" if terms else " (commitments need the scenario)"),
                     loc="left", fontsize=10)
    return fig


# =================================================================== the report
KPI_KINDS = {
    "total_cost": "number", "contacts": "number", "cost_per_contact": "number",
    "in_house_share": "share", "night_share_outsourced": "share", "vendors_used": "text",
    "unmet_periods": "int", "service_level": "share",
}


def kpi_table(result: Result) -> pd.DataFrame:
    rows = [(k, v) for k, v in result.kpis.items()]
    return pd.DataFrame(rows, columns=["kpi", "value"])


def _kpi_html(result: Result) -> str:
    out = ["<table id=\"kpis\"><thead><tr><th>kpi</th><th>value</th></tr></thead><tbody>"]
    for k, v in result.kpis.items():
        kind = KPI_KINDS.get(k, "share" if k.startswith("service_level.") else "number")
        if isinstance(v, (list, tuple)):
            v, kind = ", ".join(map(str, v)) or "none", "text"
        out.append(f"<tr><td>{html.escape(k)}</td>{_cell(v, kind)}</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _header(result: Result, scenario: Any | None, title: str | None) -> str:
    k = result.kpis
    name = title or result.scenario
    desc = getattr(getattr(scenario, "config", None), "description", "") if scenario is not None else ""
    cards = [
        ("status", f'<span class="status-{html.escape(str(result.status))}">{html.escape(str(result.status))}</span>'),
        ("total cost", html.escape(fmt_number(result.objective))),
        ("gap", html.escape(fmt_number(result.gap, "share"))),
        ("in-house share", html.escape(fmt_number(k.get("in_house_share"), "share"))),
        ("service level", html.escape(fmt_number(k.get("service_level"), "share"))),
        ("vendors used", html.escape(", ".join(k.get("vendors_used") or []) or "none")),
    ]
    parts = [f"<h1>staffmix plan: {html.escape(str(name))}</h1>"]
    solve_s = f"solver {html.escape(result.solver)}, built in {result.build_s:.2f} s, solved in {result.solve_s:.2f} s"
    parts.append(f'<p class="sub">{html.escape(desc) + "<br>" if desc else ""}{solve_s}</p>')
    parts.append('<div class="cards">' + "".join(
        f'<div class="card"><div class="label">{label}</div><div class="value">{value}</div></div>' for label, value in cards
    ) + "</div>")
    if result.message:
        parts.append(f'<p class="msg">{html.escape(result.message)}</p>')
    return "\n".join(parts)


def _section(title: str, *body: str) -> str:
    return f"<h2>{html.escape(title)}</h2>\n" + "\n".join(b for b in body if b)


def _note(text: str) -> str:
    return f'<p class="note">{html.escape(text)}</p>'


def _figure_html(fig: Any | None, alt: str, missing: str) -> str:
    if fig is None:
        return _note(missing)
    return _img(fig, alt)


def render_report(result: Result, scenario: Any | None = None, title: str | None = None, simulation: Any | None = None) -> str:
    """The report as an HTML string (see write_report); `simulation` (staffmix.simulate's) adds its section."""
    tz = scenario.config.horizon.timezone if scenario is not None else None
    parts = [_header(result, scenario, title)]
    if not result.status.has_plan:
        parts.append(_section("No plan", _note(f"the solve ended {result.status}; there is no plan to show.")))
        if not result.diagnosis.empty:
            d = result.diagnosis.head(200)
            parts.append(_section(
                f"Diagnosis ({len(result.diagnosis)} queue-periods)",
                html_table(d.assign(period_start=d["period_start"].astype(str)), table_id="diagnosis"),
            ))
        return _page(f"staffmix: {result.scenario}", parts)

    if scenario is None:
        parts.append(_note("Drawn without its scenario: times are in the result's time zone (UTC when read back from a folder), "
                           "and service-level targets and vendor commitments are not shown. Pass the scenario to add them."))
    parts.append(_section(
        "Staffing over time",
        _figure_html(staffing_figure(result, scenario), "staffed agents per queue by provider", "no staffing rows"),
    ))
    parts.append(_section(
        "Day and night: who takes the contacts",
        _figure_html(heatmap_figure(result, scenario), "share of contacts by provider and hour of week", "no contacts"),
    ))
    costs = result.costs[["component", "amount"]].reset_index(drop=True)
    parts.append(_section(
        "Cost breakdown",
        _figure_html(cost_figure(result), "cost by component", "every cost component is zero"),
        html_table(costs, {"amount": "number"}, table_id="costs",
                   total={"component": "total", "amount": float(costs["amount"].astype(float).sum())}),
    ))
    svc = result.service("queue")
    if not svc.empty:
        targets = _targets(scenario)
        svc = svc.assign(target=[targets.get(q, np.nan) for q in svc["queue"]]) if targets else svc
        svc_html = html_table(svc, {"service_level": "share", "occupancy": "share", "target": "share"}, table_id="service")
    else:
        svc_html = ""
    parts.append(_section(
        "Service level",
        _figure_html(service_figure(result, scenario), "service level per queue and day",
                     "no service levels to show (demand given as required agents)"),
        svc_html,
    ))
    if simulation is not None:
        from staffmix.simulation.report import simulation_section

        parts.append(simulation_section(simulation))
    vend = result.vendors
    parts.append(_section(
        "Vendors",
        _figure_html(vendor_figure(result, scenario), "vendor usage against commitment", "no vendor is used in this plan"),
        html_table(vend, {"week": "int"}, table_id="vendors") if not vend.empty else "",
        _note("Weeks are counted from 0 in the table (as in vendors.csv) and from 1 in the chart.") if not vend.empty else "",
    ))
    parts.append(_section("Key figures", _kpi_html(result)))
    in_house = []
    if not result.headcount.empty:
        in_house.append(html_table(result.headcount, {"headcount": "int"}, table_id="headcount"))
    if not result.shifts.empty:
        sh = result.shifts.groupby(["group", "template"], sort=False)["count"].sum().reset_index(name="shifts")
        in_house.append(html_table(sh, {"shifts": "int"}, table_id="shifts"))
    if in_house:
        parts.append(_section("In-house headcount and shifts", *in_house))
    unmet = result.unmet
    if not unmet.empty:
        u = unmet.head(200)
        parts.append(_section(
            f"Queue-periods below requirement ({len(unmet)})",
            html_table(u[["period_start", "queue", "provider", "required", "staffed", "shortfall"]].assign(
                period_start=_local_starts(u, tz).astype(str)), table_id="unmet"),
        ))
    return _page(f"staffmix: {result.scenario}", parts)


def _page(title: str, parts: list[str]) -> str:
    generated = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    from staffmix import __version__

    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(parts)
        + f'\n<p class="note">written by staffmix {html.escape(__version__)} on {generated}</p>\n</body>\n</html>\n'
    )


def _write_page(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_text(path, text)


def write_report(result: Result, path: str | os.PathLike[str], scenario: Any | None = None, title: str | None = None,
                 simulation: Any | None = None) -> Path:
    """Write the self-contained HTML report of `result` to `path` (atomically) and return the path.

    Pass the `scenario` the result was solved from to get local times,
    service-level targets and vendor commitments in the figures.
    """
    return _write_page(Path(path), render_report(result, scenario, title, simulation))


# =================================================================== batch index
def index_figure(summary: pd.DataFrame) -> Any | None:
    """Horizontal bars of cost per job, coloured by scenario; jobs without a plan are marked."""
    if summary.empty:
        return None
    labels = [f"{s} / {v}" for s, v in zip(summary["scenario"], summary["variant"])]
    cost = pd.to_numeric(summary.get("objective"), errors="coerce").to_numpy(dtype=float)
    scen = list(dict.fromkeys(summary["scenario"]))
    color = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(scen)}
    fig = _figure(10, 1.0 + 0.38 * len(summary))
    ax = fig.subplots()
    y = np.arange(len(summary))
    vals = np.nan_to_num(cost, nan=0.0)
    bars = ax.barh(y, vals, color=[color[s] for s in summary["scenario"]])
    texts = [fmt_number(c) if not math.isnan(c) else f"no plan ({st})" for c, st in zip(cost, summary["status"])]
    ax.bar_label(bars, labels=texts, padding=3, fontsize=8)
    ax.set_yticks(y, labels, fontsize=8)
    ax.invert_yaxis()
    top = np.nanmax(cost) if np.isfinite(cost).any() else 1.0
    ax.set_xlim(0, top * 1.25 if top > 0 else 1.0)
    ax.set_xlabel("total cost")
    _thousands(ax.xaxis)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title("Cost per scenario and variant", loc="left", fontsize=10)
    return fig


def write_index(summary: pd.DataFrame, path: str | os.PathLike[str], title: str = "staffmix batch") -> Path:
    """Write the batch comparison page: status counts, a cost bar chart and one row per job.

    `summary` is the batch summary (columns scenario, variant, status,
    objective, gap, in_house_share, service_level, vendors_used, solve_s,
    error, ...). Job names link to `<scenario>/<variant>/report.html` when
    that file exists next to the page.
    """
    path = Path(path)
    s = summary.reset_index(drop=True)
    counts = s["status"].value_counts() if len(s) else pd.Series(dtype=int)
    parts = [f"<h1>{html.escape(title)}</h1>",
             f'<p class="sub">{len(s)} job{"s" if len(s) != 1 else ""}: '
             + ", ".join(f"{int(n)} {html.escape(str(st))}" for st, n in counts.items()) + "</p>"]
    if not s.empty:
        parts.append(_figure_html(index_figure(s), "cost per job", ""))
        cost = pd.to_numeric(s.get("objective"), errors="coerce")
        base_cost = {sc: c for sc, v, c in zip(s["scenario"], s["variant"], cost) if v == "base"}
        delta = [c - base_cost[sc] if sc in base_cost and not pd.isna(c) and not pd.isna(base_cost[sc]) else np.nan
                 for sc, c in zip(s["scenario"], cost)]
        table = pd.DataFrame({
            "scenario": s["scenario"],
            "variant": s["variant"],
            "status": s["status"],
            "cost": cost,
            "vs base": delta,
            "gap": pd.to_numeric(s.get("gap"), errors="coerce"),
            "in-house share": pd.to_numeric(s.get("in_house_share"), errors="coerce"),
            "service level": pd.to_numeric(s.get("service_level"), errors="coerce"),
            "vendors used": s.get("vendors_used", pd.Series([""] * len(s))).fillna("").astype(str).str.replace(";", ", "),
            "solve s": pd.to_numeric(s.get("solve_s"), errors="coerce"),
            "error": s.get("error", pd.Series([""] * len(s))).fillna("").astype(str),
        })
        links = [
            f"{quote(str(sc))}/{quote(str(v))}/report.html" if (path.parent / str(sc) / str(v) / "report.html").is_file() else None
            for sc, v in zip(s["scenario"], s["variant"])
        ]
        parts.append(_section("Jobs side by side", html_table(
            table,
            {"gap": "share", "in-house share": "share", "service level": "share"},
            table_id="jobs", links={"variant": links},
        )))
    else:
        parts.append(_note("no jobs"))
    return _write_page(path, _page(title, parts))
