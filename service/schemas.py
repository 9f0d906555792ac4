"""Response models, separate from the domain frames; tests validate bodies against them.

GeoJSON follows RFC 7946: WGS84 lon/lat, no ``crs`` member, media type ``application/geo+json``.
"""

from __future__ import annotations

import re
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

P = TypeVar("P", bound=BaseModel)


class Geometry(BaseModel):
    """A GeoJSON geometry in WGS84 lon/lat."""

    type: Literal["Point", "MultiPoint", "Polygon", "MultiPolygon", "LineString", "MultiLineString"]
    coordinates: list[Any]


class Feature(BaseModel, Generic[P]):
    """A GeoJSON Feature."""

    type: Literal["Feature"]
    geometry: Geometry | None = Field(description="Null for an empty area.")
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


#: CBS's own distance to a category, as a buurt property: ``cbs_huisarts_km``.
CBS_DISTANCE_PROPERTY = r"^cbs_[a-z][a-z0-9_]*_km$"


def _cbs_distance_schema(schema: dict[str, Any]) -> None:
    """Document the ``cbs_<category>_km`` properties: a pattern, numbers or null, nothing else."""
    schema["patternProperties"] = {
        CBS_DISTANCE_PROPERTY: {
            "anyOf": [{"type": "number", "minimum": 0}, {"type": "null"}],
            "description": "CBS measure: distance in km over roads to the nearest voorziening "
            "of the category, from every address in the buurt (CBS nabijheid); null where "
            "CBS keeps it secret or the import had no such column.",
        }
    }
    schema["additionalProperties"] = False


class BuurtProperties(BaseModel):
    """A CBS buurt with its zone (null when in no zone) and CBS's own distances.

    Besides the fields below, a buurt has one ``cbs_<category>_km`` property for each category
    whose vocabulary entry names CBS columns (``cbs_huisarts_km``, ``cbs_apotheek_km``,
    ``cbs_supermarkt_km`` by default): CBS's measure, over roads from every address.
    """

    model_config = ConfigDict(extra="allow", json_schema_extra=_cbs_distance_schema)
    __pydantic_extra__: dict[str, float | None] = Field(init=False)

    bu_code: str
    bu_naam: str
    wk_code: str
    wk_naam: str | None
    gm_code: str
    gm_naam: str | None
    residents: float | None
    residents_65plus: float | None
    zone_code: str | None

    @model_validator(mode="after")
    def _only_cbs_distances(self) -> BuurtProperties:
        unexpected = [k for k in self.model_extra or {} if not re.match(CBS_DISTANCE_PROPERTY, k)]
        if unexpected:
            raise ValueError(
                f"unexpected propert{'y' if len(unexpected) == 1 else 'ies'} "
                f"{', '.join(unexpected)}; only cbs_<category>_km may be added"
            )
        negative = [k for k, v in (self.model_extra or {}).items() if v is not None and v < 0]
        if negative:
            raise ValueError(f"CBS distances cannot be negative: {', '.join(negative)}")
        return self


class VoorzieningProperties(BaseModel):
    """A voorziening (a point; polygons were reduced to a point on their surface)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    category: str
    source: str = Field(description="The file it was imported from.")
    address: str | None = Field(
        default=None, description="Address, where the source gives one (OSM addr:*, adres)."
    )
    opening_hours: str | None = Field(
        default=None,
        description="Opening hours as the source writes them (OSM opening_hours syntax).",
    )
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
    source: str = Field(description="walking (over the street network) or straight_line.")
    profile: str | None = Field(
        default=None, description="Walking profile (walk, rollator); null for straight lines."
    )
    speed_m_per_s: float = Field(description="Speed behind walking_minutes.")
    nearest: list[NearestOut]


class RouteProperties(BaseModel):
    """A walk to the nearest voorziening of a category."""

    model_config = ConfigDict(extra="forbid")

    category: str
    profile: str
    source: Literal["walking"]
    distance_m: float = Field(description="Metres walked, snap lines included.")
    minutes: float = Field(description="At the profile's speed.")
    speed_m_per_s: float
    voorziening_id: str
    voorziening_name: str
    voorziening_lon: float
    voorziening_lat: float


class IsochroneProperties(BaseModel):
    """The area reachable on foot within a number of minutes."""

    model_config = ConfigDict(extra="forbid")

    minutes: float
    distance_m: float = Field(description="Metres walkable in that time at the profile's speed.")
    profile: str
    speed_m_per_s: float


class GapProperties(BaseModel):
    """Where the residents beyond a category's threshold live, in one zone."""

    model_config = ConfigDict(extra="forbid")

    category: str
    zone_code: str | None = Field(description="Null for buurten in no zone.")
    threshold_m: float
    residents_beyond: float
    residents_65plus_beyond: float
    source: str = Field(description="The distance measure: walking or straight_line.")


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


