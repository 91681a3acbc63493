"""Scenario folders <-> Scenario objects.

A scenario folder holds `scenario.yaml` (the configuration, see
`staffmix.schema.ScenarioConfig`) and a demand CSV in long form::

    period_start,queue,contacts[,aht_s]        or
    period_start,queue,required_agents[,aht_s]

`load_scenario` reads both, validates them (pydantic for fields, `checks` for
rules spanning tables, every variant too) and raises one `ScenarioError`
listing every problem, each naming the file and the field or CSV line.
`save_scenario` writes a folder `load_scenario` reads back unchanged.
`apply_variant` merges a named what-if into the base and validates it again.
"""

from __future__ import annotations

import codecs
import csv
import errno
import io as _io
import os
import re
import typing
import warnings
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import numpy as np
import pandas as pd
import yaml

from staffmix.atomic import write_text
from staffmix.checks import MAX_LOAD_ERLANGS, MAX_REQUIRED_AGENTS, check_config, check_demand, emit
from staffmix.demand import densify, period_labels
from staffmix.errors import ScenarioError
from staffmix.messages import MAX_PROBLEMS, bounded, cap_problems, clip, suggest, validated_config, yaml_type
from staffmix.schema import SCENARIO_FILE, Horizon, ScenarioConfig
from staffmix.scenario import Scenario
from staffmix.variants import variant_problems

__all__ = ["load_scenario", "save_scenario", "apply_variant", "scenario_variants"]

MAX_YAML_BYTES = 10 * 1024 * 1024
MAX_NUMBER_CHARS = 100
"""Longest number (in characters) scenario.yaml may hold; Python refuses integers of more than 4300 digits."""
_INT_TAG, _FLOAT_TAG = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
MAX_HEADER_BYTES = 64 * 1024
"""Longest header line a demand CSV may have."""
_CHUNK_BYTES = 16 * 2**20
_CHUNK_ROWS = 500_000
MAX_YAML_NODES = 1_000_000
"""Nodes a scenario.yaml may expand to once aliases are followed (guards against alias bombs)."""

VALUE_COLUMNS = ("contacts", "required_agents")
CSV_COLUMNS = ("period_start", "queue", *VALUE_COLUMNS, "aht_s")
_NAT = np.iinfo(np.int64).min
_US_PER_MIN = 60_000_000
_OFFSET = re.compile(r"\d:\d\d(?::\d\d(?:\.\d*)?)?\s*(?:[zZ]|[+-]\d\d(?::?\d\d)?)$")
_MISSING_WORDS = {"nan", "na", "n/a", "#n/a", "null", "none"}


