"""Points from a table's coordinate columns: lon/lat (WGS84) or x/y (RD New).

The columns are stated or found by name; decimal commas are understood; the CRS of x/y
columns is stated or told from the value ranges. Rows whose coordinates are not numbers are
recorded as problems, never dropped.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from geo.common.tables import read_text_table
from geo.common.text import decimal_numbers, find_column
from geo.crs import RD_BOUNDS, parse_crs
from geo.errors import MissingColumnError, ValueProblemError
from geo.read.checks import Problems, describe
from geo.read.limits import Limits, check_count

CSV_SUFFIXES = (".csv", ".txt")
LON_NAMES = ("lon", "lng", "longitude", "lengtegraad")
LAT_NAMES = ("lat", "latitude", "breedtegraad")
X_NAMES = ("x", "x_rd", "rd_x", "xcoord", "x_coord")
Y_NAMES = ("y", "y_rd", "rd_y", "ycoord", "y_coord")
#: The id column of a points table, for naming rows in problems.
ID_COLUMN_NAMES = ("id", "@id", "osm_id", "fid", "identificatie")


def read_point_csv(
    path: Path,
    problems: Problems,
    *,
    crs: str | None,
    x_column: str | None,
    y_column: str | None,
    limits: Limits,
    where: str,
) -> gpd.GeoDataFrame:
    """Points from a CSV; rows whose coordinates are not numbers are recorded in ``problems``."""
    table = read_text_table(path, where=where, default_missing=True)
    check_count(len(table), limits, where=where)
    x_name, y_name, detected_crs = coordinate_columns(table, x_column, y_column, where=where)
    x, bad_x = _coordinates(table[x_name])
    y, bad_y = _coordinates(table[y_name])
    ids = table[id_column] if (id_column := find_column(table.columns, ID_COLUMN_NAMES)) else None
    labels = ids if ids is not None else pd.Series(dtype="string")
    for column, bad in ((x_name, bad_x), (y_name, bad_y)):
        problems.add_mask(
            ValueProblemError,
            f"column {column} has missing or non-numeric coordinates on line(s) "
            f"{describe(bad[bad].index + 2)}",
            bad,
            labels,
            table[column].map(lambda v, c=column: f"column {c}: {v!r} is not a coordinate"),
        )
    good = (~(bad_x | bad_y)).to_numpy()
    problems.malformed_geometry.update(int(i) for i in table.index[~good])
    stated = parse_crs(crs, where=where) if crs is not None else detected_crs
    if stated is None:
        stated = crs_from_ranges(x[good], y[good], where=where)
    points = np.asarray(gpd.points_from_xy(np.where(good, x, 0.0), np.where(good, y, 0.0)))
    points[~good] = None  # recorded in problems above
    return gpd.GeoDataFrame(
        table.drop(columns=[x_name, y_name]),
        geometry=gpd.GeoSeries(points, index=table.index, crs=stated),
        crs=stated,
    )


def coordinate_columns(
    table: pd.DataFrame, x_column: str | None, y_column: str | None, *, where: str
) -> tuple[str, str, CRS | None]:
    if (x_column is None) != (y_column is None):
        raise MissingColumnError(f"{where}: state both the x and the y column, or neither")
    if x_column is not None and y_column is not None:
        absent = [c for c in (x_column, y_column) if c not in table.columns]
        if absent:
            raise MissingColumnError(
                f"{where}: no column(s) {', '.join(absent)}; "
                f"the file has {', '.join(table.columns)}"
            )
        return x_column, y_column, None
    lon, lat = find_column(table.columns, LON_NAMES), find_column(table.columns, LAT_NAMES)
    if lon and lat:
        return lon, lat, CRS.from_epsg(4326)
    x, y = find_column(table.columns, X_NAMES), find_column(table.columns, Y_NAMES)
    if x and y:
        return x, y, None
    raise MissingColumnError(
        f"{where}: no coordinate columns found (lon/lat or x/y); the file has "
        f"{', '.join(table.columns)}. State them with --x-column/--y-column"
    )


def _coordinates(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(numbers, bad): decimal commas understood; missing or non-numeric values are bad."""
    numbers = decimal_numbers(values)
    return numbers.to_numpy(dtype=float), numbers.isna()


def crs_from_ranges(x: np.ndarray, y: np.ndarray, *, where: str) -> CRS:
    """RD New or WGS84 from the coordinate ranges; refuse when neither fits all rows."""
    xmin, ymin, xmax, ymax = RD_BOUNDS
    if ((x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax)).all():
        return CRS.from_epsg(28992)
    if ((x >= 3) & (x <= 8) & (y >= 50) & (y <= 54)).all():
        return CRS.from_epsg(4326)
    raise ValueProblemError(
        f"{where}: cannot tell the CRS of the x/y columns from their values (neither RD New nor "
        "lon/lat in the Netherlands); state it with --crs"
    )
