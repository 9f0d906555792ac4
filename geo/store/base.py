"""What every store is (:class:`Store`: the GeoPackage file and PostGIS) and which one a
deployment uses (:func:`open_store`: ``WSZ_STORE_URL=postgresql://…`` for PostGIS, else the
GeoPackage at ``WSZ_STORE_PATH``).

Both keep the same :class:`~geo.store.dataset.Dataset` in EPSG:28992, write it whole (all or
nothing), keep the same import log, hold one writer at a time across processes and give a
version stamp cheap enough to look at on every request.
"""

from __future__ import annotations

from collections.abc import Hashable
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from geo.settings import Settings
from geo.store.dataset import Dataset
from geo.store.log import ImportReport

if TYPE_CHECKING:
    from geo.store.batch_tables import BatchTables
    from geo.store.scenarios import ScenarioBook


class ImportLogLike(Protocol):
    """The import log of a store: reports appended, the latest read back (newest first)."""

    def append(self, report: ImportReport) -> None: ...

    def entries(self, limit: int = 100) -> list[dict[str, Any]]: ...


@runtime_checkable
class Store(Protocol):
    """A store of one :class:`Dataset`. ``path`` is where its side files live (the address
    table, the walking network): for the GeoPackage the store file itself."""

    path: Path

    def read(self) -> Dataset: ...

    def write(self, dataset: Dataset) -> None: ...

    def version(self) -> str | None: ...

    def stamp(self) -> Hashable: ...

    def changed(self) -> datetime | None: ...

    def lock(
        self, *, shared: bool = False, timeout: float | None = None
    ) -> AbstractContextManager[None]: ...

    @property
    def log(self) -> ImportLogLike: ...

    @property
    def scenarios(self) -> ScenarioBook: ...

    @property
    def batch_tables(self) -> BatchTables: ...


class StoreSettings(BaseSettings):
    """Which store (``WSZ_STORE_URL``): a PostgreSQL URL switches to PostGIS."""

    model_config = SettingsConfigDict(env_prefix="WSZ_", env_file=".env", extra="ignore")

    store_url: str | None = Field(
        default=None,
        description="postgresql://user@host:port/database: keep the store in PostGIS (schema "
        "wsz; run `wsz db upgrade` first). Unset: the GeoPackage at WSZ_STORE_PATH.",
    )


def open_store(settings: Settings, url: str | None = None) -> Store:
    """The store of these settings: PostGIS at ``url`` (default ``WSZ_STORE_URL``), else the
    GeoPackage at ``settings.store_path``."""
    url = url if url is not None else StoreSettings().store_url
    if url:
        from geo.store.postgis import PostGISStore

        return PostGISStore(url, settings.store_path)
    from geo.store.geopackage import GeoPackageStore

    return GeoPackageStore(settings.store_path)


def as_store(store: Path | Store) -> Store:
    """A store given as itself or (as older callers do) as a GeoPackage's path."""
    if isinstance(store, Path | str):
        from geo.store.geopackage import GeoPackageStore

        return GeoPackageStore(Path(store))
    return store
