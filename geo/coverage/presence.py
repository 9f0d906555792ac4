"""Presence norms: "at least one ontmoetingsplek in every wijk", "a steunpunt in every zone".

Besides the distance norms, a category may declare presence norms (``presence: [wijk]``,
``[zone]`` or both in the vocabulary, see ``data/voorzieningen.yaml``). A voorziening counts
for the wijk and the zone of the buurt it lies in (its ``bu_code``, from
:func:`geo.join.join_voorzieningen`); one outside every buurt counts for none. Wijken are the
buurten' ``wk_code`` (named by ``wk_naam``), zones the woonservicezones. Frames in, a frame
out; no geometry is needed (the join has been made), residents are CBS's counts per buurt.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import pandas as pd

from geo.errors import NotFoundError, QueryError
from geo.vocabulary import PRESENCE_LEVELS, PresenceLevel, Vocabulary

#: Columns of :func:`presence_check`'s frame, one row per norm and area.
PRESENCE_COLUMNS = (
    "category",
    "level",
    "area_code",
    "area_name",
    "residents",
    "residents_65plus",
    "voorzieningen",
    "met",
)


def presence_areas(
    buurten: pd.DataFrame, zones: pd.DataFrame, level: PresenceLevel
) -> pd.DataFrame:
    """The areas of ``level`` with ``area_code``, ``area_name``, ``residents`` and
    ``residents_65plus`` (summed over their buurten), sorted by code; a buurt without a wijk
    (or zone) code belongs to no area."""
    key = "wk_code" if level == "wijk" else "zone_code"
    frame = pd.DataFrame(
        {
            "area_code": buurten[key].astype("string"),
            "residents": pd.to_numeric(buurten["residents"], errors="coerce"),
            "residents_65plus": pd.to_numeric(buurten["residents_65plus"], errors="coerce"),
        }
    )
    if level == "wijk":
        frame["area_name"] = buurten["wk_naam"].astype("string")
    grouped = frame.dropna(subset=["area_code"]).groupby("area_code", as_index=False)
    areas = grouped.agg(
        residents=("residents", lambda s: s.sum(min_count=1)),
        residents_65plus=("residents_65plus", lambda s: s.sum(min_count=1)),
        **({"area_name": ("area_name", "first")} if level == "wijk" else {}),
    )
    if level == "zone":
        names = dict(
            zip(zones["zone_code"].astype(str), zones["zone_name"].astype(str), strict=True)
        )
        areas["area_name"] = areas["area_code"].map(names)
    areas["area_code"] = areas["area_code"].astype(str)
    areas["area_name"] = areas["area_name"].astype("string").fillna(areas["area_code"])
    return areas[["area_code", "area_name", "residents", "residents_65plus"]]


def voorziening_areas(
    voorzieningen: pd.DataFrame, buurten: pd.DataFrame, level: PresenceLevel
) -> pd.Series:
    """The area code of ``level`` of each voorziening (``<NA>`` outside every buurt)."""
    key = "wk_code" if level == "wijk" else "zone_code"
    of_buurt = buurten.set_index(buurten["bu_code"].astype(str))[key].astype("string")
    of_buurt = of_buurt[~of_buurt.index.duplicated()]
    return voorzieningen["bu_code"].astype("string").map(of_buurt).astype("string")


def presence_check(
    buurten: pd.DataFrame,
    zones: pd.DataFrame,
    voorzieningen: pd.DataFrame,
    norms: Sequence[tuple[str, PresenceLevel]],
) -> pd.DataFrame:
    """Every area of every norm ((category, level) pairs) with the number of voorzieningen
    of the category in it and whether the norm is met (at least one): :data:`PRESENCE_COLUMNS`,
    in the order of ``norms`` then area code."""
    parts = []
    for category, level in norms:
        areas = presence_areas(buurten, zones, level)
        mine = voorzieningen[voorzieningen["category"] == category]
        counts = voorziening_areas(mine, buurten, level).dropna().value_counts()
        found = areas["area_code"].map(counts).fillna(0).astype(int)
        parts.append(
            areas.assign(category=category, level=level, voorzieningen=found, met=found > 0)
        )
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in PRESENCE_COLUMNS})
    return pd.concat(parts, ignore_index=True)[list(PRESENCE_COLUMNS)]


def in_zone(check: pd.DataFrame, buurten: pd.DataFrame, zone_code: str) -> pd.DataFrame:
    """The rows of :func:`presence_check` that concern ``zone_code``: the zone itself and
    every wijk with a buurt in it."""
    inside = (buurten["zone_code"] == zone_code).fillna(False).to_numpy(dtype=bool)
    wijken = set(buurten.loc[inside, "wk_code"].dropna().astype(str))
    keep = (check["level"] == "zone") & (check["area_code"] == zone_code)
    keep |= (check["level"] == "wijk") & check["area_code"].isin(wijken)
    return check[keep].reset_index(drop=True)


def presence_gaps(check: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`presence_check` whose norm is not met: the areas without one."""
    return check[~check["met"].astype(bool)].reset_index(drop=True)


def norms_for(
    vocabulary: Vocabulary,
    categories: Sequence[str] | None = None,
    levels: Sequence[str] | None = None,
) -> tuple[tuple[str, PresenceLevel], ...]:
    """The declared norms, or those of ``categories`` × ``levels`` when given (a norm need not
    be declared to be asked about). Unknown categories or levels raise
    :class:`~geo.errors.NotFoundError`, unknown levels
    :class:`~geo.errors.QueryError`."""
    unknown = sorted(set(categories or ()) - set(vocabulary.codes))
    if unknown:
        raise NotFoundError(
            f"unknown categor{'y' if len(unknown) == 1 else 'ies'} {', '.join(unknown)}; "
            f"known: {', '.join(vocabulary.codes)}"
        )
    bad = sorted(set(levels or ()) - set(PRESENCE_LEVELS))
    if bad:
        raise QueryError(
            f"unknown presence level {', '.join(bad)}; known: {', '.join(PRESENCE_LEVELS)}"
        )
    declared = vocabulary.presence_norms()
    if levels is None:
        return tuple(n for n in declared if categories is None or n[0] in categories)
    asked: list[PresenceLevel] = [level for level in PRESENCE_LEVELS if level in levels]
    codes = list(categories) if categories is not None else list(vocabulary.codes)
    return tuple((code, level) for code in codes for level in asked)


def gap_areas(
    gaps: pd.DataFrame, buurten: gpd.GeoDataFrame, zones: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """The rows of :func:`presence_gaps` with the area's outline (RD New): a wijk is the
    union of its buurten, a zone its own polygon; one row per norm and area."""
    wijken = buurten.dropna(subset=["wk_code"]).dissolve(by="wk_code", as_index=False)
    outline = pd.concat(
        [
            pd.DataFrame(
                {
                    "level": "wijk",
                    "area_code": wijken["wk_code"].astype(str),
                    "geometry": wijken.geometry.values,
                }
            ),
            pd.DataFrame(
                {
                    "level": "zone",
                    "area_code": zones["zone_code"].astype(str),
                    "geometry": zones.geometry.values,
                }
            ),
        ],
        ignore_index=True,
    )
    merged = gaps.merge(outline, on=["level", "area_code"], how="inner")
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=buurten.crs)
