"""A telephony or ticketing export -> a scenario's demand.csv: wide or long, 15/30-minute intervals summed per period.

Contact-centre systems export interval reports in two shapes:

- wide: one row per interval, one column per queue (``Interval,Support FI,Support EN``);
- long: one row per interval and queue (``Interval,Queue,Offered``).

`import_demand` reads either (`ImportOptions` names the columns), maps the
export's queue names to the scenario's queue ids (`--map`), reads local
time stamps in the scenario's time zone as the demand reader does
(io/timestamps.py: a wall-clock time the clocks skip is refused; one that
occurs twice when they fall back is the earlier instant the first time a
series shows it and the later one the second time; a time with a UTC offset
is that instant), and sums the export's intervals (found from the time
stamps, or given) into the scenario's periods. Every problem names the file,
the line (or sheet row) and the column, grouped as the demand reader groups
them (csv_columns.RowProblems). The result is the long demand table
demand.csv holds: local period starts (with their UTC offset only in the
hour that occurs twice), queue, contacts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from staffmix.errors import ScenarioError
from staffmix.scenario.io.csv_columns import RowProblems
from staffmix.scenario.io.export_table import ExportTable
from staffmix.scenario.messages import cap_problems, clip, suggest
from staffmix.scenario.schema import ScenarioConfig

_NAT = np.iinfo(np.int64).min
_NS_PER_MIN = 60_000_000_000
_OFFSET = re.compile(r"\d:\d\d(?::\d\d(?:\.\d*)?)?\s*(?:[zZ]|[+-]\d\d(?::?\d\d)?)$")
_MISSING_WORDS = {"nan", "na", "n/a", "#n/a", "null", "none"}


@dataclass(frozen=True)
class ImportOptions:
    """How to read an export (the options of `staffmix import`)."""

    time_column: str | None = None
    """The column holding each interval's start (default: the first column)."""
    date_column: str | None = None
    """A separate date column, when the time column holds the time of day only (date + " " + time is read)."""
    time_format: str | None = None
    """strftime format of the time stamps, e.g. "%d.%m.%Y %H:%M" (default: ISO 8601, "2026-03-02 08:15" too)."""
    queue_column: str | None = None
    """Long form: the column naming the queue (default: wide form, one column per queue)."""
    value_column: str | None = None
    """Long form: the column of contacts (default: the only column left)."""
    queue_map: dict[str, str] = field(default_factory=dict)
    """Export queue name -> scenario queue id. A name not mapped must be a queue id, up to case and spaces or
    hyphens for underscores ("Support FI" is support_fi). Several names may map to one id (summed)."""
    ignore: tuple[str, ...] = ()
    """Wide form: columns that are not queues (a total, a site name)."""
    interval_min: int | None = None
    """The export's interval in minutes (default: the smallest step between its time stamps)."""
    decimal: str = "."
    """The decimal mark of the numbers ("," for many European exports)."""


@dataclass(frozen=True)
class Imported:
    """The demand table an export gives, and what a planner should know about how it was read."""

    demand: pd.DataFrame
    """period_start (local text, as demand.csv holds it), queue, contacts: every queue found, every period with data."""
    interval_min: int
    """The export's interval, in minutes."""
    period_min: int
    """The scenario's period, in minutes."""
    intervals: int
    """Export values read (rows x queue columns in wide form, rows in long form)."""
    contacts_read: float
    """Contacts in the export, before anything outside the horizon was dropped."""
    notes: list[str]
    """Things to check: intervals outside the horizon (dropped), periods with some intervals missing."""

    def to_csv(self) -> str:
        """demand.csv's text: period_start,queue,contacts, Unix line ends."""
        return self.demand.to_csv(index=False, lineterminator="\n")


