"""The PostGIS store (``WSZ_STORE_URL=postgresql://…``): the same dataset as the GeoPackage,
in schema ``wsz`` of a PostgreSQL database with PostGIS (schema: docs/postgis.md).

* Every write is one transaction: the three layer tables are created anew with their data's
  columns (DDL is transactional in PostgreSQL), loaded with ``COPY``, given a GiST index, and
  the version stamp (``wsz.meta``) is bumped — all or nothing. A connection lost midway rolls
  everything back; the caller gets :class:`StoreUnavailableError`.
* Readers read in one ``REPEATABLE READ`` snapshot: always one whole version, no lock.
* One writer at a time, across processes and machines: a PostgreSQL advisory lock
  (:class:`AdvisoryLock`), held on its own connection for the import's duration.
* The version stamp is one small row, cheap enough to read on every request.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
import weakref
from collections.abc import Hashable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import shapely
from psycopg import sql

from geo.crs import WORKING_CRS
from geo.errors import StoreBusyError
from geo.read.provenance import Provenance
from geo.read.voorzieningen import with_voorziening_details
from geo.read.zones import ZoneDefinition
from geo.store.dataset import Dataset, empty_buurten, empty_voorzieningen, empty_zones
from geo.store.geopackage import CODE_COLUMNS
from geo.store.log import ImportReport

if TYPE_CHECKING:
    from geo.store.batch_tables import PostGISBatchTables
    from geo.store.scenarios import PostGISScenarios

SCHEMA = "wsz"
LAYERS = ("buurten", "zones", "voorzieningen")
#: The advisory lock key of the store's writers (any 64-bit number; "wsz" in ASCII).
LOCK_KEY = 0x77737A
SRID = 28992


class StoreUnavailableError(StoreBusyError):
    """The PostGIS store cannot be reached, or the connection was lost (nothing changed)."""

    title = "Store unavailable"


def _unavailable(url: str, exc: Exception) -> StoreUnavailableError:
    where = psycopg.conninfo.conninfo_to_dict(url)
    host = f"{where.get('host', 'localhost')}:{where.get('port', 5432)}/{where.get('dbname', '')}"
    return StoreUnavailableError(
        f"the PostGIS store at {host} cannot be reached or the connection was lost "
        f"({type(exc).__name__}: {str(exc).strip()[:300]}); nothing was changed — try again "
        "when the database is up"
    )


class PostGISStore:
    """A :class:`Dataset` kept in PostGIS at ``url``; ``path`` is where side files live (the
    address table, the walking network), as for the GeoPackage."""

    def __init__(self, url: str, path: Path) -> None:
        self.url = url
        self.path = Path(path)
        self._local = threading.local()
        self._lock = AdvisoryLock(self)
        #: The per-thread version-check connections, closed with the store (:meth:`close`).
        self._opened: list[psycopg.Connection[Any]] = []
        weakref.finalize(self, _close_all, self._opened)

    def close(self) -> None:
        """Close the connections kept for version checks (new ones open when needed)."""
        _close_all(self._opened)

    def __repr__(self) -> str:
        return f"PostGISStore({psycopg.conninfo.make_conninfo(self.url, password='***')!r})"

    @contextlib.contextmanager
    def connect(self, *, autocommit: bool = False) -> Iterator[psycopg.Connection[Any]]:
        """A new connection; connection errors become :class:`StoreUnavailableError`."""
        try:
            with psycopg.connect(
                self.url, autocommit=autocommit, connect_timeout=10, application_name="wsz"
            ) as connection:
                yield connection
        except psycopg.OperationalError as exc:
            raise _unavailable(self.url, exc) from exc

    # ------------------------------------------------------------------ version

    def _meta(self) -> tuple[str | None, datetime | None]:
        """(version, changed) from a per-thread connection kept open (reopened if lost)."""
        for attempt in (0, 1):
            connection = getattr(self._local, "connection", None)
            try:
                if connection is None or connection.closed:
                    connection = psycopg.connect(self.url, autocommit=True, connect_timeout=10)
                    self._local.connection = connection
                    self._opened.append(connection)
                row = connection.execute(f"SELECT version, changed FROM {SCHEMA}.meta").fetchone()
                return (row[0], row[1]) if row else (None, None)
            except psycopg.OperationalError as exc:
                self._local.connection = None
                if attempt:
                    raise _unavailable(self.url, exc) from exc
        raise AssertionError("unreachable")

    def version(self) -> str | None:
        """The store's version: SHA-256 of what the last import wrote (None: nothing yet)."""
        return self._meta()[0]

    def stamp(self) -> Hashable:
        """A cheap change check: the version stamp (one indexed one-row query)."""
        return ("postgis", self._meta()[0])

    def changed(self) -> datetime | None:
        """When the last import wrote (UTC)."""
        return self._meta()[1]

    def lock(self, *, shared: bool = False, timeout: float | None = None) -> Any:
        """One writer at a time (an advisory lock); readers need none (a snapshot each)."""
        if shared:
            return contextlib.nullcontext()
        return self._lock.held(timeout)

    @property
    def log(self) -> PostGISImportLog:
        """The import log, table ``wsz.import_log``."""
        return PostGISImportLog(self)

    @property
    def scenarios(self) -> PostGISScenarios:
        """The named what-if scenarios, ``wsz.scenarios`` (:mod:`geo.store.scenarios`)."""
        from geo.store.scenarios import PostGISScenarios

        return PostGISScenarios(self)

    @property
    def batch_tables(self) -> PostGISBatchTables:
        """The results of ``wsz batch --to-store``, ``wsz.batch_<level>``
        (:mod:`geo.store.batch_tables`)."""
        from geo.store.batch_tables import PostGISBatchTables

        return PostGISBatchTables(self)

    # ------------------------------------------------------------------ read

    def read(self) -> Dataset:
        """The stored dataset, from one snapshot; an empty one before the first import."""
        with self.connect() as connection:
            connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            with connection.transaction():
                tables = {
                    row[0]
                    for row in connection.execute(
                        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                        (SCHEMA,),
                    )
                }
                frames = {n: read_table(connection, n) if n in tables else None for n in LAYERS}
                documents = dict(
                    connection.execute(f"SELECT name, body::text FROM {SCHEMA}.documents")
                )
        definition = documents.get("zone_definition")
        provenance = documents.get("provenance")
        voorzieningen = frames["voorzieningen"]
        return Dataset(
            frames["buurten"] if frames["buurten"] is not None else empty_buurten(WORKING_CRS),
            frames["zones"] if frames["zones"] is not None else empty_zones(WORKING_CRS),
            with_voorziening_details(
                voorzieningen if voorzieningen is not None else empty_voorzieningen(WORKING_CRS)
            ),
            None if definition is None else ZoneDefinition.model_validate_json(definition),
            Provenance() if provenance is None else Provenance.model_validate_json(provenance),
        )

    # ------------------------------------------------------------------ write

    def write(self, dataset: Dataset) -> None:
        """Replace the stored dataset with ``dataset`` in one transaction (all or nothing)."""
        digest = hashlib.sha256()
        try:
            with self.connect() as connection, connection.transaction():
                for name in LAYERS:
                    write_table(connection, name, getattr(dataset, name), digest)
                connection.execute(f"DELETE FROM {SCHEMA}.documents")
                for name, document in (
                    ("zone_definition", dataset.definition),
                    ("provenance", dataset.provenance),
                ):
                    if document is not None:
                        body = document.model_dump_json()
                        digest.update(body.encode())
                        connection.execute(
                            f"INSERT INTO {SCHEMA}.documents VALUES (%s, %s)", (name, body)
                        )
                connection.execute(
                    f"UPDATE {SCHEMA}.meta SET version = %s, changed = now(), "
                    "generation = generation + 1",
                    (digest.hexdigest(),),
                )
        except psycopg.OperationalError as exc:
            raise _unavailable(self.url, exc) from exc


