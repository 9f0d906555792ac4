"""The wijkprofiel of a zone, wijk or gemeente, as JSON-ready data (the page renders it).

Description (buurten, residents, area, location), indicators per theme over the years
(:mod:`geo.profiel.figures`), coverage per category now (walking, straight line, CBS's own
nabijheid distance) and its trend over the snapshots, the gaps (buurten with the most 65+
beyond each norm), what each stored year holds and how its buurt codes changed. The figures of
coverage are those of the analysis (``/coverage``); missing values stay ``None``.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo.analysis import Analysis
from geo.crs import WORKING_CRS
from geo.errors import NotFoundError
from geo.profiel.carry import code_changes
from geo.profiel.figures import Area, by_theme, indicator_rows, own_rows
from geo.read.cbs import distance_column
from geo.read.statistics import all_variables
from geo.store.history import History
from geo.vocabulary import Vocabulary

GAPS_PER_CATEGORY = 3


def resolve_area(analysis: Analysis, code: str) -> Area:
    """The zone, wijk (WK…) or gemeente (GM…) called ``code``; :class:`NotFoundError` listing
    the codes there are."""
    buurten = analysis.dataset.buurten
    gemeenten = sorted(set(buurten["gm_code"].dropna()))
    gemeente = gemeenten[0] if gemeenten else ""
    zones = analysis.dataset.zones
    if code in set(zones["zone_code"]):
        row = zones[zones["zone_code"] == code].iloc[0]
        members = buurten[buurten["zone_code"] == code]
        return Area(
            code, "zone", str(row["zone_name"]), gemeente, tuple(sorted(members["bu_code"]))
        )
    for kind, column, name in (("wijk", "wk_code", "wk_naam"), ("gemeente", "gm_code", "gm_naam")):
        members = buurten[buurten[column] == code]
        if not members.empty:
            label = members[name].dropna()
            return Area(code, kind, str(label.iloc[0]) if not label.empty else code,
                        str(members["gm_code"].iloc[0]), tuple(sorted(members["bu_code"])))  # fmt: skip  # noqa: E501
    known = [*zones["zone_code"], *sorted(set(buurten["wk_code"].dropna())), *gemeenten]
    raise NotFoundError(f"no zone, wijk or gemeente {code!r}; known: {', '.join(known)}")


def description(analysis: Analysis, area: Area) -> dict[str, Any]:
    """Where the area is and what it consists of."""
    buurten = analysis.dataset.buurten
    members = buurten[buurten["bu_code"].isin(area.buurten)]
    shape = shapely.union_all(members.geometry.to_numpy())
    point = gpd.GeoSeries([shapely.centroid(shape)], crs=WORKING_CRS).to_crs(4326).iloc[0]
    origin = "buurten of the zone definition" if area.kind == "zone" else f"CBS {area.kind}"
    return {
        "code": area.code,
        "kind": area.kind,
        "name": area.name,
        "gemeente": area.gemeente,
        "origin": origin,
        "area_ha": round(float(shape.area) / 10_000, 1),
        "centre": {"lon": round(point.x, 5), "lat": round(point.y, 5)},
        "residents": _total(members["residents"]),
        "residents_65plus": _total(members["residents_65plus"]),
        "buurten": [
            {"code": str(r.bu_code), "name": None if pd.isna(r.bu_naam) else str(r.bu_naam)}
            for r in members.sort_values("bu_code").itertuples()
        ],
    }


def _total(values: pd.Series) -> float | None:
    return None if values.isna().all() else float(values.sum())


def _area_rows(analysis: Analysis, area: Area, straight: bool = False) -> pd.DataFrame:
    coverage = (analysis.straight or analysis.coverage) if straight else analysis.coverage
    if area.kind == "zone":
        return coverage.zones[coverage.zones["zone_code"] == area.code]
    rows = coverage.buurten[coverage.buurten["bu_code"].isin(area.buurten)]
    sums = rows.groupby("category", sort=False)[
        ["residents", "residents_65plus", "residents_beyond", "residents_65plus_beyond"]
    ].sum(min_count=1)
    sums["threshold_m"] = rows.groupby("category", sort=False)["threshold_m"].first()
    sums["share_beyond"] = sums["residents_beyond"] / sums["residents"].where(sums["residents"] > 0)
    older = sums["residents_65plus"].where(sums["residents_65plus"] > 0)
    sums["share_65plus_beyond"] = sums["residents_65plus_beyond"] / older
    return sums.reset_index()


def coverage_rows(
    analysis: Analysis, area: Area, snapshots: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Per category: the share beyond the norm (walking or the analysis's source), by
    straight line, CBS's own mean distance, and the trend over the snapshots."""
    own = _area_rows(analysis, area).set_index("category")
    straight = _area_rows(analysis, area, straight=True).set_index("category")
    buurten = analysis.dataset.buurten
    members = buurten[buurten["bu_code"].isin(area.buurten)]
    level = "zone" if area.kind == "zone" else None
    rows = []
    for category in analysis.vocabulary.categories:
        if category.code not in own.index:
            continue
        row, line = own.loc[category.code], straight.loc[category.code]
        cbs = distance_column(category.code)
        cbs_km = None
        if cbs in members and members[cbs].notna().any():
            usable = members[[cbs, "residents"]].dropna()
            weights = usable["residents"].where(usable["residents"] > 0).fillna(0)
            cbs_km = float((usable[cbs] * weights).sum() / weights.sum()) if weights.sum() else None
        rows.append({
            "category": category.code,
            "label": category.label_nl,
            "label_en": category.label_en,
            "norm_m": float(row["threshold_m"]),
            "distance": analysis.coverage.source,
            "share_beyond": _number(row["share_beyond"]),
            "share_65plus_beyond": _number(row["share_65plus_beyond"]),
            "residents_65plus_beyond": _number(row["residents_65plus_beyond"]),
            "share_beyond_straight": _number(line["share_beyond"]),
            "share_65plus_beyond_straight": _number(line["share_65plus_beyond"]),
            "cbs_km": None if cbs_km is None else round(cbs_km, 2),
            "trend": trend(snapshots, level, area, category.code),
        })  # fmt: skip
    return rows


