"""Woonservicezones as GeoJSON, and one zone in detail."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from fastapi import APIRouter, Request

from geo.ask.geojson import dumps, feature, feature_collection
from geo.read.buurten import BUURT_COLUMNS
from geo.read.cbs import cbs_distance_columns
from geo.read.voorzieningen import VOORZIENING_COLUMNS, VOORZIENING_DETAIL_COLUMNS
from geo.zones import ZONE_COLUMNS
from service.deps import PublishedDep, ZoneDep
from service.geojson import GEOJSON_MEDIA_TYPE, GeoJSONResponse, JSONText
from service.schemas.answers import CoverageRow, ZoneDetail
from service.schemas.features import BuurtProperties, FeatureCollection, ZoneProperties
from service.state import records

router = APIRouter(prefix="/zones", tags=["zones"])

BUURT_FIELDS = (*BUURT_COLUMNS, "zone_code")


def buurt_fields(buurten: gpd.GeoDataFrame) -> tuple[str, ...]:
    """The buurt properties served: the fixed ones and CBS's own distances (cbs_<cat>_km)."""
    return (*BUURT_FIELDS, *cbs_distance_columns(buurten.columns))


VOORZIENING_FIELDS = (*VOORZIENING_COLUMNS, *VOORZIENING_DETAIL_COLUMNS, "bu_code", "zone_code")


def _geojson_doc(model: type) -> dict[int | str, dict[str, object]]:
    return {200: {"model": model, "content": {GEOJSON_MEDIA_TYPE: {}}}}


@router.get(
    "",
    response_class=GeoJSONResponse,
    responses=_geojson_doc(FeatureCollection[ZoneProperties]),
    summary="All woonservicezones (GeoJSON, WGS84)",
)
def list_zones(published: PublishedDep, request: Request) -> GeoJSONResponse:
    """Zone polygons with residents and 65+ totals, as an RFC 7946 FeatureCollection; each
    zone's ``profiel`` is the path of its wijkprofiel."""
    zones = published.zones.assign(
        profiel=[profiel_path(request, c) for c in published.zones["zone_code"]]
    )
    return GeoJSONResponse(feature_collection(zones, (*ZONE_COLUMNS, "profiel")))


def profiel_path(request: Request, code: str) -> str:
    """The path of the wijkprofiel of ``code`` (``/profiel/noord``), under the app's root."""
    return str(request.url_for("profiel", code=code).path)


@router.get("/{zone_code}", response_model=ZoneDetail, summary="One zone in detail")
def get_zone(zone_code: ZoneDep, published: PublishedDep, request: Request) -> JSONText:
    """The zone, its buurten, the voorzieningen inside it, its coverage per category, and the
    paths of its map and its wijkprofiel."""
    zones = published.zones[published.zones["zone_code"] == zone_code]
    buurten = published.buurten[published.buurten["zone_code"] == zone_code]
    inside = published.voorzieningen[published.voorzieningen["zone_code"] == zone_code]
    coverage = published.analysis.coverage.for_zone(zone_code)
    page = str(request.url_for("zone_map_page", zone_code=zone_code).path)
    body = (
        f'{{"zone":{feature(zones, ZONE_COLUMNS)},'
        f'"buurten":{feature_collection(buurten, buurt_fields(buurten))},'
        f'"voorzieningen":{feature_collection(inside, VOORZIENING_FIELDS)},'
        f'"coverage":{dumps(_coverage_rows(coverage))},"map":{dumps(page)},'
        f'"profiel":{dumps(profiel_path(request, zone_code))}}}'
    )
    return JSONText(body)


@router.get(
    "/{zone_code}/buurten",
    response_class=GeoJSONResponse,
    responses=_geojson_doc(FeatureCollection[BuurtProperties]),
    summary="The zone's buurten (GeoJSON, WGS84)",
)
def zone_buurten(zone_code: ZoneDep, published: PublishedDep) -> GeoJSONResponse:
    """The CBS buurten of one zone with residents and 65+."""
    buurten = published.buurten[published.buurten["zone_code"] == zone_code]
    return GeoJSONResponse(feature_collection(buurten, buurt_fields(buurten)))


def _coverage_rows(coverage: pd.DataFrame) -> list[dict[str, object]]:
    """The zone's coverage rows as the :class:`CoverageRow` model serialises them (every
    field, null where the row has none)."""
    return [CoverageRow.model_validate(row).model_dump() for row in records(coverage)]
