"""How a simulation is shown: a text table for the terminal, a chart and an HTML section for the plan's report."""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np
import pandas as pd

from staffmix.report.figures import PALETTE, figure_to_data_uri, new_figure
from staffmix.report.format import html_table

_BAD = "#c62828"


def _share(x: Any) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * float(x):.1f}%"


def _secs(x: Any) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return "inf" if math.isinf(float(x)) else f"{float(x):,.1f}"


def _ci(row: Any, name: str, fmt: Any) -> str:
    lo, hi = row[f"{name}_lo"], row[f"{name}_hi"]
    if pd.isna(lo) or pd.isna(hi):
        return fmt(row[name])
    return f"{fmt(row[name])} [{fmt(lo)}, {fmt(hi)}]"


def _rows(table: pd.DataFrame, first: list[tuple[str, str]]) -> list[list[str]]:
    header = [h for _, h in first] + ["contacts", "service level [95% CI]", "promised", "target",
                                      "ASA s [95% CI]", "promised", "abandoned", "occupancy", "promised", ""]
    lines = [header]
    for r in table.to_dict("records"):
        flag = "BELOW TARGET" if r.get("below_target") else ""
        lines.append([str(r[k]) for k, _ in first] + [
            f"{r['contacts']:,.0f}", _ci(r, "service_level", _share), _share(r["promised_service_level"]),
            _share(r.get("target", float("nan"))), _ci(r, "asa_s", _secs), _secs(r["promised_asa_s"]),
            _share(r["abandon"]), _share(r["occupancy"]), _share(r["promised_occupancy"]), flag,
        ])
    return lines


def _align(lines: list[list[str]]) -> list[str]:
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    return [
        "  ".join(
            c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for line in lines
    ]


def periods_below_line(sim: Any) -> str:
    """'28 of 297 queue-periods with the simulated mean below their target, 3 of them with 95 % confidence'."""
    p = getattr(sim, "periods_below", None) or {}
    if not p:
        return "queue-periods: not counted"
    return (
        f"{p['mean_below_target']} of {p['queue_periods']} queue-periods with the simulated mean below their target, "
        f"{p['below_target']} of them with 95 % confidence"
    )


def format_simulation(sim: Any) -> str:
    """The simulation as text: settings, one line per queue, one per queue-day, the flagged days."""
    handling = "exponential" if sim.handling == "exponential" else f"lognormal (CV {sim.handling_cv:g})"
    out = [
        f"simulation of {sim.scenario}: {sim.replications} replications, seed {sim.seed}, {sim.arrivals} arrivals, "
        f"{handling} handling ({sim.calls_simulated:,} calls in {sim.elapsed_s:.1f} s)",
        "mean [95 % interval] over the replications; promised: the plan's Erlang figures",
        "",
    ]
    by_queue = sim.by_queue.assign(model=sim.by_queue["model"].str.replace("_", " "))
    out += _align(_rows(by_queue, [("queue", "queue"), ("model", "model")]))
    out.append("")
    day = sim.by_day.assign(day=[pd.Timestamp(d).strftime("%a %d %b") for d in sim.by_day["day"]])
    out += _align(_rows(day, [("queue", "queue"), ("day", "day")]))
    flagged = int(sim.by_day["below_target"].sum())
    out.append("")
    out.append(f"{flagged} queue-day{'s' if flagged != 1 else ''} below target with 95 % confidence"
               + ("" if flagged else " (none)"))
    out.append(periods_below_line(sim))
    out += [f"note: {n}" for n in sim.notes]
    return "\n".join(out)


def simulation_figure(sim: Any) -> Any | None:
    """Simulated service level per queue and day (mean, 95 % interval) against the plan's promise and the target."""
    d = sim.by_day
    if d.empty or d["service_level"].isna().all():
        return None
    queues = list(dict.fromkeys(d["queue"]))
    days = sorted(d["day"].unique())
    x_of = {day: i for i, day in enumerate(days)}
    fig = new_figure(11, 0.9 + 2.1 * len(queues))
    axes = fig.subplots(len(queues), 1, sharex=True, squeeze=False)[:, 0]
    import matplotlib as mpl

    for i, (ax, q) in enumerate(zip(axes, queues, strict=True)):
        dq = d[d["queue"] == q]
        x = np.array([x_of[v] for v in dq["day"]], dtype=float)
        color = PALETTE[i % len(PALETTE)]
        mean = dq["service_level"].to_numpy(float)
        err = np.vstack([mean - dq["service_level_lo"].to_numpy(float), dq["service_level_hi"].to_numpy(float) - mean])
        ax.errorbar(
            x - 0.08, mean, yerr=np.nan_to_num(err), fmt="o", color=color, capsize=3, label="simulated (95 % interval)"
        )
        ax.plot(x + 0.08, dq["promised_service_level"], linestyle="none", marker="D", markerfacecolor="white",
                color="black", label="promised (Erlang)")
        bad = dq["below_target"].to_numpy(bool)
        if bad.any():
            ax.plot(x[bad] - 0.08, mean[bad], linestyle="none", marker="o", markersize=11, markerfacecolor="none",
                    markeredgecolor=_BAD, markeredgewidth=2, label="below target with confidence")
        target = dq["target"].iloc[0]
        if not pd.isna(target):
            ax.axhline(float(target), color="grey", linestyle="dashed", linewidth=1, label="target")
        low = np.nanmin(
            np.r_[dq["service_level_lo"].to_numpy(float), dq["promised_service_level"].to_numpy(float), [target]]
        )
        ax.set_ylim(max(0.0, low - 0.05), 1.01)
        ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
        ax.grid(alpha=0.3)
        model = str(dq["model"].iloc[0]).replace("_", " ")
        ax.set_title(f"queue {q} ({model})", loc="left", fontsize=10)
    axes[-1].set_xticks(range(len(days)), [pd.Timestamp(v).strftime("%a %d %b") for v in days])
    handles: dict[str, Any] = {}
    for ax in axes:
        for h, label in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, h)
    fig.legend(
        list(handles.values()), list(handles), loc="outside upper right", ncol=len(handles), fontsize=9, frameon=False
    )
    fig.suptitle(f"Service level per day: simulated ({sim.replications} replications) against promised",
                 fontsize=11, x=0.01, ha="left")
    return fig