# ================================================================= load


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read and validate a scenario folder (or its scenario.yaml).

    Raises ScenarioError listing every problem found; warns (ScenarioWarning)
    about allowed oddities such as missing demand rows.
    """
    try:
        return _load_scenario(Path(path))
    except ScenarioError as e:
        raise bounded(e) from None


def _load_scenario(path: Path) -> Scenario:
    folder, yaml_path = _locate(path)
    label = yaml_path.name
    raw = _read_yaml(yaml_path, label)
    config = validated_config(raw, label)
    demand_file = _demand_path(config, folder, label)

    notes: list[str] = []
    demand, problems = _read_demand(config, demand_file, config.demand.file, notes)
    problems += check_config(config, notes=notes, prefix=f"{label}: ")
    if demand is not None and not problems:
        problems += check_demand(config, demand, notes=notes)
    if problems:
        raise ScenarioError(cap_problems(problems))
    scenario = Scenario(config=config, demand=demand, source=str(folder))
    for name in config.variants:
        problems += variant_problems(config, demand, name, label=label)
    if problems:
        raise ScenarioError(cap_problems(problems))
    emit(notes, stacklevel=4)  # the caller of load_scenario
    return scenario


def _locate(path: Path) -> tuple[Path, Path]:
    try:
        if path.is_dir():
            yaml_path = path / SCENARIO_FILE
            if yaml_path.exists() and not yaml_path.is_file():
                raise ScenarioError(f"{SCENARIO_FILE}: not a regular file (a folder, pipe or device) in scenario folder {path}")
            if not yaml_path.is_file():
                raise ScenarioError(f"{SCENARIO_FILE}: file not found in scenario folder {path}")
            return path, yaml_path
        if path.is_file():
            return path.parent, path
        if path.exists():
            raise ScenarioError(f"{path}: not a scenario folder or a regular file (a pipe or device?)")
    except (OSError, ValueError) as e:  # a name too long, a NUL byte
        raise ScenarioError(f"{clip(str(path), 200)}: cannot open ({getattr(e, 'strerror', None) or e})") from None
    raise ScenarioError(f"{path}: no such scenario folder or file")


def _decode(data: bytes, label: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise ScenarioError(
            f"{label}: line {line}: not UTF-8 text (byte 0x{data[e.start]:02x}); save the file as UTF-8"
        ) from None


def _read_yaml(path: Path, label: str) -> dict[str, Any]:
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            raise ScenarioError(
                f"{label}: {size / 2**20:.1f} MB is too large for a scenario file (limit 10 MB; demand belongs in the CSV)"
            )
        with open(path, "rb") as fh:
            data = fh.read(MAX_YAML_BYTES + 1)  # never more, whatever stat said (e.g. a growing file)
    except OSError as e:
        raise ScenarioError(f"{label}: cannot read the file ({e.strerror or e})") from None
    if len(data) > MAX_YAML_BYTES:
        raise ScenarioError(f"{label}: more than 10 MB is too large for a scenario file (demand belongs in the CSV)")
    text = _decode(data, label)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        problems = _node_problems(node, label)
        if problems:
            raise ScenarioError(problems)
        raw = yaml.safe_load(text)
    except yaml.MarkedYAMLError as e:
        raise ScenarioError(_yaml_message(e, label)) from None
    except ScenarioError:
        raise
    except yaml.reader.ReaderError as e:  # a control character: the reader reports a position, not a line
        line = text[: e.position].count("\n") + 1
        char = e.character if isinstance(e.character, str) else chr(e.character)
        raise ScenarioError(
            f"{label}: line {line}: control character U+{ord(char):04X} is not allowed in YAML (remove it or quote it as an escape)"
        ) from None
    except yaml.YAMLError as e:  # pragma: no cover - every other PyYAML error is marked
        raise ScenarioError(f"{label}: {clip(str(e).splitlines()[0], 200)}") from None
    except RecursionError:
        raise ScenarioError(f"{label}: the document is nested too deeply") from None
    except ValueError as e:  # e.g. an integer of more than 4300 digits (Python's int-from-text limit)
        raise ScenarioError(f"{label}: {clip(str(e), 200)}") from None
    if raw is None:
        raise ScenarioError(f"{label}: the file is empty; expected a mapping with name, horizon, queues, ...")
    if not isinstance(raw, dict):
        raise ScenarioError(
            f"{label}: the top level must be a mapping of fields (name, horizon, queues, ...), not a {yaml_type(raw)}"
        )
    return raw


def _yaml_message(e: yaml.MarkedYAMLError, label: str) -> str:
    mark = e.problem_mark or e.context_mark
    where = f"line {mark.line + 1}: " if mark is not None else ""
    problem = e.problem or e.context or "invalid YAML"
    if e.problem and e.context:
        if e.problem.startswith("but "):
            problem = f"{e.context} {e.problem}"
        else:
            ctx = e.context
            if e.context_mark is not None and e.context_mark is not mark:
                ctx += f" that starts at line {e.context_mark.line + 1}"
            problem = f"{problem} ({ctx})"
    if isinstance(e, yaml.constructor.ConstructorError) and "tag" in problem:
        problem += " (only plain YAML is read: mappings, lists, strings, numbers; tags such as !!python/... are refused)"
    return f"{label}: {where}{problem}"


def _node_problems(root: yaml.Node | None, label: str) -> list[str]:
    """Duplicate keys, recursive aliases and alias bombs, found on the composed node graph."""
    if root is None:
        return []
    problems: list[str] = []
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def walk(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise ScenarioError(f"{label}: line {node.start_mark.line + 1}: recursive alias")
        active.add(key)
        total = 1
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.tag != "tag:yaml.org,2002:merge":
                    line = k.start_mark.line + 1
                    if k.value in seen:
                        problems.append(
                            f"{label}: line {line}: duplicate key {k.value!r} (first at line {seen[k.value]})"
                        )
                    else:
                        seen[k.value] = line
                total += walk(k) + walk(v)
        elif isinstance(node, yaml.SequenceNode):
            for v in node.value:
                total += walk(v)
        elif node.tag in (_INT_TAG, _FLOAT_TAG) and len(node.value) > MAX_NUMBER_CHARS:
            problems.append(
                f"{label}: line {node.start_mark.line + 1}: a number written with {len(node.value):,} characters "
                f"is too long (at most {MAX_NUMBER_CHARS})"
            )
        active.discard(key)
        sizes[key] = total
        if total > MAX_YAML_NODES:
            raise ScenarioError(f"{label}: the document expands to more than {MAX_YAML_NODES:,} values (aliases)")
        return total

    walk(root)
    return problems


# ----------------------------------------------------------------- demand


def _demand_path(config: ScenarioConfig, folder: Path, label: str) -> Path:
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


class _Rows:
    """Row problems as (line, order, text); at most MAX_PROBLEMS formatted per kind, all counted."""

    def __init__(self, name: str, lines: np.ndarray):
        self.name = name
        self.lines = lines
        self.items: list[tuple[int, int, str]] = []
        self.count = 0

    def add(self, mask: np.ndarray, fmt: typing.Callable[[int], str]) -> None:
        rows = np.flatnonzero(mask)
        self.count += len(rows)
        for i in rows[: MAX_PROBLEMS + 1]:
            self.items.append((int(self.lines[i]), len(self.items), fmt(int(i))))

    def problems(self) -> list[str]:
        self.items.sort()
        out = [f"{self.name}: line {line}: {text}" for line, _, text in self.items[:MAX_PROBLEMS]]
        if self.count > MAX_PROBLEMS:
            out.append(f"{self.name}: ... and {self.count - MAX_PROBLEMS} more row problems")
        return out


def _read_demand(
    config: ScenarioConfig, path: Path, name: str, notes: list[str]
) -> tuple[pd.DataFrame | None, list[str]]:
    """Parse the long-form demand CSV into the dense demand frame; returns (frame or None, problems).

    Bounded memory and vectorised: the file is checked for UTF-8 and parsed in
    chunks, each column kept as integer codes into its distinct texts, so a
    text is held once however many rows repeat it; only distinct values are
    stripped and parsed, and Python loops run over bad rows only, to word messages.
    """
    try:
        _check_utf8(path, name)
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
    problems = _header_problems(header, name)
    if problems:
        return None, problems
    horizon = config.horizon
    queue_ids = [q.id for q in config.queues]
    n_q = len(queue_ids)
    cells = horizon.periods * n_q
    try:
        cols, lines, stopped_at = _read_columns(path, header, name, max_rows=cells + _CHUNK_ROWS)
    except ScenarioError as e:
        return None, e.problems
    overflow = ""
    if stopped_at:  # far more rows than (period, queue) pairs: the rest of the file is not read
        overflow = (
            f"{name}: line {stopped_at}: more rows than the horizon has (period, queue) pairs "
            f"({horizon.periods:,} periods x {n_q} queues = {cells:,}, one row each at most); reading stopped here"
        )
    n_rows = len(lines)
    rows = _Rows(name, lines)
    kind = "contacts" if "contacts" in header else "required_agents"

    # queues: look up the distinct values, index back by code
    q_codes, _, q_texts = cols["queue"]
    q_empty_u = q_texts == ""
    qidx_u = pd.Index(queue_ids).get_indexer(q_texts) if len(q_texts) else np.zeros(0, dtype=np.int64)
    qidx = qidx_u[q_codes]
    rows.add(q_empty_u[q_codes], lambda i: "queue is empty")
    rows.add(
        ((qidx_u < 0) & ~q_empty_u)[q_codes],
        lambda i: f"unknown queue {clip(q_texts[q_codes[i]])!r}{suggest(q_texts[q_codes[i]], queue_ids, 'queues')}",
    )

    # numbers
    values, bad_value = _numbers(*cols[kind][::2], kind, rows, empty_ok=False)
    if "aht_s" in header:
        aht, bad_aht = _numbers(*cols["aht_s"][::2], "aht_s", rows, empty_ok=True, positive=True)
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
    period, bad_time = _periods(s_texts, s_codes, horizon, qidx, rows)

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
            f"(first at line {lines[first_of[period[i] * n_q + qidx[i]]]})",
        )
    del key, first_of, good_idx
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


def _check_utf8(path: Path, name: str) -> None:
    """Raise ScenarioError naming the line of the first byte that is not UTF-8; reads in chunks (bounded memory)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    after_cr = False  # the last chunk ended in \r: a \n opening this one ends the same line
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(_CHUNK_BYTES)
            if after_cr and chunk[:1] == b"\n":
                line -= 1
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as e:
                # e.object is the decoder's pending bytes (never a newline) + this chunk
                line += _line_breaks(e.object[: e.start])
                raise ScenarioError(
                    f"{name}: line {line}: not UTF-8 text (byte 0x{e.object[e.start]:02x}); save the file as UTF-8"
                ) from None
            if not chunk:
                return
            line += _line_breaks(chunk)
            after_cr = chunk.endswith(b"\r")


