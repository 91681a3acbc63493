"""agents.csv: the named agents a plan's in-house shifts are rostered to, read and validated.

One row per agent, beside scenario.yaml (optional: without it there is
nothing to roster). Columns (header names, any order; the last three optional):

- `id`: the agent's name or staff number (unique);
- `group`: the in-house group (scenario.yaml `groups`) whose shifts the agent works;
- `contract_h_per_week`: contracted paid hours per week (0 < h <= 168);
- `unavailable`: when the agent cannot work, items separated by ";": a day of
  week (`sat`), a date (`2026-03-04`), either with an hour range
  (`mon 08-12`, `2026-03-04 14-24`); a shift that touches one is never given;
- `prefers`: `early`, `late` or empty: shifts starting before noon, or from noon on;
- `weekends_off`: `yes`/`no` (or true/false, 1/0): rather no shift on Saturday or Sunday.

Preferences are honoured as far as the rules and the plan allow (the
roster's objective counts each miss); unavailability is hard. Every problem
is reported, each naming the file, line and column, as the demand reader does.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from staffmix.errors import ScenarioError
from staffmix.scenario.messages import cap_problems, clip, suggest

AGENTS_FILE = "agents.csv"
"""The agents file's name beside scenario.yaml."""
REQUIRED_COLUMNS = ("id", "group", "contract_h_per_week")
OPTIONAL_COLUMNS = ("unavailable", "prefers", "weekends_off")
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ITEM = re.compile(r"^(?P<when>[a-z]{3}|\d{4}-\d{2}-\d{2})(?:\s+(?P<h1>\d{1,2})-(?P<h2>\d{1,2}))?$")
_YES = {"yes": True, "true": True, "1": True, "y": True, "no": False, "false": False, "0": False, "n": False, "": False}


@dataclass(frozen=True)
class Unavailable:
    """One window an agent cannot work: a day of week (0 = Monday) or a date, from hour `from_h` to `to_h` (local)."""

    weekday: int | None
    date: dt.date | None
    from_h: int = 0
    to_h: int = 24

    def blocks(self, start: dt.datetime, end: dt.datetime) -> bool:
        """Whether a shift from `start` to `end` (local wall-clock, naive) touches this window."""
        day = start.date()
        while day <= end.date():
            if (self.weekday is not None and day.weekday() == self.weekday) or day == self.date:
                lo = dt.datetime.combine(day, dt.time()) + dt.timedelta(hours=self.from_h)
                hi = dt.datetime.combine(day, dt.time()) + dt.timedelta(hours=self.to_h)
                if start < hi and lo < end:
                    return True
            day += dt.timedelta(days=1)
        return False


@dataclass(frozen=True)
class Agent:
    """A named agent of one group, with the contract, unavailability and preferences of agents.csv."""

    id: str
    """The agent's name or staff number."""
    group: str
    """The in-house group whose shifts the agent works."""
    contract_h_per_week: float
    """Contracted paid hours per week."""
    unavailable: tuple[Unavailable, ...] = field(default_factory=tuple)
    """Windows the agent cannot work (never rostered into)."""
    prefers: str = ""
    """"early", "late" or "" (no preference)."""
    weekends_off: bool = False
    """Rather no shift on Saturday or Sunday (a preference, not a rule)."""

    def can_work(self, start: dt.datetime, end: dt.datetime) -> bool:
        """Whether a shift from `start` to `end` (local, naive) misses every window the agent is unavailable."""
        return not any(u.blocks(start, end) for u in self.unavailable)


def _unavailable(text: str) -> tuple[tuple[Unavailable, ...], str | None]:
    out = []
    for raw in text.split(";"):
        item = raw.strip().lower()
        if not item:
            continue
        m = _ITEM.match(item)
        if not m:
            return (), f"{clip(raw.strip())!r} is not a day (mon), a date (2026-03-04) or either with hours (mon 08-12)"
        when, h1, h2 = m["when"], m["h1"], m["h2"]
        from_h, to_h = (int(h1), int(h2)) if h1 is not None else (0, 24)
        if not 0 <= from_h < to_h <= 24:
            return (), f"{raw.strip()!r}: hours must run from 0-23 to a later hour up to 24"
        if when[0].isdigit():
            try:
                date = dt.date.fromisoformat(when)
            except ValueError:
                return (), f"{when!r} is not a date"
            out.append(Unavailable(None, date, from_h, to_h))
        elif when in DAY_NAMES:
            out.append(Unavailable(DAY_NAMES.index(when), None, from_h, to_h))
        else:
            return (), f"{when!r} is not a day of week (mon ... sun)"
    return tuple(out), None


