"""The base of every scenario model: frozen, strict about fields, and never copied into an invalid state.

pydantic's `model_copy(update=...)` validates nothing: `vendor.model_copy(
update={"rate_per_hour": -5})` would give a vendor no scenario.yaml may hold,
and a solve would take it. `FrozenModel.model_copy` validates the updated
copy like a model read from YAML, and raises ScenarioError naming each bad
field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from staffmix.errors import ScenarioError

__all__ = ["FrozenModel"]


class FrozenModel(BaseModel):
    """A frozen pydantic model that refuses unknown fields and NaN, and whose copies are validated."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", use_attribute_docstrings=True, allow_inf_nan=False
    )

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy; with `update`, validated like the rest (pydantic's own model_copy takes `rate_per_hour=-5`
        unchecked).

        Raises ScenarioError naming each bad field. Rules across tables are
        checked when the configuration becomes a Scenario's
        (`Scenario.model_copy`, `Scenario.with_changes`, `staffmix.validate`).
        """
        if not update:
            return super().model_copy(deep=deep)
        fields = {name: getattr(self, name) for name in type(self).model_fields}
        try:
            return type(self).model_validate({**fields, **update})
        except ValidationError as e:
            raise ScenarioError([_copy_problem(type(self).__name__, err) for err in e.errors()]) from None


def _copy_problem(model: str, err: Any) -> str:
    where = ".".join(str(k) for k in err.get("loc", ()))
    msg = str(err.get("msg", "")).removeprefix("Value error, ")
    if err.get("type") == "extra_forbidden":
        msg = "unknown field"
    got = (
        ""
        if isinstance(err.get("input"), (dict, list, BaseModel)) or err.get("type") == "extra_forbidden"
        else f" (got {err.get('input')!r})"
    )
    return f"{model}.model_copy: {where + ': ' if where else ''}{msg}{got}"
