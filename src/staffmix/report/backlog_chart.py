"""The backlog chart of a plan's deferrable work: what arrives, who answers when, what waits and for how long.

One panel per deferrable queue (the result's `backlog` and `handled`
tables): contacts handled per period stacked by provider, arrivals as a
black step line, the backlog at the end of each period as a grey area, and
on the right axis the age of the oldest contact waiting, with the queue's
deadline (and target) dashed when the scenario is given.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from staffmix.report.figures import (
    _date_axis,
    _interval,
    local_starts,
    new_figure,
    plan_timezone,
    provider_colors,
    provider_order,
)
from staffmix.results.result import Result
from staffmix.scenario.schema import IN_HOUSE

WAIT_COLOR = "#c62828"


def backlog_figure(result: Result, scenario: Any | None = None) -> Any | None:
    """Handled by provider, arrivals, backlog and the oldest wait per deferrable queue over time (None without any)."""
    b = result.backlog
    if b.empty:
        return None
    tz = plan_timezone(result, scenario)
    b = b.assign(_t=local_starts(b, tz))
    h = result.handled
    h = h.assign(_t=local_starts(h, tz)) if len(h) else h.assign(_t=pd.Series(dtype="datetime64[ns]"))
    step = _interval(b["_t"], scenario)
    queues = list(dict.fromkeys(b["queue"]))
    providers = provider_order(h["provider"]) if len(h) else []
    colors = provider_colors(providers)
    fig = new_figure(11, 1.2 + 2.4 * len(queues))
    axes = fig.subplots(len(queues), 1, sharex=True, squeeze=False)[:, 0]
    limits = _limits(scenario)
    for ax, q in zip(axes, queues, strict=True):
        bq = b[b["queue"] == q].sort_values("_t")
        grid = pd.DatetimeIndex(bq["_t"])
        edges = grid.append(pd.DatetimeIndex([grid[-1] + step]))
        backlog = bq["backlog"].to_numpy(dtype=float)
        ax.fill_between(edges, 0, np.append(backlog, backlog[-1]), step="post", color="#bbbbbb", alpha=0.6,
                        linewidth=0, label="backlog (end of period)")
        hq = h[h["queue"] == q]
        base = np.zeros(len(grid))
        width = step / pd.Timedelta(days=1) * 0.9
        for p in providers:
            vals = hq[hq["provider"] == p].groupby("_t")["handled"].sum().reindex(grid).fillna(0.0).to_numpy()
            if not vals.any():
                continue
            ax.bar(grid, vals, bottom=base, width=width, align="edge", color=colors[p], linewidth=0,
                   label=f"handled: {'in-house' if p == IN_HOUSE else p}")
            base = base + vals
        arrived = bq["arrived"].to_numpy(dtype=float)
        ax.step(edges, np.append(arrived, arrived[-1]), where="post", color="black", linewidth=1.0, label="arrived")
        ax.set_ylabel("contacts")
        ax.set_ylim(bottom=0)
        ax.grid(axis="y", alpha=0.3)
        right = ax.twinx()
        right.step(grid, bq["oldest_wait_h"].to_numpy(dtype=float), where="post", color=WAIT_COLOR, linewidth=1.0,
                   label="oldest waiting (h)")
        deadline, target = limits.get(q, (None, None))
        if deadline is not None:
            right.axhline(
                deadline, color=WAIT_COLOR, linestyle="dashed", linewidth=1.0, label=f"deadline {deadline:g} h"
            )
        if target is not None:
            right.axhline(target, color=WAIT_COLOR, linestyle="dotted", linewidth=1.0, label=f"target {target:g} h")
        right.set_ylabel("hours", color=WAIT_COLOR)
        right.set_ylim(bottom=0, top=max(float(bq["oldest_wait_h"].max()), deadline or 0.0) * 1.1 + 1e-9)
        right.tick_params(axis="y", colors=WAIT_COLOR)
        ax.set_title(f"queue {q}", loc="left", fontsize=10)
    handles: dict[str, Any] = {}
    for ax in list(axes) + [a for a in fig.axes if a not in axes]:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, handle)
    fig.legend(list(handles.values()), list(handles), loc="outside lower center", ncol=min(len(handles), 4), fontsize=8,
               frameon=False)
    first, last = b["_t"].min(), b["_t"].max() + step
    axes[-1].set_xlim(first, last)
    _date_axis(axes[-1], last - first)
    where = f"local time, {tz}" if tz else "UTC"
    fig.suptitle(f"Deferrable work: handled by provider, arrivals, backlog and the oldest contact's wait ({where})",
                 fontsize=11, x=0.01, ha="left")
    return fig


def _limits(scenario: Any | None) -> dict[str, tuple[float | None, float | None]]:
    """Deadline and target (hours) per deferrable queue ({} without the scenario)."""
    if scenario is None:
        return {}
    return {q.id: (q.response_within_h, q.response_target.within_h if q.response_target else None)
            for q in scenario.config.queues if q.response_within_h is not None}
