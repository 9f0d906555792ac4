"""The residents' map for iframes (``/embed/``, ``/embed/{zone}``, ``/embed/help``) and the
framing policy of the whole service.

Only ``/embed`` pages may be framed, and only by the origins in
``WSZ_EMBED_FRAME_ANCESTORS`` (``Content-Security-Policy: frame-ancestors``); every other
response says ``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``. The embed pages also
carry a policy that lets them reach this service and the configured tile server only.
"""

from __future__ import annotations

from typing import Annotated, Literal

import shapely
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from starlette.types import Message, Scope

from geo.ask.geojson import collection_text, feature_collection
from geo.ask.streets import street_lines
from geo.settings import Settings
from maps.embed import EMBED_VERSION, Lang, embed_page, help_page, tile_origin
from service.deps import PublishedDep, ServiceSettingsDep, SettingsDep, ZoneDep
from service.geojson import GEOJSON_MEDIA_TYPE, GeoJSONResponse
from service.middleware import HeaderEditor, answer_headers, request_path
from service.routes.addresses import served_index
from service.settings import ServiceSettings
from service.state import Published

router = APIRouter(prefix="/embed", tags=["embed"])

LangQuery = Annotated[
    Literal["nl", "en"],
    Query(description="`nl` (default) or `en`: the page's language, kept in the URL."),
]


def embed_headers(settings: ServiceSettings) -> dict[str, str]:
    """Headers of an embed page: framing by the configured origins, requests to this service
    and the tile server only, no referrer (a location in the URL never reaches the tiles).

    Scripts and style sheets come from this service only, with no 'unsafe-inline': a name
    from the data that reached the page as markup could neither run a script (an ``onerror``
    handler, an injected ``<script>``) nor restyle it. The page's modules set styles through
    the CSSOM, which the policy allows (Leaflet does the same); its configuration is a JSON
    data block, which is never executed."""
    tiles = settings.tile_layer()
    images = "'self' data:" + (f" {tile_origin(tiles[0])}" if tiles else "")
    policy = (
        "default-src 'none'; script-src 'self'; "
        f"style-src 'self'; img-src {images}; connect-src 'self'; "
        "base-uri 'none'; form-action 'self'; "
        f"frame-ancestors {settings.embed_frame_ancestors}"
    )
    return {
        "Content-Security-Policy": policy,
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }


class FramePolicy(HeaderEditor):
    """Middleware: ``/embed`` may be framed by the configured origins, nothing else may."""

    def edit(self, scope: Scope, start: Message) -> None:
        answer = answer_headers(start)
        path = request_path(scope)
        if path == "/embed" or path.startswith("/embed/"):
            settings: ServiceSettings = scope["app"].state.service_settings
            if "content-security-policy" not in answer:
                answer["Content-Security-Policy"] = (
                    f"frame-ancestors {settings.embed_frame_ancestors}"
                )
        else:
            if "content-security-policy" not in answer:
                answer["Content-Security-Policy"] = "frame-ancestors 'none'"
            answer["X-Frame-Options"] = "DENY"


def _page(
    published: Published,
    settings: Settings,
    service: ServiceSettings,
    request: Request,
    zone: str | None,
    lang: Lang,
) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    addresses = len(served_index(request, published, settings))

    def render() -> str:
        return embed_page(
            published.analysis,
            zone_code=zone,
            lang=lang,
            tiles=service.tile_layer(),
            vendor_base=f"{root}/static/vendor",
            static_base=f"{root}/static/embed-{EMBED_VERSION}",
            api_base=root,
            addresses=addresses,
        )

    key = ("embed", zone, lang, root, service.tile_layer(), addresses > 0)
    page = published.cache.get(key, render)
    return HTMLResponse(page, headers=embed_headers(service))


@router.get("/", response_class=HTMLResponse, summary="Residents' map of the gemeente")
def embed_gemeente(
    published: PublishedDep,
    settings: SettingsDep,
    service: ServiceSettingsDep,
    request: Request,
    lang: LangQuery = "nl",
) -> HTMLResponse:
    """A page for an ``<iframe>``: find your address or click the map, and see the nearest
    voorziening of each kind with the walking distance and time. Data comes from the API."""
    return _page(published, settings, service, request, None, lang)


@router.get("/help", response_class=HTMLResponse, summary="How to embed the residents' map")
def embed_help(
    published: PublishedDep, service: ServiceSettingsDep, request: Request, lang: LangQuery = "nl"
) -> HTMLResponse:
    """The copy-paste ``<iframe>`` snippet, the zone pages and who may frame them."""
    root = request.scope.get("root_path", "")
    zones = published.zones
    html = help_page(
        lang=lang,
        embed_url=f"{service.base_url}{root}/embed/",
        zones=list(
            zip(zones["zone_code"].astype(str), zones["zone_name"].astype(str), strict=True)
        ),
        frame_ancestors=service.embed_frame_ancestors,
        static_base=f"{root}/static/embed-{EMBED_VERSION}",
        tiles=service.tile_layer(),
    )
    return HTMLResponse(html, headers=embed_headers(service))


@router.get(
    "/streets.geojson",
    response_class=GeoJSONResponse,
    responses={200: {"content": {GEOJSON_MEDIA_TYPE: {}}}},
    summary="The walking network's streets, for the map without tiles",
)
def embed_streets(
    published: PublishedDep,
    zone: Annotated[
        str | None,
        Query(description="Only around this zone's buurten (zone_code); default: the gemeente."),
    ] = None,
) -> GeoJSONResponse:
    """The streets of the loaded walking network around the gemeente's buurten (or one
    zone's) as one MultiLineString (WGS84, simplified to about 2 m, coordinates to about 1 m),
    for the residents' map when no tile server is configured. ``edges``: how many edges it
    draws; ``truncated``: true when only the longest were kept (at most 40,000). An empty
    collection without a walking network. Cached per served state (ETag)."""
    analysis = published.analysis
    dataset = analysis.dataset
    dataset.require_buurten()
    if zone is not None:
        dataset.zone(zone)  # NotFoundError (404) listing the known zones

    def render() -> str:
        if analysis.network is None:
            return collection_text([], {"edges": 0, "truncated": False})
        buurten = dataset.buurten
        area = buurten if zone is None else buurten[buurten["zone_code"] == zone]
        found = street_lines(analysis.network.graph("walk"), shapely.box(*area.total_bounds))
        members = {"edges": found.edges, "truncated": found.truncated}
        return feature_collection(found.lines, [], members)

    return GeoJSONResponse(published.cache.get(("embed-streets", zone), render))


@router.get("/{zone_code}", response_class=HTMLResponse, summary="Residents' map of one zone")
def embed_zone(
    zone_code: ZoneDep,
    published: PublishedDep,
    settings: SettingsDep,
    service: ServiceSettingsDep,
    request: Request,
    lang: LangQuery = "nl",
) -> HTMLResponse:
    """The residents' map of one woonservicezone (its buurten, and the voorzieningen around)."""
    return _page(published, settings, service, request, zone_code, lang)
