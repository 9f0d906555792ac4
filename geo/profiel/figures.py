"""An area's CBS figures over the years, the gemeente's beside them, and own indicators.

An *area* is a zone, a wijk or the gemeente: a set of buurt codes (those of the store's current
buurten). A year's figure of an area adds its buurten up by the variable's kind
(:class:`geo.read.statistics.Variable`): counts are summed, means and percentages are
resident-weighted means of the buurten (the method says so), crimes per 1000 are recomputed
from the counts. A year in which some of the area's buurt codes have no figure is **not
comparable**: its figure is missing, with the codes named — never a sum over fewer buurten.
For the gemeente, CBS's own gemeente row is used where the table has one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geo.read.statistics import THEMES, Variable
from geo.store.history import History


@dataclass(frozen=True)
class Area:
    """A zone, wijk or gemeente: its code, kind, name, gemeente and buurt codes."""

    code: str
    kind: str
    name: str
    gemeente: str
    buurten: tuple[str, ...]


def _weighted(values: pd.Series, weights: pd.Series) -> float:
    usable = values.notna() & weights.notna() & (weights > 0)
    if usable.any():
        return float(np.average(values[usable], weights=weights[usable]))
    return float(values.mean())


def pivots(history: History) -> dict[int, pd.DataFrame]:
    """Per year, every area's figures: rows area codes (with ``level``), columns variables."""
    values = history.values.astype({"area_code": object, "level": object, "variable": object})
    found = {}
    for year, group in values.groupby("year"):
        # By code alone: pivoting on (code, level) with dropna=False would pair every code
        # with every level (a gemeente row as a buurt and a wijk too).
        table = group.pivot_table(
            index="area_code", columns="variable", values="value", aggfunc="first",
            dropna=False,
        )  # fmt: skip
        table.insert(0, "level", group.groupby("area_code")["level"].first())
        found[int(year)] = table
    return found


def year_figure(
    table: pd.DataFrame, year: int, variable: Variable, codes: tuple[str, ...]
) -> tuple[float | None, str]:
    """The figure of ``codes`` (buurten) in ``year`` (``table``: :func:`pivots`) and how it
    was made, or why it is missing."""
    buurten = table[table["level"] == "buurt"]
    if variable.code not in buurten or buurten[variable.code].isna().all():
        return None, f"no {variable.code} in {year}"
    mine = buurten[variable.code]
    absent = [c for c in codes if c not in mine.index]
    if absent:
        return None, (
            f"not comparable: {len(absent)} buurt code(s) of this area have no figure in "
            f"{year} ({', '.join(absent[:5])})"
        )
    here = mine.reindex(list(codes))
    if here.isna().all():
        return None, f"CBS gives no figure for these buurten in {year}"
    if "residents" in buurten:
        weights = buurten["residents"].reindex(list(codes))
    else:
        weights = pd.Series(np.nan, index=list(codes))
    if variable.kind == "count":
        suppressed = int(here.isna().sum())
        note = f"sum of {len(codes) - suppressed} buurten"
        return float(here.sum()), note + (
            f" ({suppressed} kept secret by CBS)" if suppressed else ""
        )
    if variable.code == "crimes_per_1000" and "crimes" in buurten:
        crimes = buurten["crimes"].reindex(list(codes))
        if crimes.notna().all() and weights.notna().all() and weights.sum() > 0:
            return float(1000 * crimes.sum() / weights.sum()), "1000 × crimes / residents"
    return _weighted(here, weights), "resident-weighted mean of the buurten"


def gemeente_figure(
    table: pd.DataFrame, year: int, variable: Variable, area: Area
) -> tuple[float | None, str]:
    """The gemeente's figure: CBS's gemeente row, else over all its buurten that year."""
    if variable.code in table and area.gemeente in table.index:
        value = table.loc[area.gemeente, variable.code]
        if pd.notna(value):
            return float(value), "CBS gemeente row"
    codes = tuple(
        c for c in table.index[table["level"] == "buurt"] if str(c)[2:6] == area.gemeente[2:6]
    )
    if not codes:
        return None, f"no figures of {area.gemeente} in {year}"
    return year_figure(table, year, variable, codes)


