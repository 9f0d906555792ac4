"""A consistent set of buurten, zones and voorzieningen: what the store holds.

:func:`geo.pipeline.assemble` turns validated inputs into a :class:`Dataset` (buurten with
their zone, dissolved zones, voorzieningen joined to buurt and zone); the dataset carries its
:class:`~geo.read.provenance.Provenance`: where each layer came from and which layers are
synthetic (generated), so every view can say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from geo.ask.filters import check_zone
from geo.errors import EmptyStoreError
from geo.read.buurten import BUURT_COLUMNS
from geo.read.provenance import Provenance
from geo.read.voorzieningen import (
    VOORZIENING_COLUMNS,
    VOORZIENING_DETAIL_COLUMNS,
)
from geo.read.zones import ZoneDefinition
from geo.zones import ZONE_COLUMNS


def empty_buurten(crs: object) -> gpd.GeoDataFrame:
    """A buurten frame with no rows (the store before the first import)."""
    return gpd.GeoDataFrame(
        {
            c: pd.Series(dtype="string" if c not in ("residents", "residents_65plus") else float)
            for c in (*BUURT_COLUMNS, "zone_code")
        },
        geometry=gpd.GeoSeries([], crs=crs),
        crs=crs,
    )


def empty_voorzieningen(crs: object) -> gpd.GeoDataFrame:
    """A voorzieningen frame with no rows."""
    return gpd.GeoDataFrame(
        {
            c: pd.Series(dtype="string")
            for c in (*VOORZIENING_COLUMNS, *VOORZIENING_DETAIL_COLUMNS, "bu_code", "zone_code")
        },
        geometry=gpd.GeoSeries([], crs=crs),
        crs=crs,
    )


def empty_zones(crs: object) -> gpd.GeoDataFrame:
    """A zones frame with no rows (no zone definition yet)."""
    return gpd.GeoDataFrame(
        {c: pd.Series(dtype=object) for c in ZONE_COLUMNS},
        geometry=gpd.GeoSeries([], crs=crs),
        crs=crs,
    )


@dataclass(frozen=True)
class Dataset:
    """Everything the store holds, consistent with itself; all geometry in RD New.

    ``buurten`` carry ``zone_code``; ``voorzieningen`` carry ``bu_code`` and ``zone_code``;
    ``zones`` are the dissolved zones (:data:`geo.zones.ZONE_COLUMNS`).
    """

    buurten: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame
    voorzieningen: gpd.GeoDataFrame
    definition: ZoneDefinition | None = None
    provenance: Provenance = field(default_factory=Provenance)

    @property
    def is_empty(self) -> bool:
        """True before any buurten have been imported."""
        return bool(self.buurten.empty)

    def require_buurten(self) -> None:
        """Raise :class:`EmptyStoreError` when there is nothing to analyse yet."""
        if self.is_empty:
            raise EmptyStoreError(
                "the store holds no buurten yet: import them first "
                "(wsz import buurten FILE, or wsz demo for the sample)"
            )

    def zone(self, zone_code: str) -> pd.Series:
        """One zone's row; raise :class:`NotFoundError` listing the known codes."""
        check_zone(zone_code, self.zones)
        return self.zones[self.zones["zone_code"] == zone_code].iloc[0]
