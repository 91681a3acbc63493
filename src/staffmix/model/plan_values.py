"""A plan's variable values, aligned to the index sets: what every backend fills and the plan read-back reads.

Its fields are the blocks of the variable registry (model/variables.py) that a plan keeps, so a new
variable gains its field there, not here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from staffmix.model.index_sets import IndexSets
from staffmix.model.variables import PLAN_FIELDS, VARIABLES


class PlanValues:
    """A plan's variable values, aligned to the index sets (model/index_sets.py; docs/model.md names the variables).

    One float array per block of `model.variables.VARIABLES` with a `plan_field`, read as an attribute
    (`values.z`, `values.handled`, ...): each is what its block's `meaning` says, one value per column,
    except `billed`, shaped (vendors, weeks), and `level_extra`, the agents above the lowest level per
    requirement row with level steps (IndexSets.step_rows). A field not given is empty.
    """

    __slots__ = ("_values",)
    _values: dict[str, np.ndarray]

    def __init__(self, **values: Any) -> None:
        unknown = sorted(set(values) - set(PLAN_FIELDS))
        if unknown:
            raise TypeError(f"PlanValues has no field {', '.join(unknown)}; its fields are {', '.join(PLAN_FIELDS)}")
        empty = {"billed": np.zeros((0, 0))}
        object.__setattr__(self, "_values", {
            f: np.asarray(values[f], dtype=float) if f in values else empty.get(f, np.zeros(0)) for f in PLAN_FIELDS
        })

    def __getattr__(self, name: str) -> np.ndarray:
        try:
            return object.__getattribute__(self, "_values")[name]
        except KeyError:
            raise AttributeError(f"PlanValues has no field {name!r}") from None

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("PlanValues is frozen; use .replace(...)")

    def __repr__(self) -> str:
        return "PlanValues(" + ", ".join(f"{f}=<{v.shape}>" for f, v in self._values.items()) + ")"

    def replace(self, **changes: Any) -> PlanValues:
        """A copy with the given fields replaced."""
        return PlanValues(**{**self._values, **changes})

    @classmethod
    def from_blocks(cls, ix: IndexSets, block: Callable[[str], np.ndarray], level_extra: np.ndarray) -> PlanValues:
        """The plan from each block's values (`block(name)`, one per column, in the block's order), for every
        block the registry keeps in the plan; the level steps come as `level_extra` (each formulation has its own)."""
        values: dict[str, np.ndarray] = {}
        for b in VARIABLES:
            if b.plan_field is None:
                continue
            if b.name == "level":
                values[b.plan_field] = level_extra
            elif b.name == "billed":
                values[b.plan_field] = np.asarray(block(b.name), dtype=float).reshape(len(ix.vendors), ix.n_weeks)
            else:
                values[b.plan_field] = block(b.name)
        return cls(**values)