def _line_breaks(data: bytes) -> int:
    """Line breaks in `data`: \n, \r\n and a lone \r each count once (as pandas and csv read them)."""
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


def _ragged_row(path: Path, n_fields: int, name: str, parser_message: str) -> str:
    """The first row with more fields than the header, found by streaming the file through the csv module."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            try:
                for row in reader:
                    if reader.line_num > 1 and len(row) > n_fields:
                        return f"{name}: line {reader.line_num}: {len(row)} fields, but the header has {n_fields}"
            except csv.Error as e:
                return f"{name}: line {reader.line_num}: cannot parse CSV ({e})"
    except OSError as e:  # pragma: no cover - it was just read
        return f"{name}: cannot read the file ({e.strerror or e})"
    first = parser_message.splitlines()[0] if parser_message else "a row has more fields than the header"
    return f"{name}: cannot parse CSV ({clip(first, 200)})"


def _read_columns(
    path: Path, header: list[str], name: str, max_rows: int
) -> tuple[dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]], np.ndarray, int]:
    """Read the CSV in chunks into, per column, (codes, distinct raw texts, distinct stripped texts).

    raw[codes] is the column's text; blank rows (empty lines, bare commas) are
    dropped. Returns (columns, the line number of each row kept, 0 or the line
    at which reading stopped because more than `max_rows` rows were kept).
    Memory is bounded by one chunk, the distinct values and `max_rows`, however
    long the file. Raises ScenarioError naming the line of a row with too many
    fields or a quote never closed.
    """
    n = len(header)
    known: list[dict[str, int]] = [{} for _ in header]
    parts: list[list[np.ndarray]] = [[] for _ in header]
    line_parts: list[np.ndarray] = []
    kept = read = 0
    stopped = 0
    try:
        with warnings.catch_warnings():
            # pandas only warns (and drops data, or takes the first columns as an index)
            # when the first data row has more fields than the header: make that an error
            warnings.simplefilter("error", pd.errors.ParserWarning)
            with pd.read_csv(
                path, dtype=str, encoding="utf-8-sig", na_filter=False, skip_blank_lines=False,
                header=0, index_col=False, chunksize=_CHUNK_ROWS,
            ) as reader:
                for chunk in reader:
                    if chunk.shape[1] != n:  # pragma: no cover - a header pandas splits otherwise than csv
                        raise ScenarioError(f"{name}: line 1: cannot read the header (got {chunk.shape[1]} columns, expected {n})")
                    texts = [chunk.iloc[:, j].to_numpy(dtype=object) for j in range(n)]
                    blank = np.ones(len(chunk), dtype=bool)
                    for col in texts:
                        blank &= col == ""
                    keep = np.flatnonzero(~blank)
                    lines = keep.astype(np.int64) + read + 2
                    read += len(chunk)
                    if kept + len(keep) > max_rows:
                        keep = keep[: max_rows - kept + 1]
                        lines = lines[: len(keep)]
                        stopped = int(lines[-1])
                    for j, col in enumerate(texts):
                        codes, uniques = pd.factorize(col[keep])
                        seen = known[j]
                        glob = np.fromiter(
                            (seen.setdefault(str(u), len(seen)) for u in uniques), dtype=np.int64, count=len(uniques)
                        )
                        if len(codes) and codes.min() < 0:  # a missing value (not expected with na_filter=False)
                            glob = np.append(glob, seen.setdefault("", len(seen)))
                            codes = np.where(codes < 0, len(glob) - 1, codes)
                        parts[j].append(glob[codes].astype(np.int32))
                    line_parts.append(lines)
                    kept += len(keep)
                    del texts, chunk
                    if stopped:
                        break
    except pd.errors.ParserWarning:
        raise ScenarioError(_ragged_row(path, n, name, "")) from None
    except pd.errors.ParserError as e:
        text = str(e).strip()
        m = re.search(r"EOF inside string starting at row (\d+)", text)
        if m:
            raise ScenarioError(
                f"{name}: line {int(m.group(1)) + 1}: a quoted field starts here and is never closed (a lone \")"
            ) from None
        raise ScenarioError(_ragged_row(path, n, name, text)) from None
    except OSError as e:  # pragma: no cover - the file was just read
        raise ScenarioError(f"{name}: cannot read the file ({e.strerror or e})") from None
    cols = {}
    for j, col in enumerate(header):
        codes = np.concatenate(parts[j]) if parts[j] else np.zeros(0, dtype=np.int32)
        parts[j] = []
        raw = np.array(list(known[j]), dtype=object) if known[j] else np.zeros(0, dtype=object)
        stripped = np.array([u.strip() for u in raw], dtype=object) if len(raw) else np.zeros(0, dtype=object)
        cols[col] = (codes, raw, stripped)
    lines = np.concatenate(line_parts) if line_parts else np.zeros(0, dtype=np.int64)
    return cols, lines, stopped


def _header_problems(header: list[str], name: str) -> list[str]:
    out = []
    for col in dict.fromkeys(h for h in header if header.count(h) > 1):
        out.append(f"{name}: line 1: column {clip(col)!r} appears {header.count(col)} times")
    for col in ("period_start", "queue"):
        if col not in header:
            out.append(f"{name}: line 1: missing column {col!r}")
    given = [c for c in VALUE_COLUMNS if c in header]
    if len(given) == 2:
        out.append(f"{name}: line 1: give exactly one of the columns contacts or required_agents, not both")
    elif not given:
        out.append(f"{name}: line 1: missing a contacts or required_agents column (exactly one)")
    unknown = [h for h in dict.fromkeys(header) if h not in CSV_COLUMNS]
    if unknown:
        out.append(
            f"{name}: line 1: unknown column{'s' if len(unknown) > 1 else ''} {clip(', '.join(repr(clip(u)) for u in unknown), 300)} "
            "(expected period_start, queue, contacts or required_agents, optional aht_s)"
        )
    return out


def _numbers(
    codes: np.ndarray, texts: np.ndarray, name: str, rows: _Rows, *, empty_ok: bool, positive: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Parse a numeric column given as codes into its distinct stripped texts.

    Flags text, NaN words, infinities, negatives (or <= 0) and (unless empty_ok) blanks.
    """
    parsed = (
        pd.to_numeric(pd.Series(texts, dtype=object), errors="coerce").to_numpy(dtype=float)
        if len(texts) else np.zeros(0)
    )
    nan_u = np.isnan(parsed)
    empty_u = nan_u & (texts == "") if len(texts) else np.zeros(0, dtype=bool)
    word_u = nan_u & ~empty_u & np.array([str(t).lower() in _MISSING_WORDS for t in texts], dtype=bool)
    values = parsed[codes]
    nan, empty, word = nan_u[codes], empty_u[codes], word_u[codes]
    text = nan & ~empty & ~word
    inf = np.isinf(values)
    low = ((values <= 0) if positive else (values < 0)) & ~nan & ~inf
    bad = text | word | inf | low

    def shown(i: int) -> str:
        return clip(texts[codes[i]])

    rows.add(text, lambda i: f"{name} {shown(i)!r} is not a number")
    rows.add(word, lambda i: f"{name} is NaN ({shown(i)!r}); give a number (0 for none)")
    rows.add(inf, lambda i: f"{name} {shown(i)} is not finite")
    rows.add(low, lambda i: f"{name} {shown(i)} must be greater than 0" if positive else f"{name} {shown(i)} is negative")
    if not empty_ok:
        rows.add(empty, lambda i: f"{name} is empty; give a number (0 for none)")
        bad |= empty
    return values, bad