def import_demand(table: ExportTable, config: ScenarioConfig, options: ImportOptions) -> Imported:
    """Turn an export table into the scenario's demand rows; ScenarioError listing every problem otherwise."""
    where = table.name
    header = table.header
    problems = _column_problems(table, options)
    if problems:
        raise ScenarioError(cap_problems(problems))
    time_col = options.time_column or header[0]
    col = {h: j for j, h in enumerate(header)}
    rows = table.rows
    n_rows = len(rows)
    lines = np.asarray(table.lines, dtype=np.int64)
    queue_ids = [q.id for q in config.queues]
    rp = RowProblems(where, lines, row_word=table.row_word)

    # the series: (export name, per-row value texts, per-row mask of the rows it has) -> later mapped to queue ids
    stamps = [r[col[time_col]] for r in rows]
    if options.date_column:
        stamps = [f"{r[col[options.date_column]]} {s}".strip() for r, s in zip(rows, stamps, strict=True)]
    stamps_arr = np.asarray(stamps, dtype=object)
    if options.queue_column:
        value_col = options.value_column or _only_value_column(header, options)
        names = np.asarray([r[col[options.queue_column]] for r in rows], dtype=object)
        values = np.asarray([r[col[value_col]] for r in rows], dtype=object)
        series_names = list(dict.fromkeys(names.tolist()))
        series_of = pd.Index(series_names).get_indexer(names)
        value_label = {s: f"{value_col}" for s in series_names}
    else:
        time_cols = {time_col, options.date_column}
        series_names = [h for h in header if h not in time_cols and h not in options.ignore]
        # one entry per (row, column): row-major, so file order is kept within each column
        names = np.repeat(np.asarray(series_names, dtype=object)[None, :], n_rows, axis=0).ravel()
        values = np.asarray([r[col[h]] for r in rows for h in series_names], dtype=object)
        series_of = np.tile(np.arange(len(series_names)), n_rows)
        value_label = {s: f"column {s!r}" for s in series_names}
    row_of = np.arange(len(values)) // (1 if options.queue_column else max(len(series_names), 1))
    if not options.queue_column and not series_names:
        raise ScenarioError(f"{where}: {table.row_word} 1: no queue columns besides the time stamps")
    entry_rp = RowProblems(where, lines[row_of] if len(row_of) else lines[:0], row_word=table.row_word)

    # queue names -> ids
    mapped = [options.queue_map.get(s) or _same_id(s, queue_ids) for s in series_names]
    qidx_s = pd.Index(queue_ids).get_indexer(pd.Index(mapped))
    unknown = [s for s, q in zip(series_names, qidx_s, strict=True) if q < 0]
    if unknown and not options.queue_column:
        raise ScenarioError(
            cap_problems(
                [
                    f"{where}: {table.row_word} 1: column {clip(s)!r} is not a queue of the scenario"
                    f"{suggest(s, queue_ids, 'queues')}; "
                    f"map it with --map '{clip(s)}=QUEUE_ID', or leave it out with --ignore '{clip(s)}'"
                    for s in unknown
                ]
            )
        )
    qidx = qidx_s[series_of] if len(series_of) else np.zeros(0, dtype=np.int64)
    if unknown:
        entry_rp.add(
            qidx < 0,
            lambda i: (
                f"queue {clip(names[i])!r} is not a queue of the scenario{suggest(names[i], queue_ids, 'queues')} "
                f"(map it with --map '{clip(names[i])}=QUEUE_ID')"
            ),
            key=series_of,
        )

    # time stamps -> instants (ns since the epoch, UTC), DST resolved per series in file order
    tz = config.horizon.timezone
    time_label = time_col if not options.date_column else f"{options.date_column} + {time_col}"
    t_row, bad_time = _instants(stamps_arr, options.time_format, tz, rp, time_label)
    t_entry = t_row[row_of] if len(row_of) else np.zeros(0, dtype=np.int64)
    naive_row = _naive_wall(stamps_arr, options.time_format)
    amb_row = _ambiguous(naive_row, tz)
    if amb_row.any():
        resolved, amb_bad = _resolve_ambiguous(naive_row[row_of], amb_row[row_of], series_of, tz)
        entry_rp.add(
            amb_bad,
            lambda i: f"{clip(stamps_arr[row_of[i]])!r} occurs twice in {tz} (the clocks fall back) and this series "
            "does not show it exactly twice, so which instant is meant is unknown; give it with its UTC offset",
        )
        t_entry = np.where(amb_row[row_of] & ~amb_bad, resolved, t_entry)

    # numbers
    contacts, bad_value = _numbers(values, options.decimal, entry_rp, value_label, names)

    # the export's interval (from every time stamp read) and the scenario's period
    period_min = config.horizon.interval_min
    timed = (t_entry != _NAT) & (qidx >= 0)
    good = timed & ~bad_value
    interval_min = options.interval_min or _inferred_interval(t_entry[timed], series_of[timed], period_min)
    if interval_min > period_min or period_min % interval_min:
        _raise_any(rp, entry_rp)  # bad rows first: they may be what makes the steps odd
        how = " (the most common step between its time stamps; --interval-min sets it)"
        found = "" if options.interval_min else how
        raise ScenarioError(
            f"{where}: the export's intervals are {interval_min} minutes{found}, "
            f"which do not sum into the scenario's {period_min}-minute periods "
            f"({'longer than a period: staffmix cannot split them' if interval_min > period_min else 'not a divisor'})"
        )
    grid = config.horizon.period_starts().as_unit("ns")
    t0 = int(grid.asi8[0])
    step = interval_min * _NS_PER_MIN
    off = timed & (np.mod(t_entry - t0, step) != 0)
    off_rows = np.zeros(n_rows, dtype=bool)
    off_rows[row_of[off]] = True
    rp.add(
        off_rows,
        lambda r: f"{time_label} {clip(stamps_arr[r])!r} is not on a {interval_min}-minute boundary of the horizon "
        f"(which starts {grid[0]:%Y-%m-%d %H:%M})",
    )
    good &= ~off

    # duplicates: the same series at the same instant twice (in a wide export: the same interval on two rows)
    good_idx = np.flatnonzero(good)
    frame = pd.DataFrame({"s": series_of[good_idx], "t": t_entry[good_idx]})
    dup_mask = frame.duplicated(keep="first").to_numpy()
    if dup_mask.any():
        firsts = {(series_of[i], t_entry[i]): lines[row_of[i]] for i in good_idx[~dup_mask]}
        dup = np.zeros(len(values), dtype=bool)
        dup[good_idx[dup_mask]] = True

        def again(i: int) -> str:
            shown = "" if not options.queue_column else f" for {clip(series_names[series_of[i]])!r}"
            first = firsts[(series_of[i], t_entry[i])]
            return f"{clip(stamps_arr[row_of[i]])!r}{shown} again (first at {table.row_word} {first})"

        if options.queue_column:
            entry_rp.add(dup, again)
        else:  # one problem per row, not per queue column
            first_entry = np.full(n_rows, -1, dtype=np.int64)
            for i in np.flatnonzero(dup)[::-1]:
                first_entry[row_of[i]] = i
            dup_rows = first_entry >= 0
            rp.add(dup_rows, lambda r: again(int(first_entry[r])))
        good &= ~dup
    _raise_any(rp, entry_rp)

    # sum the intervals into the periods; what lies outside the horizon is dropped (and said)
    period = np.floor_divide(t_entry - t0, config.horizon.interval_min * _NS_PER_MIN)
    inside = good & (period >= 0) & (period < config.horizon.periods)
    notes: list[str] = []
    outside = good & ~inside
    if outside.any():
        notes.append(
            f"{int(outside.sum()):,} intervals ({contacts[outside].sum():,.0f} contacts) lie outside the horizon "
            f"({grid[0]:%Y-%m-%d %H:%M} to {grid[-1] + pd.Timedelta(minutes=period_min):%Y-%m-%d %H:%M} {tz}) "
            "and were left out"
        )
    n_q = len(queue_ids)
    sums = np.zeros((config.horizon.periods, n_q))
    np.add.at(sums, (period[inside], qidx[inside]), contacts[inside])
    per_period = period_min // interval_min
    counts = (
        pd.Series(1, index=pd.MultiIndex.from_arrays([period[inside], series_of[inside]])).groupby(level=[0, 1]).size()
    )
    partial = counts[counts < per_period]
    if len(partial):
        keys: list[tuple[int, int]] = list(partial.index[:3])
        examples = ", ".join(
            f"{grid[p]:%a %Y-%m-%d %H:%M} {series_names[s]} ({partial[(p, s)]} of {per_period})" for p, s in keys
        )
        notes.append(
            f"{len(partial):,} period-queue pairs hold fewer than their {per_period} intervals "
            f"of {interval_min} minutes "
            f"(e.g. {examples}); summed as given"
        )
    periods = np.unique(period[inside])
    queues = [q for q in range(n_q) if (qidx[inside] == q).any()]
    local = grid[periods].tz_convert(tz)
    labels = _local_labels(local, tz)
    demand = pd.DataFrame({
        "period_start": np.repeat(labels, len(queues)),
        "queue": np.tile(np.asarray(queue_ids, dtype=object)[queues], len(periods)),
        "contacts": [_number_text(v) for v in sums[periods][:, queues].ravel()],
    })
    return Imported(
        demand=demand, interval_min=interval_min, period_min=period_min, intervals=int(good.sum()),
        contacts_read=float(contacts[good].sum()), notes=notes,
    )


