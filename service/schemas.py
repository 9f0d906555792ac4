"""Response models, separate from the domain frames; tests validate bodies against them.

GeoJSON follows RFC 7946: WGS84 lon/lat, no ``crs`` member, media type ``application/geo+json``.
"""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

P = TypeVar("P", bound=BaseModel)


class Geometry(BaseModel):
    """A GeoJSON geometry in WGS84 lon/lat."""

    type: Literal["Point", "MultiPoint", "Polygon", "MultiPolygon", "LineString", "MultiLineString"]
    coordinates: list[Any]


class Feature(BaseModel, Generic[P]):
    """A GeoJSON Feature."""

    type: Literal["Feature"]
    geometry: Geometry
    properties: P


class FeatureCollection(BaseModel, Generic[P]):
    """A GeoJSON FeatureCollection."""

    type: Literal["FeatureCollection"]
    features: list[Feature[P]]


class ZoneProperties(BaseModel):
    """A woonservicezone; counts of residents are CBS figures summed over its buurten."""

    model_config = ConfigDict(extra="forbid")

    zone_code: str
    zone_name: str
    n_buurten: int
    residents: float | None = Field(description="Sum of known AANT_INW over the zone's buurten.")
    residents_65plus: float | None
    buurten_without_residents_figure: int = Field(
        description="Buurten whose resident figure CBS keeps secret or lacks (not in the sum)."
    )
    area_ha: float
    wijk_codes: list[str]
    buurt_codes: list[str]


class BuurtProperties(BaseModel):
    """A CBS buurt with its zone (null when in no zone)."""

    model_config = ConfigDict(extra="forbid")

    bu_code: str
    bu_naam: str
    wk_code: str
    wk_naam: str | None
    gm_code: str
    gm_naam: str | None
    residents: float | None
    residents_65plus: float | None
    zone_code: str | None


class VoorzieningProperties(BaseModel):
    """A voorziening (a point; polygons were reduced to a point on their surface)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    category: str
    source: str = Field(description="The file it was imported from.")
    bu_code: str | None
    zone_code: str | None = Field(description="Null for voorzieningen outside every zone.")


class CoverageRow(BaseModel):
    """Coverage of one category in one area. Distances in metres, shares 0..1."""

    zone_code: str | None = None
    bu_code: str | None = None
    category: str
    threshold_m: float
    residents: float
    residents_65plus: float
    residents_beyond: float
    residents_65plus_beyond: float
    share_beyond: float | None = Field(description="Null where the area has no residents.")
    share_65plus_beyond: float | None
    mean_distance_m: float | None = Field(
        description="Resident-weighted mean; null where some residents have no voorziening "
        "of this category at all."
    )
    max_distance_m: float | None


class CoverageResponse(BaseModel):
    """Coverage over all zoned buurten (``gemeente``) and per zone."""

    source: str = Field(description="Distance source: straight_line or walking.")
    gemeente: list[CoverageRow]
    zones: list[CoverageRow]


class ZoneDetail(BaseModel):
    """One zone with its buurten, the voorzieningen inside it, and its coverage."""

    zone: Feature[ZoneProperties]
    buurten: FeatureCollection[BuurtProperties]
    voorzieningen: FeatureCollection[VoorzieningProperties]
    coverage: list[CoverageRow]
    map: str = Field(description="Path of the zone's map page.")


class NearestOut(BaseModel):
    """The nearest voorziening of one category from a looked-up point."""

    category: str
    threshold_m: float
    id: str | None
    name: str | None
    distance_m: float | None = Field(description="Metres, by the served distance source.")
    walking_minutes: float | None = Field(description="At the configured walking speed.")
    within_threshold: bool | None
    lon: float | None
    lat: float | None


class LocationOut(BaseModel):
    """What lies at a point."""

    lon: float
    lat: float
    bu_code: str | None
    bu_naam: str | None
    zone_code: str | None
    source: str
    nearest: list[NearestOut]


class CategoryOut(BaseModel):
    """A voorziening category of the vocabulary."""

    code: str
    label_nl: str
    label_en: str
    threshold_m: float
    norm_source: str
    colour: str
    symbol: str


class Health(BaseModel):
    """Liveness and what is loaded."""

    status: Literal["ok", "empty"]
    buurten: int
    zones: int
    voorzieningen: int
    store: str
