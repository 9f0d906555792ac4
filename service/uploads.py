"""Request bodies of imports: read under a size limit, described (name, SHA-256), saved.

An import body is a GeoJSON FeatureCollection (``application/geo+json`` or
``application/json``; a zone definition as JSON or YAML), or ``multipart/form-data`` with the
file in field ``file`` (GeoPackage, zipped Shapefile, CSV, GeoJSON; zones: YAML or JSON),
optional CBS tables in ``statistics`` (buurten) and the import's options as plain fields.

The size limit (``WSZ_MAX_UPLOAD_BYTES``) is checked against ``Content-Length`` before a byte
is read, and again while the body streams in, so a body that lies about its length (or sends
none, chunked) is cut off at the limit: 413 either way. Uploaded files are saved under a
temporary folder with a cleaned-up name (no path, no odd characters); the file type comes from
the name's suffix, or from the first bytes when the name says nothing useful.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from geo.errors import ReadError, TooLargeError, UnsupportedMediaTypeError
from geo.read.limits import Limits, check_size
from geo.store.log import ImportInput

UploadKind = Literal["buurten", "zones", "voorzieningen"]

GEOJSON_MEDIA_TYPES = ("application/geo+json", "application/json")
YAML_MEDIA_TYPES = ("application/yaml", "application/x-yaml", "text/yaml")
MULTIPART = "multipart/form-data"
#: File suffixes each import reads (after the upload is saved).
SUFFIXES: dict[str, tuple[str, ...]] = {
    "buurten": (".gpkg", ".zip", ".geojson", ".json", ".gml"),
    "voorzieningen": (".gpkg", ".zip", ".geojson", ".json", ".gml", ".csv", ".txt"),
    "zones": (".yaml", ".yml", ".json"),
    "statistics": (".csv", ".txt"),
}
#: What a kind's upload holds, for messages.
FORMATS = {
    "buurten": "a GeoPackage (.gpkg), a zipped Shapefile (.zip), GeoJSON or GML",
    "voorzieningen": "a GeoPackage (.gpkg), a zipped Shapefile (.zip), GeoJSON, GML or CSV",
    "zones": "a zone definition in YAML or JSON",
    "statistics": "a CBS table as CSV",
}
#: Option fields a multipart body may carry besides its files (plain text, ≤ 1 KiB each).
MAX_FIELDS = 20
MAX_FIELD_BYTES = 1024
#: ``file`` plus at most this many ``statistics`` tables.
MAX_STATISTICS = 10
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
#: How much of an upload is looked at to tell its type when its name does not say.
HEAD_BYTES = 1024


@dataclass(frozen=True)
class Upload:
    """One import's input: GeoJSON bytes or a saved file, its description, and for buurten
    the saved statistics tables; ``fields`` are a multipart body's plain fields."""

    source: bytes | Path
    info: ImportInput
    statistics: tuple[Path, ...] = ()
    statistics_info: tuple[ImportInput, ...] = ()
    fields: dict[str, str] = field(default_factory=dict)


def media_type(request: Request) -> str:
    """The body's media type, lower case, without parameters ('' when none is given)."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def accepted_media_types(kind: UploadKind) -> tuple[str, ...]:
    """The media types an import of ``kind`` takes."""
    extra = YAML_MEDIA_TYPES if kind == "zones" else ()
    return (*GEOJSON_MEDIA_TYPES, *extra, MULTIPART)


async def read_upload(
    request: Request, kind: UploadKind, *, limits: Limits, folder: Path
) -> Upload:
    """Read the import body of ``request`` (see the module docstring), saving files in
    ``folder``. Raises :class:`TooLargeError` (413), :class:`UnsupportedMediaTypeError` (415)
    or :class:`ReadError` (422)."""
    where = "request body"
    declared = request.headers.get("content-length")
    if declared is not None and declared.strip().isdigit():
        check_size(int(declared), limits, where=where)
    media = media_type(request)
    if media not in accepted_media_types(kind):
        given = f"{media!r}" if media else "no Content-Type"
        raise UnsupportedMediaTypeError(
            f"{where}: {given} is not read here; send {FORMATS[kind]} as "
            f"{', '.join(accepted_media_types(kind))} (a file in multipart field 'file')"
        )
    if media != MULTIPART:
        data = b"".join([chunk async for chunk in _limited(request, limits)])
        if kind == "zones":
            require_text(data, where=where)
            suffix = ".json" if media in GEOJSON_MEDIA_TYPES else ".yaml"
            path = _fresh(folder, "body") / f"zones{suffix}"
            path.write_bytes(data)
            return Upload(path, ImportInput.of_bytes(where, data))
        return Upload(data, ImportInput.of_bytes(where, data))
    return await _read_multipart(request, kind, limits=limits, folder=folder)


async def _limited(request: Request, limits: Limits) -> AsyncGenerator[bytes, None]:
    """The body's chunks, refused (413) as soon as they add up to more than the limit."""
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limits.max_upload_bytes:
            raise TooLargeError(
                f"request body: more than the {limits.max_upload_bytes:,} bytes accepted "
                "(WSZ_MAX_UPLOAD_BYTES); split the import or import the file from the command "
                "line",
                limit=limits.max_upload_bytes,
                actual=received,
            )
        yield chunk