def _raise_any(*found: RowProblems) -> None:
    """Raise every row problem found so far, in file order whichever check found them."""
    problems = sorted((p for rows in found for p in rows.problems()), key=_line_of)
    if problems:
        raise ScenarioError(cap_problems(problems))


def _line_of(problem: str) -> int:
    m = re.search(r": (?:line|row)s? (\d+)", problem)
    return int(m.group(1)) if m else 0


def _same_id(name: str, queue_ids: list[str]) -> str:
    """The queue id an export name spells in other case or with spaces or hyphens ("Support FI" -> support_fi).

    Else the name itself.
    """
    key = re.sub(r"[\s\-]+", "_", name.strip()).lower()
    found = [q for q in queue_ids if q.lower() == key]
    return found[0] if len(found) == 1 else name


def _column_problems(table: ExportTable, options: ImportOptions) -> list[str]:
    """Named columns that the header lacks, duplicate column names, options that contradict each other."""
    header = table.header
    at = f"{table.name}: {table.row_word} 1"
    out = [
        f"{at}: column {clip(h)!r} appears {header.count(h)} times"
        for h in dict.fromkeys(h for h in header if header.count(h) > 1)
    ]
    named = {
        "--time-column": options.time_column, "--date-column": options.date_column,
        "--queue-column": options.queue_column, "--value-column": options.value_column,
    }
    for option, column in named.items():
        if column is not None and column not in header:
            out.append(f"{at}: no column {clip(column)!r} (given by {option}){suggest(column, header, 'columns')}")
    for column in options.ignore:
        if column not in header:
            out.append(f"{at}: no column {clip(column)!r} (given by --ignore){suggest(column, header, 'columns')}")
    if options.value_column and not options.queue_column:
        out.append(
            f"{at}: --value-column is for long exports; give --queue-column too (wide exports have a column per queue)"
        )
    if options.ignore and options.queue_column:
        out.append(f"{at}: --ignore leaves out queue columns of a wide export; a long export (--queue-column) has none")
    return out


