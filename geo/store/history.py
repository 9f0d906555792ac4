"""The store's time axis: CBS figures of several years, their buurt polygons, own indicators.

Kept as tables in the one GeoPackage store, beside the layers of
:mod:`geo.store.geopackage` (all geometry in RD New, EPSG:28992):

- ``history_values``: one row per (year, area code, variable) — the figure (NULL where CBS gives
  none: missing stays missing, never 0), the area's level (buurt, wijk, gemeente) and name,
  and where it came from (``source`` file, CBS ``table_id``, the file's ``column``, ``import_id``);
- ``history_tables``: one row per imported table (year, file, SHA-256, table id, counts);
- ``history_buurten``: the buurt polygons of each year that came with geometry (for carrying
  figures across redrawn buurten, :mod:`geo.profiel.carry`);
- ``indicators``: the gemeente's own indicators (:mod:`geo.profiel.indicators`).

Writes go through :func:`geo.store.transaction.run_transaction` (one import = one transaction,
logged); :func:`write_history` rebuilds the store file atomically with the other layers
copied as they are, and :func:`carry_history` keeps these tables when the other layers are
rewritten (:meth:`geo.store.geopackage.GeoPackageStore.write`).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.common.files import atomic_write
from geo.crs import WORKING_CRS
from geo.errors import ReadError

VALUE_COLUMNS = (
    "year", "area_code", "level", "area_name", "variable", "value", "source", "table_id",
    "column", "import_id",
)  # fmt: skip
TABLE_COLUMNS = (
    "import_id", "year", "source", "sha256", "table_id", "geometry_year", "areas", "buurten",
    "variables", "time",
)  # fmt: skip
INDICATOR_COLUMNS = (
    "area_code", "name", "year", "value", "unit", "target", "source", "theme", "import_id",
)  # fmt: skip
#: Tables of this module in the store, by attribute of :class:`History`.
LAYERS = {
    "values": "history_values",
    "tables": "history_tables",
    "geometry": "history_buurten",
    "indicators": "indicators",
}
_NUMBERS = {"year", "value", "target", "geometry_year", "areas", "buurten"}


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=float if c in _NUMBERS else "string") for c in columns})


def empty_geometry() -> gpd.GeoDataFrame:
    """Buurt polygons of no year."""
    return gpd.GeoDataFrame(
        {"year": pd.Series(dtype=int), "bu_code": pd.Series(dtype="string")},
        geometry=gpd.GeoSeries([], crs=WORKING_CRS),
        crs=WORKING_CRS,
    )


@dataclass(frozen=True, eq=False)
class History:
    """Everything of the time axis the store holds (see the module docstring)."""

    values: pd.DataFrame = field(default_factory=lambda: _empty(VALUE_COLUMNS))
    tables: pd.DataFrame = field(default_factory=lambda: _empty(TABLE_COLUMNS))
    geometry: gpd.GeoDataFrame = field(default_factory=empty_geometry)
    indicators: pd.DataFrame = field(default_factory=lambda: _empty(INDICATOR_COLUMNS))

    @property
    def years(self) -> list[int]:
        """The years with figures, oldest first."""
        return sorted({int(y) for y in self.values["year"].dropna()})

    def year_values(self, year: int) -> pd.DataFrame:
        """The figures of one year."""
        return self.values[self.values["year"] == year]

    def geometry_of(self, year: int) -> gpd.GeoDataFrame | None:
        """The buurt polygons of ``year``, if stored."""
        rows = self.geometry[self.geometry["year"] == year]
        return rows if not rows.empty else None


def read_history(path: Path) -> History:
    """The time axis of the store at ``path`` (empty tables where it has none yet)."""
    path = Path(path)
    if not path.exists():
        return History()
    try:
        layers = {str(name) for name in pyogrio.list_layers(path)[:, 0]}
        found: dict[str, pd.DataFrame] = {}
        for attribute, layer in LAYERS.items():
            if layer not in layers:
                continue
            frame = pyogrio.read_dataframe(path, layer=layer, read_geometry=attribute == "geometry")
            found[attribute] = _typed(frame)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise ReadError(f"store {path}: its history tables cannot be read: {exc}") from exc
    return History(**found)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    for column in frame.columns:
        if column == "geometry":
            continue
        if column in _NUMBERS:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
        else:
            frame[column] = frame[column].astype("string")
    if "year" in frame and isinstance(frame, gpd.GeoDataFrame):
        frame["year"] = frame["year"].astype(int)
    return frame


def write_history(path: Path, history: History) -> None:
    """Replace the store's history tables with ``history``, atomically; the other layers are
    copied as they are (a new store file when there is none yet)."""
    path = Path(path)
    with atomic_write(path) as temporary:
        if path.exists():
            shutil.copyfile(path, temporary)
        _write_tables(temporary, history)


def carry_history(old: Path, new: Path) -> None:
    """Copy the history tables of the store file ``old`` into ``new`` (being written)."""
    if not Path(old).exists():
        return
    history = read_history(old)
    if _has_rows(history):
        _write_tables(new, history)


def _has_rows(history: History) -> bool:
    return any(not getattr(history, a).empty for a in LAYERS)


def _write_tables(path: Path, history: History) -> None:
    existing: set[str] = set()
    if path.exists():
        existing = {str(name) for name in pyogrio.list_layers(path)[:, 0]}
    for attribute, layer in LAYERS.items():
        frame = getattr(history, attribute)
        if frame.empty and layer not in existing:
            continue
        options = {"OVERWRITE": "YES"} if layer in existing else None
        if attribute == "geometry":
            pyogrio.write_dataframe(
                frame, path, layer=layer, driver="GPKG", promote_to_multi=True,
                layer_options=options,
            )  # fmt: skip
            continue
        table = frame.astype(object).where(frame.notna(), None)
        pyogrio.write_dataframe(table, path, layer=layer, driver="GPKG", layer_options=options)