def simulation_section(sim: Any) -> str:
    """The report's simulation section: settings, the chart, the per-queue table and the flagged days."""
    handling = "exponential" if sim.handling == "exponential" else f"lognormal with CV {sim.handling_cv:g}"
    parts = [
        "<h2>Simulation: what the plan gives on the day</h2>",
        f'<p class="sub">{sim.replications} replications of the whole horizon, seed {sim.seed}, '
        f'{html.escape(sim.arrivals)} '
        f"arrivals, {html.escape(handling)} handling times; queues carry over from period to period. Figures are means "
        "with 95 % intervals over the replications, beside the plan's Erlang figures.</p>",
    ]
    fig = simulation_figure(sim)
    if fig is not None:
        parts.append(f'<img alt="simulated against promised service level per day" src="{figure_to_data_uri(fig)}">')
    cols = [
        "queue",
        "model",
        "contacts",
        "service_level",
        "service_level_lo",
        "service_level_hi",
        "promised_service_level",
        "target",
        "asa_s",
        "promised_asa_s",
        "abandon",
        "occupancy",
        "promised_occupancy",
    ]
    shares = {
        c: "share"
        for c in cols
        if c.startswith(("service_level", "promised_service", "abandon", "occupancy", "promised_occ"))
    }
    shares["target"] = "share"
    parts.append(html_table(sim.by_queue[cols], shares, table_id="simulation"))
    flagged = sim.by_day[sim.by_day["below_target"]]
    if flagged.empty:
        parts.append('<p class="note">No queue-day is below its target with 95 % confidence.</p>')
    else:
        parts.append(
            f"<p>{len(flagged)} queue-day{'s' if len(flagged) != 1 else ''} below target with 95 % confidence:</p>"
        )
        fcols = [
            "queue",
            "day",
            "contacts",
            "service_level",
            "service_level_lo",
            "service_level_hi",
            "promised_service_level",
            "target",
        ]
        parts.append(html_table(flagged[fcols], {c: "share" for c in fcols[3:]}, table_id="simulation-below"))
    parts.append(f'<p class="note">{html.escape(periods_below_line(sim))}.</p>')
    if sim.notes:
        parts.append("<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in sim.notes) + "</ul>")
    return "\n".join(parts)

