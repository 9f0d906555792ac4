"""The OGC API's definition as OpenAPI 3.0 (conformance class *OpenAPI 3.0*; GDAL reads it).

It describes the ``/ogc`` part of the service with ``/ogc`` as its server URL, so paths read
``/collections/{collectionId}/items`` as OGC API clients expect, plus one path per collection
(``/collections/voorzieningen/items``) listing its queryables as query parameters: GDAL takes
those as the properties it may filter on server-side (``-where "category = 'huisarts'"``).

FastAPI writes OpenAPI 3.1 (``/openapi.json``, the whole service). This converts to 3.0.3: schemas
with ``null`` in ``anyOf``/``type`` become ``nullable``, ``const`` becomes a one-value ``enum``,
schema ``examples`` an ``example``, numeric ``exclusiveMinimum`` a boolean beside ``minimum``,
and ``$ref`` with siblings an ``allOf``.
"""

from __future__ import annotations

import copy
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from service.ogc.catalog import catalog_of
from service.ogc.links import OPENAPI_30, public_base
from service.ogc.responses import OgcRoute
from service.params import check_parameters
from service.state import Published

router = APIRouter(prefix="/ogc", route_class=OgcRoute, tags=["OGC API – Features"])

#: Keys whose value is a schema, or a list or map of schemas.
_ONE = ("items", "not", "additionalProperties", "contains", "propertyNames")
_MANY = ("allOf", "anyOf", "oneOf", "prefixItems")
_MAP = ("properties", "patternProperties", "$defs")


@router.get(
    "/api",
    summary="API definition (OpenAPI 3.0)",
    response_class=JSONResponse,
    responses={200: {"content": {OPENAPI_30: {}}}},
)
def api_definition(request: Request) -> Response:
    """The definition of the OGC API (``/ogc``) as OpenAPI 3.0.3."""
    check_parameters(request, {"f"})
    published: Published | None = request.app.state.published
    queryables = (
        {c.id: c.spec.queryables for c in catalog_of(published).collections.values()}
        if published is not None
        else {}
    )
    base = public_base(request)
    document = ogc_definition(request.app.openapi(), f"{base}/ogc", queryables)
    return JSONResponse(document, media_type=OPENAPI_30)


def ogc_definition(
    document: dict[str, Any], server: str, queryables: dict[str, tuple[str, ...]]
) -> dict[str, Any]:
    """The ``/ogc`` paths of the app's 3.1 ``document`` as OpenAPI 3.0 under ``server``.

    ``queryables`` maps collection ids to the properties its items filter on by equality.
    """
    out = openapi_30(document)
    paths: dict[str, Any] = {}
    for path, item in out.get("paths", {}).items():
        if path == "/ogc" or path.startswith("/ogc/"):
            paths[path.removeprefix("/ogc") or "/"] = item
    generic = paths.get("/collections/{collectionId}/items", {}).get("get")
    for collection_id, names in queryables.items():
        if generic is None:
            break
        operation = copy.deepcopy(generic)
        operation["operationId"] = f"{generic.get('operationId', 'items')}_{collection_id}"
        operation["summary"] = f"Features of {collection_id}"
        parameters = [p for p in operation.get("parameters", []) if p.get("in") != "path"]
        parameters += [
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": f"Only features whose `{name}` equals this value.",
                "schema": {"type": "string"},
            }
            for name in names
        ]
        operation["parameters"] = parameters
        paths[f"/collections/{collection_id}/items"] = {"get": operation}
    out["paths"] = paths
    out["servers"] = [{"url": server}]
    return out


def openapi_30(document: dict[str, Any]) -> dict[str, Any]:
    """A 3.0.3 copy of an OpenAPI 3.1 ``document`` (the input is left untouched)."""
    out = copy.deepcopy(document)
    out["openapi"] = "3.0.3"
    out.pop("webhooks", None)
    out.pop("jsonSchemaDialect", None)
    info = out.get("info", {})
    info.pop("summary", None)
    info.get("license", {}).pop("identifier", None)
    schemas = out.get("components", {}).get("schemas", {})
    for name, schema in schemas.items():
        schemas[name] = schema_30(schema)
    _convert_inline(out.get("paths", {}))
    return out


def _convert_inline(node: Any) -> None:
    """Convert every ``schema`` member below ``node`` (parameters, media types) in place."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "schema" and isinstance(value, dict):
                node[key] = schema_30(value)
            else:
                _convert_inline(value)
    elif isinstance(node, list):
        for value in node:
            _convert_inline(value)


def schema_30(schema: dict[str, Any]) -> dict[str, Any]:
    """One JSON Schema (2020-12 flavour, as OpenAPI 3.1 has it) as an OpenAPI 3.0 schema."""
    s = _with_children_30(dict(schema))
    if "prefixItems" in s:
        s.pop("prefixItems")
        s.setdefault("items", {})
    if "$defs" in s:
        s.pop("$defs")
    s.pop("$schema", None)
    s.pop("$id", None)
    _nullable(s)
    if "const" in s:
        s["enum"] = [s.pop("const")]
    if isinstance(s.get("examples"), list):
        examples = s.pop("examples")
        if examples:
            s["example"] = examples[0]
    for bound, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        value = s.get(bound)
        if isinstance(value, int | float) and not isinstance(value, bool):
            s[plain] = value
            s[bound] = True
    if "contentMediaType" in s:
        s.pop("contentMediaType")
        s.setdefault("format", "binary")
    s.pop("contentEncoding", None)
    if "$ref" in s and len(s) > 1:
        s = {"allOf": [{"$ref": s.pop("$ref")}], **s}
    return s


def _with_children_30(s: dict[str, Any]) -> dict[str, Any]:
    """``s`` with every sub-schema (items, anyOf members, properties, …) converted."""
    for key in _ONE:
        if isinstance(s.get(key), dict):
            s[key] = schema_30(s[key])
    for key in _MANY:
        if isinstance(s.get(key), list):
            s[key] = [schema_30(item) if isinstance(item, dict) else item for item in s[key]]
    for key in _MAP:
        if isinstance(s.get(key), dict):
            s[key] = {k: schema_30(v) if isinstance(v, dict) else v for k, v in s[key].items()}
    return s


def _nullable(s: dict[str, Any]) -> None:
    """Turn ``type: [X, "null"]`` and ``anyOf: [..., {type: null}]`` into ``nullable``."""
    kind = s.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        if len(kinds) < len(kind):
            s["nullable"] = True
        if len(kinds) == 1:
            s["type"] = kinds[0]
        elif kinds:
            s.pop("type")
            s["anyOf"] = [{"type": k} for k in kinds]
        else:
            s.pop("type")
    for key in ("anyOf", "oneOf"):
        options = s.get(key)
        if not isinstance(options, list):
            continue
        rest = [o for o in options if o != {"type": "null"}]
        if len(rest) == len(options):
            continue
        s["nullable"] = True
        if len(rest) == 1:
            s.pop(key)
            only = rest[0]
            if "$ref" in only:
                s["allOf"] = [only]
            else:
                for name, value in only.items():
                    s.setdefault(name, value)
        else:
            s[key] = rest
