"""The model's variables, declared once: every block's name, length, bounds, integrality, names and meaning.

Three places used to keep this list by hand: the reference PuLP model's
`Variables` (model/pulp_model.py), the column blocks of the core's sparse
matrix (solvers/core/matrix.build_matrix) and the plan's values
(`PlanValues`, model/plan_values.py, cut from a solution vector by
solvers/core/plan.plan_values). Each now walks `VARIABLES`, so a new
variable is one `VariableBlock` here (docs/architecture.md, "Where a new
constraint family goes"). The order of `VARIABLES` is the order of the
core's columns and of the PuLP model's variables; keeping it keeps both
models identical.

What is not declared here is how a formulation uses its variables: the
rows (pulp_model.add_* and core/matrix._add_*), the cost of a column (once,
for both models and the cost table: model/objective.py), and bounds a
family tightens later (a day-measured queue's shortfall fixed at 0, a vendor
routing column the core closes where one queue-period exceeds its capacity).
The level choices of day- and week-measured queues are the one block whose
columns the core formulates its own way (solvers/core/levels.py); the plan
keeps of it the agents above the lowest level per row with level steps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from staffmix.model.index_sets import IndexSets

INF = float("inf")


@dataclass(frozen=True)
class VariableBlock:
    """One block of variables, aligned to an index set.

    `size(ix)` columns; `lower(ix)`/`upper(ix)`/`integer(ix)` one value per
    column (binary is integer within [0, 1]); `names(ix)` one name per column
    (the PuLP model's variable names, so its MPS file reads like the
    mathematics); `plan_field` the field of `PlanValues` that holds the
    block's values (None: the plan keeps none); `share_target`: the block
    exists only while deferrable share targets are modelled (the core solves
    without them first, solvers/core/share_later.py)."""

    name: str
    meaning: str
    size: Callable[[IndexSets], int]
    lower: Callable[[IndexSets], np.ndarray]
    upper: Callable[[IndexSets], np.ndarray]
    integer: Callable[[IndexSets], np.ndarray]
    names: Callable[[IndexSets], list[str]]
    plan_field: str | None
    share_target: bool = False

    def columns(self, ix: IndexSets) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(lower, upper, integer) of every column, as float, float and bool arrays of length size(ix)."""
        n = self.size(ix)
        lo = np.broadcast_to(np.asarray(self.lower(ix), dtype=float), (n,)).copy()
        hi = np.broadcast_to(np.asarray(self.upper(ix), dtype=float), (n,)).copy()
        integer = np.broadcast_to(np.asarray(self.integer(ix), dtype=bool), (n,)).copy()
        return lo, hi, integer


def _zero(ix: IndexSets) -> np.ndarray:
    return np.zeros(1)


def _one(ix: IndexSets) -> np.ndarray:
    return np.ones(1)


def _inf(ix: IndexSets) -> np.ndarray:
    return np.full(1, INF)


def _yes(ix: IndexSets) -> np.ndarray:
    return np.ones(1, dtype=bool)


def _no(ix: IndexSets) -> np.ndarray:
    return np.zeros(1, dtype=bool)


def _label(ix: IndexSets, r: int) -> str:
    """queue_period of requirement row r, for variable names."""
    return f"{ix.queues[ix.r_queue[r]]}_{ix.r_period[r]}"


def _deferred_queue_ids(ix: IndexSets) -> list[str]:
    return [ix.queues[c] for c in ix.deferred.queue.tolist()]


def _z_names(ix: IndexSets) -> list[str]:
    return [f"z_{s}_{ix.providers[p]}" for s, p in zip(ix.z_slot.tolist(), ix.z_prov.tolist(), strict=True)]


def _x_names(ix: IndexSets) -> list[str]:
    s = ix.starts
    return [f"x_{g}_{t}_{p}" for g, t, p in zip(s["group"], s["template"], s["start_period"], strict=True)]


def _a_names(ix: IndexSets) -> list[str]:
    return [
        f"a_{ix.groups[g]}_{_label(ix, ix.cover_req[c])}"
        for c, g in zip(ix.a_cover.tolist(), ix.a_group.tolist(), strict=True)
    ]


