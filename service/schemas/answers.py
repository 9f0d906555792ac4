"""Plain JSON answers: coverage figures, point lookups, categories, health, problems."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.schemas.features import (
    BuurtProperties,
    Feature,
    FeatureCollection,
    VoorzieningProperties,
    ZoneProperties,
)


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
        description="Resident-weighted mean over the residents with a distance (metres); null "
        "where nobody has one (no voorziening of this category, or none reachable)."
    )
    max_distance_m: float | None
    residents_off_network: float = Field(
        default=0.0,
        description="Residents living beyond the snap limit of every walkable way (walking "
        "only): counted as beyond.",
    )
    residents_beyond_straight: float | None = Field(
        default=None, description="Residents beyond the threshold in a straight line."
    )
    share_beyond_straight: float | None = Field(
        default=None, description="Share beyond the threshold in a straight line (0..1)."
    )
    mean_distance_straight_m: float | None = Field(
        default=None, description="Resident-weighted mean straight-line distance (metres)."
    )
    detour_factor: float | None = Field(
        default=None,
        description="Mean walking distance ÷ mean straight-line distance (walking only).",
    )
    placement: str | None = Field(
        default=None,
        description="Per buurt: how residents were placed, 'buildings' (OSM residential "
        "buildings by floor area) or 'grid' (100 m grid).",
    )
    cbs_distance_m: float | None = Field(
        default=None,
        description="Per buurt: CBS's own measure (CBS nabijheid: over roads, from every "
        "address), metres; null where CBS has no figure for this category.",
    )


class PresenceArea(BaseModel):
    """One wijk or zone checked against a presence norm ("at least one <category> in every
    wijk / zone")."""

    category: str
    level: Literal["wijk", "zone"]
    area_code: str
    area_name: str
    residents: float | None = Field(description="CBS residents of the area's buurten.")
    residents_65plus: float | None
    voorzieningen: int = Field(description="Voorzieningen of the category in the area.")
    met: bool = Field(description="Whether the area has at least one.")


class CoverageResponse(BaseModel):
    """Coverage over all zoned buurten (``gemeente``) and per zone."""

    source: str = Field(description="Distance source: walking or straight_line.")
    compared: str | None = Field(
        default=None, description="The source whose figures are given beside (straight_line)."
    )
    notes: list[str] = Field(
        default_factory=list,
        description="What the figures rest on: synthetic (generated) parts of the data, "
        "categories without voorzieningen, points beyond the street network.",
    )
    gemeente: list[CoverageRow]
    zones: list[CoverageRow]
    presence_gaps: list[PresenceArea] = Field(
        default_factory=list,
        description="Wijken and zones without the voorziening a presence norm of the "
        "vocabulary asks for in each (GET /whatif/norms lists every area).",
    )


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
    source: str = Field(description="walking (over the street network) or straight_line.")
    profile: str | None = Field(
        default=None, description="Walking profile (walk, rollator); null for straight lines."
    )
    speed_m_per_s: float = Field(description="Speed behind walking_minutes.")
    nearest: list[NearestOut]
    note: str | None = Field(
        default=None,
        description="Why distances or the buurt are missing: the point lies beyond the "
        "network's snap limit, outside the Netherlands, or lon/lat look swapped. Null when "
        "nothing is missing for such a reason.",
    )


class CategoryOut(BaseModel):
    """A voorziening category of the vocabulary."""

    code: str
    label_nl: str
    label_en: str
    threshold_m: float
    norm_source: str
    colour: str
    symbol: str


class SourceOut(BaseModel):
    """Where one layer comes from; ``synthetic`` layers are generated, not real data."""

    layer: str = Field(description="buurten, zones, voorzieningen or network")
    source: str = Field(description="The file name(s) the layer was read from.")
    synthetic: bool
    text: str = Field(description="Attribution and licence.")
    date: str | None


class Health(BaseModel):
    """Liveness and what is loaded."""

    status: Literal["ok", "empty"]
    buurten: int
    zones: int
    voorzieningen: int
    store: str
    sample: str | None = Field(default=None, description="The sample's name, if one is loaded.")
    synthetic: list[str] = Field(
        default_factory=list, description="Layers that are synthetic (generated, not real data)."
    )
    sources: list[SourceOut] = Field(default_factory=list)
    store_version: str | None = Field(
        default=None, description="SHA-256 of the store file served (null: no store yet)."
    )
    store_changed: str | None = Field(
        default=None, description="When the store file last changed (ISO 8601, UTC)."
    )
    generation: int = Field(
        default=0, description="States served since start-up; each import or reload adds one."
    )
    reload_error: str | None = Field(
        default=None,
        description="Why the last reload of a changed store failed (the previous state is "
        "still served); null when it succeeded.",
    )


class Problem(BaseModel):
    """An RFC 9457 problem (``application/problem+json``)."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="Per feature: index (from 0), id and reason (at most 100)."
    )
    total: int | None = Field(default=None, description="How many features are at fault.")
    limit: int | None = Field(default=None, description="The limit exceeded.")
    actual: int | None = Field(default=None, description="The size found.")


class ZoneDetail(BaseModel):
    """One zone with its buurten, the voorzieningen inside it, and its coverage."""

    zone: Feature[ZoneProperties]
    buurten: FeatureCollection[BuurtProperties]
    voorzieningen: FeatureCollection[VoorzieningProperties]
    coverage: list[CoverageRow]
    map: str = Field(description="Path of the zone's map page.")
    profiel: str = Field(description="Path of the zone's wijkprofiel (/profiel/{zone_code}).")