def _periods(
    stamps: np.ndarray, codes: np.ndarray, horizon: Horizon, qidx: np.ndarray, rows: _Rows
) -> tuple[np.ndarray, np.ndarray]:
    """Map period_start texts (naive local wall-clock or with a UTC offset) to period indexes.

    `stamps` are the distinct stripped texts and `codes` index them per row; all
    parsing happens on the distinct texts.
    """
    tz = horizon.timezone
    u = pd.Series(stamps, dtype=object)
    n_u = len(u)
    has_offset = u.str.contains(_OFFSET, regex=True).to_numpy(dtype=bool) if n_u else np.zeros(0, dtype=bool)
    t_u = np.full(n_u, _NAT, dtype=np.int64)
    if has_offset.any():
        aware = pd.to_datetime(u.where(has_offset), format="ISO8601", utc=True, errors="coerce")
        t_u[has_offset] = pd.DatetimeIndex(aware).as_unit("us").asi8[has_offset]
    naive_wall = np.full(n_u, _NAT, dtype=np.int64)
    dst = np.full(n_u, _NAT, dtype=np.int64)
    std = np.full(n_u, _NAT, dtype=np.int64)
    if (~has_offset).any():
        naive = pd.DatetimeIndex(pd.to_datetime(u.where(~has_offset), format="ISO8601", errors="coerce"))
        if naive.tz is not None:  # pragma: no cover - only texts with an offset parse to aware times
            naive = naive.tz_localize(None)
        naive = naive.as_unit("us")
        naive_wall = np.where(has_offset, _NAT, naive.asi8)
        naive = pd.DatetimeIndex(naive_wall.view("M8[us]"))
        dst = naive.tz_localize(tz, ambiguous=np.ones(n_u, dtype=bool), nonexistent="NaT").asi8
        std = naive.tz_localize(tz, ambiguous=np.zeros(n_u, dtype=bool), nonexistent="NaT").asi8
    parsed_naive_u = naive_wall != _NAT
    unique_u = parsed_naive_u & (dst == std) & (dst != _NAT)
    t_u[unique_u] = dst[unique_u]

    empty_u = stamps == ""
    nonexistent_u = parsed_naive_u & (dst == _NAT) & (std == _NAT)
    unparsed_u = ~empty_u & (t_u == _NAT) & ~parsed_naive_u
    ambiguous_u = parsed_naive_u & (dst != std) & (dst != _NAT) & (std != _NAT)

    grid = horizon.period_starts().as_unit("us")
    t0 = int(grid.asi8[0])
    step = horizon.interval_min * _US_PER_MIN

    def place(t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Instants -> (period, valid, outside the horizon, off the period grid)."""
        valid = t != _NAT
        delta = np.where(valid, t - t0, 0)
        period = np.floor_divide(delta, step)
        outside = valid & ((period < 0) | (period >= horizon.periods))
        off = valid & ~outside & (np.mod(delta, step) != 0)
        return period, valid, outside, off

    # everything per distinct text, then spread to the rows by code (bounded memory for long files)
    period_u, valid_u, outside_u, off_u = place(t_u)
    n = len(codes)
    period, valid, outside, off = period_u[codes], valid_u[codes], outside_u[codes], off_u[codes]
    ambiguous_bad = np.zeros(n, dtype=bool)
    if ambiguous_u.any():  # the same wall-clock text means different instants for different rows
        amb = np.flatnonzero(ambiguous_u[codes])
        c = codes[amb]
        resolved, ambiguous_bad[amb] = _resolve_ambiguous(dst[c], std[c], qidx[amb], naive_wall[c], horizon)
        period[amb], valid[amb], outside[amb], off[amb] = place(resolved)

    def raw(i: int) -> str:
        return clip(stamps[codes[i]])

    first, last = grid[0], grid[-1]
    rows.add(empty_u[codes], lambda i: "period_start is empty")
    rows.add(
        unparsed_u[codes],
        lambda i: f"period_start {raw(i)!r} is not a date-time (expected ISO 8601 such as 2026-01-05T08:00 or 2026-01-05T08:00+01:00)",
    )
    rows.add(
        nonexistent_u[codes],
        lambda i: f"period_start {raw(i)!r} does not exist in {tz} (the clocks spring forward over it)",
    )
    rows.add(
        ambiguous_bad,
        lambda i: f"period_start {raw(i)!r} is ambiguous in {tz} (the clocks fall back, so it occurs twice); "
        f"give it with a UTC offset, e.g. {_iso(dst[codes[i]], tz)} or {_iso(std[codes[i]], tz)}",
    )
    rows.add(
        outside,
        lambda i: f"period_start {raw(i)!r} is outside the horizon "
        f"({first:%Y-%m-%dT%H:%M} to {last:%Y-%m-%dT%H:%M} {tz}, {horizon.periods} periods)",
    )
    rows.add(off, lambda i: f"period_start {raw(i)!r} is not on a {horizon.interval_min}-minute period boundary")
    bad = ~valid | outside | off
    period[bad] = -1
    return period.astype(np.int64, copy=False), bad


def _iso(us: int, tz: str) -> str:
    ts = pd.Timestamp(us, unit="us", tz="UTC").tz_convert(tz)
    s = ts.strftime("%Y-%m-%dT%H:%M%z")
    return f"{s[:-2]}:{s[-2:]}"


def _resolve_ambiguous(
    dst: np.ndarray, std: np.ndarray, qidx: np.ndarray, wall: np.ndarray, horizon: Horizon
) -> tuple[np.ndarray, np.ndarray]:
    """Instants for rows whose naive time occurs twice (clocks fall back); the arrays hold those rows only, in file order.

    Per queue and wall-clock time, the first row is the earlier (summer-time)
    instant and the second the later one, as pandas' ambiguous='infer' reads
    an ordered series. A lone row is accepted only when just one of its two
    instants lies on the horizon's grid. Returns (instants, bad-row mask).
    """
    sub = pd.DataFrame({"q": qidx, "w": wall})
    grouped = sub.groupby(["q", "w"], sort=False)
    rank = grouped.cumcount().to_numpy()
    count = grouped["w"].transform("size").to_numpy()
    out = np.where(rank == 0, dst, std)
    bad = np.zeros(len(out), dtype=bool)
    lone = np.flatnonzero(count == 1)
    if len(lone):
        grid = set(horizon.period_starts().as_unit("us").asi8.tolist())
        for j in lone:
            on = [x for x in (dst[j], std[j]) if int(x) in grid]
            if len(on) == 1:
                out[j] = on[0]
            else:
                out[j] = _NAT
                bad[j] = True
    return out, bad


# ================================================================= save


def save_scenario(scenario: Scenario, path: str | os.PathLike[str], overwrite: bool = False) -> Path:
    """Write `scenario` as a folder (scenario.yaml + demand CSV) that load_scenario reads back unchanged.

    `path` is the folder (created if needed) or a .yaml file path inside it.
    Refuses to replace existing files unless `overwrite`. Returns the folder.
    """
    target = Path(path)
    if target.suffix.lower() in (".yaml", ".yml"):
        folder, yaml_path = target.parent, target
    else:
        folder, yaml_path = target, target / SCENARIO_FILE
    config = scenario.config
    demand_rel = config.demand.file
    if (
        PurePosixPath(demand_rel).is_absolute()
        or PureWindowsPath(demand_rel).is_absolute()
        or PureWindowsPath(demand_rel).drive
        or ".." in PurePosixPath(demand_rel.replace("\\", "/")).parts
    ):
        raise ScenarioError(f"{SCENARIO_FILE}: demand.file: {demand_rel!r} leaves the scenario folder")
    demand_path = folder / demand_rel
    if not overwrite:
        existing = [p for p in (yaml_path, demand_path) if p.exists()]
        if existing:
            raise ScenarioError([f"{p}: already exists; pass overwrite=True to replace it" for p in existing])
    csv_text = _demand_csv(config, scenario.demand)
    yaml_text = _config_yaml(config)
    demand_path.parent.mkdir(parents=True, exist_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    write_text(demand_path, csv_text, newline="\n")
    write_text(yaml_path, yaml_text, newline="\n")
    return folder


class _Dumper(yaml.SafeDumper):
    """Readable YAML: nested lists indented, short lists of scalars on one line."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = bool(data) and all(isinstance(x, (str, int, float, bool)) or x is None for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_float(dumper: yaml.SafeDumper, data: float) -> yaml.Node:
    if data.is_integer() and abs(data) < 1e15:
        return dumper.represent_int(int(data))  # 300 reads better than 300.0; pydantic makes it a float again
    return dumper.represent_float(data)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(float, _represent_float)


def _config_yaml(config: ScenarioConfig) -> str:
    data = config.model_dump(mode="json", exclude_defaults=True)
    data["horizon"]["start"] = config.horizon.start.strftime("%Y-%m-%dT%H:%M")
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)


