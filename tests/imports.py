"""Imports in the tests go through the one import path, :func:`geo.pipeline.run_import`."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from geo.network.build import Network
from geo.pipeline import run_import
from geo.read.limits import Limits
from geo.read.vectors import Source
from geo.settings import Settings
from geo.store.dataset import Dataset
from geo.store.geopackage import GeoPackageStore
from geo.store.log import ImportKind
from geo.store.request import ImportOptions, ImportRequest
from tests.conftest import make_settings


def import_file(
    store: GeoPackageStore,
    kind: ImportKind,
    source: Source,
    settings: Settings | None = None,
    *,
    statistics: Path | list[Path] | tuple[Path, ...] = (),
    where: str | None = None,
    limits: Limits | None = None,
    **options: Any,
) -> Dataset:
    """Import ``source`` as ``kind`` into ``store`` (settings: the tests' defaults, with
    ``limits`` when given); the dataset stored (or, for a dry run, that would be stored)."""
    if settings is None:
        given = {} if limits is None else asdict(limits)
        overrides = {k: v for k, v in given.items() if k in Settings.model_fields}
        settings = make_settings(store.path, **overrides)
    tables = (statistics,) if isinstance(statistics, Path) else tuple(statistics)
    request = ImportRequest(
        kind=kind,
        source=source,
        options=ImportOptions(**options),
        statistics=tables,
        where=where,
    )
    dataset = run_import(store, request, settings).dataset
    assert dataset is not None
    return dataset


def load_sample(
    store: GeoPackageStore, settings: Settings, name: str | None = None
) -> tuple[Dataset, Network | None]:
    """Import sample ``name`` (default: the data path's) and build its walking network."""
    result = run_import(store, ImportRequest(kind="sample", sample=name), settings)
    assert result.dataset is not None
    return result.dataset, result.network


def import_sample(store: GeoPackageStore, settings: Settings, name: str | None = None) -> Dataset:
    """Import sample ``name``; the dataset stored."""
    return load_sample(store, settings, name)[0]
