"""Voorzieningen, filtered by category, zone and bbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from geo.ask.filters import check_category, check_zone, filter_voorzieningen, parse_bbox
from geo.ask.geojson import feature_collection
from service.deps import PublishedDep
from service.geojson import GEOJSON_MEDIA_TYPE, GeoJSONResponse
from service.params import WGS84_BBOX_PATTERN, CategoryQuery
from service.routes.zones import VOORZIENING_FIELDS
from service.schemas.features import FeatureCollection, VoorzieningProperties

router = APIRouter(prefix="/voorzieningen", tags=["voorzieningen"])


@router.get(
    "",
    response_class=GeoJSONResponse,
    responses={
        200: {
            "model": FeatureCollection[VoorzieningProperties],
            "content": {GEOJSON_MEDIA_TYPE: {}},
        }
    },
    summary="Voorzieningen (GeoJSON, WGS84)",
)
def list_voorzieningen(
    published: PublishedDep,
    category: CategoryQuery | None = None,
    zone: Annotated[str | None, Query(description="Zone code, e.g. `noord`.")] = None,
    bbox: Annotated[
        str | None,
        Query(
            pattern=WGS84_BBOX_PATTERN,
            description="minlon,minlat,maxlon,maxlat in WGS84 degrees, "
            "e.g. `5.05,52.00,5.13,52.05` (corners in either order).",
        ),
    ] = None,
) -> GeoJSONResponse:
    """All voorzieningen, or those of a category, in a zone and/or inside a bbox."""
    vocabulary = published.analysis.vocabulary
    selected = filter_voorzieningen(
        published.voorzieningen,
        category=check_category(category, vocabulary) if category is not None else None,
        zone_code=check_zone(zone, published.zones) if zone is not None else None,
        bbox=parse_bbox(bbox) if bbox is not None else None,
    )
    return GeoJSONResponse(feature_collection(selected, VOORZIENING_FIELDS))
