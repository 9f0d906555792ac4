"""Imports over HTTP: ``POST /imports/{buurten,zones,voorzieningen}`` with an API key, and the
import log at ``GET /imports``.

Each import runs as one transaction (:func:`geo.pipeline.run_import`, the same as the
command line's): it applies completely or not at all, a new state is served the moment it
returns, and it is logged whatever the outcome. Options come as query parameters or, in a
multipart body, as form fields (a query parameter wins).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from geo.errors import ReadError, ValueProblemError
from geo.settings import Settings
from geo.store.log import Caller as LogCaller
from geo.store.log import ImportInput, ImportKind, new_report
from geo.store.request import OPTIONS_BY_KIND, ImportOptions, ImportRequest
from geo.store.transaction import record_refusal
from service.auth import Caller, CallerDep, LogReaderDep
from service.deps import LiveDep, SettingsDep
from service.errors import public_text
from service.schemas.answers import Problem
from service.schemas.imports import ImportLogOut, ImportReportOut
from service.state import LiveState
from service.uploads import (
    GEOJSON_MEDIA_TYPES,
    MAX_STATISTICS,
    MULTIPART,
    YAML_MEDIA_TYPES,
    Upload,
    UploadKind,
    read_upload,
)

router = APIRouter(prefix="/imports", tags=["imports"])
logger = logging.getLogger("woonservicezones.imports")

Mode = Literal["replace", "upsert"]

ModeQuery = Annotated[
    Mode | None,
    Query(
        description="replace: the upload becomes the whole layer (default); upsert: features "
        "with a stored id (buurten: bu_code, voorzieningen: id, zones: code) are replaced, "
        "the others added, the rest kept. The same import twice gives the same state."
    ),
]
DryRunQuery = Annotated[
    bool | None, Query(description="Validate and report what would change; write nothing.")
]
RepairQuery = Annotated[
    bool | None,
    Query(description="Repair invalid polygons (shapely.make_valid) instead of refusing them."),
]
CrsQuery = Annotated[
    str | None,
    Query(
        max_length=100,
        description="State the input's CRS when it has none or a wrong one, e.g. EPSG:28992 "
        "(default: RFC 7946 lon/lat for GeoJSON, or what the file says).",
    ),
]
LayerQuery = Annotated[
    str | None,
    Query(max_length=200, description="Layer of a GeoPackage (or file in a zip) to read."),
]
GemeenteQuery = Annotated[
    str | None,
    Query(pattern=r"^GM\d{4}$", description="Keep only this gemeente's buurten, e.g. GM0356."),
]
CategoryQuery = Annotated[
    str | None,
    Query(max_length=100, description="One category for every feature, e.g. huisarts."),
]
ColumnQuery = Annotated[str | None, Query(max_length=100)]


@dataclass
class StoreQuery:
    """How every import stores what it read (query parameters)."""

    mode: ModeQuery = None
    dry_run: DryRunQuery = None


@dataclass
class FileQuery(StoreQuery):
    """How an import of features reads its file (query parameters)."""

    repair: RepairQuery = None
    crs: CrsQuery = None
    layer: LayerQuery = None


@dataclass
class BuurtenQuery(FileQuery):
    """The query parameters of a buurten import."""

    gemeente: GemeenteQuery = None


@dataclass
class VoorzieningenQuery(FileQuery):
    """The query parameters of a voorzieningen import."""

    category: CategoryQuery = None
    category_column: ColumnQuery = None
    x_column: ColumnQuery = None
    y_column: ColumnQuery = None


class HttpImportOptions(ImportOptions):
    """The options of one import over HTTP (``add`` is a command-line mode only)."""

    mode: Mode = "replace"


PROBLEM = {"model": Problem, "content": {"application/problem+json": {}}}
WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "A key in the URL (keys go in a header).", **PROBLEM},
    401: {"description": "No API key (WWW-Authenticate says how to send one).", **PROBLEM},
    403: {"description": "A wrong API key, or HTTP imports switched off.", **PROBLEM},
    413: {"description": "Body, features or vertices beyond a limit.", **PROBLEM},
    415: {"description": "A body or file of a type this import does not read.", **PROBLEM},
    422: {
        "description": "Refused input, each feature at fault listed (index, id, reason); "
        "nothing was written.",
        **PROBLEM,
    },
    503: {"description": "Another import held the store too long, or no buurten yet.", **PROBLEM},
}

_FEATURE_COLLECTION: dict[str, Any] = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "geometry", "properties"],
                "properties": {
                    "type": {"type": "string", "enum": ["Feature"]},
                    "id": {"type": ["string", "integer"]},
                    "geometry": {
                        "type": ["object", "null"],
                        "properties": {
                            "type": {"type": "string"},
                            "coordinates": {"type": "array"},
                        },
                    },
                    "properties": {"type": ["object", "null"]},
                },
            },
        },
        "crs": {"type": "object", "description": "Legacy; names EPSG:28992 for RD New."},
    },
    "description": "RFC 7946 GeoJSON: WGS84 longitude, latitude.",
}
_ZONE_DEFINITION: dict[str, Any] = {
    "type": "object",
    "required": ["zones"],
    "properties": {
        "gemeente": {"anyOf": [{"type": "string", "pattern": r"^GM\d{4}$"}, {"type": "null"}]},
        "zones": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["code", "name"],
                "properties": {
                    "code": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]*$"},
                    "name": {"type": "string", "minLength": 1},
                    "wijken": {"type": "array", "items": {"type": "string"}},
                    "buurten": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
    "description": "A zone definition (see data/sample/zones_GM0356_example.yaml).",
}


#: Examples in the documentation (and the first cases schemathesis sends).
EXAMPLES: dict[str, Any] = {
    "voorzieningen": {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "id": "gis-1",
                    "name": "Huisartsenpraktijk Voorbeeld",
                    "category": "huisarts",
                },
                "geometry": {"type": "Point", "coordinates": [5.0868, 52.0345]},
            }
        ],
    },
    "zones": {
        "gemeente": "GM0356",
        "zones": [
            {
                "code": "noord",
                "name": "Noord",
                "wijken": ["WK035608", "WK035607", "WK035602", "WK035606"],
            }
        ],
    },
}


def _body_doc(kind: UploadKind) -> dict[str, Any]:
    """The request body in the OpenAPI document (the route reads it itself, streaming)."""
    document = _ZONE_DEFINITION if kind == "zones" else _FEATURE_COLLECTION
    form: dict[str, Any] = {
        "type": "object",
        "required": ["file"],
        "properties": {
            "file": {"type": "string", "format": "binary", "description": _FILES[kind]},
            **{
                name: {"type": "string", "description": "As the query parameter."}
                for name in OPTIONS_BY_KIND[kind]
            },
        },
    }
    if kind == "buurten":
        form["properties"]["statistics"] = {
            "type": "array",
            "maxItems": MAX_STATISTICS,
            "items": {"type": "string", "format": "binary"},
            "description": "CBS tables (CSV) joined by buurt code, e.g. Kerncijfers to PDOK's "
            "gebiedsindelingen geometry.",
        }
    content: dict[str, Any] = {media: {"schema": document} for media in GEOJSON_MEDIA_TYPES}
    if kind in EXAMPLES:
        for media in GEOJSON_MEDIA_TYPES:
            content[media]["example"] = EXAMPLES[kind]
    if kind == "zones":
        content.update({media: {"schema": {"type": "string"}} for media in YAML_MEDIA_TYPES})
    content[MULTIPART] = {"schema": form}
    return {"requestBody": {"required": True, "content": content}}


_FILES = {
    "buurten": "GeoPackage, zipped Shapefile (as CBS ships it) or GeoJSON.",
    "voorzieningen": "GeoPackage, zipped Shapefile, GeoJSON, or CSV with lon/lat or RD x/y.",
    "zones": "Zone definition, YAML or JSON.",
}


# --------------------------------------------------------------------------- routes


@router.get("", response_model=ImportLogOut, summary="The import log")
def import_log(
    live: LiveDep,
    reader: LogReaderDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="Most entries, newest first.")] = 100,
) -> dict[str, object]:
    """Every import, newest first: when, by which key (its name), which file (name and
    SHA-256), mode, dry run, outcome and counts (added, updated, removed, refused). Needs an
    API key unless the server makes the log public (WSZ_PUBLIC_IMPORT_LOG)."""
    del reader
    entries = []
    for entry in live.log.entries(limit):
        try:
            entries.append(public_text(ImportReportOut.model_validate(entry).model_dump()))
        except ValidationError:
            continue  # a line this version cannot read; the log file keeps it
    return {"imports": entries}


@router.post(
    "/buurten",
    response_model=ImportReportOut,
    responses=WRITE_RESPONSES,
    openapi_extra=_body_doc("buurten"),
    summary="Import buurten (needs an API key)",
)
async def post_buurten(
    request: Request,
    caller: CallerDep,
    settings: SettingsDep,
    live: LiveDep,
    query: Annotated[BuurtenQuery, Depends()],
) -> dict[str, Any]:
    """CBS buurten: classic Wijk- en Buurtkaart columns, 2023+ KWB columns, or PDOK's
    gebiedsindelingen joined to CBS tables sent as ``statistics``. The stored zone definition
    is checked against them and the voorzieningen joined again."""
    return await _import(request, "buurten", asdict(query), caller, settings, live)


@router.post(
    "/zones",
    response_model=ImportReportOut,
    responses=WRITE_RESPONSES,
    openapi_extra=_body_doc("zones"),
    summary="Import a zone definition (needs an API key)",
)
async def post_zones(
    request: Request,
    caller: CallerDep,
    settings: SettingsDep,
    live: LiveDep,
    query: Annotated[StoreQuery, Depends()],
) -> dict[str, Any]:
    """Zones by wijk and/or buurt codes, checked against the stored buurten (unknown codes,
    buurten in two zones and zones without buurten are refused, all listed)."""
    return await _import(request, "zones", asdict(query), caller, settings, live)


@router.post(
    "/voorzieningen",
    response_model=ImportReportOut,
    responses=WRITE_RESPONSES,
    openapi_extra=_body_doc("voorzieningen"),
    summary="Import voorzieningen (needs an API key)",
)
async def post_voorzieningen(
    request: Request,
    caller: CallerDep,
    settings: SettingsDep,
    live: LiveDep,
    query: Annotated[VoorzieningenQuery, Depends()],
) -> dict[str, Any]:
    """Voorzieningen as points (polygons and lines are reduced to a point on them), each with
    a category from the vocabulary (``category``, a category column, or OSM tags) and an
    ``id`` (upserts match on it)."""
    return await _import(request, "voorzieningen", asdict(query), caller, settings, live)


# --------------------------------------------------------------------------- the work


async def _import(
    request: Request,
    kind: UploadKind,
    given: Mapping[str, object],
    caller: Caller,
    settings: Settings,
    live: LiveState,
) -> dict[str, Any]:
    query = {name: value for name, value in given.items() if value is not None}
    who = LogCaller(via="http", key=caller.key_name)
    with tempfile.TemporaryDirectory(prefix="wsz-import-") as folder:
        try:
            upload = await _received(request, kind, settings, Path(folder))
            options = _options(kind, query, upload.fields)
        except Exception as exc:  # refused (WszError) or failed: logged either way
            declared = request.headers.get("content-length", "")
            size = int(declared) if declared.isdigit() else 0
            base = new_report(
                kind,
                ImportInput("request body", "", size),
                mode=str(query.get("mode", "replace")),
                dry_run=bool(query.get("dry_run", False)),
                caller=who,
            )
            record_refusal(live.log, base, exc, store_path=live.store.path)
            raise
        import_request = ImportRequest(
            kind=kind,
            source=upload.source,
            options=options,
            statistics=upload.statistics,
            where=upload.info.file_name,
            described=upload.info,
            statistics_described=upload.statistics_info,
        )
        result = await run_in_threadpool(live.run_import, import_request, who)
    return result.report.as_dict()


async def _received(request: Request, kind: UploadKind, settings: Settings, folder: Path) -> Upload:
    """The upload, read whole; a client that goes away mid-upload is a refused import (logged
    in one line), not a traceback."""
    try:
        return await read_upload(request, kind, limits=settings.limits, folder=folder)
    except ClientDisconnect as exc:
        client = request.client.host if request.client is not None else "unknown client"
        logger.warning("import of %s from %s: the client went away mid-upload", kind, client)
        raise ReadError("request body: the upload was cut off before it was complete") from exc


def _options(
    kind: ImportKind, query: Mapping[str, object], fields: Mapping[str, str]
) -> HttpImportOptions:
    """Options from the query, then from form fields the query does not give."""
    allowed = OPTIONS_BY_KIND[kind]
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValueProblemError(
            f"form field(s) {', '.join(unknown)} not understood by this import; it takes "
            f"{', '.join(allowed)} (and the file in 'file')"
        )
    values: dict[str, object] = {k: v for k, v in fields.items() if k not in query}
    values.update(query)
    try:
        return HttpImportOptions.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ValueProblemError(f"import options: {problems}") from exc