def _level_names(ix: IndexSets) -> list[str]:
    step = np.arange(len(ix.step_req)) - np.searchsorted(ix.step_req, ix.step_req) + 1  # k-th agent above the lowest
    return [
        f"level_{_label(ix, r)}_{ix.providers[ix.r_prov[r]]}_{k}"
        for r, k in zip(ix.step_req.tolist(), step.tolist(), strict=True)
    ]


def _handled_names(ix: IndexSets) -> list[str]:
    D = ix.deferred
    q = _deferred_queue_ids(ix)
    handler = [
        ix.groups[g] if g >= 0 else ix.providers[p] for g, p in zip(D.h_group.tolist(), D.h_prov.tolist(), strict=True)
    ]
    return [f"handled_{q[d]}_{t}_{j}" for d, t, j in zip(D.h_queue.tolist(), D.h_period.tolist(), handler, strict=True)]


def _backlog_names(ix: IndexSets) -> list[str]:
    D = ix.deferred
    q = _deferred_queue_ids(ix)
    return [f"backlog_{q[d]}_{t}" for d in range(D.n_queues) for t in range(D.n_periods)]


def _per_arrival_names(prefix: str, queue: Callable[[IndexSets], np.ndarray],
                       period: Callable[[IndexSets], np.ndarray]) -> Callable[[IndexSets], list[str]]:
    def names(ix: IndexSets) -> list[str]:
        q = _deferred_queue_ids(ix)
        return [f"{prefix}_{q[d]}_{t}" for d, t in zip(queue(ix).tolist(), period(ix).tolist(), strict=True)]

    return names


