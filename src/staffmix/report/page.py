"""The HTML pages: a plan's self-contained report and a batch's index page, assembled and written.

A page opens offline: every figure is a PNG embedded as a base64 data URI,
the styles are inline, and there are no scripts or external links. Pages are
written atomically (util/atomic.py).
"""

from __future__ import annotations

import datetime as dt
import html
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd

from staffmix.report.backlog_chart import backlog_figure
from staffmix.report.figures import (
    cost_figure,
    figure_to_data_uri,
    heatmap_figure,
    index_figure,
    local_starts,
    plan_timezone,
    service_figure,
    service_targets,
    staffing_figure,
    vendor_figure,
)
from staffmix.report.format import fmt_number, html_table, summary_numbers, table_cell
from staffmix.results.labels import COLUMN_LABELS, MONEY_KPIS, cost_label, kpi_label, provider_label, with_unit
from staffmix.results.result import Result
from staffmix.util.atomic import write_text

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
.status-warning { color: #b26a00; }
.card.warn { border-color: #f0b400; background: #fff8e1; }
.warn { background: #fff3e0; border-left: 4px solid #e65100; padding: 0.4em 0.8em; font-weight: 600; }
img { max-width: 100%; height: auto; display: block; margin: 0.5em 0; }
.note { color: #666; font-style: italic; }
.msg { background: #fff8e1; border-left: 4px solid #f0b400; padding: 0.4em 0.8em; }
"""


KPI_KINDS = {
    "total_cost": "number", "contacts": "int", "cost_per_contact": "number",
    "in_house_share": "share", "night_share_outsourced": "share", "vendors_used": "text",
    "unmet_periods": "int", "service_level": "share", "below_target_periods": "int", "min_service_level": "share",
    "unanswered_contacts": "int", "answered_share": "share", "occupancy": "share", "asa_s": "seconds",
    "deferred_within_target": "share", "periods_without_capacity": "int",
}


def kpi_table(result: Result) -> pd.DataFrame:
    """The KPIs as a table: key (as in summary.json), label (what the report shows, money with its currency), value."""
    rows = [(k, _kpi_label(k, result.currency), v) for k, v in result.kpis.items()]
    return pd.DataFrame(rows, columns=["key", "kpi", "value"])


def _kpi_label(key: str, currency: str | None) -> str:
    return with_unit(kpi_label(key), currency) if key in MONEY_KPIS else kpi_label(key)


def _kpi_html(result: Result) -> str:
    out = ["<table id=\"kpis\"><thead><tr><th>key figure</th><th>value</th></tr></thead><tbody>"]
    for k, v in result.kpis.items():
        kind = KPI_KINDS.get(
            k, "share" if k.startswith("service_level.") else "int" if k.startswith("unanswered.") else "number"
        )
        if isinstance(v, (list, tuple)):
            v, kind = ", ".join(map(str, v)) or "none", "text"
        label = html.escape(_kpi_label(k, result.currency))
        out.append(f'<tr><td data-key="{html.escape(k)}">{label}</td>{table_cell(v, kind)}</tr>')
    out.append("</tbody></table>")
    return "\n".join(out)


def _header(result: Result, scenario: Any | None, title: str | None) -> str:
    k = result.kpis
    name = title or result.scenario
    desc = getattr(getattr(scenario, "config", None), "description", "") if scenario is not None else ""
    below = result.below_target_periods
    if below:  # amber, in the words of the summary's status line: a plan that misses targets is not a green plan
        status = f'<span class="status-warning">{html.escape(result.status_text)}</span>'
    else:
        status = f'<span class="status-{html.escape(str(result.status))}">{html.escape(str(result.status))}</span>'
    cards = [
        ("status", status),
        (
            "total cost",
            html.escape(
                fmt_number(result.objective)
                + (f" {result.currency}" if result.currency and result.objective is not None else "")
            ),
        ),
        ("gap", html.escape(fmt_number(result.gap, "share"))),
        ("in-house share", html.escape(fmt_number(k.get("in_house_share"), "share"))),
        ("service level (live queues)", html.escape(fmt_number(k.get("service_level"), "share"))),
        ("vendors used", html.escape(", ".join(k.get("vendors_used") or []) or "none")),
    ]
    if not result.headcount.empty or not result.shifts.empty:
        heads = int(pd.to_numeric(result.headcount["headcount"]).sum()) if not result.headcount.empty else 0
        shifts = int(pd.to_numeric(result.shifts["count"]).sum()) if not result.shifts.empty else 0
        cards.append(
            ("in-house", f"{heads:,} head{'s' if heads != 1 else ''}, {shifts:,} shift{'s' if shifts != 1 else ''}")
        )
    if k.get("unanswered_contacts"):
        cards.append(("unanswered contacts", html.escape(f"{k['unanswered_contacts']:,.0f} of {k['contacts']:,.0f}")))
    parts = [f"<h1>staffmix plan: {html.escape(str(name))}</h1>"]
    solve_s = f"solver {html.escape(result.solver)}, built in {result.build_s:.2f} s, solved in {result.solve_s:.2f} s"
    parts.append(f'<p class="sub">{html.escape(desc) + "<br>" if desc else ""}{solve_s}</p>')
    parts.append('<div class="cards">' + "".join(
        f'<div class="card{" warn" if label == "status" and below else ""}"><div class="label">{label}</div>'
        f'<div class="value">{value}</div></div>' for label, value in cards
    ) + "</div>")
    parts += [f'<p class="warn" id="warning">Warning: {html.escape(w)}</p>' for w in result.warnings]
    if result.message:
        parts.append(f'<p class="msg">{html.escape(result.message)}</p>')
    return "\n".join(parts)


def _section(title: str, *body: str) -> str:
    return f"<h2>{html.escape(title)}</h2>\n" + "\n".join(b for b in body if b)


def _note(text: str) -> str:
    return f'<p class="note">{html.escape(text)}</p>'


def _img(fig: Any, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="{figure_to_data_uri(fig)}">'


def _figure_html(fig: Any | None, alt: str, missing: str) -> str:
    if fig is None:
        return _note(missing)
    return _img(fig, alt)


WITHOUT_SCENARIO = (
    "the scenario's description, the vendors' minimum-commitment lines and the per-period target lines are not shown"
)
"""What a report drawn from a result's tables alone lacks (the command line says the same when it rebuilds one)."""


def render_report(
    result: Result, scenario: Any | None = None, title: str | None = None, simulation: Any | None = None
) -> str:
    """The report as an HTML string (see write_report); `simulation` (staffmix.simulate's) adds its section."""
    tz = plan_timezone(result, scenario)
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
        parts.append(
            _note(
                f"Drawn without its scenario: times are in the plan's time zone ({tz or 'UTC'}); {WITHOUT_SCENARIO}. "
                "Pass the scenario to add them."
            )
        )
    parts.append(_section(
        "Staffing over time",
        _figure_html(staffing_figure(result, scenario), "staffed agents per queue by provider", "no staffing rows"),
    ))
    if not result.backlog.empty:  # deferrable work (issue #13)
        parts.append(_section(
            "Deferrable work: backlog",
            _figure_html(backlog_figure(result, scenario), "deferrable contacts handled, arrived and waiting", ""),
            _note("Contacts are answered oldest first. A wait runs from the start of the period a contact arrives in "
                  "to the end of the period it is answered in; the service table below gives the share answered "
                  "within target and the longest wait per queue."),
        ))
    parts.append(_section(
        "Day and night: who takes the contacts",
        _figure_html(heatmap_figure(result, scenario), "share of contacts by provider and hour of week", "no contacts"),
    ))
    amount = with_unit("amount", result.currency)
    costs = pd.DataFrame({"component": [cost_label(c) for c in result.costs["component"]],
                          amount: result.costs["amount"].astype(float).to_numpy()})
    parts.append(_section(
        "Cost breakdown",
        _figure_html(cost_figure(result), "cost by component", "every cost component is zero"),
        html_table(costs, {amount: "number"}, table_id="costs",
                   total={"component": "total", amount: float(costs[amount].sum())}),
    ))
    svc = result.service("queue")
    if not svc.empty:
        targets = service_targets(scenario, result)
        measured = "measured" in svc.columns and bool(svc["measured"].isin(["day", "week"]).any())
        columns = ["queue", "contacts", "service_level", "asa_s", "occupancy"]
        columns += ["measured", "period_floor", "lowest_period"] if measured else []
        columns += ["longest_wait_h"] if "longest_wait_h" in svc.columns else []  # deferrable queues
        svc = svc[columns]
        svc = svc.assign(target=[targets.get(q, np.nan) for q in svc["queue"]]) if targets else svc
        svc_html = html_table(
            svc,
            {
                "contacts": "int",
                "service_level": "share",
                "occupancy": "share",
                "target": "share",
                "period_floor": "share",
                "lowest_period": "share",
                "asa_s": "seconds",
                "longest_wait_h": "number",
                "measured": "text",
            },
            table_id="service",
            labels=COLUMN_LABELS,
        )
        svc_html += _note(
            "Service level: share answered within the queue's seconds (deferrable queues: within their "
            "response target); ASA contact-weighted, not reached where a period has no capacity for its contacts; "
            "occupancy agent-time weighted (busy agent-time over staffed agent-time)."
        )
    else:
        svc_html = ""
    parts.append(_section(
        "Service level",
        _figure_html(service_figure(result, scenario), "service level per queue and day",
                     "no service levels to show (demand given as required agents)"),
        svc_html,
    ))
    if simulation is not None:  # the simulation draws its own section: the report does not import the simulation
        parts.append(simulation.report_section())
    vend = result.vendors
    parts.append(
        _section(
            "Vendors",
            _figure_html(
                vendor_figure(result, scenario), "vendor usage against commitment", "no vendor is used in this plan"
            ),
            html_table(
                vend.assign(week=vend["week"].astype(int) + 1),
                {"week": "int", "used_contacts": "int", "billed_contacts": "int"},
                table_id="vendors",
                labels={
                    **COLUMN_LABELS,
                    "fee": with_unit("fee", result.currency),
                    "cost": with_unit("cost", result.currency),
                },
            )
            if not vend.empty
            else "",
            _note("Weeks are counted from 1, in the chart as in the table (vendors.csv counts them from 0).")
            if not vend.empty
            else "",
        )
    )
    parts.append(_section("Key figures", _kpi_html(result)))
    in_house = []
    if not result.headcount.empty:
        in_house.append(html_table(result.headcount, {"headcount": "int"}, table_id="headcount", labels=COLUMN_LABELS))
    if not result.shifts.empty:
        sh = result.shifts.groupby(["group", "template"], sort=False)["count"].sum().reset_index(name="shifts")
        in_house.append(html_table(sh, {"shifts": "int"}, table_id="shifts", labels=COLUMN_LABELS))
    if in_house:
        parts.append(_section("In-house headcount and shifts", *in_house))
    unmet = result.unmet
    if not unmet.empty:
        u = unmet.head(200)
        parts.append(
            _section(
                f"Queue-periods below requirement ({len(unmet)})",
                html_table(
                    u[["period_start", "queue", "provider", "required", "staffed", "shortfall"]].assign(
                        period_start=local_starts(u, tz).dt.strftime("%a %d %b %H:%M"),
                        provider=u["provider"].map(provider_label),
                    ),
                    {"required": "int"},
                    table_id="unmet",
                    labels=COLUMN_LABELS,
                ),
            )
        )
    return _page(f"staffmix: {result.scenario}", parts)


def _page(title: str, parts: list[str]) -> str:
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
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
    below = pd.to_numeric(s.get("below_target_periods", pd.Series([np.nan] * len(s))), errors="coerce").fillna(0)
    flagged = int((below > 0).sum())
    parts = [f"<h1>{html.escape(title)}</h1>",
             f'<p class="sub">{len(s)} job{"s" if len(s) != 1 else ""}: '
             + ", ".join(f"{int(n)} {html.escape(str(st))}" for st, n in counts.items()) + "</p>"]
    if flagged:
        parts.append(
            f'<p class="warn" id="warning">Warning: {flagged} job{"s" if flagged != 1 else ""} with a plan below '
            'target '
            "(queue-periods short, unserved or under their service level); see the status column</p>"
        )
    if not s.empty:
        currencies = {c for c in s.get("currency", pd.Series([], dtype=object)).dropna().astype(str) if c}
        currency = currencies.pop() if len(currencies) == 1 else None  # one unit for all, or none shown
        parts.append(_figure_html(index_figure(s, currency), "cost per job", ""))
        cost = summary_numbers(s, "objective")
        base_cost = {sc: c for sc, v, c in zip(s["scenario"], s["variant"], cost, strict=True) if v == "base"}
        delta = [c - base_cost[sc] if sc in base_cost and not pd.isna(c) and not pd.isna(base_cost[sc]) else np.nan
                 for sc, c in zip(s["scenario"], cost, strict=True)]
        table = pd.DataFrame(
            {
                "scenario": s["scenario"],
                "variant": s["variant"],
                "status": [
                    f"{st}, {int(b):,} below target" if b > 0 else str(st)
                    for st, b in zip(s["status"], below, strict=True)
                ],
                with_unit("cost", currency): cost,
                "vs base": delta,
                "gap": summary_numbers(s, "gap"),
                "in-house share": summary_numbers(s, "in_house_share"),
                "service level": summary_numbers(s, "service_level"),
                "deferrable within target": summary_numbers(s, "deferred_within_target"),
                "unanswered contacts": summary_numbers(s, "unanswered_contacts"),
                "lowest service level": summary_numbers(s, "min_service_level"),
                "vendors used": s.get("vendors_used", pd.Series([""] * len(s)))
                .fillna("")
                .astype(str)
                .str.replace(";", ", "),
                "solve s": summary_numbers(s, "solve_s"),
                "error": s.get("error", pd.Series([""] * len(s))).fillna("").astype(str),
            }
        )
        links = [
            f"{quote(str(sc))}/{quote(str(v))}/report.html"
            if (path.parent / str(sc) / str(v) / "report.html").is_file()
            else None
            for sc, v in zip(s["scenario"], s["variant"], strict=True)
        ]
        parts.append(_section("Jobs side by side", html_table(
            table,
            {"gap": "share", "in-house share": "share", "service level": "share", "lowest service level": "share",
             "deferrable within target": "share", "unanswered contacts": "int"},
            table_id="jobs", links={"variant": links},
        )))
    else:
        parts.append(_note("no jobs"))
    return _write_page(path, _page(title, parts))
