"""Coverage figures per zone and for the gemeente."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from geo import pipeline
from geo.ask.filters import check_category, check_zone
from geo.ask.geojson import feature_collection
from geo.coverage.presence import presence_gaps
from geo.errors import EmptyStoreError
from service.deps import PublishedDep
from service.geojson import GEOJSON_MEDIA_TYPE, GeoJSONResponse
from service.params import CategoryQuery
from service.schemas.answers import CoverageResponse, CoverageRow
from service.schemas.features import FeatureCollection, GapProperties
from service.state import records

router = APIRouter(prefix="/coverage", tags=["coverage"])


DistanceQuery = Annotated[
    Literal["walking", "straight_line"] | None,
    Query(
        description="`walking` (over the street network; the default where one is loaded) or "
        "`straight_line`."
    ),
]


@router.get("", response_model=CoverageResponse, summary="Coverage per zone and category")
def coverage(
    published: PublishedDep,
    zone: Annotated[str | None, Query(description="Only this zone.")] = None,
    category: CategoryQuery | None = None,
    distance: DistanceQuery = None,
) -> dict[str, object]:
    """Share of residents (and 65+) beyond each category's threshold, per zone.

    ``gemeente`` covers all buurten in a zone together. By walking, each row also gives the
    straight-line figures and the detour factor. ``presence_gaps`` are the wijken and zones
    without a voorziening a presence norm asks for (of ``zone``: the zone and its wijken).
    """
    result = published.analysis.coverage_by(distance)
    zones, gemeente = result.zones, result.gemeente
    zone_code = None if zone is None else check_zone(zone, published.zones)
    if zone_code is not None:
        zones = zones[zones["zone_code"] == zone_code]
    presence = presence_gaps(pipeline.whatif_norms(published.analysis, zone_code=zone_code))
    if category is not None:
        code = check_category(category, published.analysis.vocabulary)
        zones, gemeente = zones[zones["category"] == code], gemeente[gemeente["category"] == code]
        presence = presence[presence["category"] == code]
    return {
        "source": result.source,
        "compared": result.compared,
        "notes": list(published.analysis.notes),
        "gemeente": records(gemeente),
        "zones": records(zones),
        "presence_gaps": records(presence),
    }


@router.get("/buurten", response_model=list[CoverageRow], summary="Coverage per buurt")
def buurt_coverage(
    published: PublishedDep,
    zone: Annotated[str | None, Query(description="Only this zone's buurten.")] = None,
    distance: DistanceQuery = None,
) -> list[dict[str, object]]:
    """Coverage figures per buurt and category (the numbers the map's gap layers shade), with
    how residents were placed and CBS's own distance where the buurten carry it."""
    rows = published.analysis.coverage_by(distance).buurten
    if zone is not None:
        rows = rows[rows["zone_code"] == check_zone(zone, published.zones)]
    return records(rows)


@router.get(
    "/gaps",
    response_class=GeoJSONResponse,
    responses={
        200: {"model": FeatureCollection[GapProperties], "content": {GEOJSON_MEDIA_TYPE: {}}}
    },
    summary="Gap polygons: where residents beyond the threshold live (GeoJSON, WGS84)",
)
def gaps(
    published: PublishedDep,
    zone: Annotated[str | None, Query(description="Only this zone.")] = None,
    category: CategoryQuery | None = None,
) -> GeoJSONResponse:
    """Per category and zone, the area where the residents beyond the category's threshold
    live (by walking where a network is loaded), with their number."""
    frame = published.gaps
    if frame is None:
        raise EmptyStoreError("no coverage has been computed yet")
    if zone is not None:
        frame = frame[(frame["zone_code"] == check_zone(zone, published.zones)).fillna(False)]
    if category is not None:
        frame = frame[frame["category"] == check_category(category, published.analysis.vocabulary)]
    return GeoJSONResponse(feature_collection(frame, list(GapProperties.model_fields)))
