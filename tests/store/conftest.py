"""Both stores for the store tests: the GeoPackage and PostGIS on the local server.

PostGIS: PostgreSQL on 127.0.0.1:5432 (trust auth, user ``postgres``; WSZ_TEST_PG_URL
overrides), a fresh database per run with ``CREATE EXTENSION postgis`` and the migrations
applied (``wsz db upgrade``'s code), dropped afterwards. Without a reachable server or the
extension the PostGIS tests skip, saying which is missing.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from geo.store.base import Store
from geo.store.geopackage import GeoPackageStore
from geo.store.postgis import PostGISStore
from geo.store.postgis_migrations import upgrade

SERVER = os.environ.get("WSZ_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def postgis_url() -> Iterator[str]:
    """A fresh database with PostGIS and the store's schema, for this run."""
    try:
        admin = psycopg.connect(SERVER, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL reachable at {SERVER} ({str(exc).strip()[:200]})")
    name = f"wsz_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        url = psycopg.conninfo.make_conninfo(SERVER, dbname=name)
        try:
            try:
                with psycopg.connect(url, autocommit=True) as connection:
                    connection.execute("CREATE EXTENSION postgis")
            except psycopg.Error as exc:
                pytest.skip(
                    "PostgreSQL has no PostGIS extension (install Debian's "
                    f"postgresql-15-postgis-3: scripts/ensure-postgis): {str(exc).strip()[:200]}"
                )
            upgrade(PostGISStore(url, Path("unused.gpkg")))
            yield url
        finally:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def empty_postgis(url: str) -> None:
    """The store's tables emptied (the layer tables dropped), as after ``wsz db upgrade``."""
    with psycopg.connect(url, autocommit=True) as connection:
        for layer in ("buurten", "zones", "voorzieningen"):
            connection.execute(
                sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier("wsz", layer))
            )
        connection.execute("TRUNCATE wsz.documents, wsz.import_log, wsz.scenarios CASCADE")
        connection.execute("UPDATE wsz.meta SET version = NULL, changed = NULL")


@pytest.fixture(params=["gpkg", "postgis"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """An empty store of each kind (side files in ``tmp_path``)."""
    path = tmp_path / "store.gpkg"
    if request.param == "gpkg":
        return GeoPackageStore(path)
    url: str = request.getfixturevalue("postgis_url")
    empty_postgis(url)
    return PostGISStore(url, path)
