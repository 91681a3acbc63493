"""The variable registry (model/variables.py): the one list of variable blocks every formulation walks."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import CASES, to_scenario

from staffmix.model.index_sets import build_index
from staffmix.model.plan_values import PlanValues
from staffmix.model.pulp_model import build
from staffmix.model.variables import PLAN_FIELDS, VARIABLES, block_sizes
from staffmix.solvers.core.matrix import build_matrix


def test_block_sizes_of_a_tiny_instance_counted_by_hand() -> None:
    """vendor_capacity: 3 periods x 2 queues routed per period, each to the team or the one vendor (both speak
    en, both open all day): 12 routing binaries; one group, one vendor, one week; hard service level, no
    deferrable work, no day-measured queue: nothing soft, deferrable or stepped."""
    ix = build_index(to_scenario(CASES["vendor_capacity"]))
    sizes = block_sizes(ix)
    assert sizes["z"] == 3 * 2 * 2
    assert (sizes["heads"], sizes["y"], sizes["billed"]) == (1, 1, 1)
    assert sizes["a"] == 3 * 2  # one pair per queue-period the team may cover
    for name in ("unserved", "u", "late", "level", "handled", "backlog", "dropped", "within", "on_time"):
        assert sizes[name] == 0, name


@pytest.mark.parametrize("case", ["vendor_capacity", "headcount", "take_or_pay"])
def test_both_formulations_hold_every_block_with_its_bounds(case: str) -> None:
    """The core's columns and the PuLP variables are the registry's blocks, block for block, with the same bounds."""
    ix = build_index(to_scenario(CASES[case]))
    m = build_matrix(ix)
    _prob, var = build(ix)
    assert list(m.cols) == [b.name for b in VARIABLES]
    for b in VARIABLES:
        lo, hi, integer = b.columns(ix)
        names = b.names(ix)
        assert len(names) == len(set(names)) == b.size(ix) == m.cols[b.name].size == len(var.blocks[b.name])
        pulp_lo = np.array([v.lowBound for v in var.blocks[b.name]], dtype=float)
        pulp_hi = np.array([np.inf if v.upBound is None else v.upBound for v in var.blocks[b.name]], dtype=float)
        np.testing.assert_array_equal(pulp_lo, lo)
        np.testing.assert_array_equal(pulp_hi, hi)
        np.testing.assert_array_equal(m.col_lo[m.col(b.name)], lo)
        np.testing.assert_array_equal(m.integer[m.col(b.name)], integer)
    heads = var.blocks["heads"][0]
    group = ix.scenario.config.groups[0]
    assert (heads.lowBound, heads.upBound) == (group.min_headcount, group.max_headcount)


def test_plan_values_has_a_field_per_kept_block_and_no_other() -> None:
    assert PLAN_FIELDS == ("z", "unserved", "x", "a", "u", "heads", "y", "billed", "level_extra", "handled",
                           "backlog", "dropped", "within", "on_time")
    values = PlanValues(z=[1.0, 0.0])
    assert values.z.tolist() == [1.0, 0.0] and values.handled.shape == (0,) and values.billed.shape == (0, 0)
    assert values.replace(x=[2.0]).x.tolist() == [2.0] and values.x.shape == (0,)
    with pytest.raises(TypeError, match="no field late"):
        PlanValues(late=[1.0])
    with pytest.raises(AttributeError):
        values.z = np.zeros(2)  # type: ignore[misc]  # the assignment must fail: PlanValues is frozen
