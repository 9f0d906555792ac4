"""The FastAPI application: ``create_app`` loads the store once and joins the routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from geo.settings import Settings
from maps.embed import EMBED_STATIC_DIR, EMBED_VERSION
from maps.vendor import LEAFLET_DIR, VENDOR_SUBDIR
from service import ogc
from service.answers import AnswerStore, StateAnswerCache
from service.auth import is_key_parameter
from service.caching import ConditionalGet
from service.errors import add_problem_handlers, document_problems
from service.freshness import FreshState, StalenessCheck
from service.middleware import RelativeRedirects, redact_access_log
from service.params import refuse_unknown_parameters
from service.routes import (
    addresses,
    coverage,
    embed,
    export,
    imports,
    lookup,
    maps,
    meta,
    profiel,
    scenario_maps,
    scenarios,
    voorzieningen,
    walking,
    whatif,
    zones,
)
from service.routes.docs import docs_router
from service.settings import ServiceSettings
from service.state import LiveState, Published, StoreState

DOCS_STATIC_URL = "/static/docs"
DESCRIPTION = """
Woonservicezones, their buurten and voorzieningen, and how many residents live further than
the walking-distance norm from each kind of voorziening.

GeoJSON is RFC 7946 (WGS84 lon/lat, `application/geo+json`); distances are metres, computed in
RD New (EPSG:28992). Errors are RFC 9457 `application/problem+json`.
"""


def create_app(
    settings: Settings | None = None,
    published: Published | None = None,
    service: ServiceSettings | None = None,
) -> FastAPI:
    """Build the app. Without ``published`` the store is read and analysed at start-up.

    The served state is live (:class:`service.state.LiveState`): imports over HTTP swap in a
    new one at once, and a watcher reloads the store after a CLI import.
    """
    settings = settings or Settings()
    service = service or ServiceSettings()
    live = LiveState(settings, published)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        live.remove_stale_temporaries()
        if live.current.published is None:
            live.load()
        live.start_watching(service.reload_interval_s)
        try:
            yield
        finally:
            live.stop_watching()

    # FastAPIOffline serves Swagger UI and ReDoc from this service (not a CDN) at /static/docs;
    # the /docs and /redoc pages are ours (service/routes/docs.py): no inline script, a
    # Content-Security-Policy allowing scripts from this service only.
    app = FastAPIOffline(
        title="Woonservicezones",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        static_url=DOCS_STATIC_URL,
        docs_url=None,
        redoc_url=None,
    )
    app.include_router(docs_router(app.title, DOCS_STATIC_URL, app.openapi_url or ""))
    app.state.settings = settings
    app.state.service_settings = service
    app.state.live = live
    # Kept for code that reads it directly; the dependencies (service.deps) read ``live``.
    app.state.published = published

    def mirror(state: StoreState) -> None:
        app.state.published = state.published

    live.on_swap(mirror)
    add_problem_handlers(app)
    document_problems(app)
    # The plain API refuses query parameters a route does not declare (as /ogc does); the
    # HTML pages (maps, embed) are linked from other sites and ignore what they do not know.
    for module in (meta, zones, voorzieningen, coverage, lookup, walking, export, addresses):
        app.include_router(module.router, dependencies=[Depends(refuse_unknown_parameters)])
    app.include_router(scenario_maps.router)  # before maps: /maps/scenario/… (issue 13)
    app.include_router(maps.router)
    app.include_router(embed.router)
    app.include_router(ogc.router)
    app.include_router(imports.router)
    app.include_router(profiel.router)  # issue 14: wijkprofiel, snapshots, years of figures
    app.include_router(whatif.router, dependencies=[Depends(refuse_unknown_parameters)])  # issue 13
    app.include_router(scenarios.router, dependencies=[Depends(refuse_unknown_parameters)])
    app.mount(f"/static/vendor/{VENDOR_SUBDIR}", StaticFiles(directory=LEAFLET_DIR), name="leaflet")
    # The residents' map's modules at a versioned path (kept by browsers) and, for pages
    # embedded before a version existed, at the plain one (revalidated).
    embed_static = StaticFiles(directory=EMBED_STATIC_DIR)
    app.mount(f"/static/embed-{EMBED_VERSION}", embed_static, name="embed_versioned")
    app.mount("/static/embed", embed_static, name="embed_static")
    # Plain ASGI middlewares (each added one wraps the ones before it).
    # Only /embed pages may be framed (WSZ_EMBED_FRAME_ANCESTORS); every other route denies it.
    app.add_middleware(embed.FramePolicy)
    app.add_middleware(ConditionalGet)
    app.add_middleware(RelativeRedirects)
    check = StalenessCheck(live)
    if service.reload_interval_s > 0:
        app.add_middleware(FreshState, check=check)
    redact_access_log(is_key_parameter)
    # JSON, GeoJSON and HTML compressed for clients that accept gzip.
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    # Outermost: state-bound answers kept as bytes (compressed ones too), sent as they are.
    if service.answer_cache_mb > 0:
        app.state.answers = AnswerStore(
            max_bytes=int(service.answer_cache_mb * 2**20),
            max_entry_bytes=int(service.answer_cache_entry_mb * 2**20),
        )
        app.add_middleware(StateAnswerCache, check=check, store=app.state.answers)
    return app


def app_from_environment() -> FastAPI:
    """The app configured by ``WSZ_*`` alone: what each worker of ``wsz serve --workers N``
    builds (uvicorn imports it by name in every worker process)."""
    return create_app()
