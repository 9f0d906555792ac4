"""Versioned migrations of the PostGIS store: the numbered SQL files in ``migrations/``
(``001_initial.sql`` …), applied in order, each in its own transaction and recorded in
``wsz.schema_migrations``; run by ``wsz db upgrade``, listed by ``wsz db status``.

A plain numbered-SQL runner rather than Alembic: a handful of fixed tables, no ORM models,
and SQL files GIS staff can read (see migrations/README.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import psycopg

from geo.errors import ConfigurationError
from geo.settings import PROJECT_ROOT
from geo.store.postgis import SCHEMA, PostGISStore

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
FILE_NAME = re.compile(r"(\d{3})_([a-z0-9_]+)\.sql")
#: Taken for the duration of an upgrade (two at once apply each file once).
UPGRADE_LOCK_KEY = 0x77737A01


@dataclass(frozen=True)
class Migration:
    """One numbered SQL file and whether it has been applied."""

    number: int
    name: str
    path: Path
    applied: bool = False


def migrations(folder: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migration files, in order."""
    found = []
    for path in sorted(folder.glob("*.sql")):
        match = FILE_NAME.fullmatch(path.name)
        if match is None:
            raise ConfigurationError(f"{path}: migration files are named NNN_name.sql")
        found.append(Migration(int(match[1]), match[2], path))
    return found


def _ensure_table(connection: psycopg.Connection[object]) -> None:
    connection.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    connection.execute(
        f"CREATE TABLE IF NOT EXISTS {SCHEMA}.schema_migrations (number integer PRIMARY KEY, "
        "name text NOT NULL, applied timestamptz NOT NULL DEFAULT now())"
    )


def status(store: PostGISStore, folder: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Every migration with whether it has been applied to ``store``'s database."""
    with store.connect() as connection, connection.transaction():
        _ensure_table(connection)
        done = {
            row[0] for row in connection.execute(f"SELECT number FROM {SCHEMA}.schema_migrations")
        }
    return [Migration(m.number, m.name, m.path, m.number in done) for m in migrations(folder)]


def upgrade(store: PostGISStore, folder: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Apply the pending migrations in order (each all or nothing); returns those applied."""
    applied = []
    with store.connect() as connection:
        with connection.transaction():
            _ensure_table(connection)
        for migration in status(store, folder):
            if migration.applied:
                continue
            with connection.transaction():
                connection.execute("SELECT pg_advisory_xact_lock(%s)", (UPGRADE_LOCK_KEY,))
                already = connection.execute(
                    f"SELECT 1 FROM {SCHEMA}.schema_migrations WHERE number = %s",
                    (migration.number,),
                ).fetchone()
                if already:
                    continue
                connection.execute(migration.path.read_text(encoding="utf-8"))
                connection.execute(
                    f"INSERT INTO {SCHEMA}.schema_migrations (number, name) VALUES (%s, %s)",
                    (migration.number, migration.name),
                )
            applied.append(migration)
    return applied
