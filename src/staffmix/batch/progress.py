"""The progress line of a batch on stderr."""

from __future__ import annotations

import datetime as dt
import sys
import time
from typing import Any, TextIO

from staffmix.batch.run import FAILED_STATUSES


class Progress:
    """One progress line on stderr: rewritten in place on a terminal, one line per finished job otherwise."""

    def __init__(self, total: int, enabled: bool = True, stream: TextIO | None = None) -> None:
        self.total = total
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = time.monotonic()
        self.done = self.failed = self.skipped = self.running = 0
        self.last = ""
        self._width = 0

    @property
    def finished(self) -> int:
        return self.done + self.failed + self.skipped

    def elapsed(self) -> str:
        return str(dt.timedelta(seconds=int(time.monotonic() - self.start)))

    def line(self) -> str:
        skipped = f", skipped {self.skipped}" if self.skipped else ""
        text = (f"[{self.finished}/{self.total}] done {self.done}, running {self.running}, failed {self.failed}"
                f"{skipped}, elapsed {self.elapsed()}")
        return f"{text} \u2014 {self.last}" if self.last else text

    def job_finished(self, row: dict[str, Any], skipped: bool = False) -> None:
        status = row.get("status")
        if skipped:
            self.skipped += 1
        elif status in FAILED_STATUSES:
            self.failed += 1
        else:
            self.done += 1
        what = f"{status}"
        if row.get("objective") is not None:
            what += f" {row['objective']:,.2f}"
        elif row.get("error"):
            err = str(row["error"]).splitlines()[0]
            what += f": {err[:100]}{'...' if len(err) > 100 else ''}"
        if skipped:  # counted, not shown: the opening line says how many were done earlier
            return
        self.last = f"{row.get('scenario')}/{row.get('variant')} {what}"
        self._emit(newline=not self.tty)

    def note(self, text: str) -> None:
        """A message of its own line (e.g. a job killed on timeout)."""
        if not self.enabled:
            return
        if self.tty and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
        self.stream.write(text + "\n")
        self._width = 0
        self.stream.flush()

    def refresh(self) -> None:
        """Redraw the line (terminal only; e.g. to tick the elapsed time)."""
        if self.tty:
            self._emit(newline=False)

    def _emit(self, newline: bool) -> None:
        if not self.enabled:
            return
        text = self.line()
        if newline:
            self.stream.write(text + "\n")
        else:
            pad = max(0, self._width - len(text))
            self.stream.write("\r" + text + " " * pad)
            self._width = len(text)
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.tty and self._width:
            self.stream.write("\n")
            self.stream.flush()
            self._width = 0
