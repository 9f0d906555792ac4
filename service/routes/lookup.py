"""Point lookup: lon/lat → buurt, zone, nearest voorziening per category."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from geo.locate import locate
from service.deps import PublishedDep, SettingsDep
from service.schemas import LocationOut

router = APIRouter(tags=["lookup"])


@router.get("/lookup", response_model=LocationOut, summary="What is near a point")
def lookup(
    published: PublishedDep,
    settings: SettingsDep,
    lon: Annotated[float, Query(description="Longitude, WGS84 degrees (e.g. 5.09).")],
    lat: Annotated[float, Query(description="Latitude, WGS84 degrees (e.g. 52.03).")],
) -> dict[str, object]:
    """The buurt and zone at a point, and the nearest voorziening of each category."""
    analysis = published.analysis
    dataset = analysis.dataset
    found = locate(
        lon, lat, dataset.buurten, dataset.voorzieningen, analysis.vocabulary, analysis.source
    )
    points = published.voorzieningen.geometry
    return {
        "lon": found.lon,
        "lat": found.lat,
        "bu_code": found.bu_code,
        "bu_naam": found.bu_naam,
        "zone_code": found.zone_code,
        "source": analysis.source.name,
        "nearest": [
            {
                "category": n.category,
                "threshold_m": n.threshold_m,
                "id": n.id,
                "name": n.name,
                "distance_m": None if n.distance_m is None else round(n.distance_m, 1),
                "walking_minutes": None
                if n.distance_m is None
                else round(settings.minutes(n.distance_m), 1),
                "within_threshold": n.within_threshold,
                "lon": None if n.position is None else float(points.iloc[n.position].x),
                "lat": None if n.position is None else float(points.iloc[n.position].y),
            }
            for n in found.nearest
        ],
    }
