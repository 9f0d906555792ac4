"""Landing page, health and the category vocabulary."""

from __future__ import annotations

from fastapi import APIRouter, Request

from service.deps import LiveDep, SettingsDep
from service.schemas.answers import CategoryOut, Health

router = APIRouter(tags=["meta"])


@router.get("/", summary="Where to start")
def landing(request: Request) -> dict[str, object]:
    """Links to the API's resources, its documentation and the overview map."""
    base = request.scope.get("root_path", "")
    links = {
        "zones": "/zones",
        "voorzieningen": "/voorzieningen",
        "coverage": "/coverage",
        "lookup": "/lookup?lon=5.09&lat=52.03",
        "categories": "/categories",
        "map": "/maps/index.html",
        "docs": "/docs",
        "openapi": "/openapi.json",
        "health": "/health",
    }
    return {"title": request.app.title, "links": {k: base + v for k, v in links.items()}}


@router.get("/health", response_model=Health, summary="Liveness and what is loaded")
def health(live: LiveDep, settings: SettingsDep) -> dict[str, object]:
    """``ok`` with counts when data is loaded, ``empty`` before the first import; which sample
    is loaded and where each layer comes from (``synthetic`` lists generated layers); the
    store's version (SHA-256) and when it changed, which change with every import."""
    state = live.current
    version = {
        "store_version": state.version,
        "store_changed": state.changed.isoformat(timespec="seconds").replace("+00:00", "Z")
        if state.changed
        else None,
        "generation": state.generation,
        "reload_error": live.reload_error,
    }
    published = state.published
    if published is None:
        return {
            "status": "empty",
            "buurten": 0,
            "zones": 0,
            "voorzieningen": 0,
            "store": str(settings.store_path),
            **version,
        }
    provenance = published.analysis.dataset.provenance
    return {
        **version,
        "status": "ok",
        "buurten": len(published.buurten),
        "zones": len(published.zones),
        "voorzieningen": len(published.voorzieningen),
        "store": str(settings.store_path),
        "sample": provenance.sample,
        "synthetic": list(provenance.synthetic),
        "sources": [source.model_dump() for source in provenance.layers],
    }


@router.get("/categories", response_model=list[CategoryOut], summary="Voorziening categories")
def categories(settings: SettingsDep) -> list[dict[str, object]]:
    """The vocabulary: codes, Dutch and English labels, thresholds (metres) and their source."""
    return [c.model_dump(exclude={"aliases", "osm_tags"}) for c in settings.vocabulary.categories]
