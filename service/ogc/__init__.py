"""OGC API – Features at ``/ogc``: Part 1 Core (GeoJSON, HTML, OpenAPI 3.0) and Part 2 (CRS).

Collections are the layers of :mod:`geo.ask.export` (``buurten``, ``zones``, ``voorzieningen``,
``coverage``, and ``gaps`` once walking coverage has gap polygons), offered in CRS84 and RD New
(EPSG:28992). QGIS: *Layer → Add Layer → Add WFS / OGC API – Features Layer* with the URL
``http://HOST:PORT/ogc``; GDAL: ``ogrinfo OAPIF:http://HOST:PORT/ogc``.
"""

from __future__ import annotations

from fastapi import APIRouter

from service.ogc import core, items, openapi

router = APIRouter()
for _module in (core, items, openapi):
    router.include_router(_module.router)

__all__ = ["router"]