def load_agents(path: str | Path, scenario) -> list[Agent]:
    """Read and validate agents.csv against the scenario's groups.

    A ScenarioError lists every problem, each with its file, line and column."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise ScenarioError(f"{path}: no agents file (an agents.csv with columns {', '.join(REQUIRED_COLUMNS)})")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise ScenarioError(f"{name}: not UTF-8 text (byte {e.start})") from None
    except OSError as e:
        raise ScenarioError(f"{name}: cannot read the file ({e.strerror or e})") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows or not any(c.strip() for c in rows[0]):
        raise ScenarioError(
            f"{name}: line 1: no header; expected {','.join(REQUIRED_COLUMNS)} "
            f"(and optionally {','.join(OPTIONAL_COLUMNS)})"
        )
    header = [h.strip() for h in rows[0]]
    problems = [f"{name}: line 1: missing column {c!r}" for c in REQUIRED_COLUMNS if c not in header]
    known = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    problems += [
        f"{name}: line 1: unknown column {clip(h)!r}{suggest(h, list(known), 'columns')}"
        for h in header
        if h not in known
    ]
    problems += [f"{name}: line 1: column {h!r} appears twice" for h in sorted(set(header)) if header.count(h) > 1]
    if problems:
        raise ScenarioError(problems)
    groups = [g.id for g in scenario.config.groups]
    agents: list[Agent] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) > len(header):
            problems.append(f"{name}: line {line}: {len(row)} fields, the header has {len(header)}")
            continue
        cells = [c.strip() for c in row] + [""] * (len(header) - len(row))  # short rows padded, long ones refused above
        cell = dict(zip(header, cells, strict=True))
        where = f"{name}: line {line}"
        bad = len(problems)
        agent_id = cell["id"]
        if not agent_id:
            problems.append(f"{where}: column id: empty")
        elif agent_id in seen:
            problems.append(f"{where}: column id: {clip(agent_id)!r} already on line {seen[agent_id]}")
        else:
            seen[agent_id] = line
        group = cell["group"]
        if group not in groups:
            problems.append(f"{where}: column group: unknown group {clip(group)!r}{suggest(group, groups, 'groups')}")
        try:
            hours = float(cell["contract_h_per_week"])
            if not 0 < hours <= 168:
                raise ValueError
        except ValueError:
            problems.append(
                f"{where}: column contract_h_per_week: {clip(cell['contract_h_per_week'])!r} "
                "is not a number of hours above 0 and at most 168"
            )
            hours = 0.0
        unavailable, why = _unavailable(cell.get("unavailable", ""))
        if why:
            problems.append(f"{where}: column unavailable: {why}")
        prefers = cell.get("prefers", "").lower()
        if prefers not in ("", "early", "late"):
            problems.append(f"{where}: column prefers: {clip(prefers)!r} is not early, late or empty")
        weekends = cell.get("weekends_off", "").lower()
        if weekends not in _YES:
            problems.append(f"{where}: column weekends_off: {clip(weekends)!r} is not yes or no")
        if len(problems) == bad:
            agents.append(Agent(agent_id, group, hours, unavailable, prefers, _YES[weekends]))
    if problems:
        raise ScenarioError(cap_problems(problems))
    if not agents:
        raise ScenarioError(f"{name}: no agents (the file has a header and no rows)")
    return agents


def agents_path(scenario, agents: str | Path | None = None) -> Path:
    """The agents file to read: `agents` if given, else agents.csv beside the scenario's scenario.yaml."""
    if agents is not None:
        return Path(agents)
    if scenario.source is None:
        raise ScenarioError(
            "no agents given and the scenario was not read from a folder: pass agents= (a list or an agents.csv path)"
        )
    source = Path(scenario.source)
    folder = source if source.is_dir() else source.parent
    return folder / AGENTS_FILE
