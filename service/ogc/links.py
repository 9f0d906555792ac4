"""OGC API – Features vocabulary: conformance classes, CRS URIs, media types, links, formats.

Pure HTTP helpers: what a link looks like, which CRS URI means which output CRS, whether a
request wants JSON or HTML, and which query parameters an endpoint accepts.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import quote

from fastapi import Request

from geo.ask.export import ExportCrs
from geo.errors import QueryError
from service.settings import ServiceSettings

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
SCHEMA_JSON = "application/schema+json"
OPENAPI_30 = "application/vnd.oai.openapi+json;version=3.0"
OPENAPI_31 = "application/vnd.oai.openapi+json;version=3.1"

CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
)

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
RD_NEW = "http://www.opengis.net/def/crs/EPSG/0/28992"
#: The CRS URIs a request may name (``crs``, ``bbox-crs``), as a type for the OpenAPI document.
CrsUri = Literal[
    "http://www.opengis.net/def/crs/OGC/1.3/CRS84", "http://www.opengis.net/def/crs/EPSG/0/28992"
]
#: A bbox: four numbers (or six, with heights), comma-separated.
_NUMBER = r"\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*"
BBOX_PATTERN = rf"^{_NUMBER}(,{_NUMBER}){{3}}(,{_NUMBER},{_NUMBER})?$"
STORAGE_CRS = RD_NEW
#: CRS URI → the export CRS it is produced in (CRS84 is EPSG:4326 in lon/lat order).
CRS_BY_URI: dict[str, ExportCrs] = {CRS84: "EPSG:4326", RD_NEW: "EPSG:28992"}
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"

Format = Literal["json", "html"]


def crs_for(uri: str | None, *, parameter: str = "crs") -> tuple[str, ExportCrs]:
    """The CRS URI (default CRS84) and its export CRS; :class:`QueryError` for others."""
    chosen = CRS84 if uri is None else uri.strip()
    if chosen not in CRS_BY_URI:
        raise QueryError(
            f"{parameter}={uri!r}: this service offers {CRS84} (WGS84 lon/lat, the default) "
            f"and {RD_NEW} (RD New)"
        )
    return chosen, CRS_BY_URI[chosen]


def content_crs(uri: str) -> dict[str, str]:
    """The ``Content-Crs`` header (OGC API – Features Part 2) for a response in ``uri``."""
    return {"Content-Crs": f"<{uri}>"}


def link(href: str, rel: str, type_: str, title: str) -> dict[str, str]:
    """A link object with ``href``, ``rel``, ``type`` and ``title``."""
    return {"href": href, "rel": rel, "type": type_, "title": title}


def public_base(request: Request) -> str:
    """The service's address as clients reach it (:attr:`ServiceSettings.base_url`, with the
    mount's root path): absolute links never come from the request's Host header."""
    service: ServiceSettings = request.app.state.service_settings
    root: str = request.scope.get("root_path", "")
    return service.base_url + root


def url_for(request: Request, path: str, **params: object) -> str:
    """Absolute URL of ``path`` under the OGC root, with ``params`` (None values dropped)."""
    base = public_base(request)
    query = "&".join(
        f"{key}={_quote(str(value))}" for key, value in params.items() if value is not None
    )
    return f"{base}/ogc{path}" + (f"?{query}" if query else "")


def with_query(request: Request, **changes: object) -> str:
    """The request's own URL with some query parameters changed (None removes one)."""
    params: dict[str, object] = dict(request.query_params)
    for key, value in changes.items():
        params.pop(key, None)
        if value is not None:
            params[key] = value
    query = "&".join(f"{_quote(k)}={_quote(str(v))}" for k, v in params.items())
    return (
        public_base(request)
        + request.url.path.removeprefix(request.scope.get("root_path", ""))
        + (f"?{query}" if query else "")
    )


def self_links(request: Request, json_type: str = JSON) -> list[dict[str, str]]:
    """``self`` (JSON) and ``alternate`` (HTML) links of the request's own resource."""
    return [
        link(with_query(request, f="json"), "self", json_type, "This document as JSON"),
        link(with_query(request, f="html"), "alternate", HTML, "This document as HTML"),
    ]


def negotiate(request: Request, f: str | None) -> Format:
    """``f=json|html`` if given, else HTML only when ``Accept`` prefers text/html over JSON."""
    if f is not None:
        if f in ("json", "html"):
            return "json" if f == "json" else "html"
        raise QueryError(f"f={f!r}: choose f=json or f=html")
    html_q, json_q = 0.0, 0.0
    for part in request.headers.get("accept", "").split(","):
        media, _, params = part.strip().partition(";")
        quality = _quality(params)
        media = media.strip().lower()
        if media in (HTML, "application/xhtml+xml"):
            html_q = max(html_q, quality)
        elif media.endswith("json") or media in ("*/*", "application/*"):
            json_q = max(json_q, quality)
    return "html" if html_q > json_q else "json"


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def _quote(text: str) -> str:
    return quote(text, safe=":/,.-_~")