def _number_text(values: np.ndarray) -> np.ndarray:
    finite = values[np.isfinite(values)]
    if len(finite) == len(values) and np.all(finite == np.round(finite)) and np.all(np.abs(finite) < 2**53):
        return values.astype(np.int64).astype(str).astype(object)
    return np.array([repr(float(v)) for v in values], dtype=object)


def _demand_csv(config: ScenarioConfig, demand: pd.DataFrame) -> str:
    problems = check_demand(config, demand, notes=[], prefix="demand: ")
    if problems:
        raise ScenarioError(cap_problems(problems))
    kind = "required_agents" if len(demand) and demand["contacts"].isna().all() else "contacts"
    ids = [q.id for q in config.queues]
    qidx = pd.Index(ids).get_indexer(demand["queue"].astype(object))
    aht = demand["aht_s"].to_numpy(dtype=float)
    default = np.array([q.aht_s for q in config.queues], dtype=float)[qidx]
    aht = np.where(aht == default, np.nan, aht)
    dense, _, _ = densify(
        config,
        demand["period"].to_numpy(dtype=np.int64),
        qidx,
        demand["contacts"].to_numpy(dtype=float),
        aht,
        demand["required_agents"].to_numpy(dtype=float),
        kind,
    )
    n_q = len(ids)
    labels = period_labels(config.horizon)
    out = {
        "period_start": np.repeat(labels, n_q),
        "queue": dense["queue"].to_numpy(dtype=object),
        kind: _number_text(dense[kind].to_numpy(dtype=float)),
    }
    dense_aht = dense["aht_s"].to_numpy(dtype=float)
    dense_default = np.tile(np.array([q.aht_s for q in config.queues], dtype=float), config.horizon.periods)
    differs = dense_aht != dense_default
    if differs.any():
        text = np.array([repr(float(v)) for v in dense_aht], dtype=object)
        out["aht_s"] = np.where(differs, text, "")
    buf = _io.StringIO()
    pd.DataFrame(out).to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


# ================================================================= variants


def scenario_variants(scenario: Scenario) -> list[str]:
    """Names of the scenario's variants, in file order."""
    return list(scenario.config.variants)


def apply_variant(scenario: Scenario, name: str) -> Scenario:
    """The scenario with variant `name` merged in and validated again: `scenario.variant(name)` (see variants.py)."""
    return scenario.variant(name)
