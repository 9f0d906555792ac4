"""Response models of the OGC API – Features endpoints (for the OpenAPI document and tests)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Link(BaseModel):
    """A web link (RFC 8288) as OGC API documents carry them."""

    href: str
    rel: str
    type: str | None = None
    title: str | None = None


class LandingPage(BaseModel):
    """The API's entry point: links to its description, documentation, conformance and data."""

    title: str
    description: str
    links: list[Link]


class Conformance(BaseModel):
    """The conformance classes this API implements."""

    conformsTo: list[str]  # noqa: N815 (OGC's member name)


class Spatial(BaseModel):
    """Spatial extent: one box, min lon, min lat, max lon, max lat in CRS84."""

    bbox: list[list[float]]
    crs: str


class Extent(BaseModel):
    """Extent of a collection; it has no temporal extent (no ``temporal`` member)."""

    spatial: Spatial | None = None


class CollectionInfo(BaseModel):
    """One collection: links to its items, its extent and the CRSs it is offered in."""

    id: str
    title: str
    description: str
    links: list[Link]
    extent: Extent
    itemType: Literal["feature"]  # noqa: N815
    crs: list[str]
    storageCrs: str  # noqa: N815


class Collections(BaseModel):
    """Every collection."""

    links: list[Link]
    collections: list[CollectionInfo]
    crs: list[str] = Field(description="Every CRS some collection is offered in.")


class OgcFeature(BaseModel):
    """A GeoJSON Feature with a stable ``id`` (bu_code, zone_code or voorziening id)."""

    model_config = ConfigDict(extra="allow")

    type: Literal["Feature"]
    id: str
    geometry: dict[str, Any] | None
    properties: dict[str, Any]
    links: list[Link] | None = None


class OgcFeatureCollection(BaseModel):
    """A page of features with paging links and counts."""

    type: Literal["FeatureCollection"]
    features: list[OgcFeature]
    links: list[Link]
    numberMatched: int  # noqa: N815
    numberReturned: int  # noqa: N815
    timeStamp: str  # noqa: N815


class JsonSchema(BaseModel):
    """A JSON Schema (queryables, or the schema of a collection's features)."""

    model_config = ConfigDict(extra="allow")

    type: Literal["object"]
    title: str
    properties: dict[str, Any]
