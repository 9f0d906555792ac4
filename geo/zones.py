"""Woonservicezones: check a zone definition against the buurten, and dissolve it to zones.

A zone definition (read by :mod:`geo.read.zones`) names each zone and its buurten, directly
(BU codes) or through wijken (a WK code stands for all of that wijk's buurten). It is checked
as a whole against the buurten and every problem is reported at once.
"""

from __future__ import annotations

import warnings
from collections import defaultdict

import geopandas as gpd
import pandas as pd

from geo.errors import DataQualityWarning, ZoneDefinitionError
from geo.read.zones import ZoneDefinition

#: Columns of a dissolved zones frame, in order (plus ``geometry``).
ZONE_COLUMNS = (
    "zone_code",
    "zone_name",
    "n_buurten",
    "residents",
    "residents_65plus",
    "buurten_without_residents_figure",
    "area_ha",
    "wijk_codes",
    "buurt_codes",
)


def assign_zones(buurten: gpd.GeoDataFrame, definition: ZoneDefinition) -> pd.Series:
    """Zone code per buurt, aligned with ``buurten`` (missing where a buurt is in no zone).

    Raises :class:`ZoneDefinitionError` listing, all at once: duplicate zone codes, unknown
    buurt or wijk codes, buurten of another gemeente, buurten in two zones, and zones without
    buurten. Warns (:class:`DataQualityWarning`) with the buurten that are in no zone.
    """
    problems: list[str] = []
    codes = [zone.code for zone in definition.zones]
    duplicate_zones = sorted({c for c in codes if codes.count(c) > 1})
    if duplicate_zones:
        problems.append(f"zone code(s) used twice: {', '.join(duplicate_zones)}")
    zones_of_buurt = _zones_of_buurt(buurten, definition, problems)
    problems += _misplaced(buurten, definition, zones_of_buurt)
    if problems:
        raise ZoneDefinitionError(
            "zone definition does not fit the buurten: " + " | ".join(problems)
        )
    zone_codes = buurten["bu_code"].map(
        lambda b: zones_of_buurt[b][0] if b in zones_of_buurt else None
    )
    _warn_unzoned(buurten, definition, zone_codes)
    return zone_codes.astype("string").rename("zone_code")


def _zones_of_buurt(
    buurten: gpd.GeoDataFrame, definition: ZoneDefinition, problems: list[str]
) -> dict[str, list[str]]:
    """The zones each buurt is named in (directly or by its wijk); unknown codes and zones
    without buurten are added to ``problems``."""
    known_buurten = set(buurten["bu_code"])
    wijk_members: dict[str, list[str]] = defaultdict(list)
    for bu_code, wk_code in zip(buurten["bu_code"], buurten["wk_code"], strict=True):
        wijk_members[wk_code].append(bu_code)
    zones_of_buurt: dict[str, list[str]] = defaultdict(list)
    for zone in definition.zones:
        unknown = [c for c in zone.buurten if c not in known_buurten]
        unknown += [c for c in zone.wijken if c not in wijk_members]
        if unknown:
            problems.append(f"zone {zone.code!r}: unknown code(s) {', '.join(unknown)}")
        members = {c for c in zone.buurten if c in known_buurten}
        for wk_code in zone.wijken:
            members.update(wijk_members.get(wk_code, ()))
        if not members:
            problems.append(f"zone {zone.code!r} has no buurten")
        for bu_code in sorted(members):
            zones_of_buurt[bu_code].append(zone.code)
    return zones_of_buurt


def _misplaced(
    buurten: gpd.GeoDataFrame, definition: ZoneDefinition, zones_of_buurt: dict[str, list[str]]
) -> list[str]:
    """Buurten of another gemeente than the definition's, and buurten in two zones."""
    problems = []
    if definition.gemeente is not None:
        gm_of = dict(zip(buurten["bu_code"], buurten["gm_code"], strict=True))
        foreign = sorted(b for b in zones_of_buurt if gm_of[b] != definition.gemeente)
        if foreign:
            problems.append(
                f"buurt(en) not in gemeente {definition.gemeente}: {', '.join(foreign)}"
            )
    doubles = {b: z for b, z in sorted(zones_of_buurt.items()) if len(z) > 1}
    if doubles:
        listing = "; ".join(f"{b} in {' and '.join(z)}" for b, z in doubles.items())
        problems.append(f"buurt(en) in more than one zone: {listing}")
    return problems


def _warn_unzoned(
    buurten: gpd.GeoDataFrame, definition: ZoneDefinition, zone_codes: pd.Series
) -> None:
    """A :class:`DataQualityWarning` listing the definition's gemeente's buurten in no zone."""
    in_scope = (
        buurten["gm_code"] == definition.gemeente
        if definition.gemeente
        else pd.Series(True, index=buurten.index)
    )
    unzoned = buurten.loc[zone_codes.isna() & in_scope, "bu_code"]
    if len(unzoned):
        names = dict(zip(buurten["bu_code"], buurten["bu_naam"], strict=True))
        listing = ", ".join(f"{b} ({names[b]})" for b in unzoned)
        warnings.warn(
            f"{len(unzoned)} buurt(en) in no woonservicezone: {listing}",
            DataQualityWarning,
            stacklevel=3,
        )


def dissolve_zones(
    buurten: gpd.GeoDataFrame, zone_codes: pd.Series, definition: ZoneDefinition
) -> gpd.GeoDataFrame:
    """Zone polygons with population totals, one row per zone in definition order.

    ``residents`` and ``residents_65plus`` are sums over the zone's buurten of the known figures
    (CBS's secret values are missing and do not enter the sum);
    ``buurten_without_residents_figure`` counts the buurten whose figure was missing.
    ``area_ha`` is the area in hectares (RD New).
    """
    zoned = buurten.assign(zone_code=zone_codes).dropna(subset=["zone_code"])
    grouped = zoned.groupby("zone_code", sort=False)
    totals = pd.DataFrame(
        {
            "n_buurten": grouped.size(),
            "residents": grouped["residents"].sum(min_count=1),
            "residents_65plus": grouped["residents_65plus"].sum(min_count=1),
            "buurten_without_residents_figure": grouped["residents"].agg(
                lambda s: int(s.isna().sum())
            ),
            "buurt_codes": grouped["bu_code"].agg(lambda s: ",".join(sorted(s))),
        }
    )
    shapes = zoned[["zone_code", "geometry"]].dissolve(by="zone_code")
    specs = {zone.code: zone for zone in definition.zones}
    order = [zone.code for zone in definition.zones]
    zones = gpd.GeoDataFrame(totals.join(shapes), geometry="geometry", crs=buurten.crs)
    zones = zones.loc[order].reset_index(names="zone_code")
    zones["zone_name"] = [specs[c].name for c in zones["zone_code"]]
    zones["wijk_codes"] = [",".join(specs[c].wijken) for c in zones["zone_code"]]
    zones["area_ha"] = (zones.area / 10_000).round(1)
    return zones[[*ZONE_COLUMNS, "geometry"]]
