"""A plan's variable values, aligned to the index sets: what every backend fills and the plan read-back reads."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class PlanValues:
    """A plan's variable values, aligned to the index sets (model/index_sets.py; docs/model.md names the variables).

    z: one per routing decision, in the order of (IndexSets.z_slot, z_prov);
    unserved: one per routing slot (soft service level; else empty);
    x: shifts started, one per shift start; a: productive in-house agents,
    one per assignment pair (a_cover, a_group); u: shortfall, one per cover
    row (soft; else empty); heads: one per group; y: contract, one per
    vendor (scenario order); billed: (vendors, weeks) billed hours or contacts;
    level_extra: agents above the lowest level, one per requirement row with
    level steps (IndexSets.step_rows; queues measured per day or week).
    Deferrable work (IndexSets.deferred): handled, one per handling column;
    backlog, one per deferrable queue and period; dropped (unanswered, soft
    only), within and on_time (share target only), one per their columns.
    """

    z: np.ndarray
    unserved: np.ndarray
    x: np.ndarray
    a: np.ndarray
    u: np.ndarray
    heads: np.ndarray
    y: np.ndarray
    billed: np.ndarray
    level_extra: np.ndarray = field(default_factory=lambda: np.zeros(0))
    handled: np.ndarray = field(default_factory=lambda: np.zeros(0))
    backlog: np.ndarray = field(default_factory=lambda: np.zeros(0))
    dropped: np.ndarray = field(default_factory=lambda: np.zeros(0))
    within: np.ndarray = field(default_factory=lambda: np.zeros(0))
    on_time: np.ndarray = field(default_factory=lambda: np.zeros(0))
