"""Independent roster checker: does a roster table work the plan's shifts under the scenario's roster rules?

`verify_roster(scenario, result, roster, agents=None)` derives everything from
the scenario (horizon, templates, groups, `roster:` rules), the plan's shifts
table and the roster table (roster.csv's columns), with plain pandas and
datetime. It imports nothing of `staffmix.rostering`, so a bug in the model cannot
hide itself. With `agents` (agents.csv, or its table) it also checks each
agent's group, the upper bound of the contracted hours and unavailability
(agents.csv's `unavailable` column, parsed here on its own: a shift that
touches a window the agent cannot work is a violation). Preferences (`prefers`,
`weekends_off`) are not checked: they are only the model's objective, so a
roster against them is valid, and the roster's `preference_misses` counts them.

It never raises on a strange roster: what it cannot read is reported as
``malformed``. A valid roster gives ``[]``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from pathlib import Path
from typing import Any

import pandas as pd

from staffmix.verification.rules import Violation

ROSTER_RULES: dict[str, str] = {
    "malformed": "a column, agent, template or time the checker cannot read",
    "roster_coverage": "a planned shift (group, template, start) is worked by more or fewer agents than the plan "
    "starts",
    "shift_times": "a rostered shift's start, end, date or group differs from its template and start period",
    "agent_group": "an agent works shifts of two groups, or of a group agents.csv does not give it",
    "one_shift_per_day": "an agent starts two shifts on one local day",
    "rest": "less than min_rest_h between the end of an agent's shift and the start of the next (across the wrap "
    "of a cyclic horizon)",
    "days_off": "fewer days off in an ISO week than days_off_per_week (its share in a partial week)",
    "consecutive_days_off": "no block of consecutive_days_off days off within an ISO week",
    "consecutive_days": "more days in a row with a shift than max_consecutive_work_days",
    "consecutive_nights": "more night shifts in a row than max_consecutive_nights",
    "hours": "paid hours over the horizon above contract_h_per_week x weeks x (1 + hours_tolerance_share)",
    "break_window": "a break of the wrong length, outside its template's window, or missing",
    "break_budget": "a period's break minutes in a group exceed shrinkage x agents on duty x the period's minutes",
    "unavailable": "an agent works a shift that touches a window agents.csv says the agent cannot work",
}
"""What a roster is checked against, by rule name."""


def verify_roster(
    scenario,
    result,
    roster: pd.DataFrame | str | Path,
    agents: pd.DataFrame | str | Path | None = None,
    strict_breaks: bool = True,
) -> list[Violation]:
    """Check a roster table (or roster.csv) against the plan `result` of `scenario`; every violation, [] when valid.

    strict_breaks: also report periods whose breaks exceed the plan's shrinkage budget (a roster reports those
    it could not avoid as warnings; pass False to check only the rest).
    """
    out: list[Violation] = []
    try:
        table = (
            pd.read_csv(roster, dtype=str, keep_default_na=False)
            if isinstance(roster, (str, Path))
            else roster.astype(str)
        )
        people = None
        if agents is not None:
            people = (
                pd.read_csv(agents, dtype=str, keep_default_na=False)
                if isinstance(agents, (str, Path))
                else agents.astype(str)
            )
        shifts = _read(scenario, table, out)
    except Exception as exc:  # noqa: BLE001 - a checker reports, never raises
        return [Violation("malformed", "roster", f"cannot read the roster: {type(exc).__name__}: {exc}")]
    if out:
        return out
    config = scenario.config
    _coverage(result.shifts, shifts, out)
    _groups(shifts, people, out)
    by_agent: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in shifts:
        by_agent[s["agent"]].append(s)
    h = config.horizon
    horizon_min = h.periods * h.interval_min
    days = sorted({ts.date() for ts in h.period_starts().tz_localize(None)})
    rules = config.roster
    for agent, mine in sorted(by_agent.items()):
        mine.sort(key=lambda s: s["abs_start"])
        _per_agent(agent, mine, days, horizon_min, h.cyclic, rules, out)
    if people is not None:
        _hours(by_agent, people, horizon_min, rules, out)
        _unavailability(by_agent, people, out)
    _breaks(scenario, shifts, strict_breaks, out)
    return out


def _read(scenario, table: pd.DataFrame, out: list[Violation]) -> list[dict[str, Any]]:
    config = scenario.config
    h = config.horizon
    starts = h.period_starts()
    templates = {t.id: t for t in config.templates}
    groups = {g.id: g for g in config.groups}
    need = ["agent", "group", "template", "date", "start", "end", "start_period", "break_start", "break_end"]
    missing = [c for c in need if c not in table.columns]
    if missing:
        out.append(Violation("malformed", "roster", f"missing columns {missing}"))
        return []
    rows = []
    for i, r in enumerate(table.to_dict("records"), start=2):
        where = f"roster line {i} ({r['agent']})"
        t, g = templates.get(r["template"]), groups.get(r["group"])
        try:
            p = int(r["start_period"])
            ok = 0 <= p < h.periods
        except ValueError:
            ok = False
        if t is None or g is None or not ok:
            out.append(
                Violation(
                    "malformed",
                    where,
                    f"unknown template {r['template']!r}, group {r['group']!r} or start_period {r['start_period']!r}",
                )
            )
            continue
        start_ts = starts[p]
        local_start = start_ts.tz_localize(None).to_pydatetime()
        length = dt.timedelta(hours=t.length_h)
        local_end = (start_ts + pd.Timedelta(length)).tz_convert(start_ts.tz).tz_localize(None).to_pydatetime()
        fmt = "%Y-%m-%dT%H:%M"
        if (r["start"], r["end"], r["date"]) != (
            local_start.strftime(fmt),
            local_end.strftime(fmt),
            local_start.date().isoformat(),
        ):
            out.append(
                Violation(
                    "shift_times",
                    where,
                    f"{r['start']}-{r['end']} on {r['date']}; template {t.id} from period {p} "
                    f"runs {local_start:{fmt}}-{local_end:{fmt}}",
                )
            )
        night_hours = set(g.night_hours)
        hours = [(local_start + dt.timedelta(hours=j)).hour for j in range(round(t.length_h))] or [local_start.hour]
        rows.append(
            {
                "agent": r["agent"],
                "group": g.id,
                "template": t.id,
                "start_period": p,
                "where": where,
                "abs_start": p * h.interval_min,
                "abs_end": p * h.interval_min + round(t.length_h * 60),
                "paid_min": t.paid_h * 60,
                "day": local_start.date(),
                "local_start": local_start,
                "local_end": local_end,
                "night": 2 * sum(x in night_hours for x in hours) >= len(hours),
                "break_start": r["break_start"],
                "break_end": r["break_end"],
            }
        )
    return rows


def _coverage(plan: pd.DataFrame, shifts: list[dict[str, Any]], out: list[Violation]) -> None:
    planned: dict[tuple, int] = defaultdict(int)
    for r in plan.to_dict("records"):
        if round(float(r["count"])) > 0:
            planned[(r["group"], r["template"], int(r["start_period"]))] += round(float(r["count"]))
    worked: dict[tuple, int] = defaultdict(int)
    for s in shifts:
        worked[(s["group"], s["template"], s["start_period"])] += 1
    for key in sorted(set(planned) | set(worked)):
        if planned.get(key, 0) != worked.get(key, 0):
            out.append(
                Violation(
                    "roster_coverage",
                    f"group {key[0]}, {key[1]} from period {key[2]}",
                    f"{planned.get(key, 0)} planned, {worked.get(key, 0)} rostered",
                )
            )


def _groups(shifts: list[dict[str, Any]], people: pd.DataFrame | None, out: list[Violation]) -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    for s in shifts:
        seen[s["agent"]].add(s["group"])
    given = dict(zip(people["id"], people["group"], strict=True)) if people is not None else {}
    for agent, groups in sorted(seen.items()):
        if len(groups) > 1:
            out.append(Violation("agent_group", agent, f"works shifts of groups {sorted(groups)}"))
        elif people is not None and given.get(agent) not in groups:
            out.append(
                Violation("agent_group", agent, f"works group {min(groups)}, agents.csv gives {given.get(agent)!r}")
            )


def _per_agent(
    agent: str, mine: list[dict[str, Any]], days: list[dt.date], horizon_min: int, cyclic: bool, rules, out
) -> None:
    rest = rules.min_rest_h * 60
    pairs = list(itertools.pairwise(mine))
    if cyclic and len(mine) > 1:
        last, first = mine[-1], mine[0]
        pairs.append((last, {**first, "abs_start": first["abs_start"] + horizon_min}))
    for a, b in pairs:
        if b["abs_start"] - a["abs_end"] < rest - 1e-9:
            gap = (b["abs_start"] - a["abs_end"]) / 60
            out.append(
                Violation(
                    "rest",
                    agent,
                    f"{gap:g} h between the shift ending {a['local_start']:%a %H:%M} + {a['template']} "
                    f"and the next starting {b['local_start']:%a %Y-%m-%d %H:%M} (min_rest_h {rules.min_rest_h:g})",
                )
            )
    on: dict[dt.date, int] = defaultdict(int)
    night_on: set[dt.date] = set()
    for s in mine:
        on[s["day"]] += 1
        if s["night"]:
            night_on.add(s["day"])
    for d, n in sorted(on.items()):
        if n > 1:
            out.append(Violation("one_shift_per_day", agent, f"{n} shifts start on {d:%a %Y-%m-%d}"))
    weeks: dict[tuple[int, int], list[dt.date]] = defaultdict(list)
    for d in days:
        iso = d.isocalendar()
        weeks[iso.year, iso.week].append(d)
    for (year, week), ds in weeks.items():
        need = rules.days_off_per_week * len(ds) // 7
        off = [d not in on for d in ds]
        if sum(off) < need:
            out.append(
                Violation("days_off", agent, f"ISO week {year}-W{week:02d}: {sum(off)} days off, {need} required")
            )
        k = rules.consecutive_days_off
        if k >= 2 and need >= k and len(ds) >= k and not any(all(off[j : j + k]) for j in range(len(ds) - k + 1)):
            out.append(
                Violation("consecutive_days_off", agent, f"ISO week {year}-W{week:02d}: no {k} days off in a row")
            )
    for cap, marked, rule, what in (
        (rules.max_consecutive_work_days, set(on), "consecutive_days", "days with a shift"),
        (rules.max_consecutive_nights, night_on, "consecutive_nights", "night shifts"),
    ):
        if cap is None:
            continue
        flags = [d in marked for d in days]
        longest = _longest_run(flags, cyclic)
        if longest > cap:
            out.append(Violation(rule, agent, f"{longest} {what} in a row, at most {cap} allowed"))


def _longest_run(flags: list[bool], cyclic: bool) -> int:
    if all(flags):
        return len(flags)
    seq = flags + flags if cyclic else flags
    best = run = 0
    for f in seq:
        run = run + 1 if f else 0
        best = max(best, run)
    return min(best, len(flags))


def _hours(by_agent, people: pd.DataFrame, horizon_min: int, rules, out: list[Violation]) -> None:
    weeks = horizon_min / (7 * 24 * 60)
    contract = {r["id"]: float(r["contract_h_per_week"]) for r in people.to_dict("records")}
    for agent, mine in sorted(by_agent.items()):
        if agent not in contract:
            out.append(Violation("agent_group", agent, "not in agents.csv"))
            continue
        paid = sum(s["paid_min"] for s in mine) / 60
        cap = contract[agent] * weeks * (1 + rules.hours_tolerance_share)
        if paid > cap + 1e-6:
            out.append(Violation("hours", agent, f"{paid:g} paid hours, the contract allows at most {cap:g}"))


DAYS_OF_WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _windows(text: str) -> list[tuple[int | dt.date, int, int]]:
    """agents.csv's `unavailable` cell as (weekday 0-6 or date, from hour, to hour); ValueError when unreadable.

    Items separated by ";": a day of week ("sat") or a date ("2026-03-04"), optionally with hours ("mon 08-12")."""
    windows: list[tuple[int | dt.date, int, int]] = []
    for item in (part.strip().lower() for part in text.split(";")):
        if not item:
            continue
        when, _, hours = item.partition(" ")
        day: int | dt.date = DAYS_OF_WEEK.index(when) if when in DAYS_OF_WEEK else dt.date.fromisoformat(when)
        first, _, last = hours.strip().partition("-") if hours.strip() else ("0", "-", "24")
        windows.append((day, int(first), int(last)))
    return windows


def _unavailability(by_agent, people: pd.DataFrame, out: list[Violation]) -> None:
    """Each shift against the agent's windows: a shift [start, end) touches a window [day + from, day + to) of any
    day it spans, the day matching by weekday or by date (local wall-clock times, as agents.csv gives them)."""
    if "unavailable" not in people.columns:
        return
    cells = {r["id"]: r["unavailable"] for r in people.to_dict("records")}
    for agent, mine in sorted(by_agent.items()):
        try:
            windows = _windows(cells.get(agent, ""))
        except ValueError as exc:
            out.append(Violation("malformed", agent, f"agents.csv unavailable {cells[agent]!r}: {exc}"))
            continue
        for s in mine:
            start, end = s["local_start"], s["local_end"]
            day = start.date()
            while day <= end.date():
                midnight = dt.datetime.combine(day, dt.time())
                for when, first_h, last_h in windows:
                    if when != (day if isinstance(when, dt.date) else day.weekday()):
                        continue
                    lo, hi = midnight + dt.timedelta(hours=first_h), midnight + dt.timedelta(hours=last_h)
                    if start < hi and lo < end:
                        out.append(Violation("unavailable", agent, f"{s['where']}: {start:%a %Y-%m-%d %H:%M}-"
                                                                   f"{end:%H:%M} touches {lo:%a %Y-%m-%d %H:%M}-"
                                                                   f"{hi:%H:%M}, when the agent cannot work"))
                day += dt.timedelta(days=1)


def _breaks(scenario, shifts: list[dict[str, Any]], strict: bool, out: list[Violation]) -> None:
    config = scenario.config
    h = config.horizon
    templates = {t.id: t for t in config.templates}
    shrinkage = {g.id: g.shrinkage for g in config.groups}
    horizon_min = h.periods * h.interval_min
    on_duty: dict[tuple[str, int], int] = defaultdict(int)
    used: dict[tuple[str, int], int] = defaultdict(int)
    for s in shifts:
        for minute in range(s["abs_start"], s["abs_end"], h.interval_min):
            p = minute // h.interval_min
            p = p % h.periods if h.cyclic else p
            if p < h.periods:
                on_duty[s["group"], p] += 1
        rule = templates[s["template"]].rest_break
        if rule is None:
            if s["break_start"] or s["break_end"]:
                out.append(Violation("break_window", s["where"], "a break in a shift whose template has none"))
            continue
        try:
            b0 = dt.datetime.fromisoformat(s["break_start"])
            b1 = dt.datetime.fromisoformat(s["break_end"])
        except ValueError:
            out.append(
                Violation("break_window", s["where"], f"no readable break ({s['break_start']!r}-{s['break_end']!r})")
            )
            continue
        offset = (b0 - s["local_start"]).total_seconds() / 60
        length = (b1 - b0).total_seconds() / 60
        if length != rule.length_min or offset < rule.earliest_h * 60 or offset + length > rule.latest_end_h * 60:
            out.append(
                Violation(
                    "break_window",
                    s["where"],
                    f"break {b0:%H:%M}-{b1:%H:%M}: {length:g} min from {offset / 60:g} h "
                    f"after the start; the template asks {rule.length_min} min "
                    f"within {rule.earliest_h:g}-{rule.latest_end_h:g} h",
                )
            )
            continue
        start = s["abs_start"] + int(offset)
        for minute in range(start, start + int(length)):
            p = (minute % horizon_min if h.cyclic else minute) // h.interval_min
            if p < h.periods:
                used[s["group"], p] += 1
    if strict:
        for (g, p), minutes in sorted(used.items()):
            budget = int(shrinkage[g] * on_duty[g, p] * h.interval_min + 1e-9)
            if minutes > budget:
                out.append(
                    Violation("break_budget", f"group {g}, period {p}", f"{minutes} break minutes, budget {budget}")
                )
