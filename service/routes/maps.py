"""Map pages: the gemeente overview and one per zone (Leaflet served by this service), linking
to the wijkprofielen (zone and buurt popups, the legend).

A page runs no inline script: ``/maps/<name>.html`` loads Leaflet from ``/static/vendor`` and
its own map from ``/maps/<name>.js`` (both rendered from one Folium map, cached together), and
its Content-Security-Policy allows scripts from this service only. The click shared by every
planners' map ("a new voorziening here") is ``/maps/static/evaluate.js`` (:mod:`maps.evaluate`);
it posts to ``/whatif/evaluate``, which the policy's ``connect-src 'self'`` allows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from service.deps import PublishedDep, ServiceSettingsDep, ZoneDep
from service.state import Published

if TYPE_CHECKING:  # branca and Jinja with the first map asked for (render), not at start
    from maps.build import TileLayer
    from maps.page import MapPage

router = APIRouter(prefix="/maps", tags=["maps"])
#: The wijkprofielen (``/profiel/{code}``) relative to a map page (``/maps/{name}.html``).
PROFIEL = "../profiel/"

#: The pages' policy: scripts and data from this service only, styles inline or from here,
#: images from here (and the tile server's, when one is configured), never framed.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:{tiles}; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)


def page_policy(tiles: TileLayer) -> str:
    """The Content-Security-Policy of a map page; a tile server's origin is allowed as an
    image source (``{s}`` subdomains as a wildcard)."""
    if tiles is None:
        return PAGE_POLICY.format(tiles="")
    parts = urlsplit(tiles[0])
    host = parts.netloc.replace("{s}", "*")
    return PAGE_POLICY.format(tiles=f" {parts.scheme}://{host}")


def _page(
    published: Published, name: str, zone_code: str | None, tiles: TileLayer, request: Request
) -> MapPage:
    root = request.scope.get("root_path", "")
    base = f"{root}/static/vendor"
    script_url = f"{root}/maps/{name}.js?v={{digest}}"

    def render() -> MapPage:
        # Folium here, on the first map asked for, not at start: `wsz serve` starts faster.
        from maps.build import overview_map, render_page, zone_map
        from maps.evaluate import served

        analysis = published.analysis
        click = served(root)
        if zone_code is None:
            fmap = overview_map(
                analysis, tiles=tiles, asset_base=base, profiel_base=PROFIEL, evaluate=click
            )
        else:
            fmap = zone_map(
                analysis, zone_code, tiles=tiles, asset_base=base, profiel_base=PROFIEL,
                evaluate=click,
            )  # fmt: skip
        return render_page(fmap, script_url)

    page: MapPage = published.cache.get(("map", name, base, tiles), render)
    return page


def _html(page: MapPage, tiles: TileLayer) -> HTMLResponse:
    return HTMLResponse(page.html, headers={"Content-Security-Policy": page_policy(tiles)})


def _script(page: MapPage) -> Response:
    return _script_response(page.script)


def _script_response(script: str) -> Response:
    return Response(
        script,
        media_type="text/javascript; charset=utf-8",
        headers={"X-Content-Type-Options": "nosniff"},
    )


@router.get("/static/evaluate.js", summary="The planners' maps' click", include_in_schema=False)
def evaluate_script() -> Response:
    """The script the overview, zone and scenario maps share: a click asks
    ``POST /whatif/evaluate`` what a new voorziening there would bring."""
    from maps.evaluate import script_text

    return _script_response(script_text())


@router.get("/index.html", response_class=HTMLResponse, summary="Overview map")
def overview_map_page(
    published: PublishedDep, settings: ServiceSettingsDep, request: Request
) -> HTMLResponse:
    """All zones, buurten, voorzieningen and coverage gaps of the gemeente."""
    tiles = settings.tile_layer()
    return _html(_page(published, "index", None, tiles, request), tiles)


@router.get("/index.js", summary="Script of the overview map", include_in_schema=False)
def overview_map_script(
    published: PublishedDep, settings: ServiceSettingsDep, request: Request
) -> Response:
    """The overview map's script (Leaflet layers, tooltips, legend)."""
    return _script(_page(published, "index", None, settings.tile_layer(), request))


@router.get("/{zone_code}.html", response_class=HTMLResponse, summary="Map of one zone")
def zone_map_page(
    zone_code: ZoneDep, published: PublishedDep, settings: ServiceSettingsDep, request: Request
) -> HTMLResponse:
    """One zone with the voorzieningen within reach of it."""
    tiles = settings.tile_layer()
    return _html(_page(published, zone_code, zone_code, tiles, request), tiles)


@router.get("/{zone_code}.js", summary="Script of a zone's map", include_in_schema=False)
def zone_map_script(
    zone_code: ZoneDep, published: PublishedDep, settings: ServiceSettingsDep, request: Request
) -> Response:
    """A zone map's script."""
    return _script(_page(published, zone_code, zone_code, settings.tile_layer(), request))
