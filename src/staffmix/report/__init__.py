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
`load_result`) and the target and commitment lines are left out. With
`simulation=` (what `staffmix.simulate` returns) the simulation adds its own
section (`Simulation.report_section`): the report never imports the
simulation, which draws with the report's figures and tables.

`write_index(summary, path)` writes the comparison page of a batch
(`out/index.html`): one row per job with links to the job reports and a cost
bar chart.

The package: page.py assembles and writes the pages, figures.py draws each
chart, format.py writes every number and table one way.
"""

from __future__ import annotations

from staffmix.report.figures import (
    PALETTE,
    cost_figure,
    daily_service,
    figure_to_data_uri,
    heatmap_figure,
    hour_of_week_shares,
    index_figure,
    provider_colors,
    provider_order,
    service_figure,
    staffing_figure,
    vendor_figure,
)
from staffmix.report.format import fmt_number, html_table
from staffmix.report.page import kpi_table, render_report, write_index, write_report

__all__ = [
    "PALETTE", "cost_figure", "daily_service", "figure_to_data_uri", "fmt_number", "heatmap_figure",
    "hour_of_week_shares", "html_table", "index_figure", "kpi_table", "provider_colors", "provider_order",
    "render_report", "service_figure", "staffing_figure", "vendor_figure", "write_index", "write_report",
]