def _number(value: object) -> float | None:
    return None if pd.isna(value) else round(float(value), 4)  # type: ignore[arg-type]


def trend(
    snapshots: list[dict[str, Any]], level: str | None, area: Area, category: str
) -> list[dict[str, Any]]:
    """The share of 65+ beyond the norm in each snapshot (the area's own row, or the sum over
    its buurten)."""
    points = []
    for snapshot in snapshots:
        rows = [f for f in snapshot.get("figures", []) if f["category"] == category and (
            (level == "zone" and f["level"] == "zone" and f["area_code"] == area.code)
            or (level is None and f["level"] == "buurt" and f["area_code"] in area.buurten))]  # fmt: skip  # noqa: E501
        older = sum(r["residents_65plus"] or 0 for r in rows)
        beyond = sum(r["residents_65plus_beyond"] or 0 for r in rows)
        points.append({"snapshot": snapshot["id"], "time": snapshot["time"],
                       "share_65plus_beyond": round(beyond / older, 4) if older else None})  # fmt: skip  # noqa: E501
    return points


def gaps(analysis: Analysis, area: Area) -> list[dict[str, Any]]:
    """Per category, the buurten with the most 65+ beyond the norm (those with any)."""
    rows = analysis.coverage.buurten
    rows = rows[rows["bu_code"].isin(area.buurten) & (rows["residents_65plus_beyond"] > 0)]
    names = analysis.dataset.buurten.set_index("bu_code")["bu_naam"]
    found = []
    for category, group in rows.groupby("category", sort=False):
        for r in group.nlargest(GAPS_PER_CATEGORY, "residents_65plus_beyond").itertuples():
            name = names.get(r.bu_code)
            found.append({"category": str(category), "bu_code": str(r.bu_code),
                          "name": None if pd.isna(name) else str(name), "norm_m": float(r.threshold_m),  # noqa: E501
                          "residents_65plus_beyond": round(float(r.residents_65plus_beyond)),
                          "share_65plus_beyond": _number(r.share_65plus_beyond)})  # fmt: skip
    return found