class AddressProperties(BaseModel):
    """An address found by ``/addresses`` (a point), with the buurt and zone it lies in."""

    model_config = ConfigDict(extra="forbid")

    address: str = Field(description='Display text, e.g. "Mekelweg 3, 2628 CC Delft".')
    street: str
    housenumber: str = Field(description="House number as written, with letter and addition.")
    postcode: str | None = Field(description='"2628 CC"; null where the source has none.')
    city: str | None
    bu_code: str | None = Field(description="The CBS buurt it lies in; null outside them.")
    bu_naam: str | None
    zone_code: str | None = Field(description="Its woonservicezone; null outside every zone.")
    zone_name: str | None
    source: Literal["bag", "osm"] = Field(
        description="bag: the imported BAG table; osm: addr:* tags of the OSM extract."
    )
    match: Literal["exact", "partial"] = Field(
        description="exact: postcode or street and the whole house number match."
    )


class AddressCollection(FeatureCollection[AddressProperties]):
    """Matches, best first, and how many addresses can be searched."""

    indexed: int = Field(description="Addresses in the index (BAG and OSM).")
    sources: dict[str, int] = Field(description="Addresses per source (bag, osm).")


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


class LayerChangesOut(BaseModel):
    """Features of one layer added, updated, removed and unchanged by an import (by id)."""

    added: int
    updated: int
    removed: int
    unchanged: int


class ImportInputOut(BaseModel):
    """A file or body that came in."""

    file_name: str
    sha256: str = Field(description="SHA-256 of the bytes, hex (empty when not read).")
    size: int = Field(description="Bytes.")


class ImportReportOut(BaseModel):
    """What one import did (also one entry of the import log, ``GET /imports``)."""

    id: str
    time: str = Field(description="When it started (ISO 8601, UTC).")
    kind: Literal["buurten", "zones", "voorzieningen", "sample"]
    mode: str = Field(description="replace, upsert (or add, from the command line).")
    dry_run: bool
    via: Literal["http", "cli"]
    key: str | None = Field(description="The API key's name (never the key).")
    user: str | None = Field(description="The system user of a command-line import.")
    file_name: str
    sha256: str = Field(description="SHA-256 of the body or file, hex (empty when not read).")
    bytes: int
    outcome: Literal["applied", "unchanged", "dry_run", "refused", "failed"] = Field(
        description="applied: written and served; unchanged: the store already held this, "
        "nothing written; dry_run: validated only; refused: bad input (see error); failed: "
        "an error of the service."
    )
    added: int = Field(description="Features of the imported layer added (by stable id).")
    updated: int
    removed: int
    unchanged: int
    refused: int = Field(description="Features refused (listed in the problem response).")
    changes: dict[str, LayerChangesOut] = Field(
        description="Per layer (buurten, zones, voorzieningen): what the import changed."
    )
    warnings: list[str]
    error: dict[str, str] | None = Field(description="title and detail of a refusal.")
    statistics: list[ImportInputOut] = Field(description="CBS tables sent with buurten.")
    previous_version: str | None = Field(description="The store's SHA-256 before.")
    store_version: str | None = Field(description="The store's SHA-256 after.")
    duration_s: float


class ImportLogOut(BaseModel):
    """The import log, newest first."""

    imports: list[ImportReportOut]
