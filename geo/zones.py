"""Woonservicezones: read a zone definition, check it against the buurten, dissolve to zones.

A zone definition names each zone and its buurten, directly (BU codes) or through wijken (a WK
code stands for all of that wijk's buurten); see ``data/sample/zones_GM0356_example.yaml`` for
the documented format. It is checked as a whole and every problem is reported at once.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from pathlib import Path
from typing import Annotated

import geopandas as gpd
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from geo.errors import DataQualityWarning, ReadError, ZoneDefinitionError

ZoneCode = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]

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


class ZoneSpec(BaseModel):
    """One woonservicezone as the municipality defines it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: ZoneCode
    name: str = Field(min_length=1)
    wijken: tuple[str, ...] = ()
    buurten: tuple[str, ...] = ()


class ZoneDefinition(BaseModel):
    """All zones of one municipality."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    gemeente: str | None = Field(default=None, pattern=r"^GM\d{4}$")
    zones: tuple[ZoneSpec, ...] = Field(min_length=1)


def read_zone_definition(path: Path) -> ZoneDefinition:
    """Read a zone definition from YAML or JSON; raise :class:`ZoneDefinitionError` if malformed."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReadError(f"{path}: cannot read the zone definition: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ReadError(
            f"{path}: not a text file in UTF-8 (byte {exc.start}); a zone definition is YAML "
            "or JSON"
        ) from exc
    except yaml.YAMLError as exc:
        raise ReadError(f"{path}: not valid YAML or JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise ZoneDefinitionError(f"{path}: expected a mapping with a 'zones' list")
    try:
        return ZoneDefinition.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        raise ZoneDefinitionError(f"{path}: {problems}") from exc


def zones_per_wijk(buurten: gpd.GeoDataFrame, gemeente: str | None = None) -> ZoneDefinition:
    """A default zone definition: one zone per wijk (code ``wk035601``, the wijk's name).

    For a gemeente whose own woonservicezones are not known yet; replace it with theirs.
    """
    wijken = buurten.drop_duplicates("wk_code").sort_values("wk_code")
    names = wijken["wk_naam"].astype("string").fillna(wijken["wk_code"].astype("string"))
    return ZoneDefinition(
        gemeente=gemeente,
        zones=tuple(
            ZoneSpec(code=str(code).lower(), name=str(name), wijken=(str(code),))
            for code, name in zip(wijken["wk_code"], names, strict=True)
        ),
    )


def assign_zones(buurten: gpd.GeoDataFrame, definition: ZoneDefinition) -> pd.Series:
    """Zone code per buurt, aligned with ``buurten`` (missing where a buurt is in no zone).

    Raises :class:`ZoneDefinitionError` listing, all at once: duplicate zone codes, unknown
    buurt or wijk codes, buurten of another gemeente, buurten in two zones, and zones without
    buurten. Warns (:class:`DataQualityWarning`) with the buurten that are in no zone.
    """
    known_buurten = set(buurten["bu_code"])
    wijk_members: dict[str, list[str]] = defaultdict(list)
    for bu_code, wk_code in zip(buurten["bu_code"], buurten["wk_code"], strict=True):
        wijk_members[wk_code].append(bu_code)
    problems: list[str] = []
    codes = [zone.code for zone in definition.zones]
    duplicate_zones = sorted({c for c in codes if codes.count(c) > 1})
    if duplicate_zones:
        problems.append(f"zone code(s) used twice: {', '.join(duplicate_zones)}")

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
    if problems:
        raise ZoneDefinitionError(
            "zone definition does not fit the buurten: " + " | ".join(problems)
        )

    zone_codes = buurten["bu_code"].map(
        lambda b: zones_of_buurt[b][0] if b in zones_of_buurt else None
    )
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
            stacklevel=2,
        )
    return zone_codes.astype("string").rename("zone_code")


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
