"""What the command line shows while it works: the solve's progress and the simulation's replications, on stderr.

On a terminal one line is rewritten in place (staffmix.util.terminal, with tqdm):
the phase, the best plan's cost and the bound found so far, the gap and the
elapsed time, ticking every half second while a solver runs. In a pipe or a
log, one line per phase and one at the end. `--quiet` turns both off; stdout
(the summary, or the JSON of --json) never carries progress.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

from staffmix.util.solve_progress import SolveProgress
from staffmix.util.terminal import StatusLine

TICK_S = 0.5
"""How often the elapsed time is redrawn on a terminal while nothing else happens."""


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


def _money(value: float | None, currency: str | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.2f}" + (f" {currency}" if currency else "")


class SolveDisplay:
    """Draws a solve's progress events; call it with each event (it is the `progress` of `staffmix.solve`), then
    `close()`."""

    def __init__(
        self, name: str, currency: str | None = None, enabled: bool = True, stream: TextIO | None = None
    ) -> None:
        self.name = name
        self.currency = currency
        self.status = StatusLine(stream if stream is not None else sys.stderr, enabled=enabled)
        self.enabled = enabled
        self.event = SolveProgress("phase", "starting", 0.0)
        self._started = time.perf_counter()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._ticker: threading.Thread | None = None
        if self.status.tty:  # the solver may say nothing for a minute: the clock keeps moving
            self._ticker = threading.Thread(target=self._tick, name="staffmix-progress", daemon=True)
            self._ticker.start()

    def text(self, elapsed_s: float | None = None) -> str:
        """The progress as one line: scenario, phase (and what it does), best cost, bound, gap, elapsed time."""
        e = self.event
        parts = [f"solving {self.name}: {e.phase}" + (f" ({e.detail})" if e.detail and e.phase != "done" else "")]
        if e.objective is not None or e.bound is not None:
            parts.append(f"best {_money(e.objective, self.currency)}")
            parts.append(f"bound {_money(e.bound, self.currency)}")
            if e.gap is not None:
                parts.append(f"gap {e.gap:.2%}")
        parts.append(_clock(e.elapsed_s if elapsed_s is None else elapsed_s))
        return " | ".join(parts)

    def __call__(self, event: SolveProgress) -> None:
        with self._lock:
            self.event = event
            if self.status.tty:
                self.status.show(self.text())
            elif event.event in ("phase", "done"):
                self.status.print(self.text())  # no "staffmix:" prefix: that marks errors

    def _tick(self) -> None:
        while not self._stop.wait(TICK_S):
            with self._lock:
                self.status.show(self.text(time.perf_counter() - self._started))

    def close(self) -> None:
        """Stop the clock and clear the line (the summary follows)."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        with self._lock:
            self.status.close()


class ReplicationDisplay:
    """The simulation's replications done, as a bar on a terminal or one line each elsewhere (simulate's `progress`)."""

    def __init__(self, enabled: bool = True, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.status: StatusLine | None = None
        self.shown = 0

    def __call__(self, done: int, total: int, elapsed_s: float) -> None:
        if not self.enabled:
            return
        if self.status is None:
            self.status = StatusLine(self.stream, total=total)
        text = f"simulate: replication {done}/{total} done ({elapsed_s:.1f} s)"
        if self.status.tty:
            self.status.advance(done - self.shown, f"replications, {_clock(elapsed_s)}")
            self.shown = done
        else:
            self.status.print(text)

    def close(self) -> None:
        if self.status is not None:
            self.status.close()