def _close_all(connections: list[psycopg.Connection[Any]]) -> None:
    while connections:
        connections.pop().close()


def _column_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "bigint"
    if pd.api.types.is_float_dtype(series):
        return "double precision"
    return "text"


def write_table(
    connection: psycopg.Connection[Any], name: str, frame: gpd.GeoDataFrame, digest: Any
) -> None:
    """Create ``wsz.<name>`` anew with ``frame``'s columns (geometry in RD New, listed in
    ``geometry_columns``) and load it with COPY, in the caller's transaction; every row goes
    into ``digest`` (a hashlib object)."""
    table = sql.Identifier(SCHEMA, name)
    columns = [c for c in frame.columns if c != frame.geometry.name]
    kind = "Point" if name == "voorzieningen" else "Geometry"
    definitions: list[sql.Composable] = [sql.SQL("fid bigint PRIMARY KEY")]
    definitions += [
        sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(_column_type(frame[c]))) for c in columns
    ]
    definitions.append(sql.SQL(f"geom geometry({kind}, {SRID})"))
    connection.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
    connection.execute(
        sql.SQL("CREATE TABLE {} ({})").format(table, sql.SQL(", ").join(definitions))
    )
    rows = _rows(frame, columns)
    target = sql.SQL("COPY {} ({}) FROM STDIN").format(
        table, sql.SQL(", ").join(sql.Identifier(c) for c in ["fid", *columns, "geom"])
    )
    with connection.cursor().copy(target) as copy:
        for row in rows:
            digest.update(repr(row).encode())
            copy.write_row(row)
    connection.execute(
        sql.SQL("CREATE INDEX {} ON {} USING gist (geom)").format(
            sql.Identifier(f"{name}_geom_gist"), table
        )
    )


