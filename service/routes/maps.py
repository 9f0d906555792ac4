"""Map pages: the gemeente overview and one per zone (Leaflet served by this service)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from maps.build import map_html, overview_map, zone_map
from service.deps import PublishedDep, ServiceSettingsDep, ZoneDep

router = APIRouter(prefix="/maps", tags=["maps"])


def _asset_base(request: Request) -> str:
    return f"{request.scope.get('root_path', '')}/static/vendor"


@router.get("/index.html", response_class=HTMLResponse, summary="Overview map")
def overview_map_page(
    published: PublishedDep, settings: ServiceSettingsDep, request: Request
) -> HTMLResponse:
    """All zones, buurten, voorzieningen and coverage gaps of the gemeente."""
    pages = published.map_pages
    if "index" not in pages:
        pages["index"] = map_html(
            overview_map(
                published.analysis, tiles=settings.tile_layer(), asset_base=_asset_base(request)
            )
        )
    return HTMLResponse(pages["index"])


@router.get("/{zone_code}.html", response_class=HTMLResponse, summary="Map of one zone")
def zone_map_page(
    zone_code: ZoneDep, published: PublishedDep, settings: ServiceSettingsDep, request: Request
) -> HTMLResponse:
    """One zone with the voorzieningen within reach of it."""
    pages = published.map_pages
    if zone_code not in pages:
        pages[zone_code] = map_html(
            zone_map(
                published.analysis,
                zone_code,
                tiles=settings.tile_layer(),
                asset_base=_asset_base(request),
            )
        )
    return HTMLResponse(pages[zone_code])
