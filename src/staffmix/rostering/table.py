"""A roster as a planner reads it: the roster table, each agent's hours, and the files written with the result.

`RosterResult` holds the status (optimal, feasible, infeasible, unknown,
error), the objective and bound of the CP-SAT model, the problems that make a
plan unrosterable, and two tables:

- roster: one row per shift worked (agent, group, template, date, start, end
  in local time, start_period, break_start and break_end, night, weekend);
- agent_hours: per agent the contract over the horizon and its tolerated band,
  the paid hours rostered, shifts, nights, weekend shifts, preference misses
  and the hours below the band.

`to_folder` writes roster.csv, agent_hours.csv and roster.xlsx (a sheet each,
plus a week grid of who works when) into a result folder, each file atomically,
never replacing an earlier roster unless asked.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from staffmix.errors import StaffmixError
from staffmix.util.atomic import open_text, write_bytes

ROSTER_COLUMNS = [
    "agent",
    "group",
    "template",
    "date",
    "start",
    "end",
    "start_period",
    "break_start",
    "break_end",
    "night",
    "weekend",
]
"""Columns of roster.csv, in order."""
AGENT_HOURS_COLUMNS = [
    "agent",
    "group",
    "contract_h",
    "min_h",
    "max_h",
    "paid_h",
    "under_h",
    "shifts",
    "nights",
    "weekend_shifts",
    "preference_misses",
]
"""Columns of agent_hours.csv, in order (hours over the whole horizon)."""
ROSTER_FILES = ("roster.csv", "agent_hours.csv", "roster.xlsx")


@dataclass(frozen=True)
class RosterResult:
    """A roster of named agents for a plan's in-house shifts (see the module docstring)."""

    status: str
    """optimal, feasible (stopped at the time limit with a roster), infeasible, unknown (stopped without one)
    or error."""
    scenario: str
    """The scenario's name."""
    objective: float | None = None
    """The CP-SAT objective: minutes below contract bands, preference misses x 30, fairness spread x 60 x weight."""
    bound: float | None = None
    """CP-SAT's proven lower bound on the objective (equal to it when optimal)."""
    solve_s: float = 0.0
    """Seconds from the call to the roster (diagnosis and breaks included)."""
    problems: list[str] = field(default_factory=list)
    """Why the plan cannot be rostered (group, days, shifts short, the rule that binds); empty with a roster."""
    binding_rules: list[str] = field(default_factory=list)
    """Rules whose removal alone would let the plan roster (filled when the counting bounds hold and the model
    is infeasible)."""
    warnings: list[str] = field(default_factory=list)
    """Breaks over the shrinkage budget, agents below their contract band."""
    roster: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ROSTER_COLUMNS))
    """One row per shift worked: agent, group, template, date, start, end (local), start_period, break, night,
    weekend."""
    agent_hours: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=AGENT_HOURS_COLUMNS))
    """Per agent over the horizon: contract and its band, paid hours, hours below the band, shifts, nights,
    weekends, preference misses."""

    @property
    def has_roster(self) -> bool:
        """Whether a roster came back (optimal or feasible)."""
        return self.status in ("optimal", "feasible")

    def summary(self) -> str:
        """A few lines: status, agents and shifts, hours, preferences, and every problem or warning."""
        lines = [f"roster {self.scenario}: {self.status} ({self.solve_s:.1f} s)"]
        if self.has_roster:
            h = self.agent_hours
            used = int((h["shifts"] > 0).sum())
            lines.append(
                f"  {len(self.roster):,} shifts to {used} of {len(h)} agents; objective {self.objective:,.0f} "
                + (f"(bound {self.bound:,.0f})" if self.bound is not None else "(no bound proven)")
            )
            for g, rows in h.groupby("group", sort=True):
                lines.append(
                    f"  {g}: paid hours per agent {rows['paid_h'].min():.1f}-{rows['paid_h'].max():.1f}; "
                    f"nights {int(rows['nights'].min())}-{int(rows['nights'].max())}, weekend shifts "
                    f"{int(rows['weekend_shifts'].min())}-{int(rows['weekend_shifts'].max())}; "
                    f"preference misses {int(rows['preference_misses'].sum())}; "
                    f"below contract band {int((rows['under_h'] > 0).sum())} agents"
                )
        lines += [f"  {p}" for p in self.problems]
        lines += [f"  WARNING: {w}" for w in self.warnings]
        return "\n".join(lines)

    def to_folder(self, path: str | os.PathLike[str], overwrite: bool = False) -> Path:
        """Write roster.csv, agent_hours.csv and roster.xlsx into `path` (created if missing), each atomically."""
        out = Path(path)
        if not overwrite:
            there = [f for f in ROSTER_FILES if (out / f).exists()]
            if there:
                raise StaffmixError(
                    f"{out}: already holds {', '.join(there)}; pass --overwrite (overwrite=True) to replace them"
                )
        out.mkdir(parents=True, exist_ok=True)
        for name, table in (("roster.csv", self.roster), ("agent_hours.csv", self.agent_hours)):
            with open_text(out / name, newline="") as fh:
                table.to_csv(fh, index=False)
        write_bytes(out / "roster.xlsx", workbook_bytes(self))
        return out


