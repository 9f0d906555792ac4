"""Property values checked per column before anything is stored: one value per cell, text of
a bounded length (numbers ≥ 0 are checked where CBS figures are parsed, :mod:`geo.read.cbs`).

GeoJSON properties may hold arrays and objects (``"category": ["huisarts", "apotheek"]``,
``"id": {"a": 1}``); the columns a reader uses take one value each. Text (ids, codes, names,
addresses) is at most ``max_text_chars`` characters (:class:`~geo.read.limits.Limits`): a 10 MB
name would be stored, served by every ``/lookup`` and drawn in every map. Each cell at fault
is recorded in the reader's :class:`~geo.read.checks.Problems` with its row and the reason, and
then counts as missing, so that later checks of the same column do not trip over it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from geo.errors import ValueProblemError
from geo.read.checks import Problems, describe
from geo.read.limits import Limits

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


def one_value_per_cell(
    frame: pd.DataFrame, columns: Sequence[str], problems: Problems, *, code: str | None = None
) -> pd.DataFrame:
    """``frame`` with lists and mappings in ``columns`` recorded (:func:`single_values`) and
    made missing; ``code`` names the column whose values name the features in messages."""
    ids = _labels(frame, code)
    result = frame
    for column in columns:
        if column in frame and structured(frame[column]).any():
            result = result.copy() if result is frame else result
            result[column] = single_values(frame[column], ids, problems, column=column)
    return result


def check_text_lengths(
    frame: pd.DataFrame, columns: Sequence[str], ids: pd.Series, problems: Problems, limits: Limits
) -> None:
    """Record text cells of ``columns`` longer than ``limits.max_text_chars`` characters."""
    most = limits.max_text_chars
    for column in columns:
        if column not in frame:
            continue
        lengths = frame[column].map(lambda v: len(v) if isinstance(v, str) else 0)
        long = (lengths > most).astype(bool)
        if not long.any():
            continue
        problems.add_mask(
            ValueProblemError,
            f"column {column!r} holds text longer than {most:,} characters on rows "
            f"{describe(long[long].index)} (WSZ_MAX_TEXT_CHARS)",
            long,
            ids,
            lengths.map(lambda n, c=column: f"column {c!r}: {n:,} characters; at most {most:,}"),
        )


def _labels(frame: pd.DataFrame, code: str | None) -> pd.Series:
    if code is None or code not in frame:
        return pd.Series(dtype="string")
    values = frame[code]
    return values.where(~structured(values), None).astype("string")
