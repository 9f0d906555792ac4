"""Landing page, conformance, collections, one collection, its queryables and its schema."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from service.deps import PublishedDep
from service.ogc import html
from service.ogc.catalog import Collection, catalog_of
from service.ogc.links import (
    CONFORMANCE,
    CRS84,
    CRS_BY_URI,
    GEOJSON,
    HTML,
    JSON,
    OPENAPI_30,
    OPENAPI_31,
    QUERYABLES_REL,
    SCHEMA_JSON,
    STORAGE_CRS,
    link,
    negotiate,
    public_base,
    self_links,
    url_for,
)
from service.ogc.models import CollectionInfo, Collections, Conformance, JsonSchema, LandingPage
from service.ogc.responses import ERRORS, OgcRoute, answer
from service.params import check_parameters

router = APIRouter(prefix="/ogc", route_class=OgcRoute, tags=["OGC API – Features"])

FormatQuery = Annotated[
    Literal["json", "html"] | None,
    Query(description="Output format: `json` or `html` (else by `Accept`)."),
]
CollectionPath = Annotated[
    str,
    Path(alias="collectionId", description="Collection id, e.g. `buurten`.", max_length=64),
]
TITLE = "Woonservicezones – OGC API Features"
DESCRIPTION = (
    "Buurten, woonservicezones, voorzieningen and walking-distance coverage for GIS clients "
    "(QGIS, GDAL/OGR, ArcGIS). Coordinates in CRS84 (WGS84 lon/lat) or, with `crs`, in RD New "
    "(EPSG:28992)."
)


def _docs(model: type) -> dict[int | str, dict[str, Any]]:
    return {200: {"model": model, "content": {HTML: {}}}, **ERRORS}


@router.get("", summary="OGC API landing page", responses=_docs(LandingPage))
def landing(request: Request, f: FormatQuery = None) -> Response:
    """Links to the API description, its documentation, the conformance classes and the data."""
    check_parameters(request, {"f"})
    root = public_base(request)
    document = {
        "title": TITLE,
        "description": DESCRIPTION,
        "links": [
            *self_links(request),
            link(url_for(request, "/api"), "service-desc", OPENAPI_30, "API definition (3.0)"),
            link(f"{root}/openapi.json", "service-desc", OPENAPI_31, "API definition (3.1)"),
            link(f"{root}/docs", "service-doc", HTML, "API documentation"),
            link(url_for(request, "/conformance"), "conformance", JSON, "Conformance classes"),
            link(url_for(request, "/collections"), "data", JSON, "Collections"),
        ],
    }
    fmt = negotiate(request, f)
    return answer(fmt, document, lambda: html.landing(document, _home(request)))


@router.get("/conformance", summary="Conformance classes", responses=_docs(Conformance))
def conformance(request: Request, f: FormatQuery = None) -> Response:
    """OGC API – Features Part 1 (core, OpenAPI 3.0, GeoJSON, HTML) and Part 2 (CRS)."""
    check_parameters(request, {"f"})
    document = {"conformsTo": list(CONFORMANCE)}
    fmt = negotiate(request, f)
    return answer(fmt, document, lambda: html.conformance(document, _home(request)))


@router.get("/collections", summary="Collections", responses=_docs(Collections))
def collections(request: Request, published: PublishedDep, f: FormatQuery = None) -> Response:
    """Every collection: buurten, zones, voorzieningen, coverage (and gaps when computed)."""
    check_parameters(request, {"f"})
    catalog = catalog_of(published)
    document = {
        "links": self_links(request),
        "collections": [describe(request, c) for c in catalog.collections.values()],
        "crs": list(CRS_BY_URI),
    }
    fmt = negotiate(request, f)
    return answer(fmt, document, lambda: html.collections(document, _home(request)))


@router.get(
    "/collections/{collectionId}", summary="One collection", responses=_docs(CollectionInfo)
)
def collection(
    request: Request, published: PublishedDep, collection_id: CollectionPath, f: FormatQuery = None
) -> Response:
    """A collection's extent, CRSs and links to its items, queryables and schema."""
    check_parameters(request, {"f"})
    document = describe(request, catalog_of(published).get(collection_id))
    fmt = negotiate(request, f)
    return answer(fmt, document, lambda: html.collection(document, _home(request)))


