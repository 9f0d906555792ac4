"""Planning an import of one year's CBS figures (or own indicators) into the store's history.

:func:`plan_statistics` runs under the store's lock inside
:func:`geo.store.transaction.run_transaction`: it reads the stored history once, refuses a year
that already holds the same figures unless ``replace`` is given, reports buurt codes present in
one year only (against the nearest stored year of the same gemeente), and returns the new
history with how to write it.
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.errors import DataQualityWarning, ValueProblemError
from geo.read.checks import describe
from geo.read.statistics import YearTable
from geo.store.diff import LayerChanges
from geo.store.history import History, read_history, write_history
from geo.store.transaction import Planned

KEY = ["year", "area_code", "variable"]
TEXT = ("area_code", "level", "area_name", "variable", "source", "table_id", "column", "import_id")
TABLE_TEXT = ("import_id", "source", "sha256", "table_id", "variables", "time")


def plan_statistics(
    store_path: Path, table: YearTable, *, import_id: str, sha256: str, replace_year: bool
) -> Planned[History]:
    """The history after importing ``table`` (see the module docstring)."""
    before = read_history(store_path)
    new = _values(table, import_id)
    stored = before.values.merge(new[KEY], on=KEY, how="inner")
    if not stored.empty and not replace_year:
        variables = describe(sorted(set(stored["variable"])))
        sources = describe(sorted(set(stored["source"].dropna())))
        raise ValueProblemError(
            f"{table.source}: {table.year} already holds {variables} for "
            f"{stored['area_code'].nunique()} area(s), from {sources}; give --replace "
            "(over HTTP: replace=true) to replace them with this table's"
        )
    changes = _changes(before.values, new)
    kept = before.values.merge(new[KEY], on=KEY, how="left", indicator=True)
    kept = kept[kept["_merge"] == "left_only"].drop(columns="_merge")
    values = pd.concat([kept, new], ignore_index=True) if not kept.empty else new
    geometry = _geometry(before, table, replace_year)
    report_codes(before, table)
    tables = pd.concat([before.tables, _table_row(table, import_id, sha256)], ignore_index=True)
    after = replace(before, values=values, tables=tables, geometry=geometry)
    changed = changes.changed or len(geometry) != len(before.geometry)
    return Planned(
        after, {"statistics": changes}, changed, lambda: write_history(store_path, after)
    )


def _values(table: YearTable, import_id: str) -> pd.DataFrame:
    new = table.values.assign(
        year=float(table.year),
        source=table.source,
        table_id=table.table,
        column=table.values["variable"].map(table.columns),
        import_id=import_id,
    )
    return new.astype(dict.fromkeys(TEXT, "string"))


def _changes(before: pd.DataFrame, new: pd.DataFrame) -> LayerChanges:
    joined = new.merge(before[[*KEY, "value"]], on=KEY, how="left", suffixes=("", "_old"),
                       indicator=True)  # fmt: skip
    present = joined["_merge"] == "both"
    same = present & (
        (joined["value"] == joined["value_old"])
        | (joined["value"].isna() & joined["value_old"].isna())
    )
    return LayerChanges(
        added=int((~present).sum()),
        updated=int((present & ~same).sum()),
        removed=0,
        unchanged=int(same.sum()),
    )


def _geometry(before: History, table: YearTable, replace_year: bool) -> gpd.GeoDataFrame:
    """The stored polygons with this table's (of its geometry year) added; polygons a year
    already has are kept unless ``replace_year``."""
    if table.geometry is None or table.geometry_year is None:
        return before.geometry
    year = table.geometry_year
    new = table.geometry.assign(year=year)[["year", "bu_code", "geometry"]]
    stored = before.geometry
    has = stored[(stored["year"] == year) & stored["bu_code"].isin(new["bu_code"])]
    if not has.empty and not replace_year:
        warnings.warn(
            f"{table.source}: {year} already has polygons of {len(has)} of its buurten; "
            "they are kept (give --replace to store this file's instead)",
            DataQualityWarning,
            stacklevel=2,
        )
        new = new[~new["bu_code"].isin(has["bu_code"])]
    rest = stored[~((stored["year"] == year) & stored["bu_code"].isin(new["bu_code"]))]
    frame = pd.concat([rest, new], ignore_index=True)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=table.geometry.crs)


def _table_row(table: YearTable, import_id: str, sha256: str) -> pd.DataFrame:
    values = table.values
    return pd.DataFrame(
        {
            "import_id": [import_id],
            "year": [float(table.year)],
            "source": [table.source],
            "sha256": [sha256],
            "table_id": [table.table],
            "geometry_year": [float(table.geometry_year) if table.geometry_year else None],
            "areas": [float(values["area_code"].nunique())],
            "buurten": [float(len(table.buurt_codes))],
            "variables": [",".join(sorted(table.columns))],
            "time": [datetime.now(UTC).isoformat(timespec="seconds")],
        }
    ).astype(dict.fromkeys(TABLE_TEXT, "string"))


def report_codes(before: History, table: YearTable) -> None:
    """Warn (:class:`DataQualityWarning`, in the import's report) about buurt codes of this
    table's gemeente(n) absent from the nearest other stored year, and the reverse."""
    codes = table.buurt_codes
    if not codes:
        return
    gemeenten = {c[2:6] for c in codes}
    stored = before.values[before.values["level"] == "buurt"]
    stored = stored[stored["area_code"].str[2:6].isin(gemeenten)]
    years = sorted({int(y) for y in stored["year"]} - {table.year})
    if not years:
        return
    other = min(years, key=lambda y: (abs(y - table.year), -y))
    theirs = set(stored.loc[stored["year"] == other, "area_code"])
    only_new, only_old = sorted(codes - theirs), sorted(theirs - codes)
    if only_new or only_old:
        warnings.warn(
            f"buurt codes differ between {other} and {table.year}: "
            f"{len(only_new)} only in {table.year} ({describe(only_new)}), "
            f"{len(only_old)} only in {other} ({describe(only_old)}); figures of these "
            "buurten are not compared across the years",
            DataQualityWarning,
            stacklevel=2,
        )
