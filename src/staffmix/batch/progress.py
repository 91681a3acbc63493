"""The progress line of a batch on stderr (drawn by staffmix.util.terminal: tqdm on a terminal, plain lines
otherwise)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any, TextIO

from staffmix.batch.run import FAILED_STATUSES
from staffmix.util.terminal import StatusLine


class Progress:
    """The batch's progress: a bar rewritten in place on a terminal, one line per finished job otherwise."""

    def __init__(self, total: int, enabled: bool = True, stream: TextIO | None = None) -> None:
        self.total = total
        self.enabled = enabled
        self.status = StatusLine(stream, enabled=enabled, total=total)
        self.tty = self.status.tty
        self.start = time.monotonic()
        self.done = self.failed = self.skipped = self.running = 0
        self.last = ""

    @property
    def finished(self) -> int:
        return self.done + self.failed + self.skipped

    def elapsed(self) -> str:
        return str(dt.timedelta(seconds=int(time.monotonic() - self.start)))

    def counts(self) -> str:
        """done, running, failed (and skipped) jobs and the elapsed time, with the last job finished."""
        skipped = f", skipped {self.skipped}" if self.skipped else ""
        text = f"done {self.done}, running {self.running}, failed {self.failed}{skipped}, elapsed {self.elapsed()}"
        return f"{text} \u2014 {self.last}" if self.last else text

    def line(self) -> str:
        """The progress as one line of text: [finished/total] and the counts."""
        return f"[{self.finished}/{self.total}] {self.counts()}"

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
            what += f" {row['objective']:,.2f}" + (f" {row['currency']}" if row.get("currency") else "")
        elif row.get("error"):
            err = str(row["error"]).splitlines()[0]
            what += f": {err[:100]}{'...' if len(err) > 100 else ''}"
        if skipped:  # counted, not shown: the opening line says how many were done earlier
            self.status.advance(1, self.counts())
            return
        self.last = f"{row.get('scenario')}/{row.get('variant')} {what}"
        if self.tty:
            self.status.advance(1, self.counts())
        else:
            self.status.print(self.line())

    def note(self, text: str) -> None:
        """A message of its own line (e.g. a job killed on timeout)."""
        self.status.print(text)

    def refresh(self) -> None:
        """Redraw the line (terminal only; e.g. to tick the elapsed time)."""
        self.status.show(self.counts())

    def close(self) -> None:
        """Leave the final counts as a line of their own on a terminal (elsewhere the last job's line says it)."""
        if self.tty:
            self.status.close(last=self.line())
        else:
            self.status.close()