def _only_value_column(header: list[str], options: ImportOptions) -> str:
    rest = [h for h in header if h not in (options.time_column or header[0], options.date_column, options.queue_column)]
    if len(rest) != 1:
        raise ScenarioError(
            f"long export: {len(rest)} columns besides the time stamps and the queue "
            f"({clip(', '.join(rest), 200)}); name the contacts column with --value-column"
        )
    return rest[0]


def _naive_wall(stamps: np.ndarray, fmt: str | None) -> np.ndarray:
    """Wall-clock times (ns, as if UTC) of the texts without a UTC offset; NaT where there is one or none parses."""
    u, codes = (
        np.unique(stamps.astype(str), return_inverse=True)
        if len(stamps)
        else (np.zeros(0, dtype=object), np.zeros(0, dtype=np.int64))
    )
    s = pd.Series(u, dtype=object)
    has_offset = s.str.contains(_OFFSET, regex=True).to_numpy(dtype=bool) if len(u) else np.zeros(0, dtype=bool)
    parsed = pd.to_datetime(s.where(~has_offset), format=fmt or "ISO8601", errors="coerce")
    idx = pd.DatetimeIndex(parsed)
    if idx.tz is not None:  # a --time-format with %z: instants, not wall-clock times
        return np.full(len(stamps), _NAT, dtype=np.int64)
    wall = idx.as_unit("ns").asi8
    return wall[codes] if len(stamps) else wall


