"""Walking routes and isochrones over the street network (GeoJSON, WGS84)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from geo.ask.geojson import feature_collection, feature_text
from geo.ask.reach import isochrones_at, parse_minutes, route_to_nearest
from geo.crs import geometry_to_edge, to_edge_crs
from service.deps import PublishedDep, SettingsDep
from service.geojson import GEOJSON_MEDIA_TYPE, GeoJSONResponse
from service.params import CategoryQuery, LatQuery, LonQuery, MinutesQuery
from service.schemas.features import (
    Feature,
    FeatureCollection,
    IsochroneProperties,
    RouteProperties,
)

router = APIRouter(tags=["walking"])

Profile = Literal["walk", "rollator"]
ProfileQuery = Annotated[
    Profile,
    Query(description="`walk`, or `rollator` (no steps, no raised kerbs, no steep inclines)."),
]


@router.get(
    "/route",
    response_class=GeoJSONResponse,
    responses={200: {"model": Feature[RouteProperties], "content": {GEOJSON_MEDIA_TYPE: {}}}},
    summary="Walking route to the nearest voorziening of a category",
)
async def walking_route(
    published: PublishedDep,
    settings: SettingsDep,
    lon: LonQuery,
    lat: LatQuery,
    category: CategoryQuery,
    profile: ProfileQuery = "walk",
) -> GeoJSONResponse:
    """A LineString from the point over the street network to the nearest voorziening of the
    category, with its length in metres and minutes at the profile's speed. 404 when none can
    be reached; 503 when no street network is loaded."""
    found = route_to_nearest(published.analysis, lon, lat, category, profile)
    target_lon, target_lat = published.voorzieningen_lonlat()[found.voorziening_position]
    values = RouteProperties(
        category=found.category,
        profile=profile,
        source="walking",
        distance_m=round(found.distance_m, 1),
        minutes=round(settings.minutes(found.distance_m, profile), 1),
        speed_m_per_s=settings.speed_m_per_s(profile),
        voorziening_id=found.voorziening_id,
        voorziening_name=found.voorziening_name,
        voorziening_lon=float(target_lon),
        voorziening_lat=float(target_lat),
    )
    return GeoJSONResponse(feature_text(geometry_to_edge(found.geometry), values.model_dump()))


@router.get(
    "/isochrone",
    response_class=GeoJSONResponse,
    responses={
        200: {
            "model": FeatureCollection[IsochroneProperties],
            "content": {GEOJSON_MEDIA_TYPE: {}},
        }
    },
    summary="Areas reachable on foot within given minutes",
)
def isochrone(
    published: PublishedDep,
    settings: SettingsDep,
    lon: LonQuery,
    lat: LatQuery,
    minutes: MinutesQuery = "5,10,15",
    profile: ProfileQuery = "walk",
) -> GeoJSONResponse:
    """One polygon per walking time, nested (5 ⊂ 10 ⊂ 15 min): the reachable streets (partial
    edges included) and a margin either side. 404 when the point is off the network."""
    areas = isochrones_at(
        published.analysis,
        lon,
        lat,
        parse_minutes(minutes),
        speed_m_per_s=settings.speed_m_per_s(profile),
        buffer_m=settings.isochrone_buffer_m,
        profile=profile,
    )
    areas["speed_m_per_s"] = settings.speed_m_per_s(profile)
    areas["distance_m"] = areas["distance_m"].round(1)
    return GeoJSONResponse(
        feature_collection(to_edge_crs(areas), list(IsochroneProperties.model_fields))
    )
