"""One status line on stderr: redrawn in place on a terminal (with tqdm), plain lines otherwise.

The batch's progress line, the command line's solve display and the
simulation's replication count all draw through `StatusLine`, so they behave
alike: on a terminal one line is rewritten in place (tqdm fits it to the
width, draws the bar, and keeps permanent lines above it); in a pipe or a
log file nothing is redrawn, and only the lines a caller prints appear,
one per event worth keeping.
"""

from __future__ import annotations

import os
import sys
from typing import Any, TextIO


def is_terminal(stream: Any) -> bool:
    """Whether `stream` is an interactive terminal (False for pipes, files and closed streams)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _columns(stream: Any) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):
        return 0


class StatusLine:
    """A line rewritten in place on a terminal; on anything else, only `print` writes.

    `total` (a count of steps, e.g. jobs) draws a bar that `advance` moves;
    without it the line is text alone. `enabled=False` writes nothing at all.
    """

    def __init__(self, stream: TextIO | None = None, enabled: bool = True, total: int | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.tty = enabled and is_terminal(self.stream)
        self._bar: Any = None
        if self.tty:
            from tqdm import tqdm

            fmt = "{desc}" if total is None else "[{n_fmt}/{total_fmt}] {bar:12} {desc}"
            sized = _columns(self.stream) > 0  # a terminal that reports no width (a bare pty) gets a fixed one
            self._bar = tqdm(
                total=total,
                file=self.stream,
                bar_format=fmt,
                dynamic_ncols=sized,
                ncols=None if sized else 160,
                nrows=None if sized else 50,
                leave=False,
                mininterval=0,
                smoothing=0,
            )

    def show(self, text: str) -> None:
        """Redraw the line with `text` (terminal only)."""
        if self._bar is not None:
            self._bar.set_description_str(text, refresh=True)

    def advance(self, steps: int = 1, text: str | None = None) -> None:
        """Move the bar on by `steps` and redraw it (terminal only)."""
        if self._bar is not None:
            if text is not None:
                self._bar.set_description_str(text, refresh=False)
            self._bar.update(steps)

    def print(self, text: str) -> None:
        """A permanent line: above the status line on a terminal, a plain line elsewhere."""
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.write(text, file=self.stream)
        else:
            self.stream.write(text + "\n")
            self.stream.flush()

    def close(self, last: str | None = None) -> None:
        """Clear the status line; `last`, if given, stays as a permanent line."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        if last is not None:
            self.print(last)
