"""The charts of a plan report and of a batch index page, each a matplotlib Figure (or None when empty).

Figures are drawn with matplotlib's object API (`matplotlib.figure.Figure`
rendered by the Agg canvas, see `new_figure`), so the caller's pyplot backend
is never touched; `figure_to_data_uri` embeds one in a page as a PNG. With
the scenario, times are local and targets and vendor commitments are drawn;
without it, times stay in the result's time zone and those lines are left out.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from staffmix.report.format import fmt_number, summary_numbers
from staffmix.results.kpis import answered_mask
from staffmix.results.labels import cost_label, money, with_unit
from staffmix.results.result import Result
from staffmix.results.targets import queue_target
from staffmix.scenario.schema import IN_HOUSE, UNSERVED

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2",
    "#bcbd22", "#17becf", "#7f7f7f", "#aec7e8", "#ffbb78", "#98df8a",
)
IN_HOUSE_COLOR = "#1f4e79"
UNSERVED_COLOR = "#d62728"
DPI = 100


def new_figure(width: float, height: float) -> Any:
    """An empty Figure of `width` x `height` inches on the Agg canvas, constrained layout (every chart starts here)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


def figure_to_data_uri(fig: Any) -> str:
    """PNG bytes of a matplotlib Figure as a data: URI."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


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


def local_starts(staffing: pd.DataFrame, timezone: str | None) -> pd.Series:
    """period_start in the scenario's time zone (if given), else in the table's own, as naive local wall-clock time."""
    raw = staffing["period_start"]
    if timezone is None and isinstance(raw.dtype, pd.DatetimeTZDtype):
        timezone = str(raw.dt.tz)  # a result read back from its folder keeps the time zone summary.json records
    starts = pd.to_datetime(raw, utc=True)
    if timezone:
        starts = starts.dt.tz_convert(timezone)
    return starts.dt.tz_localize(None)


def plan_timezone(result: Result, scenario: Any | None) -> str | None:
    """The time zone a report draws in: the scenario's, else the one the result's tables carry (summary.json's
    `timezone`, restored by load_result), so a report rebuilt from a folder draws the same local clock."""
    if scenario is not None:
        return scenario.config.horizon.timezone
    for table in (result.staffing, result.shifts):
        for col in ("period_start", "start"):
            if col in table.columns and isinstance(table[col].dtype, pd.DatetimeTZDtype):
                return str(table[col].dt.tz)
    return None


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
    tz = plan_timezone(result, scenario)
    s = s.assign(_t=local_starts(s, tz))
    step = _interval(s["_t"], scenario)
    queues = _queue_order(s["queue"], scenario)
    providers = provider_order(s["provider"])
    colors = provider_colors(providers)
    fig = new_figure(11, 1.0 + 2.0 * len(queues))
    axes = fig.subplots(len(queues), 1, sharex=True, squeeze=False)[:, 0]
    import matplotlib as mpl

    if scenario is not None:  # the whole horizon, closed hours included
        grid = pd.DatetimeIndex(scenario.config.horizon.period_starts().tz_localize(None))
    else:
        grid = pd.date_range(s["_t"].min(), s["_t"].max(), freq=step)
    edges = grid.append(pd.DatetimeIndex([grid[-1] + step]))
    for ax, q in zip(axes, queues, strict=True):
        sq = s[s["queue"] == q]
        staffed = (
            sq.pivot_table(index="_t", columns="provider", values="staffed", aggfunc="sum").reindex(grid).fillna(0.0)
        )
        required = sq.groupby("_t")["required"].sum().reindex(grid).fillna(0.0)
        base = np.zeros(len(grid) + 1)
        for p in providers:
            if p not in staffed.columns or not staffed[p].any():
                continue
            vals = staffed[p].to_numpy(dtype=float)
            vals = np.append(vals, vals[-1])
            label = "in-house" if p == IN_HOUSE else p
            ax.fill_between(
                edges, base, base + vals, step="post", color=colors[p], alpha=0.85, linewidth=0, label=label
            )
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
        for h, label in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, h)
    handles["required"] = handles.pop("required")
    fig.legend(
        list(handles.values()), list(handles), loc="outside upper right", ncol=len(handles), fontsize=9, frameon=False
    )
    axes[-1].set_xlim(edges[0], edges[-1])
    _date_axis(axes[-1], edges[-1] - edges[0])
    where = f"local time, {tz}" if tz else "UTC"
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
    t = local_starts(s, timezone)
    how = t.dt.day_of_week * 24 + t.dt.hour
    if (
        s["contacts"].notna().any()
    ):  # contacts nobody is there to answer are nobody's (staffmix.results.kpis.answered_mask)
        s = s.assign(provider=s["provider"].where(answered_mask(s), UNSERVED))
    table = s.assign(how=how).pivot_table(
        index="provider", columns="how", values="contacts", aggfunc="sum", fill_value=0.0
    )
    table = table.reindex(columns=range(168), fill_value=0.0).reindex(provider_order(table.index))
    totals = table.sum(axis=0)
    return table.div(totals.where(totals > 0), axis=1)


def heatmap_figure(result: Result, scenario: Any | None = None) -> Any | None:
    """Hour-of-week x provider heatmap of the share of contacts."""
    tz = plan_timezone(result, scenario)
    shares = hour_of_week_shares(result, tz)
    if shares.empty:
        return None
    fig = new_figure(11, 1.4 + 0.45 * len(shares))
    ax = fig.subplots()
    import matplotlib as mpl

    cmap = mpl.colormaps["Blues"].with_extremes(bad="#eeeeee")
    data = np.ma.masked_invalid(shares.to_numpy(dtype=float))
    im = ax.imshow(data, aspect="auto", cmap=cmap, vmin=0, vmax=1, interpolation="nearest",
                   extent=(0, 168, len(shares) - 0.5, -0.5))
    ax.set_yticks(range(len(shares)), [{IN_HOUSE: "in-house", UNSERVED: "unanswered"}.get(p, p) for p in shares.index])
    # hours under the chart (06, 12, 18 on every day), the day's name on a second line below its noon
    ax.set_xticks([d * 24 + 12 for d in range(7)], [f"\n{name}" for name in DAY_NAMES])
    ax.set_xticks(
        [d * 24 + h for d in range(7) for h in (6, 12, 18)],
        [f"{h:02d}" for _ in range(7) for h in (6, 12, 18)],
        minor=True,
    )
    ax.xaxis.remove_overlapping_locs = False  # keep the 12:00 tick under the day's name
    ax.tick_params(axis="x", which="minor", labelsize=7, length=3)
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
    where = f"local time, {tz}" if tz else "UTC"
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
    fig = new_figure(8, 0.8 + 0.45 * len(c))
    ax = fig.subplots()
    amounts = c["amount"].astype(float).to_numpy()
    labels = [cost_label(str(x)) for x in c["component"]]
    bars = ax.barh(labels, amounts, color=PALETTE[0])
    ax.invert_yaxis()
    ax.bar_label(bars, labels=[fmt_number(a) for a in amounts], padding=3, fontsize=9)
    ax.set_xlabel(with_unit("cost", result.currency))
    _thousands(ax.xaxis)
    ax.set_xlim(0, amounts.max() * 1.22 if amounts.max() > 0 else 1)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(f"Cost by component (total {money(float(amounts.sum()), result.currency)})", loc="left", fontsize=10)
    return fig


def daily_service(result: Result, timezone: str | None = None) -> pd.DataFrame:
    """Volume-weighted service level per queue and local day (columns: queue, day, contacts, service_level, asa_s,
    occupancy; with the result's service targets also measured, target, period_floor, lowest_period)."""
    from staffmix.results.result import service_table

    s = result.staffing
    b = result.backlog
    if s.empty and b.empty:
        return pd.DataFrame(columns=["queue", "day", "contacts", "service_level", "asa_s", "occupancy"])
    s = s.assign(period_start=local_starts(s, timezone))
    return service_table(s, b.assign(period_start=local_starts(b, timezone)) if len(b) else b, "day",
                         getattr(result, "service_targets", None))


def service_figure(result: Result, scenario: Any | None = None) -> Any | None:
    tz = plan_timezone(result, scenario)
    d = daily_service(result, tz)
    if d.empty or d["service_level"].isna().all():
        return None
    fig = new_figure(11, 4.2)
    ax = fig.subplots()
    queues = _queue_order(d["queue"], scenario)
    days = sorted(d["day"].unique())
    x_of = {day: i for i, day in enumerate(days)}
    targets = service_targets(scenario, result)
    floors = _floors(d)
    lows = [1.0]
    for i, q in enumerate(queues):
        dq = d[d["queue"] == q]
        color = PALETTE[i % len(PALETTE)]
        ax.plot([x_of[v] for v in dq["day"]], dq["service_level"], marker="o", color=color, label=q)
        if q in targets:
            ax.hlines(targets[q], -0.3, len(days) - 0.7, colors=color, linestyles="dashed", linewidth=1)
        if q in floors:  # measured per day or week: each day's lowest period against the floor
            ax.scatter([x_of[v] for v in dq["day"]], dq["lowest_period"], marker="v", color=color, alpha=0.6, s=22)
            ax.hlines(floors[q], -0.3, len(days) - 0.7, colors=color, linestyles="dotted", linewidth=1)
            lows += [float(dq["lowest_period"].min()), floors[q]]
    ax.set_xticks(range(len(days)), [pd.Timestamp(v).strftime("%a %d %b") for v in days])
    lo = min(float(d["service_level"].min()), min(targets.values(), default=1.0), *lows)
    ax.set_ylim(max(0.0, lo - 0.05), 1.01)
    import matplotlib as mpl

    ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, ncol=min(len(queues), 6), loc="lower left", frameon=False)
    notes = ["dashed: the queue's target" if targets else "targets need the scenario"]
    if floors:
        notes.append("queues measured per day or week: \u25bc the day's lowest period, dotted: its floor")
    if "longest_wait_h" in d.columns and d["longest_wait_h"].notna().any():
        notes.append("deferrable queues: share answered within target, by day of arrival (the target holds per week)")
    # one note a line: a long title runs off the figure
    ax.set_title(
        "Achieved service level per queue and day (volume-weighted)\n" + "\n".join(notes), loc="left", fontsize=10
    )
    return fig


