"""Landing page, health and the category vocabulary."""

from __future__ import annotations

from fastapi import APIRouter, Request

from service.deps import SettingsDep
from service.schemas import CategoryOut, Health

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
def health(request: Request, settings: SettingsDep) -> dict[str, object]:
    """``ok`` with counts when data is loaded, ``empty`` before the first import; which sample
    is loaded and where each layer comes from (``synthetic`` lists generated layers)."""
    published = request.app.state.published
    if published is None:
        return {
            "status": "empty",
            "buurten": 0,
            "zones": 0,
            "voorzieningen": 0,
            "store": str(settings.store_path),
        }
    provenance = published.analysis.dataset.provenance
    return {
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