async def _read_multipart(
    request: Request, kind: UploadKind, *, limits: Limits, folder: Path
) -> Upload:
    parser = MultiPartParser(
        request.headers,
        _limited(request, limits),
        max_files=1 + MAX_STATISTICS,
        max_fields=MAX_FIELDS,
        max_part_size=MAX_FIELD_BYTES,
    )
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise ReadError(f"request body: not a valid multipart/form-data body ({exc})") from exc
    try:
        files = [v for v in form.getlist("file") if isinstance(v, UploadFile)]
        tables = [v for v in form.getlist("statistics") if isinstance(v, UploadFile)]
        others = sorted(
            {k for k, v in form.multi_items() if not isinstance(v, str)} - {"file", "statistics"}
        )
        if len(files) != 1:
            raise ReadError(
                f"request body: send exactly one file in multipart field 'file' "
                f"({FORMATS[kind]}); got {len(files)}"
            )
        if others:
            raise ReadError(f"request body: unexpected file field(s) {', '.join(others)}")
        if tables and kind != "buurten":
            raise ReadError("request body: 'statistics' tables go with buurten only")
        path = await _save(files[0], _fresh(folder, "file"), kind)
        if kind == "zones":
            require_text(path.read_bytes(), where=path.name)
        saved = [
            await _save(table, _fresh(folder, f"statistics-{n}"), "statistics")
            for n, table in enumerate(tables)
        ]
        fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    finally:
        await form.close()
    return Upload(
        path,
        ImportInput.of_file(path, user_file_name(files[0].filename or "") or None),
        tuple(saved),
        tuple(ImportInput.of_file(p) for p in saved),
        fields,
    )


def require_text(data: bytes, *, where: str) -> None:
    """Refuse (422) a zone definition that is not UTF-8 text."""
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReadError(
            f"{where}: a zone definition is YAML or JSON text in UTF-8; this is not UTF-8 "
            f"({exc.reason} at byte {exc.start})"
        ) from exc


def _fresh(folder: Path, name: str) -> Path:
    path = folder / name
    path.mkdir(parents=True, exist_ok=False)
    return path


async def _save(upload: UploadFile, folder: Path, kind: str) -> Path:
    """Save an uploaded file under a clean name whose suffix says its type."""
    head = await upload.read(HEAD_BYTES)
    await upload.seek(0)
    name = clean_name(upload.filename or "", kind, head)
    path = folder / name

    def copy() -> None:
        with path.open("wb") as target:
            shutil.copyfileobj(upload.file, target, 1 << 20)

    await run_in_threadpool(copy)
    return path


def clean_name(filename: str, kind: str, head: bytes) -> str:
    """A safe file name for an upload: the base name only, odd characters replaced, and a
    suffix the readers understand (from the name, else sniffed from the first bytes ``head``).

    Raises :class:`UnsupportedMediaTypeError` for a file of a type ``kind`` does not read.
    """
    sent = user_file_name(filename)
    base = _UNSAFE.sub("_", sent).lstrip("._")[-100:] or "upload"
    suffix = PurePosixPath(base).suffix.lower()
    allowed = SUFFIXES[kind]
    sniffed = sniff(head, kind)
    if suffix in allowed and (sniffed is None or sniffed == _same_family(suffix)):
        return base
    if sniffed is None:
        hint = (
            "; a Shapefile is several files: zip the .shp with its .shx, .dbf and .prj"
            if suffix in (".shp", ".shx", ".dbf", ".prj")
            else ""
        )
        raise UnsupportedMediaTypeError(
            f"{sent or 'the uploaded file'}: not {FORMATS[kind]} "
            f"(accepted: {', '.join(allowed)}){hint}"
        )
    return f"{PurePosixPath(base).stem or 'upload'}{sniffed}"


def user_file_name(filename: str) -> str:
    """The name of the file as the user sent it, without any folder ('' when none)."""
    return PurePosixPath(filename.replace("\\", "/")).name[:200]


def _same_family(suffix: str) -> str:
    """The suffix :func:`sniff` gives for files named with ``suffix`` (.json → .geojson, ...)."""
    return {".json": ".geojson", ".txt": ".csv", ".yml": ".yaml"}.get(suffix, suffix)


def sniff(head: bytes, kind: str) -> str | None:
    """The suffix for a file starting with ``head``, when it is a type ``kind`` reads."""
    allowed = SUFFIXES[kind]
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"SQLite format 3\x00"):
        found = ".gpkg"
    elif head.startswith(b"PK\x03\x04"):
        found = ".zip"
    elif text.startswith(b"{"):
        found = ".json" if kind == "zones" else ".geojson"
    elif text.startswith(b"<"):
        found = ".gml"  # XML: GML, as GDAL and GIS tools write it
    elif kind == "zones":
        found = ".yaml"
    elif kind in ("voorzieningen", "statistics") and _looks_like_csv(head):
        found = ".csv"
    else:
        return None
    return found if found in allowed else None


def _looks_like_csv(head: bytes) -> bool:
    """Text whose first line holds a separator (``,``, ``;`` or a tab)."""
    if not head or b"\x00" in head:
        return False
    first = head.splitlines()[0] if head.splitlines() else b""
    return any(separator in first for separator in (b",", b";", b"\t"))
