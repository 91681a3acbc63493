"""The demand CSV of a scenario folder -> the dense demand table, with every row problem named by its line.

The file is long form, one row per (period, queue)::

    period_start,queue,contacts[,aht_s]        or
    period_start,queue,required_agents[,aht_s]

`demand_path` checks that demand.file stays inside the scenario folder and is
a regular file; `read_demand` checks the header, reads the columns
(csv_columns.py), parses queues, numbers and timestamps (timestamps.py),
refuses duplicates and absurd sizes, and lays the rows on the horizon's
(period, queue) grid (scenario/demand.py).
"""

from __future__ import annotations

import csv
import errno
from pathlib import Path, PurePosixPath, PureWindowsPath

import numpy as np
import pandas as pd

from staffmix.errors import ScenarioError
from staffmix.scenario.checks import MAX_LOAD_ERLANGS, MAX_REQUIRED_AGENTS
from staffmix.scenario.demand import densify
from staffmix.scenario.io.csv_columns import CHUNK_ROWS, RowProblems, check_utf8, parse_numbers, read_columns
from staffmix.scenario.io.timestamps import parse_periods
from staffmix.scenario.messages import clip, suggest
from staffmix.scenario.schema import ScenarioConfig

MAX_HEADER_BYTES = 64 * 1024
"""Longest header line a demand CSV may have."""
VALUE_COLUMNS = ("contacts", "required_agents")
CSV_COLUMNS = ("period_start", "queue", *VALUE_COLUMNS, "aht_s")


def demand_path(config: ScenarioConfig, folder: Path, label: str) -> Path:
    """The demand CSV named by demand.file: inside the scenario folder, a regular file (never a pipe or device)."""
    name = config.demand.file
    where = f"{label}: demand.file: {clip(name)!r}"
    if not name.strip():
        raise ScenarioError(f"{where} is empty; give the demand CSV's path relative to the scenario folder")
    if "\0" in name:
        raise ScenarioError(f"{where} contains a NUL character")
    if PurePosixPath(name).is_absolute() or PureWindowsPath(name).is_absolute() or PureWindowsPath(name).drive:
        raise ScenarioError(f"{where} leaves the scenario folder (give a path relative to it)")
    path = folder / name
    try:
        inside = path.resolve().is_relative_to(folder.resolve())
    except RuntimeError:  # Python < 3.13 reports a symlink loop so
        raise ScenarioError(f"{where} is a symbolic link that points to itself (a loop)") from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise ScenarioError(f"{where} is a symbolic link that points to itself (a loop)") from None
        inside = False
    except ValueError:
        inside = False
    if not inside:
        raise ScenarioError(f"{where} leaves the scenario folder (give a path inside it)")
    try:
        is_file = path.is_file()
        is_dir = not is_file and path.is_dir()
    except (OSError, ValueError) as e:  # e.g. a name too long for the file system
        raise ScenarioError(f"{where} cannot be opened ({getattr(e, 'strerror', None) or e})") from None
    if is_dir:
        raise ScenarioError(f"{where} is a folder, not a CSV file")
    if not is_file and path.exists():  # never opened: reading a pipe or a device could block or never end
        raise ScenarioError(f"{where} is not a regular file (a pipe, socket or device)")
    if not is_file:
        raise ScenarioError(f"{where} does not exist (looked for {clip(str(path), 200)})")
    return path


