"""Property values checked per column before anything is stored: one value per cell.

GeoJSON properties may hold arrays and objects (``"category": ["huisarts", "apotheek"]``,
``"id": {"a": 1}``); the columns a reader uses take one value each. Each cell at fault is
recorded in the reader's :class:`~geo.read.checks.Problems` with its feature and the reason,
and then counts as missing, so that later checks of the same column do not trip over it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.errors import ValueProblemError
from geo.read.checks import Problems, describe

#: Python types a JSON array or object is parsed into (and sets, which GDAL never gives).
STRUCTURED_TYPES = (list, tuple, dict, set)


def structured(values: pd.Series) -> pd.Series:
    """True where a cell holds a list or a mapping (a JSON array or object), not one value."""
    if values.dtype != object:
        return pd.Series(False, index=values.index)
    found = np.fromiter(
        (isinstance(v, STRUCTURED_TYPES) for v in values.to_numpy()), bool, len(values)
    )
    return pd.Series(found, index=values.index)


def single_values(
    values: pd.Series, ids: pd.Series, problems: Problems, *, column: str, hint: str = ""
) -> pd.Series:
    """``values`` with lists and mappings recorded in ``problems`` (one per feature) and
    replaced by missing values. ``hint`` says what to send instead."""
    mask = structured(values)
    if not mask.any():
        return values
    kinds = values[mask].map(lambda v: "an object" if isinstance(v, dict) else "a list")
    reasons = (
        kinds + f" in column {column!r}: one value per feature" + (f" ({hint})" if hint else "")
    )
    problems.add_mask(
        ValueProblemError,
        f"column {column!r} holds a list or object instead of one value on rows "
        f"{describe(mask[mask].index)}" + (f" ({hint})" if hint else ""),
        mask,
        ids,
        reasons,
    )
    return values.where(~mask, None)
