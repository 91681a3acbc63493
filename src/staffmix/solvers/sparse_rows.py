"""A sparse model's constraint rows, collected family by family as COO triplets with their bounds.

The core's matrix (core/matrix.py and its row-family modules) and the LP that
answers deferrable work early (solvers/answer_early.py) both build their models this way;
this module sits below both, so neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = ["Block", "RowFamilies"]


@dataclass
class Block:
    """A contiguous range of columns (or rows): `start` and `size`."""

    start: int
    size: int

    @property
    def stop(self) -> int:
        return self.start + self.size

    @property
    def slice(self) -> slice:
        return slice(self.start, self.stop)

    def idx(self) -> np.ndarray:
        return np.arange(self.start, self.stop)


class RowFamilies:
    """Rows added a family at a time (`family` returns its first row), coefficients as COO triplets (`coef`)."""

    def __init__(self) -> None:
        self.n = 0
        self.r: list[np.ndarray] = []
        self.c: list[np.ndarray] = []
        self.v: list[np.ndarray] = []
        self.lo: list[np.ndarray] = []
        self.hi: list[np.ndarray] = []
        self.blocks: dict[str, Block] = {}

    def family(self, name: str, n: int, lo, hi) -> int:
        """`n` rows named `name`, with bounds `lo` <= row <= `hi` (scalars or arrays); returns the first row."""
        start = self.n
        self.blocks[name] = Block(start, n)
        self.lo.append(np.broadcast_to(np.asarray(lo, dtype=float), (n,)).copy())
        self.hi.append(np.broadcast_to(np.asarray(hi, dtype=float), (n,)).copy())
        self.n += n
        return start

    def coef(self, rows, cols, vals) -> None:
        """Coefficients `vals` (a scalar or one per entry) at (`rows`, `cols`); repeated entries add up."""
        rows = np.asarray(rows, dtype=np.int64)
        self.r.append(rows)
        self.c.append(np.asarray(cols, dtype=np.int64))
        self.v.append(np.broadcast_to(np.asarray(vals, dtype=float), rows.shape).copy())

    def matrix(self, n_cols: int) -> sp.csc_matrix:
        """The rows as one CSC matrix of `n_cols` columns, repeated entries summed."""
        r = np.concatenate(self.r) if self.r else np.zeros(0, np.int64)
        c = np.concatenate(self.c) if self.c else np.zeros(0, np.int64)
        v = np.concatenate(self.v) if self.v else np.zeros(0)
        A = sp.csc_matrix((v, (r, c)), shape=(self.n, n_cols))
        A.sum_duplicates()
        return A

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """The rows' lower and upper bounds, in row order."""
        return (
            np.concatenate(self.lo) if self.lo else np.zeros(0),
            np.concatenate(self.hi) if self.hi else np.zeros(0),
        )