def read_demand(
    config: ScenarioConfig, path: Path, name: str, notes: list[str]
) -> tuple[pd.DataFrame | None, list[str]]:
    """Parse the long-form demand CSV into the dense demand frame; returns (frame or None, problems).

    Bounded memory and vectorised: the file is checked for UTF-8 and parsed in
    chunks, each column kept as integer codes into its distinct texts, so a
    text is held once however many rows repeat it; only distinct values are
    stripped and parsed, and Python loops run over bad rows only, to word messages.
    """
    try:
        check_utf8(path, name)
        with open(path, "rb") as fh:
            head = fh.read(MAX_HEADER_BYTES + 1)
    except ScenarioError as e:
        return None, e.problems
    except OSError as e:
        return None, [f"{name}: cannot read the file ({e.strerror or e})"]
    # the header ends at the first line break of any kind: \n, \r\n, or \r alone (old Mac files)
    ends = [i for i in (head.find(b"\n"), head.find(b"\r")) if i >= 0]
    first_bytes = head[: min(ends)] if ends else head
    if len(first_bytes) > MAX_HEADER_BYTES:
        return None, [
            f"{name}: line 1: the header line is longer than {MAX_HEADER_BYTES // 1024} KiB; "
            "expected period_start,queue,contacts (or required_agents)"
        ]
    first = first_bytes.decode("utf-8-sig", errors="replace")
    header = [h.strip() for h in next(csv.reader([first]), [])]
    if not any(header):
        return None, [f"{name}: line 1: no header; expected period_start,queue,contacts (or required_agents)"]
    problems = header_problems(header, name)
    if problems:
        return None, problems
    try:
        cols, lines, stopped_at = read_columns(path, header, name, max_rows=max_demand_rows(config))
    except ScenarioError as e:
        return None, e.problems
    return demand_from_columns(config, header, cols, lines, stopped_at, name, notes)


def max_demand_rows(config: ScenarioConfig) -> int:
    """Rows read at most: the horizon's (period, queue) pairs and a chunk more, so a runaway file stops early."""
    return config.horizon.periods * len(config.queues) + CHUNK_ROWS


def demand_from_columns(
    config: ScenarioConfig,
    header: list[str],
    cols: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]],
    lines: np.ndarray,
    stopped_at: int,
    name: str,
    notes: list[str],
    row_word: str = "line",
) -> tuple[pd.DataFrame | None, list[str]]:
    """Coded text columns (as `read_columns` returns them) -> the dense demand frame; returns (frame or None, problems).

    Shared by the CSV and the workbook reader (io/demand_xlsx.py), so both give
    the same checks in the same words; `row_word` is how a problem names its
    place ("line" 7 of a CSV, "row" 7 of a sheet).
    """
    horizon = config.horizon
    queue_ids = [q.id for q in config.queues]
    n_q = len(queue_ids)
    cells = horizon.periods * n_q
    overflow = ""
    if stopped_at:  # far more rows than (period, queue) pairs: the rest of the file is not read
        overflow = (
            f"{name}: {row_word} {stopped_at}: more rows than the horizon has (period, queue) pairs "
            f"({horizon.periods:,} periods x {n_q} queues = {cells:,}, one row each at most); reading stopped here"
        )
    n_rows = len(lines)
    kind = "contacts" if "contacts" in header else "required_agents"
    if n_rows == 0:  # a header alone is an export that went wrong, not a week without contacts
        return None, [f"{name}: no rows below the header; give one row per (period, queue) with its {kind} "
                      "(rows with 0 for quiet periods)"]
    rows = RowProblems(name, lines, row_word=row_word)

    # queues: look up the distinct values, index back by code
    q_codes, _, q_texts = cols["queue"]
    q_empty_u = q_texts == ""
    qidx_u = pd.Index(queue_ids).get_indexer(pd.Index(q_texts)) if len(q_texts) else np.zeros(0, dtype=np.int64)
    qidx = qidx_u[q_codes]
    rows.add(q_empty_u[q_codes], lambda i: "queue is empty")
    rows.add(
        ((qidx_u < 0) & ~q_empty_u)[q_codes],
        lambda i: f"unknown queue {clip(q_texts[q_codes[i]])!r}{suggest(q_texts[q_codes[i]], queue_ids, 'queues')}",
        key=q_codes,  # each unknown name its own problem
    )

    # numbers
    values, bad_value = parse_numbers(*cols[kind][::2], kind, rows, empty_ok=False)
    if "aht_s" in header:
        aht, bad_aht = parse_numbers(*cols["aht_s"][::2], "aht_s", rows, empty_ok=True, positive=True)
    else:
        aht, bad_aht = np.full(n_rows, np.nan), np.zeros(n_rows, dtype=bool)

    # absurd sizes: beyond what any plan can staff (and what the staffing search can represent)
    v_codes, _, v_texts = cols[kind]
    if kind == "contacts":
        default_aht = np.array([q.aht_s for q in config.queues], dtype=float)
        row_aht = np.where(np.isnan(aht), default_aht[np.maximum(qidx, 0)], aht)
        interval_s = horizon.interval_min * 60.0
        with np.errstate(over="ignore", invalid="ignore"):
            load = values * row_aht / interval_s
        heavy = (qidx >= 0) & ~bad_value & ~bad_aht & (load > MAX_LOAD_ERLANGS)
        rows.add(
            heavy,
            lambda i: f"contacts {clip(v_texts[v_codes[i]])} x aht_s {row_aht[i]:g} is an offered load of "
            f"{load[i]:.3g} Erlangs in one {horizon.interval_min}-minute period, more than the "
            f"{MAX_LOAD_ERLANGS:,.0f} a plan can staff (a typo or a unit mix-up?)",
        )
        del row_aht, load
    else:
        heavy = ~bad_value & (values > MAX_REQUIRED_AGENTS)
        rows.add(
            heavy,
            lambda i: f"required_agents {clip(v_texts[v_codes[i]])} is more than the {MAX_REQUIRED_AGENTS:,.0f} "
            "a plan can staff (a typo or a unit mix-up?)",
        )
    bad_value |= heavy

    # timestamps -> period index
    s_codes, _, s_texts = cols["period_start"]
    period, bad_time = parse_periods(s_texts, s_codes, horizon, qidx, rows)

    # duplicates: the first good row of each (period, queue) cell, without sorting the rows
    good_idx = np.flatnonzero((qidx >= 0) & ~bad_value & ~bad_aht & ~bad_time)
    key = period[good_idx] * n_q + qidx[good_idx]
    first_of = np.full(horizon.periods * n_q, n_rows, dtype=np.int64)
    np.minimum.at(first_of, key, good_idx)
    is_dup = first_of[key] != good_idx
    if is_dup.any():
        dup = np.zeros(n_rows, dtype=bool)
        dup[good_idx[is_dup]] = True
        rows.add(
            dup,
            lambda i: f"duplicate row for ({clip(s_texts[s_codes[i]])}, {clip(q_texts[q_codes[i]])}) "
            f"(first at {row_word} {lines[first_of[period[i] * n_q + qidx[i]]]})",
        )
    del key, good_idx  # first_of stays: the duplicate messages read it
    problems = rows.problems()
    if overflow:
        problems.insert(0, overflow)
    if problems:
        return None, problems

    contacts = values if kind == "contacts" else np.full(len(values), np.nan)
    required = values if kind == "required_agents" else np.full(len(values), np.nan)
    demand, n_missing, examples = densify(config, period, qidx, contacts, aht, required, kind)
    if n_missing:
        notes.append(
            f"{name}: {n_missing} of {len(demand)} (period, queue) pairs have no row and count as zero "
            f"{kind} (e.g. {', '.join(examples)})"
        )
    return demand, []


