"""The FastAPI application: ``create_app`` loads the store once and joins the routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from geo.settings import Settings
from maps.assets import LEAFLET_DIR, VENDOR_SUBDIR
from service import ogc
from service.errors import add_problem_handlers
from service.routes import coverage, export, lookup, maps, meta, voorzieningen, walking, zones
from service.state import Published, load_published

DESCRIPTION = """
Woonservicezones, their buurten and voorzieningen, and how many residents live further than
the walking-distance norm from each kind of voorziening.

GeoJSON is RFC 7946 (WGS84 lon/lat, `application/geo+json`); distances are metres, computed in
RD New (EPSG:28992). Errors are RFC 9457 `application/problem+json`.
"""


def create_app(settings: Settings | None = None, published: Published | None = None) -> FastAPI:
    """Build the app. Without ``published`` the store is read and analysed at start-up."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if app.state.published is None:
            app.state.published = load_published(settings)
        yield

    # FastAPIOffline: /docs and /redoc load Swagger UI and ReDoc from this service, not a CDN.
    app = FastAPIOffline(
        title="Woonservicezones",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        static_url="/static/docs",
    )
    app.state.settings = settings
    app.state.published = published
    add_problem_handlers(app)
    for module in (meta, zones, voorzieningen, coverage, lookup, walking, maps):
        app.include_router(module.router)
    app.include_router(export.router)
    app.include_router(ogc.router)
    app.mount(f"/static/vendor/{VENDOR_SUBDIR}", StaticFiles(directory=LEAFLET_DIR), name="leaflet")
    return app
