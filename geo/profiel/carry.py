"""Buurten redrawn between years: which codes match, and figures carried across by resident
points or by area.

CBS redraws buurten and reassigns codes (Nieuwegein: 22 buurten in 2019, 39 in 2023, old codes
later reused for other areas). :func:`code_changes` matches two years by code and — where both
years' polygons are stored — by overlap: a code kept whose polygons hardly overlap is *reused*
(a different area under the same code), and each new buurt says which old ones it came from.
:func:`carry_over` moves one year's figures onto another year's buurten (RD New) by the
analysis' resident points (:mod:`geo.coverage.population`: where people live, by buildings or
grid) where a buurt has them, by area otherwise: counts are split in proportion to the
residents (or the area) of each part, means and percentages are weighted the same way; the
method is stated beside every carried figure. Nothing here compares
unlike areas silently: a figure that is not the same area is either carried with its method or
left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from geo.read.statistics import Variable
from geo.store.history import History

#: A code kept whose old and new polygons share less than this share of their area is reused.
REUSED_OVERLAP = 0.5
#: Overlaps smaller than this (m²) are slivers of generalised boundaries, not parts.
SLIVER_M2 = 100.0


def figures_geometry(history: History, year: int) -> gpd.GeoDataFrame | None:
    """The buurt polygons that go with ``year``'s figures: that year's, or those of the
    geometry year a table of ``year`` came with (2024 figures on 2023 polygons)."""
    own = history.geometry_of(year)
    if own is not None:
        return own
    rows = history.tables[
        (history.tables["year"] == year) & history.tables["geometry_year"].notna()
    ]
    for geometry_year in rows["geometry_year"]:
        found = history.geometry_of(int(geometry_year))
        if found is not None:
            return found
    return None


def buurt_codes(history: History, year: int, gemeente: str) -> set[str]:
    """The buurt codes of one gemeente in ``year``: with figures, or with polygons."""
    values = history.year_values(year)
    codes = set(values.loc[values["level"] == "buurt", "area_code"])
    polygons = history.geometry_of(year)
    if polygons is not None:
        codes |= set(polygons["bu_code"])
    return {c for c in codes if c[2:6] == gemeente[2:6]}


@dataclass(frozen=True)
class CodeChanges:
    """How the buurten of ``old`` and ``new`` (years) match; ``parts`` maps each new buurt
    to the old ones it overlaps (share of the new buurt's area), where polygons exist."""

    old: int
    new: int
    kept: tuple[str, ...]
    only_old: tuple[str, ...]
    only_new: tuple[str, ...]
    reused: tuple[str, ...] = ()
    parts: dict[str, dict[str, float]] = field(default_factory=dict)
    by_geometry: bool = False

    def as_dict(self) -> dict[str, object]:
        """JSON-ready."""
        return {
            "old_year": self.old,
            "new_year": self.new,
            "kept": list(self.kept),
            "only_old": list(self.only_old),
            "only_new": list(self.only_new),
            "reused": list(self.reused),
            "parts": self.parts,
            "matched_by": "code and polygon overlap" if self.by_geometry else "code",
        }


def code_changes(history: History, old: int, new: int, gemeente: str) -> CodeChanges:
    """Match the buurten of two years by code, and by overlap where both have polygons."""
    before, after = buurt_codes(history, old, gemeente), buurt_codes(history, new, gemeente)
    kept = sorted(before & after)
    a, b = history.geometry_of(old), figures_geometry(history, new)
    if a is None or b is None:
        return CodeChanges(old, new, tuple(kept), tuple(sorted(before - after)),
                           tuple(sorted(after - before)))  # fmt: skip
    pieces = _pieces(a, b, gemeente)
    parts: dict[str, dict[str, float]] = {}
    for row in pieces.itertuples():
        parts.setdefault(str(row.new), {})[str(row.old)] = round(float(row.share_new), 3)
    same = pieces[pieces["old"] == pieces["new"]].set_index("old")["share_old"]
    reused = sorted(c for c in kept if float(same.get(c, 0.0)) < REUSED_OVERLAP)
    return CodeChanges(
        old, new, tuple(kept), tuple(sorted(before - after)), tuple(sorted(after - before)),
        tuple(reused), parts, by_geometry=True,
    )  # fmt: skip


def _pieces(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, gemeente: str) -> pd.DataFrame:
    """Intersections of old (``a``) and new (``b``) buurten: old, new, area (m²) and its
    share of the old and of the new buurt's area."""
    a = a[a["bu_code"].str[2:6] == gemeente[2:6]][["bu_code", "geometry"]]
    b = b[b["bu_code"].str[2:6] == gemeente[2:6]][["bu_code", "geometry"]]
    old = a.assign(area_old=a.area).rename(columns={"bu_code": "old"})
    new = b.assign(area_new=b.area).rename(columns={"bu_code": "new"})
    pieces = gpd.overlay(old, new, how="intersection", keep_geom_type=True)
    pieces["area"] = pieces.area
    pieces = pieces[pieces["area"] >= SLIVER_M2]
    return pd.DataFrame(
        {
            "old": pieces["old"],
            "new": pieces["new"],
            "area": pieces["area"],
            "share_old": pieces["area"] / pieces["area_old"],
            "share_new": pieces["area"] / pieces["area_new"],
        }
    )


#: How a carried figure was made, by the weights its parts used.
METHODS = {
    "points": "by resident points",
    "area": "by area",
    "mixed": "by resident points (by area for parts without resident points)",
}


def _weights(
    pieces: pd.DataFrame, a: gpd.GeoDataFrame, b: gpd.GeoDataFrame,
    points: gpd.GeoDataFrame | None,
) -> pd.DataFrame:  # fmt: skip
    """``pieces`` with ``w_old`` / ``w_new``: each piece's share of its old and of its new
    buurt — by the residents of the resident points in it where the buurt has any (points in
    both an old and a new buurt), else by area — and ``by`` (``points`` or ``area``)."""
    pieces = pieces.assign(w_old=pieces["share_old"], w_new=pieces["share_new"], by="area")
    if points is None or points.empty:
        return pieces
    placed = points[points["residents"] > 0][["residents", "geometry"]].reset_index(drop=True)
    for frame, name in ((a, "old"), (b, "new")):
        point_index, buurt_index = frame.sindex.query(placed.geometry, predicate="within")
        located = pd.Series(frame["bu_code"].to_numpy()[buurt_index], index=point_index)
        placed[name] = located[~located.index.duplicated()]
    per_piece = placed.dropna(subset=["old", "new"]).groupby(["old", "new"])["residents"].sum()
    pieces = pieces.merge(per_piece.rename("people"), left_on=["old", "new"],
                          right_index=True, how="left").fillna({"people": 0.0})  # fmt: skip
    old_total = pieces.groupby("old")["people"].transform("sum")
    new_total = pieces.groupby("new")["people"].transform("sum")
    pieces["w_old"] = (pieces["people"] / old_total).where(old_total > 0, pieces["w_old"])
    pieces["w_new"] = (pieces["people"] / new_total).where(new_total > 0, pieces["w_new"])
    pieces["by"] = pieces["by"].where(old_total <= 0, "points")
    return pieces


def carry_over(
    history: History, source_year: int, target_year: int, variables: dict[str, Variable],
    gemeente: str, points: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:  # fmt: skip
    """``source_year``'s buurt figures on ``target_year``'s buurten, by resident points where
    ``points`` (the analysis' resident points, RD New, :mod:`geo.coverage.population`) fall
    in a buurt, by overlapping area otherwise (and without points).

    Returns ``area_code`` (a target buurt), ``variable``, ``value`` and ``method`` (how, in
    words); empty when either year lacks polygons. Counts: Σ value × the part's share of the
    old buurt (its residents, or its area); means and percentages: Σ value × the part's share
    of the new buurt, over the parts with a value. By points, a buurt's count is carried
    whole onto the new buurten its resident points lie in.
    """
    a, b = figures_geometry(history, source_year), history.geometry_of(target_year)
    if a is None or b is None:
        return pd.DataFrame(columns=["area_code", "variable", "value", "method"])
    a = a[a["bu_code"].str[2:6] == gemeente[2:6]]
    b = b[b["bu_code"].str[2:6] == gemeente[2:6]]
    pieces = _weights(_pieces(a, b, gemeente), a, b, points)
    values = history.year_values(source_year)
    values = values[(values["level"] == "buurt") & values["variable"].isin(list(variables))]
    joined = pieces.merge(values[["area_code", "variable", "value"]], left_on="old",
                          right_on="area_code").dropna(subset=["value"])  # fmt: skip
    kind = joined["variable"].map({c: v.kind for c, v in variables.items()})
    count = kind == "count"
    joined["weighted"] = joined["value"] * joined["w_old"].where(count, joined["w_new"])
    joined["weight"] = joined["w_new"].where(~count, 1.0)
    joined["points"] = joined["by"] == "points"
    grouped = joined.groupby(["new", "variable"], as_index=False).agg(
        weighted=("weighted", "sum"), weight=("weight", "sum"), points=("points", "mean")
    )
    means = grouped["variable"].map({c: v.kind != "count" for c, v in variables.items()})
    grouped["value"] = grouped["weighted"].where(~means, grouped["weighted"] / grouped["weight"])
    how = grouped["points"].map(
        lambda share: METHODS["points" if share == 1 else "area" if share == 0 else "mixed"]
    )
    grouped["method"] = (
        f"carried over from the {source_year} buurten onto the {target_year} buurten " + how
    )
    return grouped.rename(columns={"new": "area_code"})[
        ["area_code", "variable", "value", "method"]
    ]
