"""Vendor contract choices: the few y binaries that make the monolithic MIP slow.

With V vendors there are 2^V choices (fewer under `max_vendors`). With the
choice fixed, the rest of the model is much easier, so the core enumerates
them: each is scored by its LP relaxation, warm-started from the previous
choice's basis (only the y bounds change). The least LP value over all
choices is a valid lower bound of the MIP, and the order of the scores is the
order in which choices are tried.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

import numpy as np

from staffmix.solvers import highs as hx
from staffmix.solvers.core.matrix import CoreModel

MAX_CHOICES = 64  # beyond 6 vendors the y binaries stay in the MIP instead


@dataclass
class Choice:
    y: np.ndarray  # 0/1 per vendor (scenario order)
    lp: float  # LP relaxation with y fixed (inf: infeasible)
    lp_x: np.ndarray | None = None

    @property
    def label(self) -> str:
        return "".join(str(int(b)) for b in self.y) or "-"


def choices(m: CoreModel) -> list[np.ndarray] | None:
    """Every contract vector allowed by max_vendors, or None when there are too many to enumerate."""
    V = m.cols["y"].size
    if 2**V > MAX_CHOICES:
        return None
    max_v = m.index.scenario.config.policy.max_vendors
    out = [np.array(bits, dtype=float) for bits in itertools.product([0, 1], repeat=V)]
    if max_v is not None:
        out = [y for y in out if y.sum() <= max_v]
    return out


def score(m: CoreModel, ys: list[np.ndarray], threads: int | None, deadline: float | None) -> list[Choice]:
    """LP relaxation of the full model for every contract vector, best first (ties: fewer vendors first)."""
    h = hx.model_highs(m, threads, relax=True)
    by = m.cols["y"]
    idx = np.arange(by.start, by.stop, dtype=np.int32)
    out = []
    for y in ys:
        if len(idx):
            h.changeColsBounds(len(idx), idx, y, y)
        left = None if deadline is None else max(deadline - time.perf_counter(), 1e-3)
        ans = hx.run(h, solver="simplex", time_limit=left)
        if ans.status == "optimal":
            out.append(Choice(y, ans.value, ans.solution))
        elif ans.status == "infeasible":
            out.append(Choice(y, np.inf, None))
        else:  # out of time: unscored, so it bounds nothing; keep it last
            out.append(Choice(y, -np.inf, None))
    out.sort(key=lambda c: (c.lp == -np.inf, c.lp, c.y.sum(), tuple(c.y)))
    return out