def _ambiguous(naive: np.ndarray, tz: str) -> np.ndarray:
    """Which wall-clock times occur twice in `tz` (the clocks fall back over them)."""
    ok = naive != _NAT
    out = np.zeros(len(naive), dtype=bool)
    if ok.any():
        idx = pd.DatetimeIndex(naive[ok].view("M8[ns]"))
        dst = idx.tz_localize(tz, ambiguous=np.ones(len(idx), dtype=bool), nonexistent="NaT").asi8
        std = idx.tz_localize(tz, ambiguous=np.zeros(len(idx), dtype=bool), nonexistent="NaT").asi8
        out[ok] = (dst != std) & (dst != _NAT) & (std != _NAT)
    return out


def _instants(
    stamps: np.ndarray, fmt: str | None, tz: str, rp: RowProblems, label: str
) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the instant (ns UTC) of its time stamp, or NaT with a problem; times that occur twice get NaT here
    (resolved per series by `_resolve_ambiguous`)."""
    n = len(stamps)
    out = np.full(n, _NAT, dtype=np.int64)
    if not n:
        return out, np.zeros(0, dtype=bool)
    u, codes = np.unique(stamps.astype(str), return_inverse=True)
    s = pd.Series(u, dtype=object)
    has_offset = s.str.contains(_OFFSET, regex=True).to_numpy(dtype=bool)
    t_u = np.full(len(u), _NAT, dtype=np.int64)
    if fmt:
        parsed = pd.to_datetime(s, format=fmt, errors="coerce")
        idx = pd.DatetimeIndex(parsed)
        if idx.tz is not None:
            t_u = idx.tz_convert("UTC").as_unit("ns").asi8
            has_offset = np.ones(len(u), dtype=bool)
    if has_offset.any() and not fmt:
        aware = pd.to_datetime(s.where(has_offset), format="ISO8601", utc=True, errors="coerce")
        t_u[has_offset] = pd.DatetimeIndex(aware).as_unit("ns").asi8[has_offset]
    naive = np.where(has_offset, _NAT, _naive_wall(u.astype(object), fmt))
    nonexistent = np.zeros(len(u), dtype=bool)
    ok = naive != _NAT
    if ok.any():
        idx = pd.DatetimeIndex(naive[ok].view("M8[ns]"))
        dst = idx.tz_localize(tz, ambiguous=np.ones(len(idx), dtype=bool), nonexistent="NaT").asi8
        std = idx.tz_localize(tz, ambiguous=np.zeros(len(idx), dtype=bool), nonexistent="NaT").asi8
        sub = np.where(dst == std, dst, _NAT)
        t_u[ok] = np.where(t_u[ok] == _NAT, sub, t_u[ok])
        nonexistent[ok] = (dst == _NAT) & (std == _NAT)
    ambiguous = _ambiguous(naive, tz)
    empty = u == ""
    unparsed = ~empty & (t_u == _NAT) & ~nonexistent & ~ambiguous
    expected = "else give --time-format, e.g. '%d.%m.%Y %H:%M'" if not fmt else f"expected the format {fmt!r}"
    rp.add(empty[codes], lambda i: f"{label} is empty")
    rp.add(
        unparsed[codes],
        lambda i: (
            f"{label} {clip(stamps[i])!r} is not a date-time (ISO 8601 such as 2026-03-02 08:15 is read, {expected})"
        ),
    )
    rp.add(
        nonexistent[codes],
        lambda i: f"{label} {clip(stamps[i])!r} does not exist in {tz} (the clocks spring forward over it)",
    )
    return t_u[codes], (empty | unparsed | nonexistent)[codes]


def _resolve_ambiguous(wall: np.ndarray, amb: np.ndarray, series: np.ndarray, tz: str) -> tuple[np.ndarray, np.ndarray]:
    """Entries whose wall-clock time occurs twice: per series, the first is the earlier (summer-time) instant, the
    second the later one, as pandas' ambiguous='infer' and the demand reader read an ordered series. A time a
    series shows once, or more than twice, is bad. Returns (instants, NaT elsewhere; bad mask)."""
    out = np.full(len(wall), _NAT, dtype=np.int64)
    bad = np.zeros(len(wall), dtype=bool)
    j = np.flatnonzero(amb)
    sub = pd.DataFrame({"s": series[j], "w": wall[j]})
    grouped = sub.groupby(["s", "w"], sort=False)
    rank = grouped.cumcount().to_numpy()
    count = grouped["w"].transform("size").to_numpy()
    idx = pd.DatetimeIndex(wall[j].view("M8[ns]"))
    dst = idx.tz_localize(tz, ambiguous=np.ones(len(j), dtype=bool)).asi8
    std = idx.tz_localize(tz, ambiguous=np.zeros(len(j), dtype=bool)).asi8
    out[j] = np.where(rank == 0, dst, std)
    bad[j] = count != 2
    return out, bad


def _numbers(
    values: np.ndarray, decimal: str, rp: RowProblems, label: dict[str, str], names: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Contacts per entry: empty is 0 (exports leave quiet intervals blank); text, NaN words, infinities and
    negatives are problems naming the column."""
    texts = np.asarray(values, dtype=object)
    u, codes = (
        np.unique(texts.astype(str), return_inverse=True)
        if len(texts)
        else (np.zeros(0, dtype=str), np.zeros(0, dtype=np.int64))
    )
    cleaned = pd.Series(u, dtype=object).str.replace("\u00a0", "", regex=False).str.replace(" ", "", regex=False)
    if decimal != ".":
        cleaned = cleaned.str.replace(".", "", regex=False).str.replace(decimal, ".", regex=False)
    parsed = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype=float, copy=True) if len(u) else np.zeros(0)
    empty_u = u == ""
    parsed[empty_u] = 0.0
    word_u = np.isnan(parsed) & np.array([str(t).lower() in _MISSING_WORDS for t in u], dtype=bool)
    text_u = np.isnan(parsed) & ~word_u
    inf_u = np.isinf(parsed)
    neg_u = parsed < 0
    v = parsed[codes] if len(texts) else np.zeros(0)

    def col(i: int) -> str:
        return label[names[i]]

    rp.add(text_u[codes], lambda i: f"{col(i)}: {clip(texts[i])!r} is not a number"
           + (" (a decimal comma? give --decimal ,)" if "," in str(texts[i]) and decimal == "." else ""))
    rp.add(word_u[codes], lambda i: f"{col(i)}: {clip(texts[i])!r} is not a number; leave it empty or give 0 for none")
    rp.add(inf_u[codes], lambda i: f"{col(i)}: {clip(texts[i])} is not finite")
    rp.add(neg_u[codes], lambda i: f"{col(i)}: {clip(texts[i])} is negative")
    bad = (text_u | word_u | inf_u | neg_u)[codes] if len(texts) else np.zeros(0, dtype=bool)
    return np.where(bad, 0.0, v), bad


