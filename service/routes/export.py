"""Downloads of every layer as GeoJSON, GeoPackage or CSV, in WGS84 or RD New."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from geo.ask import export
from geo.ask.export import ExportCrs, ExportFormat
from service.deps import PublishedDep
from service.ogc.catalog import catalog_of

router = APIRouter(prefix="/export", tags=["export"])


@router.get(
    "/{layer}",
    summary="Download a layer (GeoJSON, GeoPackage, CSV)",
    response_class=Response,
    responses={
        200: {
            "description": "The layer as a file (Content-Disposition names it).",
            "content": {media: {} for media in export.MEDIA_TYPE.values()},
        },
        404: {"description": "Unknown layer, or no gap polygons yet (problem+json)."},
    },
)
def export_layer(
    published: PublishedDep,
    layer: Annotated[
        str,
        Path(
            description="buurten, zones, voorzieningen, coverage, or gaps (once computed).",
            max_length=64,
        ),
    ],
    format: Annotated[
        ExportFormat,
        Query(description="geojson (RFC 7946 in EPSG:4326), gpkg (GeoPackage) or csv."),
    ] = "geojson",
    crs: Annotated[
        ExportCrs,
        Query(description="EPSG:4326 (WGS84 lon/lat) or EPSG:28992 (RD New, metres)."),
    ] = "EPSG:4326",
) -> Response:
    """The layer as a file; GeoJSON in EPSG:28992 carries a legacy ``crs`` member.

    CSV has polygons as a ``WKT`` column and points as ``lon``/``lat`` or ``x``/``y`` columns.
    """
    catalog = catalog_of(published)
    if layer not in catalog.collections:
        export.check_layer(layer)  # NotFoundError naming the layers
    frame = catalog.get(layer).source
    body = export.export_bytes(frame, layer, format, crs)
    name = export.file_name(layer, format, crs)
    return Response(
        body,
        media_type=export.MEDIA_TYPE[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
