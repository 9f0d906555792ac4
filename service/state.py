"""What the API serves, computed once at start-up: the analysis and its WGS84 edge frames."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from geo.crs import to_edge_crs
from geo.pipeline import Analysis, analyse, load_network
from geo.settings import Settings
from geo.store import GeoPackageStore

#: Zone columns that hold comma-separated codes in the store and lists in the API.
LIST_COLUMNS = ("wijk_codes", "buurt_codes")


@dataclass(frozen=True)
class Published:
    """An analysis with its frames in WGS84 (lon/lat, 6 decimals), ready to serialise."""

    analysis: Analysis
    zones: gpd.GeoDataFrame
    buurten: gpd.GeoDataFrame
    voorzieningen: gpd.GeoDataFrame
    #: Gap polygons per category and zone (see :mod:`geo.gaps`), by the coverage's measure.
    gaps: gpd.GeoDataFrame | None
    #: Rendered map pages by name ("index", zone code); filled on first request.
    map_pages: dict[str, str] = field(default_factory=dict, compare=False)


def publish(analysis: Analysis) -> Published:
    """Convert the analysis' frames to the edge CRS once."""
    dataset = analysis.dataset
    zones = to_edge_crs(dataset.zones)
    for column in LIST_COLUMNS:
        zones[column] = zones[column].map(_split_codes)
    return Published(
        analysis=analysis,
        zones=zones,
        buurten=to_edge_crs(dataset.buurten),
        voorzieningen=to_edge_crs(dataset.voorzieningen),
        gaps=None if analysis.gaps is None else to_edge_crs(analysis.gaps),
    )


def _split_codes(value: object) -> list[str]:
    return [c for c in str(value).split(",") if c] if isinstance(value, str) else []


def load_published(settings: Settings) -> Published | None:
    """Read the store (and the walking network, if one was built) and analyse it; None while
    the store holds no buurten."""
    dataset = GeoPackageStore(settings.store_path).read()
    if dataset.is_empty:
        return None
    return publish(analyse(dataset, settings, network=load_network(settings)))


def records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Rows as JSON-ready dicts, NaN and NA as None."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")
