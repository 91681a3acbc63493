"""Values as json.dumps writes them: numpy scalars as Python numbers, NaN and infinities as null.

Job records, summary rows and simulation summaries hold numbers straight from
pandas and numpy; JSON has no NaN and json.dumps does not know numpy types.
"""

from __future__ import annotations

import math
from typing import Any


def jsonable(obj: Any) -> Any:
    """`obj` with dict keys as text, tuples as lists, numpy scalars as Python values and NaN / inf as None
    (recursively)."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        try:
            obj = obj.item()
        except (TypeError, ValueError):
            pass
    if isinstance(obj, float) and (math.isnan(obj) or math.isinf(obj)):
        return None
    return obj
