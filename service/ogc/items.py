"""Features of a collection: a page of items (bbox, filters, paging, CRS) and one feature."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from geo.ask.features import MAX_LIMIT, parse_box, select
from geo.ask.geojson import dumps, feature_strings
from service.deps import PublishedDep
from service.ogc import html
from service.ogc.catalog import Collection, catalog_of
from service.ogc.core import CollectionPath, FormatQuery
from service.ogc.links import (
    BBOX_PATTERN,
    GEOJSON,
    HTML,
    JSON,
    CrsUri,
    Format,
    content_crs,
    crs_for,
    link,
    negotiate,
    url_for,
    with_query,
)
from service.ogc.models import OgcFeature, OgcFeatureCollection
from service.ogc.responses import ERRORS, OgcRoute
from service.params import check_parameters

router = APIRouter(prefix="/ogc", route_class=OgcRoute, tags=["OGC API – Features"])

#: Query parameters of ``/items`` besides the collection's queryables.
ITEMS_PARAMETERS = frozenset({"f", "limit", "offset", "bbox", "bbox-crs", "crs", "datetime"})
CrsQuery = Annotated[
    CrsUri | None,
    Query(
        description="CRS of the coordinates returned: "
        "`http://www.opengis.net/def/crs/OGC/1.3/CRS84` (default) or "
        "`http://www.opengis.net/def/crs/EPSG/0/28992` (RD New)."
    ),
]


def _docs(model: type) -> dict[int | str, dict[str, Any]]:
    return {200: {"model": model, "content": {GEOJSON: {}, HTML: {}}}, **ERRORS}


@dataclass
class PageQuery:
    """The format, page, area and CRS of the features asked for."""

    f: FormatQuery = None
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"Features per page, 1 to {MAX_LIMIT}.")
    ] = 100
    offset: Annotated[int, Query(ge=0, description="Features to skip (paging).")] = 0
    bbox: Annotated[
        str | None,
        Query(
            pattern=BBOX_PATTERN,
            description="minx,miny,maxx,maxy in `bbox-crs` (default CRS84: lon/lat degrees), "
            "e.g. `5.05,52.00,5.13,52.05`; features intersecting it.",
        ),
    ] = None
    bbox_crs: Annotated[
        CrsUri | None,
        Query(alias="bbox-crs", description="CRS of `bbox`: the CRS84 (default) or RD New URI."),
    ] = None
    crs: CrsQuery = None
    #: Accepted; these features have no time, so all match.
    datetime_: Annotated[
        str | None,
        Query(alias="datetime", description="Accepted; these features have no time, all match."),
    ] = None


@router.get(
    "/collections/{collectionId}/items",
    summary="Features of a collection",
    response_class=Response,
    responses=_docs(OgcFeatureCollection),
)
def items(
    request: Request,
    published: PublishedDep,
    collection_id: CollectionPath,
    page: Annotated[PageQuery, Depends()],
) -> Response:
    """A page of features. Other query parameters filter by equality on the collection's
    queryables (``/queryables``), e.g. ``?zone_code=noord`` or ``?category=huisarts``."""
    f, limit, offset, bbox, bbox_crs = page.f, page.limit, page.offset, page.bbox, page.bbox_crs
    crs = page.crs
    found = catalog_of(published).get(collection_id)
    check_parameters(request, ITEMS_PARAMETERS | set(found.spec.queryables))
    crs_uri, out_crs = crs_for(crs)
    box = None
    if bbox is not None:
        _, box_crs = crs_for(bbox_crs, parameter="bbox-crs")
        box = parse_box(bbox, crs=box_crs)
    elif bbox_crs is not None:
        crs_for(bbox_crs, parameter="bbox-crs")
    equals = {k: v for k, v in request.query_params.items() if k in found.spec.queryables}
    frame = found.frames[box.crs if box is not None else out_crs]
    matched = select(frame, box=box, equals=equals)
    chosen = matched[offset : offset + limit]
    features = found.frames[out_crs].iloc[chosen]
    fmt = negotiate(request, f)
    links = _page_links(request, found, len(matched), limit=limit, offset=offset, fmt=fmt)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    head = {
        "type": "FeatureCollection",
        "numberMatched": len(matched),
        "numberReturned": len(chosen),
        "timeStamp": stamp,
        "links": links,
    }
    headers = content_crs(crs_uri)
    if fmt == "html":
        document = {**head, "features": _feature_dicts(found, features)}
        columns = [c for c in found.types if c != found.spec.id_column]
        text = html.items(found.spec.title, document, columns, _home(request))
        return Response(text, media_type="text/html; charset=utf-8", headers=headers)
    body = _encode(head, feature_strings(features, found.spec.id_column))
    return Response(body, media_type=GEOJSON, headers=headers)


@router.get(
    "/collections/{collectionId}/items/{featureId}",
    summary="One feature",
    response_class=Response,
    responses=_docs(OgcFeature),
)
def item(
    request: Request,
    published: PublishedDep,
    collection_id: CollectionPath,
    feature_id: Annotated[
        str, Path(alias="featureId", description="bu_code, zone_code or voorziening id.")
    ],
    f: FormatQuery = None,
    crs: CrsQuery = None,
) -> Response:
    """One feature by its id, with links to its collection."""
    check_parameters(request, {"f", "crs"})
    found = catalog_of(published).get(collection_id)
    crs_uri, out_crs = crs_for(crs)
    row = found.feature(out_crs, feature_id)
    collection_url = url_for(request, f"/collections/{found.id}")
    links = [
        link(with_query(request, f="json"), "self", GEOJSON, "This feature"),
        link(with_query(request, f="html"), "alternate", HTML, "This feature as HTML"),
        link(collection_url, "collection", JSON, "The collection"),
    ]
    headers = content_crs(crs_uri)
    if negotiate(request, f) == "html":
        document = {**_feature_dicts(found, row)[0], "links": links}
        page = html.feature(f"{found.spec.title}: {feature_id}", document, _home(request))
        return Response(page, media_type="text/html; charset=utf-8", headers=headers)
    text = next(feature_strings(row, found.spec.id_column))
    body = text[:-1] + ',"links":' + dumps(links) + "}"
    return Response(body.encode(), media_type=GEOJSON, headers=headers)


def _page_links(
    request: Request, found: Collection, matched: int, *, limit: int, offset: int, fmt: Format
) -> list[dict[str, str]]:
    """self, alternate, next/prev (in the answer's own format) and collection links."""
    kind = GEOJSON if fmt == "json" else HTML
    links = [
        link(with_query(request, f="json"), "self", GEOJSON, "This page"),
        link(with_query(request, f="html"), "alternate", HTML, "This page as HTML"),
    ]
    if offset + limit < matched:
        href = with_query(request, f=fmt, offset=offset + limit)
        links.append(link(href, "next", kind, "Next page"))
    if offset > 0:
        previous = max(offset - limit, 0)
        href = with_query(request, f=fmt, offset=previous)
        links.append(link(href, "prev", kind, "Previous page"))
    collection_url = url_for(request, f"/collections/{found.id}")
    links.append(link(collection_url, "collection", JSON, "The collection"))
    return links


def _feature_dicts(found: Collection, frame: Any) -> list[dict[str, Any]]:
    return [json.loads(text) for text in feature_strings(frame, found.spec.id_column)]


def _encode(head: dict[str, Any], features: Any) -> bytes:
    opening = dumps(head)[:-1]
    return (opening + ',"features":[' + ",".join(features) + "]}").encode()


def _home(request: Request) -> str:
    return url_for(request, "", f="html")