VARIABLES: tuple[VariableBlock, ...] = (
    VariableBlock(
        "z",
        "routing binary per routing decision: slot (IndexSets.z_slot) taken by eligible provider (z_prov)",
        lambda ix: len(ix.z_slot),
        _zero,
        _one,
        _yes,
        _z_names,
        "z",
    ),
    VariableBlock(
        "unserved",
        "binary per slot: nobody takes it (soft service level only)",
        lambda ix: ix.n_slots if ix.soft else 0,
        _zero,
        _one,
        _yes,
        lambda ix: [f"unserved_{s}" for s in range(ix.n_slots)] if ix.soft else [],
        "unserved",
    ),
    VariableBlock(
        "x",
        "shifts started, per shift start (IndexSets.starts)",
        lambda ix: len(ix.starts),
        _zero,
        _inf,
        _yes,
        _x_names,
        "x",
    ),
    VariableBlock(
        "a",
        "productive in-house agents, per assignment pair (IndexSets.a_cover, a_group)",
        lambda ix: len(ix.a_group),
        _zero,
        _inf,
        _no,
        _a_names,
        "a",
    ),
    VariableBlock(
        "u",
        "agent shortfall per cover row (IndexSets.cover_req; soft service level only)",
        lambda ix: len(ix.cover_req) if ix.soft else 0,
        _zero,
        _inf,
        _no,
        lambda ix: [f"u_{_label(ix, r)}" for r in ix.cover_req.tolist()] if ix.soft else [],
        "u",
    ),
    VariableBlock(
        "heads",
        "headcount per in-house group, within its minimum and maximum",
        lambda ix: len(ix.groups),
        lambda ix: np.array([g.min_headcount for g in ix.scenario.config.groups], dtype=float),
        lambda ix: np.array(
            [INF if g.max_headcount is None else g.max_headcount for g in ix.scenario.config.groups], dtype=float
        ),
        _yes,
        lambda ix: [f"heads_{g.id}" for g in ix.scenario.config.groups],
        "heads",
    ),
    VariableBlock(
        "y",
        "contract binary per vendor (scenario order)",
        lambda ix: len(ix.vendors),
        _zero,
        _one,
        _yes,
        lambda ix: [f"y_{v.id}" for v in ix.scenario.config.vendors],
        "y",
    ),
    VariableBlock(
        "billed",
        "billed hours or contacts per vendor and week (vendor-major: vendor x n_weeks + week)",
        lambda ix: len(ix.vendors) * ix.n_weeks,
        _zero,
        _inf,
        _no,
        lambda ix: [f"billed_{v.id}_{w}" for v in ix.scenario.config.vendors for w in range(ix.n_weeks)],
        "billed",
    ),
    VariableBlock(
        "level",
        "one agent above the lowest level, per level step (IndexSets.step_req; queues measured per day or "
        "week); the plan keeps the agents above the lowest level per row with steps (IndexSets.step_rows)",
        lambda ix: len(ix.step_req),
        _zero,
        _one,
        _yes,
        _level_names,
        "level_extra",
    ),
    VariableBlock(
        "late",
        "contacts short of a service group's target (IndexSets.sg_queue; soft service level only)",
        lambda ix: len(ix.sg_queue) if ix.soft else 0,
        _zero,
        _inf,
        _no,
        lambda ix: (
            [f"late_{ix.queues[q]}_{label}" for q, label in zip(ix.sg_queue.tolist(), ix.sg_label, strict=True)]
            if ix.soft
            else []
        ),
        None,
    ),
    VariableBlock(
        "handled",
        "deferrable contacts handled per handling column (IndexSets.deferred h_queue, h_period, handler), "
        "at most those waiting",
        lambda ix: len(ix.deferred.h_queue),
        _zero,
        lambda ix: ix.deferred.waiting_max[ix.deferred.h_queue, ix.deferred.h_period],
        _no,
        _handled_names,
        "handled",
    ),
    VariableBlock(
        "backlog",
        "deferrable contacts waiting per queue and period (queue-major), at most the deadline allows",
        lambda ix: ix.deferred.n_backlog,
        _zero,
        lambda ix: ix.deferred.backlog_max.reshape(-1),
        _no,
        _backlog_names,
        "backlog",
    ),
    VariableBlock(
        "dropped",
        "deferrable contacts left unanswered per arrival column (e_queue, e_period; soft only)",
        lambda ix: len(ix.deferred.e_queue),
        _zero,
        lambda ix: ix.deferred.arrived[ix.deferred.e_queue, ix.deferred.e_period],
        _no,
        _per_arrival_names("dropped", lambda ix: ix.deferred.e_queue, lambda ix: ix.deferred.e_period),
        "dropped",
    ),
    VariableBlock(
        "within",
        "contacts arrived in a period answered within the target time (w_queue, w_period)",
        lambda ix: len(ix.deferred.w_queue),
        _zero,
        lambda ix: ix.deferred.arrived[ix.deferred.w_queue, ix.deferred.w_period],
        _no,
        _per_arrival_names("within", lambda ix: ix.deferred.w_queue, lambda ix: ix.deferred.w_period),
        "within",
        share_target=True,
    ),
    VariableBlock(
        "on_time",
        "binary per within column: its arrivals may count as on time (fixed at 1, continuous, where "
        "nothing can wait before them: w_big_m = 0)",
        lambda ix: len(ix.deferred.w_queue),
        lambda ix: np.where(ix.deferred.w_big_m > 0, 0.0, 1.0),
        _one,
        lambda ix: ix.deferred.w_big_m > 0,
        _per_arrival_names("on_time", lambda ix: ix.deferred.w_queue, lambda ix: ix.deferred.w_period),
        "on_time",
        share_target=True,
    ),
)
"""Every variable block, in the order of the core's columns."""

BY_NAME: dict[str, VariableBlock] = {b.name: b for b in VARIABLES}

PLAN_FIELDS: tuple[str, ...] = tuple(b.plan_field for b in VARIABLES if b.plan_field is not None)
"""The fields of `PlanValues`, in block order."""


def block_sizes(ix: IndexSets, share_target: bool = True) -> dict[str, int]:
    """Columns of each block; `share_target=False` leaves out the blocks of deferrable share targets."""
    return {b.name: b.size(ix) if share_target or not b.share_target else 0 for b in VARIABLES}


__all__ = ["BY_NAME", "PLAN_FIELDS", "VARIABLES", "VariableBlock", "block_sizes"]
