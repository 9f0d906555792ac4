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
    base = _asset_base(request)

    def render() -> str:
        return map_html(
            overview_map(published.analysis, tiles=settings.tile_layer(), asset_base=base)
        )

    return HTMLResponse(published.cache.get(("map", "index", base), render))


@router.get("/{zone_code}.html", response_class=HTMLResponse, summary="Map of one zone")
def zone_map_page(
    zone_code: ZoneDep, published: PublishedDep, settings: ServiceSettingsDep, request: Request
) -> HTMLResponse:
    """One zone with the voorzieningen within reach of it."""
    base = _asset_base(request)

    def render() -> str:
        page = zone_map(published.analysis, zone_code, tiles=settings.tile_layer(), asset_base=base)
        return map_html(page)

    return HTMLResponse(published.cache.get(("map", zone_code, base), render))