def _rows(frame: gpd.GeoDataFrame, columns: list[str]) -> list[tuple[Any, ...]]:
    """Rows for COPY: fid, values (missing as None), geometry as hex EWKB in RD New."""
    values = frame[columns].astype(object).where(frame[columns].notna(), None)
    geometry = shapely.set_srid(np.asarray(frame.geometry.values), SRID)
    wkb = shapely.to_wkb(geometry, hex=True, include_srid=True)
    return [
        (i + 1, *(_plain(v) for v in row), g)
        for i, (row, g) in enumerate(zip(values.itertuples(index=False), wkb, strict=True))
    ]


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list | dict):
        return json.dumps(value)
    return value


def read_table(connection: psycopg.Connection[Any], name: str) -> gpd.GeoDataFrame:
    """The table ``wsz.<name>`` in feature order (``fid``), geometry in RD New."""
    table = sql.Identifier(SCHEMA, name)
    cursor = connection.execute(
        sql.SQL("SELECT *, ST_AsBinary(geom) AS wkb FROM {} ORDER BY fid").format(table)
    )
    names = [d.name for d in cursor.description or ()]
    types = [d.type_code for d in cursor.description or ()]
    rows = cursor.fetchall()
    keep = [i for i, n in enumerate(names) if n not in ("fid", "geom", "wkb")]
    data: dict[str, Any] = {}
    for i in keep:
        values = [row[i] for row in rows]
        column = names[i]
        if types[i] == 701:  # float8
            data[column] = pd.Series(values, dtype="float64")
        elif types[i] == 20:  # int8
            data[column] = pd.Series(values, dtype="int64")
        elif column in CODE_COLUMNS:
            data[column] = pd.Series(values, dtype="string")
        else:
            data[column] = pd.Series(
                values, dtype=object if all(v is None for v in values) else "str"
            )
    geometry = shapely.from_wkb([row[names.index("wkb")] for row in rows])
    return gpd.GeoDataFrame(
        data, geometry=gpd.GeoSeries(geometry, crs=WORKING_CRS), crs=WORKING_CRS
    )


class PostGISImportLog:
    """The import log in ``wsz.import_log``: the same reports as the GeoPackage's JSON lines."""

    def __init__(self, store: PostGISStore) -> None:
        self.store = store

    def append(self, report: ImportReport) -> None:
        """Add one report (its own transaction)."""
        with self.store.connect(autocommit=True) as connection:
            connection.execute(
                f"INSERT INTO {SCHEMA}.import_log (id, report) VALUES (%s, %s)",
                (report.id, json.dumps(report.as_dict(), ensure_ascii=False)),
            )

    def entries(self, limit: int = 100) -> list[dict[str, Any]]:
        """The latest ``limit`` imports, newest first."""
        with self.store.connect(autocommit=True) as connection:
            rows = connection.execute(
                f"SELECT report FROM {SCHEMA}.import_log ORDER BY seq DESC LIMIT %s", (limit,)
            ).fetchall()
        return [row[0] for row in rows]


class AdvisoryLock:
    """The writers' lock: a PostgreSQL advisory lock on a connection of its own, re-entrant
    within a thread (an import takes it twice), one holder per process at a time."""

    def __init__(self, store: PostGISStore) -> None:
        self.store = store
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._connection: psycopg.Connection[Any] | None = None

    @contextlib.contextmanager
    def held(self, timeout: float | None) -> Iterator[None]:
        """Hold the lock; wait at most ``timeout`` s, then :class:`StoreBusyError`."""
        if not self._thread_lock.acquire(timeout=-1 if timeout is None else max(timeout, 0)):
            raise _busy(timeout)
        try:
            if self._depth == 0:
                self._acquire(timeout)
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._release()
        finally:
            self._thread_lock.release()

    def _acquire(self, timeout: float | None) -> None:
        try:
            connection = psycopg.connect(self.store.url, autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as exc:
            raise _unavailable(self.store.url, exc) from exc
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            row = connection.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()
            if row and row[0]:
                self._connection = connection
                return
            if deadline is not None and time.monotonic() >= deadline:
                connection.close()
                raise _busy(timeout)
            time.sleep(0.02)

    def _release(self) -> None:
        if self._connection is not None:
            self._connection.close()  # closing the session releases its advisory locks
            self._connection = None


def _busy(timeout: float | None) -> StoreBusyError:
    return StoreBusyError(
        f"the PostGIS store: another import is still running after {timeout or 0:.0f} s; try "
        "again when it has finished (GET /imports lists the imports)"
    )