def header_problems(header: list[str], name: str, where: str = "line 1") -> list[str]:
    """Duplicate, missing and unknown columns of the header line (`where`: "line 1" of a CSV, "row 1" of a sheet).

    For a header in one piece holding a semicolon or a tab, the one problem that explains all of those:
    the wrong delimiter.
    """
    if len(header) == 1:
        for sep, label in ((";", "semicolons"), ("\t", "tabs")):
            if sep in header[0]:
                return [f"{name}: {where}: the columns are separated by {label}, not commas; save the file as "
                        "comma-separated values (period_start,queue,contacts)"]
    out = []
    for col in dict.fromkeys(h for h in header if header.count(h) > 1):
        out.append(f"{name}: {where}: column {clip(col)!r} appears {header.count(col)} times")
    for col in ("period_start", "queue"):
        if col not in header:
            out.append(f"{name}: {where}: missing column {col!r}")
    given = [c for c in VALUE_COLUMNS if c in header]
    if len(given) == 2:
        out.append(f"{name}: {where}: give exactly one of the columns contacts or required_agents, not both")
    elif not given:
        out.append(f"{name}: {where}: missing a contacts or required_agents column (exactly one)")
    unknown = [h for h in dict.fromkeys(header) if h not in CSV_COLUMNS]
    if unknown:
        out.append(
            f"{name}: {where}: unknown column{'s' if len(unknown) > 1 else ''} "
            f"{clip(', '.join(repr(clip(u)) for u in unknown), 300)} "
            "(expected period_start, queue, contacts or required_agents, optional aht_s)"
        )
    return out
