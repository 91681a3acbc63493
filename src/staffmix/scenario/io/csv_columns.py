"""The demand CSV read as coded text columns, in bounded memory, and the list of row problems.

A demand CSV can hold millions of rows (a year of 15-minute periods for many
queues). `read_columns` reads it in chunks with pandas, keeping each column
as integer codes into its distinct texts, so a text is held once however
many rows repeat it; `check_utf8` finds the line of a bad byte without
reading the file at once. `RowProblems` collects the problems of single rows
(grouped by rule, with line ranges, all counted) and `parse_numbers` parses
a numeric column on its distinct texts, flagging what is not a usable number.
"""

from __future__ import annotations

import codecs
import csv
import re
import typing
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from staffmix.errors import ScenarioError
from staffmix.scenario.messages import MAX_PROBLEMS, clip

_CHUNK_BYTES = 16 * 2**20
CHUNK_ROWS = 500_000
"""Rows pandas reads at a time."""
_MISSING_WORDS = {"nan", "na", "n/a", "#n/a", "null", "none"}


GROUP_FROM = 4
"""A rule broken by this many rows or more is reported once, with the line ranges, instead of once per row."""
MAX_RANGES = 4
"""Line ranges spelled out in a grouped problem; the rest are counted."""


class RowProblems:
    """Problems of single rows, grouped by the rule they break (one `add` call; optionally split by `key`).

    A rule broken by a few rows gives one line per row ("line 7: ..."); one
    broken by many gives a single line with the line ranges and the first
    row's wording ("lines 2-337 (336 rows, the first shown): ..."), so a file
    with a wrong date on every row reads as the one mistake it is. Every row
    is counted; the wording is built for the few shown.
    """

    def __init__(self, name: str, lines: np.ndarray, row_word: str = "line"):
        self.name = name
        self.lines = lines
        self.row_word = row_word  # "line" of a CSV file, "row" of a sheet
        self.items: list[
            tuple[int, int, np.ndarray | None, str]
        ] = []  # (first line, order, all lines if grouped, text)
        self.count = 0
        self.unworded = (0, 0)  # (problems, rows) past what any list shows: counted, not worded

    def add(self, mask: np.ndarray, fmt: typing.Callable[[int], str], key: np.ndarray | None = None) -> None:
        """Rows where `mask` holds break one rule, worded by `fmt(row)`; with `key` (a value per row), rows
        with different keys (e.g. different unknown queues) are different problems."""
        rows = np.flatnonzero(mask)
        self.count += len(rows)
        if not len(rows):
            return
        if key is None:
            parts = [rows]
        else:
            _, first, which = np.unique(np.asarray(key)[rows], return_index=True, return_inverse=True)
            parts = [rows[which == k] for k in np.argsort(first)]
        for part in parts[: MAX_PROBLEMS + 1]:
            if len(part) < GROUP_FROM:
                self.items += [(int(self.lines[i]), len(self.items), None, fmt(int(i))) for i in part]
            else:
                self.items.append((int(self.lines[part[0]]), len(self.items), self.lines[part], fmt(int(part[0]))))
        rest = parts[MAX_PROBLEMS + 1:]
        if rest:
            self.unworded = (self.unworded[0] + len(rest), self.unworded[1] + sum(len(p) for p in rest))

    def problems(self) -> list[str]:
        self.items.sort(key=lambda item: item[:2])
        out = []
        for line, _, grouped, text in self.items[:MAX_PROBLEMS]:
            if grouped is None:
                out.append(f"{self.name}: {self.row_word} {line}: {text}")
            else:
                out.append(
                    f"{self.name}: {self.row_word}s {line_ranges(grouped)} "
                    f"({len(grouped):,} rows, the first shown): {text}"
                )
        more = max(0, len(self.items) - MAX_PROBLEMS) + self.unworded[0]
        if more:
            rows = sum(1 if g is None else len(g) for _, _, g, _ in self.items[MAX_PROBLEMS:]) + self.unworded[1]
            out.append(
                f"{self.name}: ... and {more} more problem{'s' if more > 1 else ''} ({rows:,} "
                f"row{'s' if rows > 1 else ''})"
            )
        return out


def line_ranges(lines: np.ndarray, limit: int = MAX_RANGES) -> str:
    """Line numbers as ranges: "2-337", "2-10, 12, 15-40"; past `limit` ranges, the rest are counted."""
    lines = np.unique(lines)
    breaks = np.flatnonzero(np.diff(lines) != 1)
    starts = np.concatenate([[lines[0]], lines[breaks + 1]])
    ends = np.concatenate([lines[breaks], [lines[-1]]])
    shown = [f"{a}" if a == b else f"{a}-{b}" for a, b in zip(starts[:limit], ends[:limit], strict=True)]
    more = len(starts) - limit
    return ", ".join(shown) + (f" and {more:,} more range{'s' if more > 1 else ''}" if more > 0 else "")


def check_utf8(path: Path, name: str) -> None:
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


def read_columns(
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
                header=0, index_col=False, chunksize=CHUNK_ROWS,
            ) as reader:
                for chunk in reader:
                    if chunk.shape[1] != n:  # pragma: no cover - a header pandas splits otherwise than csv
                        raise ScenarioError(
                            f"{name}: line 1: cannot read the header (got {chunk.shape[1]} columns, expected {n})"
                        )
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
    cols: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for j, column in enumerate(header):
        codes = np.concatenate(parts[j]) if parts[j] else np.zeros(0, dtype=np.int32)
        parts[j] = []
        raw = np.array(list(known[j]), dtype=object) if known[j] else np.zeros(0, dtype=object)
        stripped = np.array([u.strip() for u in raw], dtype=object) if len(raw) else np.zeros(0, dtype=object)
        cols[column] = (codes, raw, stripped)
    lines = np.concatenate(line_parts) if line_parts else np.zeros(0, dtype=np.int64)
    return cols, lines, stopped


def parse_numbers(
    codes: np.ndarray, texts: np.ndarray, name: str, rows: RowProblems, *, empty_ok: bool, positive: bool = False
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
    rows.add(
        low, lambda i: f"{name} {shown(i)} must be greater than 0" if positive else f"{name} {shown(i)} is negative"
    )
    if not empty_ok:
        rows.add(empty, lambda i: f"{name} is empty; give a number (0 for none)")
        bad |= empty
    return values, bad
