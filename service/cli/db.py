"""``wsz db upgrade`` and ``wsz db status``: the PostGIS store's versioned migrations
(``WSZ_STORE_URL``; the GeoPackage needs none)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from geo.errors import ConfigurationError

if TYPE_CHECKING:  # psycopg only for these commands, not at every `wsz` start
    from geo.settings import Settings
    from geo.store.postgis import PostGISStore


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``wsz db upgrade`` and ``wsz db status``."""
    text = "the PostGIS store's schema (WSZ_STORE_URL): apply or list its migrations"
    parser = commands.add_parser("db", help=text, description=text)
    actions = parser.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    for name, handler, help_text in (
        ("upgrade", _upgrade, "apply the pending migrations (each all or nothing)"),
        ("status", _status, "list the migrations, applied or pending"),
    ):
        sub = actions.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--url", help="postgresql://… (default: WSZ_STORE_URL)")
        sub.set_defaults(handler=handler)


def _store(args: argparse.Namespace, settings: Settings) -> PostGISStore:
    from geo.store.base import StoreSettings

    url = args.url or StoreSettings().store_url
    if not url:
        raise ConfigurationError(
            "no PostGIS store: set WSZ_STORE_URL=postgresql://user@host:port/database (or "
            "give --url); the GeoPackage store needs no migrations"
        )
    from geo.store.postgis import PostGISStore

    return PostGISStore(url, settings.store_path)


def _upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from geo.store.postgis_migrations import upgrade

    applied = upgrade(_store(args, settings))
    for migration in applied:
        print(f"applied {migration.number:03d}_{migration.name}")
    if not applied:
        print("the database is up to date")
    return 0


def _status(args: argparse.Namespace, settings: Settings) -> int:
    from geo.store.postgis_migrations import status

    found = status(_store(args, settings))
    for migration in found:
        state = "applied" if migration.applied else "pending"
        print(f"{migration.number:03d}_{migration.name}: {state}")
    pending = sum(not m.applied for m in found)
    print(f"{len(found) - pending} applied, {pending} pending")
    return 0
