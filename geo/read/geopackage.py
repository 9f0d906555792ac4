"""GeoPackages checked with SQLite itself before GDAL opens them.

A GeoPackage is an SQLite database, and GDAL reads a layer by running SQL: a layer that is a
*view* can be any query (a recursive CTE of 3·10⁷ rows, a few rows of 6.25 M-vertex lines
computed from a 106 KB file), which GDAL materialises before any limit could be checked.
So :func:`check_geopackage` reads the file's own metadata through the ``sqlite3`` module —
read-only, under a bound on the SQLite virtual-machine steps it may take — and refuses:

- views and virtual tables (other than the R-tree spatial indexes GDAL writes itself):
  :class:`~geo.errors.UnsafeArchiveError`, naming them;
- a layer with more than ``max_features`` rows (counted up to one more than the limit, so a
  huge table costs no more than a small one): :class:`~geo.errors.TooManyFeaturesError`;
- a geometry blob larger than a geometry of ``max_vertices_per_feature`` vertices can be
  (:func:`max_geometry_bytes`): :class:`~geo.errors.TooManyVerticesError`.

Only then does :mod:`geo.read.vectors` let GDAL read the layer (in bounded batches).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from urllib.parse import quote

from geo.errors import ReadError, TooManyFeaturesError, TooManyVerticesError, UnsafeArchiveError
from geo.read.checks import describe
from geo.read.limits import Limits

GPKG_SUFFIXES = (".gpkg",)
#: SQLite virtual-machine steps the checks may take (about a second of CPU; a real
#: GeoPackage at the limits needs a small fraction): beyond, the file is refused.
MAX_SQLITE_STEPS = 50_000_000
#: The handler is called every this many steps.
_STEPS_PER_CALL = 10_000


def max_geometry_bytes(limits: Limits) -> int:
    """The largest GeoPackage geometry blob of ``max_vertices_per_feature`` vertices (bytes):
    a 72-byte header with an XYZM envelope, and per vertex 32 bytes (XYZM) plus 13 for the
    ring or part it might open (WKB counts and headers)."""
    return 1024 + 45 * limits.max_vertices_per_feature


def is_geopackage(path: Path) -> bool:
    """True for a file that starts as SQLite databases do (whatever its name)."""
    try:
        with path.open("rb") as handle:
            return handle.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def check_geopackage(path: Path, limits: Limits, *, where: str) -> None:
    """Refuse a GeoPackage GDAL should not open (see the module docstring)."""
    with _connection(path, where=where) as connection:
        try:
            _check_schema(connection, where=where)
            for table, geometry in _layers(connection):
                _check_rows(connection, table, geometry, limits, where=where)
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                raise UnsafeArchiveError(
                    f"{where}: checking this GeoPackage took more than "
                    f"{MAX_SQLITE_STEPS:,} SQLite steps; it is not read"
                ) from exc
            raise ReadError(f"{where}: not a readable GeoPackage ({exc})") from exc
        except sqlite3.DatabaseError as exc:
            raise ReadError(f"{where}: not a readable GeoPackage ({exc})") from exc


@contextmanager
def _connection(path: Path, *, where: str) -> Iterator[sqlite3.Connection]:
    uri = f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1"
    try:
        connection = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        raise ReadError(f"{where}: cannot open as a GeoPackage ({exc})") from exc
    steps = [0]

    def bounded() -> int:
        steps[0] += _STEPS_PER_CALL
        return 1 if steps[0] > MAX_SQLITE_STEPS else 0

    connection.set_progress_handler(bounded, _STEPS_PER_CALL)
    with closing(connection):
        yield connection


def _check_schema(connection: sqlite3.Connection, *, where: str) -> None:
    rows = connection.execute(
        "SELECT type, name, coalesce(sql, '') FROM sqlite_master WHERE type IN ('table', 'view')"
    ).fetchall()
    refused = [
        f"{name!r} ({'a view' if kind == 'view' else 'a virtual table'})"
        for kind, name, sql in rows
        if kind == "view" or (_is_virtual(sql) and not _is_rtree_index(name, sql))
    ]
    if refused:
        raise UnsafeArchiveError(
            f"{where}: GeoPackages with views or virtual tables are not read (a view can be "
            f"any query, run before any limit is checked): {describe(refused)}. Save the "
            "layer as a table (e.g. ogr2ogr -f GPKG out.gpkg in.gpkg) and import that"
        )


def _is_virtual(sql: str) -> bool:
    return sql.lstrip().upper().startswith("CREATE VIRTUAL TABLE")


def _is_rtree_index(name: str, sql: str) -> bool:
    return name.startswith("rtree_") and "USING RTREE" in " ".join(sql.upper().split())


def _layers(connection: sqlite3.Connection) -> list[tuple[str, str | None]]:
    """(table, geometry column or None) of every layer the file registers."""
    try:
        tables = [
            str(row[0])
            for row in connection.execute(
                "SELECT table_name FROM gpkg_contents WHERE data_type IN ('features', 'attributes')"
            )
        ]
        columns = dict(
            connection.execute("SELECT table_name, column_name FROM gpkg_geometry_columns")
        )
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return []  # an SQLite file that is no GeoPackage: GDAL says so
        raise
    return [(table, columns.get(table)) for table in tables]


def _check_rows(
    connection: sqlite3.Connection, table: str, geometry: str | None, limits: Limits, *, where: str
) -> None:
    name = _quoted(table)
    exists = connection.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()[0]
    if not exists:
        return  # registered but absent: GDAL refuses it when asked for it
    rows = connection.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM {name} LIMIT ?)",  # names quoted
        (limits.max_features + 1,),
    ).fetchone()[0]
    if rows > limits.max_features:
        raise TooManyFeaturesError(
            f"{where}: layer {table!r} holds more than the {limits.max_features:,} features "
            "accepted in one import (WSZ_MAX_FEATURES); split it, or filter it first",
            limit=limits.max_features,
            actual=rows,
        )
    if geometry is None:
        return
    largest = connection.execute(
        f"SELECT max(length({_quoted(geometry)})) FROM {name}"  # names quoted
    ).fetchone()[0]
    if largest is not None and int(largest) > max_geometry_bytes(limits):
        raise TooManyVerticesError(
            f"{where}: layer {table!r} holds a geometry of {int(largest):,} bytes, more than "
            f"a feature of {limits.max_vertices_per_feature:,} vertices takes "
            f"(WSZ_MAX_VERTICES_PER_FEATURE): simplify the geometry",
            limit=limits.max_vertices_per_feature,
        )


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'