def years_held(history: History, area: Area) -> list[dict[str, Any]]:
    """What each stored year holds for the area's gemeente: variables, buurten, sources."""
    values = history.values[history.values["area_code"].str[2:6] == area.gemeente[2:6]]
    held = []
    for year, group in values.groupby("year"):
        held.append({"year": int(year), "variables": sorted(set(group["variable"])),
                     "buurten": int(group.loc[group["level"] == "buurt", "area_code"].nunique()),
                     "sources": sorted(set(group["source"].dropna()))})  # fmt: skip
    return held


def code_change_list(history: History, area: Area) -> list[dict[str, Any]]:
    """How the gemeente's buurt codes changed from the first stored year to the last."""
    years = sorted({int(y) for y in history.geometry["year"]} | set(history.years))
    if len(years) < 2:
        return []
    return [code_changes(history, years[0], years[-1], area.gemeente).as_dict()]


def build_profiel(
    analysis: Analysis, history: History, snapshots: list[dict[str, Any]], code: str,
    *, year: int | None = None, lang: str = "nl",
) -> dict[str, Any]:  # fmt: skip
    """The wijkprofiel of ``code`` as JSON-ready data (see the module docstring)."""
    area = resolve_area(analysis, code)
    if year is not None and year not in history.years:
        raise NotFoundError(
            f"no figures of {year} are stored; the store holds "
            f"{', '.join(map(str, history.years)) or 'no years yet (wsz import statistics)'}"
        )
    variables = all_variables(analysis.vocabulary)
    rows = indicator_rows(history, area, variables, year, lang) + own_rows(history, area, year)
    return {
        "area": description(analysis, area),
        **_time_axis(history, area, rows, year, lang),
        "coverage": coverage_rows(analysis, area, snapshots),
        "snapshots": [
            {"id": s["id"], "time": s["time"], "store_version": s["store_version"]}
            for s in snapshots
        ],
        "gaps": gaps(analysis, area),
        "notes": list(analysis.notes),
    }


def figures_area(history: History, code: str) -> Area:
    """A gemeente (GM…) or wijk (WK…) as the stored figures know it, without buurt polygons:
    the buurt codes of its latest year; :class:`NotFoundError` for a code no year holds."""
    values = history.values
    if code.startswith("GM"):
        rows = values[(values["level"] == "buurt") & (values["area_code"].str[2:6] == code[2:6])]
        kind = "gemeente"
    else:
        rows = values[(values["level"] == "buurt") & (values["area_code"].str[2:8] == code[2:8])]
        kind = "wijk"
    if rows.empty or not code.startswith(("GM", "WK")):
        raise NotFoundError(f"no figures of {code!r} are stored (a GM… or WK… code)")
    latest = rows[rows["year"] == rows["year"].max()]
    return Area(code, kind, code, f"GM{code[2:6]}", tuple(sorted(set(latest["area_code"]))))


def figures_profiel(
    history: History, vocabulary: Vocabulary, code: str, *, year: int | None = None,
    lang: str = "nl",
) -> dict[str, Any]:  # fmt: skip
    """The part of the wijkprofiel of ``code`` the stored CBS figures and own indicators give
    without buurt polygons (no map, no coverage): indicators per theme over the years, what
    each year holds, how the buurt codes changed."""
    area = figures_area(history, code)
    if year is not None and year not in history.years:
        raise NotFoundError(f"no figures of {year} are stored; the store holds "
                            f"{', '.join(map(str, history.years))}")  # fmt: skip
    variables = all_variables(vocabulary)
    rows = indicator_rows(history, area, variables, year, lang) + own_rows(history, area, year)
    return {
        "area": {
            "code": area.code,
            "kind": area.kind,
            "gemeente": area.gemeente,
            "buurten": [{"code": c} for c in area.buurten],
        },
        **_time_axis(history, area, rows, year, lang),
        "notes": ["no buurt polygons of this area are stored: no map and no coverage"],
    }


def _time_axis(
    history: History, area: Area, rows: list[dict[str, Any]], year: int | None, lang: str
) -> dict[str, Any]:
    """What every profile tells of its years: the language, the year shown, the years held,
    the code changes and the indicators by theme."""
    held = years_held(history, area)
    return {
        "lang": lang,
        "year": year or (max(history.years) if history.years else None),
        "years": held,
        "single_year": len(held) == 1,
        "code_changes": code_change_list(history, area),
        "themes": by_theme(rows),
    }
