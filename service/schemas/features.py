"""GeoJSON bodies (RFC 7946: WGS84 lon/lat, no ``crs`` member, ``application/geo+json``):
the features the API serves and their properties."""

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
    profiel: str | None = Field(
        default=None, description="Path of the zone's wijkprofiel (in the list of zones)."
    )


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