def _floors(daily: pd.DataFrame) -> dict[str, float]:
    """Queues measured per day or week -> their period floor (0 without one), from a daily_service frame."""
    if "measured" not in daily.columns:
        return {}
    m = daily[daily["measured"].isin(["day", "week"])]
    return {q: float(0.0 if pd.isna(f) else f) for q, f in zip(m["queue"], m["period_floor"], strict=True)}


def service_targets(scenario: Any | None, result: Result | None = None) -> dict[str, float]:
    """Each queue's service-level target (a deferrable queue's: its response share): the scenario's, else the
    one the result recorded ({} with neither)."""
    if scenario is not None:
        return {q.id: queue_target(q) for q in scenario.config.queues}
    t = getattr(result, "service_targets", None)
    if t is None or t.empty:
        return {}
    return {str(q): float(v) for q, v in zip(t["queue"], t["target"], strict=True)}


def _vendor_terms(scenario: Any | None) -> tuple[dict[str, Any], np.ndarray | None]:
    if scenario is None:
        return {}, None
    from staffmix.model.index_sets import week_fractions

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
    fig = new_figure(9, 0.9 + 2.8 * len(panels))
    axes = fig.subplots(len(panels), 1, squeeze=False)[:, 0]
    for ax, (df, used_col, billed_col, min_attr, unit) in zip(axes, panels, strict=True):
        vendors = df["vendor"].astype(str).tolist()
        weeks = df["week"].astype(int).tolist()
        labels = [f"{v}\nweek {w + 1}" for v, w in zip(vendors, weeks, strict=True)]
        x = np.arange(len(df))
        used = df[used_col].astype(float).to_numpy()
        billed = df[billed_col].astype(float).to_numpy()
        ax.bar(x - 0.2, used, width=0.4, label="used", color=PALETTE[0])
        ax.bar(x + 0.2, billed, width=0.4, label="billed", color=PALETTE[1])
        drew_min = False
        for i, (vendor, week) in enumerate(zip(vendors, weeks, strict=True)):
            term = terms.get(vendor)
            if term is None:
                continue
            minimum = float(getattr(term, min_attr, 0.0) or 0.0)
            if fractions is not None and week < len(fractions):
                minimum *= float(fractions[week])
            if minimum > 0:
                ax.hlines(minimum, i - 0.45, i + 0.45, colors="black", linestyles="dashed", linewidth=1.5,
                          label=None if drew_min else "minimum commitment")
                drew_min = True
        ax.set_xticks(x, labels, fontsize=8)
        ax.set_ylabel(unit)
        _thousands(ax.yaxis)
        ax.grid(axis="y", alpha=0.3)
        ax.legend(fontsize=8, frameon=True, framealpha=0.95)  # on a white box: bars may fill the corner
        ax.set_title(f"Vendor {unit}: used vs billed per week" + ("" if terms else " (commitments need the scenario)"),
                     loc="left", fontsize=10)
    return fig


