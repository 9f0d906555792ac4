"""Text folding, column finding and number parsing: one way of each for every reader.

>>> strip_accents("Café Curaçao")
'Cafe Curacao'
>>> fold_text("Café-Plein 3")
'cafe plein 3'
>>> column_key("  Aantal   Inwoners ")
'aantal inwoners'
>>> find_column(["BU_CODE", "Perioden", "AantalInwoners_5"], ["aantalinwoners"])
'AantalInwoners_5'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

_COMBINING_MARKS = r"[\u0300-\u036f]"


def strip_accents(text: str) -> str:
    """``text`` without diacritics (NFKD, combining marks dropped); case kept."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def strip_accents_series(values: pd.Series) -> pd.Series:
    """:func:`strip_accents` for a column of text (missing → ``""``), vectorised."""
    text = values.astype("string").fillna("")
    return text.str.normalize("NFKD").str.replace(_COMBINING_MARKS, "", regex=True)


def fold_text(text: str) -> str:
    """Lower case without accents, every run of other characters one space (``"Café-Plein 3"``
    → ``"cafe plein 3"``): how free text is compared."""
    return re.sub(r"[^a-z0-9]+", " ", strip_accents(text).lower()).strip()


def column_key(name: object) -> str:
    """Lower case with runs of white space collapsed: how column names are compared."""
    return re.sub(r"\s+", " ", str(name)).strip().lower()


def _last_segment(name: str) -> str:
    return column_key(name.rsplit("/", 1)[-1])


def _without_odata_suffix(name: str) -> str:
    return column_key(re.sub(r"_\d+$", "", name))


_COLUMN_KEYS: tuple[Callable[[str], str], ...] = (column_key, _last_segment, _without_odata_suffix)


def find_column(columns: Iterable[object], candidates: Iterable[str]) -> str | None:
    """The first column matching a candidate (case and spacing ignored): by full name, then by
    the last segment of a StatLine path header (when unique), then without an OData
    ``_<number>`` suffix (``AantalInwoners_5``)."""
    names = [str(c) for c in columns]
    wanted = [column_key(c) for c in candidates]
    for key_of in _COLUMN_KEYS:
        keyed: dict[str, list[str]] = {}
        for name in names:
            keyed.setdefault(key_of(name), []).append(name)
        for key in wanted:
            if len(keyed.get(key, ())) == 1:
                return keyed[key][0]
    return None


def decimal_numbers(values: pd.Series) -> pd.Series:
    """Text to floats, decimal commas understood (``"52,03"`` → 52.03); anything that is not a
    finite number becomes NaN. Numbers pass through as floats."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.astype(float)
    else:
        text = values.astype("string").str.strip()
        comma = text.str.fullmatch(r"[-+]?\d+,\d+").fillna(False).astype(bool)
        text = text.mask(comma, text.str.replace(",", ".", regex=False))
        numbers = pd.to_numeric(text.astype(object), errors="coerce").astype(float)
    return numbers.where(np.isfinite(numbers))


def fold_keys(values: pd.Series) -> pd.Series:
    """Search keys of a text column: lower case, accents removed, only a–z and 0–9 kept
    (``"'s-Gravenweg"`` → ``"sgravenweg"``); missing → ``""``."""
    text = strip_accents_series(values).str.lower()
    return text.str.replace(r"[^a-z0-9]", "", regex=True).astype(str)


def fold_words(values: pd.Series) -> pd.Series:
    """Like :func:`fold_keys`, with words kept apart by one space (``"Prof. Evertslaan"`` →
    ``"prof evertslaan"``)."""
    text = strip_accents_series(values).str.lower()
    return text.str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip().astype(str)
