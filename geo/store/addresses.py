"""The imported BAG address table, kept beside the store: ``<store>-addresses.gpkg``."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio

from geo.common.files import atomic_write
from geo.errors import ReadError
from geo.read.addresses import ADDRESS_COLUMNS


def address_file(store_path: Path) -> Path:
    """Where imported BAG addresses are kept: ``<store>-addresses.gpkg`` beside the store."""
    store_path = Path(store_path)
    return store_path.with_name(f"{store_path.stem}-addresses.gpkg")


def write_addresses(table: gpd.GeoDataFrame, path: Path) -> Path:
    """Write an address table to ``path`` (layer ``addresses``), atomically: a complete new
    file renamed over the old one."""
    with atomic_write(Path(path)) as temporary:
        pyogrio.write_dataframe(
            table.astype({"number": "float64"}), temporary, layer="addresses", driver="GPKG"
        )
    return Path(path)


def read_addresses(path: Path) -> gpd.GeoDataFrame | None:
    """The stored address table, or None when nothing was imported."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        frame = pyogrio.read_dataframe(path, layer="addresses")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise ReadError(f"address table {path} cannot be read: {exc}") from exc
    frame["number"] = frame["number"].round().astype("Int64")
    for column in ADDRESS_COLUMNS:
        if column != "number":
            frame[column] = frame[column].astype("string")
    return frame