def index_figure(summary: pd.DataFrame, currency: str | None = None) -> Any | None:
    """Horizontal bars of cost per job, coloured by scenario; jobs without a plan are marked."""
    if summary.empty:
        return None
    labels = [f"{s} / {v}" for s, v in zip(summary["scenario"], summary["variant"], strict=True)]
    cost = summary_numbers(summary, "objective").to_numpy(dtype=float)
    scen = list(dict.fromkeys(summary["scenario"]))
    color = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(scen)}
    fig = new_figure(10, 1.0 + 0.38 * len(summary))
    ax = fig.subplots()
    y = np.arange(len(summary))
    vals = np.nan_to_num(cost, nan=0.0)
    bars = ax.barh(y, vals, color=[color[s] for s in summary["scenario"]])
    texts = [
        fmt_number(c) if not math.isnan(c) else f"no plan ({st})" for c, st in zip(cost, summary["status"], strict=True)
    ]
    ax.bar_label(bars, labels=texts, padding=3, fontsize=8)
    ax.set_yticks(y, labels, fontsize=8)
    ax.invert_yaxis()
    top = np.nanmax(cost) if np.isfinite(cost).any() else 1.0
    ax.set_xlim(0, top * 1.25 if top > 0 else 1.0)
    ax.set_xlabel(with_unit("total cost", currency))
    _thousands(ax.xaxis)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title("Cost per scenario and variant", loc="left", fontsize=10)
    return fig