@router.get(
    "/collections/{collectionId}/queryables",
    summary="Properties one can filter on",
    response_class=JSONResponse,
    responses={200: {"model": JsonSchema, "content": {SCHEMA_JSON: {}}}, **ERRORS},
)
def queryables(
    request: Request, published: PublishedDep, collection_id: CollectionPath
) -> Response:
    """A JSON Schema of the properties ``/items`` filters on by equality (``?zone_code=noord``)."""
    check_parameters(request, {"f"})
    found = catalog_of(published).get(collection_id)
    names = found.spec.queryables
    document = _schema(request, found, "/queryables", {n: _property(found, n) for n in names})
    document["additionalProperties"] = False
    return JSONResponse(document, media_type=SCHEMA_JSON)


@router.get(
    "/collections/{collectionId}/schema",
    summary="Schema of the features",
    response_class=JSONResponse,
    responses={200: {"model": JsonSchema, "content": {SCHEMA_JSON: {}}}, **ERRORS},
)
def schema(request: Request, published: PublishedDep, collection_id: CollectionPath) -> Response:
    """A JSON Schema of one GeoJSON feature of the collection (GDAL reads its fields from it)."""
    check_parameters(request, {"f"})
    found = catalog_of(published).get(collection_id)
    # "id" is the feature's own id, which GDAL reads as its "id" field already.
    attributes = {name: _property(found, name) for name in found.types if name != "id"}
    feature = {
        "type": {"type": "string", "enum": ["Feature"]},
        "id": {"type": "string"},
        "geometry": {"type": "object", "title": f"{found.geometry_type} (GeoJSON geometry)"},
        "properties": {"type": "object", "properties": attributes},
    }
    document = _schema(request, found, "/schema", feature)
    document["required"] = ["type", "geometry", "properties"]
    return JSONResponse(document, media_type=SCHEMA_JSON)


def describe(request: Request, found: Collection) -> dict[str, Any]:
    """The collection document (also one entry of ``/collections``)."""
    path = f"/collections/{found.id}"
    extent: dict[str, Any] = {}
    if found.bbox is not None:
        extent["spatial"] = {"bbox": [list(found.bbox)], "crs": CRS84}
    return {
        "id": found.id,
        "title": found.spec.title,
        "description": found.spec.description,
        "links": [
            link(url_for(request, path, f="json"), "self", JSON, "This collection"),
            link(url_for(request, path, f="html"), "alternate", HTML, "This collection as HTML"),
            link(url_for(request, f"{path}/items", f="json"), "items", GEOJSON, "Features"),
            link(url_for(request, f"{path}/items", f="html"), "items", HTML, "Features as HTML"),
            link(url_for(request, f"{path}/schema"), "describedby", SCHEMA_JSON, "Schema"),
            # GDAL before 3.7 matches the relation case-sensitively as "describedBy".
            link(url_for(request, f"{path}/schema"), "describedBy", SCHEMA_JSON, "Schema"),
            link(url_for(request, f"{path}/queryables"), QUERYABLES_REL, SCHEMA_JSON, "Queryables"),
        ],
        "extent": extent,
        "itemType": "feature",
        "crs": list(CRS_BY_URI),
        "storageCrs": STORAGE_CRS,
    }


def _property(found: Collection, name: str) -> dict[str, str]:
    return {"type": found.types.get(name, "string"), "title": name}


def _schema(
    request: Request, found: Collection, suffix: str, properties: dict[str, Any]
) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url_for(request, f"/collections/{found.id}{suffix}"),
        "type": "object",
        "title": found.spec.title,
        "properties": properties,
    }


def _home(request: Request) -> str:
    return url_for(request, "", f="html")