def week_grid(roster: pd.DataFrame) -> pd.DataFrame:
    """Agents x dates, each cell the shift's local hours (08:00-16:00) or empty: the sheet a team leader pins up."""
    if roster.empty:
        return pd.DataFrame()
    cells = roster.assign(hours=roster["start"].str[11:16] + "-" + roster["end"].str[11:16])
    return cells.pivot_table(index=["group", "agent"], columns="date", values="hours", aggfunc="first").fillna("")


def workbook_bytes(result: RosterResult) -> bytes:
    """roster.xlsx: sheets week grid, roster, agent hours (openpyxl)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        week_grid(result.roster).to_excel(writer, sheet_name="grid")
        result.roster.to_excel(writer, sheet_name="roster", index=False)
        result.agent_hours.to_excel(writer, sheet_name="agent hours", index=False)
    return buffer.getvalue()


def local_text(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M")


def roster_tables(
    scenario, slots, cal, agents, works: dict[int, list[int]], breaks, rules
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The roster and agent_hours tables of a solved roster, and its warnings (breaks over budget, agents below
    their band)."""
    from staffmix.rostering.agent_rules import prefers_not

    given: dict[int, list[int]] = {}  # slot -> agents working it, in agent order (the order breaks are handed out)
    for a in sorted(works):
        for k in works[a]:
            given.setdefault(k, []).append(a)
    rows = []
    for k, members in sorted(given.items()):
        s = slots[k]
        offsets = breaks.offsets.get(k, [])
        for i, a in enumerate(members):
            b_start = b_end = ""
            if offsets:
                t0 = s.local_start + dt.timedelta(minutes=offsets[i])
                b_start, b_end = local_text(t0), local_text(t0 + dt.timedelta(minutes=breaks.length_min[k]))
            rows.append(
                (
                    agents[a].id,
                    s.group,
                    s.template,
                    s.local_start.date().isoformat(),
                    local_text(s.local_start),
                    local_text(s.local_end),
                    s.start_period,
                    b_start,
                    b_end,
                    s.night,
                    s.weekend,
                )
            )
    roster = (
        pd.DataFrame(rows, columns=ROSTER_COLUMNS)
        .sort_values(["group", "agent", "start"], kind="stable")
        .reset_index(drop=True)
    )
    tol = rules.hours_tolerance_share
    hours_rows = []
    for a, agent in enumerate(agents):
        ks = works.get(a, [])
        contract = agent.contract_h_per_week * cal.horizon_weeks
        paid = sum(slots[k].paid_min for k in ks) / 60
        hours_rows.append(
            (
                agent.id,
                agent.group,
                round(contract, 2),
                round(contract * (1 - tol), 2),
                round(contract * (1 + tol), 2),
                round(paid, 2),
                round(max(0.0, contract * (1 - tol) - paid), 2),
                len(ks),
                sum(slots[k].night for k in ks),
                sum(slots[k].weekend for k in ks),
                sum(prefers_not(agent, slots[k]) for k in ks),
            )
        )
    hours = pd.DataFrame(hours_rows, columns=AGENT_HOURS_COLUMNS)
    warnings = []
    starts = scenario.config.horizon.period_starts().tz_localize(None)
    for g, p, minutes, budget in breaks.over_budget[:10]:
        warnings.append(
            f"group {g}, {starts[p]:%a %Y-%m-%d %H:%M}: {minutes} break minutes, the plan's shrinkage allows {budget}"
        )
    if len(breaks.over_budget) > 10:
        warnings.append(f"... and {len(breaks.over_budget) - 10} more periods with breaks over the shrinkage budget")
    under = hours[hours["under_h"] > 0]
    if len(under):
        warnings.append(
            f"{len(under)} agents rostered below their contract band (contract x (1 - {tol:g})), "
            f"{under['under_h'].sum():,.1f} hours in all: the plan needs fewer hours than the agents are contracted for"
        )
    return roster, hours, warnings
