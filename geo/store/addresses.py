"""The imported BAG address table, kept beside the store: ``<store>-addresses.gpkg``."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely

from geo.common.files import atomic_write
from geo.errors import ReadError, ValueProblemError
from geo.read.addresses import ADDRESS_COLUMNS, IMPORT_MARGIN_M, within_area
from geo.store.diff import LayerChanges
from geo.store.transaction import Planned


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


def plan_addresses(
    target: Path, table: gpd.GeoDataFrame, area: shapely.Geometry | None, *, where: str
) -> Planned[gpd.GeoDataFrame]:
    """Replacing the table at ``target`` by the addresses of ``table`` within
    :data:`~geo.read.addresses.IMPORT_MARGIN_M` of ``area`` (all without an area)."""
    kept = within_area(table, area)
    if kept.empty:
        raise ValueProblemError(
            f"{where}: none of its {len(table):,} addresses lies within "
            f"{IMPORT_MARGIN_M:.0f} m of the stored buurten; is it the right gemeente?"
        )
    previous = read_addresses(target)
    same = previous is not None and _same_table(previous, kept)
    if same:
        changes = LayerChanges(unchanged=len(kept))
    else:
        changes = LayerChanges(added=len(kept), removed=0 if previous is None else len(previous))
    return Planned(kept, {"addresses": changes}, not same, lambda: _write(kept, target))


def _write(table: gpd.GeoDataFrame, target: Path) -> None:
    write_addresses(table, target)


def _same_table(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> bool:
    """Two address tables with the same rows in the same order (positions within 1 mm)."""
    if len(a) != len(b):
        return False
    left = a.drop(columns=a.geometry.name).astype("string").reset_index(drop=True)
    right = b.drop(columns=b.geometry.name).astype("string").reset_index(drop=True)
    if not left.equals(right.reindex(columns=left.columns)):
        return False
    return bool(shapely.equals_exact(a.geometry.values, b.geometry.values, 0.001).all())