def _source(history: History, year: int, variable: str, codes: tuple[str, ...]) -> str:
    rows = history.year_values(year)
    rows = rows[(rows["variable"] == variable) & rows["area_code"].isin(codes)]
    sources = sorted(set(rows["source"].dropna()))
    tables = sorted(set(rows["table_id"].dropna()))
    return "CBS " + ", ".join(sources + tables) + f" ({year})"


def indicator_rows(
    history: History, area: Area, variables: dict[str, Variable], year: int | None, lang: str
) -> list[dict[str, Any]]:
    """One row per CBS variable the area has figures of: per year, latest, previous, change,
    the gemeente's value, each with its source and method."""
    rows = []
    tables = pivots(history)
    for variable in variables.values():
        years = sorted(
            {
                int(y)
                for y in history.values.loc[history.values["variable"] == variable.code, "year"]
            }
        )
        years = [y for y in years if year is None or y <= year]
        if not years:
            continue
        series = {y: year_figure(tables[y], y, variable, area.buurten) for y in years}
        present = [y for y in years if series[y][0] is not None]
        latest = present[-1] if present else years[-1]
        previous = next((y for y in reversed(present) if y < latest), None)
        value = series[latest][0]
        before = series[previous][0] if previous is not None else None
        gemeente = gemeente_figure(tables[latest], latest, variable, area)
        rows.append({
            "theme": variable.theme,
            "code": variable.code,
            "name": variable.label_nl if lang == "nl" else variable.label_en,
            "unit": variable.unit,
            "year": latest,
            "value": value,
            "method": series[latest][1],
            "previous_year": previous,
            "previous": before,
            "change": None if value is None or before is None else value - before,
            "gemeente": gemeente[0],
            "gemeente_method": gemeente[1],
            "target": None,
            "on_track": None,
            "source": _source(history, latest, variable.code, area.buurten),
            "series": [{"year": y, "value": series[y][0], "method": series[y][1]} for y in years],
        })  # fmt: skip
    return rows


def own_rows(history: History, area: Area, year: int | None) -> list[dict[str, Any]]:
    """The gemeente's own indicators of this area (or of its gemeente), with targets."""
    frame = history.indicators
    frame = frame[frame["area_code"].isin([area.code])]
    rows = []
    for name, group in frame.groupby("name", sort=True):
        group = group.sort_values("year")
        if year is not None:
            group = group[group["year"] <= year]
        if group.empty:
            continue
        last = group.iloc[-1]
        prev = group.iloc[-2] if len(group) > 1 else None
        value, target = float(last["value"]), last["target"]
        before = float(prev["value"]) if prev is not None else None
        rows.append({
            "theme": str(last["theme"]), "code": f"own:{name}", "name": str(name),
            "unit": "" if pd.isna(last["unit"]) else str(last["unit"]),
            "year": int(last["year"]), "value": value, "method": "own indicator",
            "previous_year": int(prev["year"]) if prev is not None else None, "previous": before,
            "change": None if before is None else value - before, "gemeente": None,
            "gemeente_method": "", "target": None if pd.isna(target) else float(target),
            "on_track": on_track(value, before, None if pd.isna(target) else float(target)),
            "source": f"{last['source']} ({int(last['year'])})",
            "series": [{"year": int(r.year), "value": float(r.value), "method": "own indicator"}
                       for r in group.itertuples()],
        })  # fmt: skip
    return rows


def on_track(value: float, previous: float | None, target: float | None) -> bool | None:
    """Whether a figure reached its target or moves towards it (None without a target)."""
    if target is None:
        return None
    if previous is None or previous == target:
        return value >= target
    wanted_up = target > previous
    reached = value >= target if wanted_up else value <= target
    return reached or (value - previous) * (target - previous) > 0


def by_theme(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows grouped by the wijkprofiel's themes (own themes after them)."""
    order = [*THEMES, *sorted({r["theme"] for r in rows} - set(THEMES))]
    return [
        {"theme": t, "indicators": [r for r in rows if r["theme"] == t]}
        for t in order
        if any(r["theme"] == t for r in rows)
    ]
