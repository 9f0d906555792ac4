"""Point lookup: lon/lat → buurt, zone, nearest voorziening per category."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from geo.pipeline import locate_at
from service.deps import PublishedDep, SettingsDep
from service.params import LatQuery, LonQuery
from service.schemas.answers import LocationOut

router = APIRouter(tags=["lookup"])


@router.get("/lookup", response_model=LocationOut, summary="What is near a point")
async def lookup(
    published: PublishedDep,
    settings: SettingsDep,
    lon: LonQuery,
    lat: LatQuery,
    distance: Annotated[
        Literal["walking", "straight_line"] | None,
        Query(
            description="`walking` (over the street network; the default where one is "
            "loaded) or `straight_line`."
        ),
    ] = None,
    profile: Annotated[
        Literal["walk", "rollator"],
        Query(description="Walking profile: `walk` or `rollator` (no steps, kerbs, steep)."),
    ] = "walk",
) -> dict[str, object]:
    """The buurt and zone at a point, and the nearest voorziening of each category with the
    distance in metres (walking over the street network where one is loaded) and minutes."""
    analysis = published.analysis
    source = analysis.distance_source(distance, profile)
    walking = source.name == "walking"
    found = locate_at(analysis, lon, lat, source)
    speed_profile = profile if walking else "walk"
    lonlat = published.voorzieningen_lonlat()
    return {
        "lon": found.lon,
        "lat": found.lat,
        "bu_code": found.bu_code,
        "bu_naam": found.bu_naam,
        "zone_code": found.zone_code,
        "source": source.name,
        "profile": profile if walking else None,
        "speed_m_per_s": settings.speed_m_per_s(speed_profile),
        "nearest": [
            {
                "category": n.category,
                "threshold_m": n.threshold_m,
                "id": n.id,
                "name": n.name,
                "distance_m": None if n.distance_m is None else round(n.distance_m, 1),
                "walking_minutes": None
                if n.distance_m is None
                else round(settings.minutes(n.distance_m, speed_profile), 1),
                "within_threshold": n.within_threshold,
                "lon": None if n.position is None else float(lonlat[n.position, 0]),
                "lat": None if n.position is None else float(lonlat[n.position, 1]),
            }
            for n in found.nearest
        ],
        "note": found.note,
    }
