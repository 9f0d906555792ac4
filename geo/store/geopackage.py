"""The embedded store: one GeoPackage file, written atomically.

Layers (all in RD New, EPSG:28992, so QGIS opens them as they are): ``buurten`` (with
``zone_code``), ``zones`` (dissolved, with totals), ``voorzieningen`` (with ``bu_code`` and
``zone_code``), a table ``zone_definition`` holding the zone definition as JSON, and a table
``provenance`` holding where each layer comes from and which are synthetic, as JSON.

Every write builds a complete new file next to the old one and renames it over the old one
(``os.replace``, atomic on POSIX and Windows). A failure at any point before that leaves the
store exactly as it was.
"""

from __future__ import annotations

from collections.abc import Hashable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd
import pyogrio
from pydantic import ValidationError
from pyproj import CRS

from geo.common.files import atomic_write
from geo.crs import WORKING_CRS
from geo.errors import ReadError
from geo.read.provenance import Provenance
from geo.read.voorzieningen import with_voorziening_details
from geo.read.zones import ZoneDefinition
from geo.store.dataset import Dataset, empty_buurten, empty_voorzieningen, empty_zones
from geo.store.history import carry_history
from geo.store.lock import store_lock
from geo.store.log import ImportLog, store_version

if TYPE_CHECKING:
    from geo.store.batch_tables import FileBatchTables
    from geo.store.scenarios import FileScenarios

CODE_COLUMNS = ("bu_code", "wk_code", "gm_code", "zone_code", "id", "category")


class GeoPackageStore:
    """A :class:`Dataset` kept in one GeoPackage file at ``path``."""

    def __init__(self, path: Path, crs: CRS = WORKING_CRS) -> None:
        self.path = Path(path)
        self.crs = crs

    def __repr__(self) -> str:
        return f"GeoPackageStore({str(self.path)!r})"

    def read(self) -> Dataset:
        """The stored dataset; an empty one if nothing has been imported yet."""
        if not self.path.exists():
            return Dataset(
                empty_buurten(self.crs),
                empty_zones(self.crs),
                empty_voorzieningen(self.crs),
            )
        try:
            layers = {str(name) for name in pyogrio.list_layers(self.path)[:, 0]}
            buurten = self._layer("buurten", layers)
            voorzieningen = self._layer("voorzieningen", layers)
            definition = None
            if "zone_definition" in layers:
                table = pyogrio.read_dataframe(
                    self.path, layer="zone_definition", read_geometry=False
                )
                definition = ZoneDefinition.model_validate_json(table["definition"].iloc[0])
            provenance = Provenance()
            if "provenance" in layers:
                table = pyogrio.read_dataframe(self.path, layer="provenance", read_geometry=False)
                provenance = Provenance.model_validate_json(table["provenance"].iloc[0])
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
            raise ReadError(f"store {self.path} cannot be read: {exc}") from exc
        except (ValidationError, KeyError, IndexError) as exc:
            raise ReadError(
                f"store {self.path} is damaged: its zone definition or provenance table cannot "
                f"be read ({type(exc).__name__}: {str(exc)[:300]}); import the zones again, or "
                "restore the store from a backup"
            ) from exc
        buurten = buurten if buurten is not None else empty_buurten(self.crs)
        voorzieningen = (
            voorzieningen if voorzieningen is not None else empty_voorzieningen(self.crs)
        )
        # Stores written before voorzieningen had an address and opening hours lack them.
        voorzieningen = with_voorziening_details(voorzieningen)
        zones = self._layer("zones", layers)
        if zones is None:
            zones = empty_zones(self.crs)
        return Dataset(buurten, zones, voorzieningen, definition, provenance)

    def _layer(self, name: str, layers: set[str]) -> gpd.GeoDataFrame | None:
        if name not in layers:
            return None
        frame = pyogrio.read_dataframe(self.path, layer=name)
        for column in CODE_COLUMNS:
            if column in frame:
                frame[column] = frame[column].astype("string")
        return frame

    def version(self) -> str | None:
        """The store's version: SHA-256 of the file (None before the first import)."""
        return store_version(self.path)

    def stamp(self) -> Hashable:
        """A cheap change check: the file's size, modification time and inode."""
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return None
        return (str(self.path), info.st_size, info.st_mtime_ns, info.st_ino)

    def changed(self) -> datetime | None:
        """When the file was last written (UTC); None before the first import."""
        if not self.path.exists():
            return None
        return datetime.fromtimestamp(self.path.stat().st_mtime, UTC)

    def lock(
        self, *, shared: bool = False, timeout: float | None = None
    ) -> AbstractContextManager[None]:
        """The store's file lock (:func:`geo.store.lock.store_lock`)."""
        return store_lock(self.path, shared=shared, timeout=timeout)

    @property
    def log(self) -> ImportLog:
        """The import log beside the file (``<store>-imports.jsonl``)."""
        return ImportLog.beside(self.path)

    @property
    def scenarios(self) -> FileScenarios:
        """The named what-if scenarios, beside the file (:mod:`geo.store.scenarios`)."""
        from geo.store.scenarios import FileScenarios

        return FileScenarios(self.path)

    @property
    def batch_tables(self) -> FileBatchTables:
        """The results of ``wsz batch --to-store``, beside the file
        (:mod:`geo.store.batch_tables`)."""
        from geo.store.batch_tables import FileBatchTables

        return FileBatchTables(self.path)

    def write(self, dataset: Dataset) -> None:
        """Replace the stored dataset with ``dataset``, atomically."""
        with atomic_write(self.path) as temporary:
            write_layer(dataset.buurten, temporary, "buurten")
            write_layer(dataset.zones, temporary, "zones")
            write_layer(dataset.voorzieningen, temporary, "voorzieningen")
            if dataset.definition is not None:
                table = pd.DataFrame({"definition": [dataset.definition.model_dump_json()]})
                pyogrio.write_dataframe(table, temporary, layer="zone_definition", driver="GPKG")
            if dataset.provenance != Provenance():
                table = pd.DataFrame({"provenance": [dataset.provenance.model_dump_json()]})
                pyogrio.write_dataframe(table, temporary, layer="provenance", driver="GPKG")
            carry_history(self.path, temporary)  # the years of figures stay (geo.store.history)


def write_layer(frame: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    """Add ``frame`` (RD New) as ``layer`` to the GeoPackage at ``path`` (nothing if empty)."""
    if frame.empty:
        return
    pyogrio.write_dataframe(
        _nulls_as_none(frame), path, layer=layer, driver="GPKG", promote_to_multi=False
    )


def _nulls_as_none(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Text columns with every kind of missing value (NaN, pd.NA, None) as None, so GDAL
    writes NULL; pyogrio would write pd.NA in an object column as the text '<NA>'."""
    text = [
        c
        for c in frame.columns
        if c != frame.geometry.name
        and (frame[c].dtype == object or isinstance(frame[c].dtype, pd.StringDtype))
    ]
    if not text:
        return frame
    cleaned = frame.copy()
    for column in text:
        values = cleaned[column].astype(object)
        cleaned[column] = values.where(values.notna(), None)
    return cleaned