def _inferred_interval(t: np.ndarray, series: np.ndarray, period_min: int) -> int:
    """The most common step between consecutive distinct time stamps of a series, in minutes (a period if none):
    a stray time stamp off the grid (09:20 among quarter hours) is then named, not taken for a 5-minute export."""
    steps = []
    for s in np.unique(series):
        ts = np.unique(t[series == s])
        if len(ts) > 1:
            steps.append(np.diff(ts))
    if not steps:
        return period_min
    values, counts = np.unique(np.concatenate(steps), return_counts=True)
    common = values[counts == counts.max()].max()  # a tie: the longer step (the shorter is the stray one)
    return max(1, round(int(common) / _NS_PER_MIN))


def _local_labels(local: pd.DatetimeIndex, tz: str) -> np.ndarray:
    """Period starts as demand.csv writes them: local wall-clock time, with the UTC offset only where that
    wall-clock time occurs twice (the hour the clocks fall back), so the file reads back without guessing."""
    naive = local.tz_localize(None)
    twice = _ambiguous(naive.as_unit("ns").asi8, tz)
    plain = naive.strftime("%Y-%m-%dT%H:%M")
    with_offset = local.strftime("%Y-%m-%dT%H:%M%z")
    out = np.where(twice, [f"{s[:-2]}:{s[-2:]}" for s in with_offset], plain)
    return np.asarray(out, dtype=object)


def _number_text(v: float) -> str:
    return f"{v:.6f}".rstrip("0").rstrip(".") if v % 1 else f"{v:.0f}"
