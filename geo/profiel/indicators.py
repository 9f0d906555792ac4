"""The gemeente's own indicators: a CSV of figures per area and year, with targets.

Columns (Dutch or English names; case ignored): ``area_code`` (gebied: a BU, WK or GM code or a
zone code), ``name`` (indicator), ``year`` (jaar), ``value`` (waarde, *werkelijk*), ``unit``
(eenheid), ``target`` (prognose, streefwaarde; optional), ``source`` (informatiebron, e.g.
"burgerpeiling 2023") and an optional ``theme`` (thema, one of
:data:`geo.read.statistics.THEMES`). Every row is checked before anything is stored: unknown
area codes, years or numbers that are not numbers, unknown themes and repeated
(area, name, year) rows are refused together, each with its row number (the file's line).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from geo.common.tables import read_text_table
from geo.common.text import decimal_numbers, find_column
from geo.errors import MissingColumnError, ValueProblemError
from geo.read.statistics import THEMES

COLUMNS: dict[str, tuple[str, ...]] = {
    "area_code": ("area_code", "code", "gebied", "gebiedscode", "area"),
    "name": ("name", "indicator", "naam"),
    "year": ("year", "jaar"),
    "value": ("value", "waarde", "werkelijk"),
    "unit": ("unit", "eenheid"),
    "target": ("target", "prognose", "streefwaarde", "doel"),
    "source": ("source", "informatiebron", "bron"),
    "theme": ("theme", "thema"),
}
REQUIRED = ("area_code", "name", "year", "value", "source")


def read_indicators(
    path: Path, known_codes: Iterable[str], *, where: str | None = None
) -> pd.DataFrame:
    """The indicators of ``path`` (columns of :data:`COLUMNS`), every row checked against
    ``known_codes``; raises one :class:`ValueProblemError` naming every row at fault."""
    where = where or Path(path).name
    raw = read_text_table(Path(path), where=where)
    found = {c: find_column(raw.columns, names) for c, names in COLUMNS.items()}
    missing = [c for c in REQUIRED if found[c] is None]
    if missing:
        raise MissingColumnError(
            f"{where}: no column for {', '.join(missing)} (columns: area_code, name, year, value, "
            f"unit, target, source, theme); the file has {', '.join(map(str, raw.columns))}"
        )
    text = {c: raw[col].astype("string").str.strip() if col else pd.Series(pd.NA, index=raw.index, dtype="string")  # noqa: E501
            for c, col in found.items()}  # fmt: skip
    frame = pd.DataFrame(text)
    problems: list[str] = []
    line = raw.index + 2  # the header is line 1
    known = set(known_codes)
    unknown = ~frame["area_code"].isin(known)
    problems += [
        f"row {n}: unknown area code {c!r}"
        for n, c in zip(line[unknown], frame["area_code"][unknown], strict=True)
    ]
    for column in ("year", "value", "target"):
        numbers = decimal_numbers(frame[column])
        bad = numbers.isna() & frame[column].notna() & (frame[column] != "")
        if column != "target":
            bad |= frame[column].isna() | (frame[column] == "")
        problems += [
            f"row {n}: {column} {v!r} is not a number"
            for n, v in zip(line[bad], frame[column][bad], strict=True)
        ]
        frame[column] = numbers
    themes = frame["theme"].fillna("").str.lower().str.replace(" ", "_").str.replace("&", "")
    bad_theme = (themes != "") & ~themes.isin(THEMES)
    problems += [
        f"row {n}: theme {t!r} is not one of {', '.join(THEMES)}"
        for n, t in zip(line[bad_theme], frame["theme"][bad_theme], strict=True)
    ]
    frame["theme"] = themes.mask(themes == "", "eigen")
    repeated = frame.duplicated(["area_code", "name", "year"], keep=False) & frame["year"].notna()
    problems += [f"row {n}: {a} {nm!r} {y:.0f} appears more than once" for n, a, nm, y in zip(
        line[repeated], frame["area_code"][repeated], frame["name"][repeated], frame["year"][repeated], strict=True)]  # fmt: skip  # noqa: E501
    if problems:
        raise ValueProblemError(
            f"{where}: {len(problems)} problem(s), nothing stored: " + "; ".join(problems[:50])
        )
    return frame
