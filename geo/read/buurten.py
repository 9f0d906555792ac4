"""CBS buurten: read, check and join CBS statistics tables, into RD New.

Buurten come as CBS and PDOK publish them (see :mod:`geo.read.cbs` for the column families):
Shapefile (also zipped, as CBS ships it), GeoPackage or GeoJSON, optionally joined by code to
separate CBS statistics tables (``statistics=``). CBS's secret and not-applicable values become
missing values that never enter a sum. Faults of single features are collected over all checks
and raised as one :class:`~geo.errors.InputError` listing each (see :mod:`geo.read.checks`).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.crs import WORKING_CRS
from geo.errors import MissingColumnError, ValueProblemError
from geo.read.cbs import (
    BU_CODE_PATTERN,
    BUURT_COLUMN_VARIANTS,
    TEXT_COLUMNS,
    StatisticsJoin,
    StatisticsJoinWarning,
    StatisticsTable,
    buurt_attributes,
    check_codes,
    distance_variants,
    join_statistics,
    read_statistics,
)
from geo.read.checks import POLYGONAL, Problems, check_coordinates, check_geometry, describe
from geo.read.limits import DEFAULT_LIMITS, Limits, check_vertices
from geo.read.options import NO_OPTIONS, ReadOptions
from geo.read.values import check_text_lengths
from geo.read.vectors import Source, read_source, state_crs, where_of
from geo.vocabulary import Vocabulary

REQUIRED_BUURT_COLUMNS = ("bu_code", "residents")
#: Columns of a loaded buurten frame, in order (then ``cbs_<category>_km``, then ``geometry``).
BUURT_COLUMNS = (
    "bu_code",
    "bu_naam",
    "wk_code",
    "wk_naam",
    "gm_code",
    "gm_naam",
    "residents",
    "residents_65plus",
)


@dataclass(frozen=True)
class BuurtenLoad:
    """Buurten read and checked, with the report of each statistics join.

    ``frame`` is in RD New with :data:`BUURT_COLUMNS`, one ``cbs_<category>_km`` column per
    category with CBS columns in the vocabulary (NaN where absent), and ``geometry``.
    ``skipped_rows`` counts gemeente and wijk rows left out of the geometry input.
    """

    frame: gpd.GeoDataFrame
    joins: tuple[StatisticsJoin, ...] = ()
    skipped_rows: int = 0


def read_buurten(
    source: Source,
    options: ReadOptions = NO_OPTIONS,
    *,
    statistics: Path | Sequence[Path] | None = None,
    vocabulary: Vocabulary,
    limits: Limits = DEFAULT_LIMITS,
    where: str | None = None,
) -> gpd.GeoDataFrame:
    """Read CBS buurten into a GeoDataFrame in RD New (see :func:`load_buurten`).

    Codes found on one side of a statistics join only are reported with a
    :class:`~geo.read.cbs.StatisticsJoinWarning` (a :class:`~geo.errors.DataQualityWarning`).
    """
    loaded = load_buurten(
        source, options, statistics=statistics, vocabulary=vocabulary, limits=limits, where=where
    )
    warn_incomplete_joins(loaded.joins)
    return loaded.frame


def warn_incomplete_joins(joins: Iterable[StatisticsJoin]) -> None:
    """A :class:`~geo.read.cbs.StatisticsJoinWarning` for each join with codes on one side
    only, or with columns that hold no figure at all."""
    for join in joins:
        if not join.complete or join.empty:
            warnings.warn(StatisticsJoinWarning(join), stacklevel=3)


def load_buurten(
    source: Source,
    options: ReadOptions = NO_OPTIONS,
    *,
    statistics: Path | Sequence[Path] | None = None,
    vocabulary: Vocabulary,
    limits: Limits = DEFAULT_LIMITS,
    where: str | None = None,
) -> BuurtenLoad:
    """Read and check CBS buurten; join CBS statistics tables to them by buurt code.

    Parameters
    ----------
    source
        Shapefile (or a zip holding one), GeoPackage or GeoJSON file, or a GeoJSON
        FeatureCollection as bytes or a parsed mapping (RFC 7946 lon/lat unless its legacy
        ``crs`` member says otherwise).
    options
        ``layer`` (or file in a zip) to read, by default the only one or the one named
        ``*buurt*``; ``gemeente``: keep only this GM code (the national file has ~14,000
        buurten); ``crs``: the CRS when the file states none or a wrong one (legacy RD
        GeoJSON); ``repair``: repair invalid polygons instead of refusing them.
    statistics
        CBS table(s) (Kerncijfers, KWB, StatLine nabijheid; CSV or any GDAL table) joined by
        buurt code, e.g. to PDOK's *gebiedsindelingen* geometry. Their figures replace the
        geometry's; buurten without statistics get missing figures, statistics without a
        buurt are dropped; both are listed in :attr:`BuurtenLoad.joins`.
    vocabulary
        Says which CBS columns hold the distance to each category (``cbs_columns``): the
        deployment's (``Settings.vocabulary``), always passed explicitly.
    limits
        Feature count and vertex limits (and size limits for bodies and zips).
    where
        How the input is named in messages (default: the file name, or ``request body``).

    ``residents`` and ``residents_65plus`` are floats with NaN for CBS's secret / not
    applicable values. ``residents_65plus`` is CBS's count where the input has one, else
    ``residents × P_65_EO_JR / 100``.
    """
    where = where_of(source, where)
    problems = Problems(where)
    raw = read_source(
        source, layer=options.layer, prefer="buurt", limits=limits, problems=problems, where=where
    )
    raw = state_crs(raw, options.crs, where=where).drop(index=list(problems.unusable))
    if raw.empty:
        problems.raise_if_any()
        raise ValueProblemError(f"{where}: holds no features")
    attributes = buurt_attributes(
        pd.DataFrame(raw.drop(columns=raw.geometry.name)), problems, vocabulary=vocabulary
    )
    check_text_lengths(attributes.frame, TEXT_COLUMNS, _codes(attributes.frame), problems, limits)
    tables = [read_statistics(Path(p), vocabulary=vocabulary) for p in _paths(statistics)]
    _require_columns(raw, attributes.frame, tables, where=where)
    table, joins = _joined_table(attributes.frame, tables, options, problems, where=where)
    table = _numbers(table, vocabulary)
    projected = _checked_geometry(raw, table, options, problems, limits, where=where)
    problems.raise_if_any()
    columns = [*BUURT_COLUMNS, *distance_variants(vocabulary)]
    frame = gpd.GeoDataFrame(table[columns], geometry=projected, crs=WORKING_CRS)
    return BuurtenLoad(frame.reset_index(drop=True), tuple(joins), attributes.dropped)


def _joined_table(
    table: pd.DataFrame,
    tables: Sequence[StatisticsTable],
    options: ReadOptions,
    problems: Problems,
    *,
    where: str,
) -> tuple[pd.DataFrame, list[StatisticsJoin]]:
    """The buurten' attributes with codes checked and derived, the gemeente's rows only (when
    asked), and each statistics table joined by buurt code."""
    check_codes(table["bu_code"], problems)
    problems.name_features(table["bu_code"])
    table = _derived_codes(table)
    if options.gemeente is not None:
        table = _only_gemeente(table, options.gemeente, where=where)
        tables = [t.for_gemeente(options.gemeente) for t in tables]
    joins = []
    for statistics_table in tables:
        table, join = join_statistics(table, statistics_table)
        joins.append(join)
    return table, joins


def _checked_geometry(
    raw: gpd.GeoDataFrame,
    table: pd.DataFrame,
    options: ReadOptions,
    problems: Problems,
    limits: Limits,
    *,
    where: str,
) -> gpd.GeoSeries:
    """The kept buurten' polygons, checked (vertices, validity, in the Netherlands) and in RD
    New; faults are recorded in ``problems``."""
    geometry = raw.geometry[table.index]
    check_vertices(geometry, table["bu_code"], limits, where=where)
    geometry = check_geometry(
        geometry,
        table["bu_code"],
        problems,
        what="buurten",
        allowed=POLYGONAL,
        allowed_text="polygons",
        repair=options.repair,
    )
    return check_coordinates(geometry, table["bu_code"], problems, where=where)


def _codes(frame: pd.DataFrame) -> pd.Series:
    return frame["bu_code"] if "bu_code" in frame else pd.Series(dtype="string")


def _paths(statistics: Path | Sequence[Path] | None) -> list[Path]:
    if statistics is None:
        return []
    if isinstance(statistics, str | Path):
        return [Path(statistics)]
    return [Path(p) for p in statistics]


def _require_columns(
    raw: gpd.GeoDataFrame, table: pd.DataFrame, tables: Sequence[StatisticsTable], *, where: str
) -> None:
    """The code must be in the geometry input; residents there or in a statistics table."""
    supplied = set(table.columns).union(*(set(t.table.columns) for t in tables))
    missing = [
        c
        for c in REQUIRED_BUURT_COLUMNS
        if c not in table and (c == "bu_code" or c not in supplied)
    ]
    if not missing:
        return
    wanted = "; ".join(f"{c}: one of {'/'.join(BUURT_COLUMN_VARIANTS[c])}" for c in missing)
    hint = "" if tables else " (or join a CBS statistics table: --statistics)"
    raise MissingColumnError(
        f"{where}: required column(s) missing ({wanted}){hint}; the file has "
        f"{describe((c for c in raw.columns if c != raw.geometry.name), limit=40)}"
    )


def _derived_codes(table: pd.DataFrame) -> pd.DataFrame:
    """Wijk and gemeente codes from the buurt code where the input has none."""
    table = table.copy()
    well_formed = table["bu_code"].str.match(BU_CODE_PATTERN.pattern).fillna(False)
    codes = table["bu_code"].where(well_formed.astype(bool))
    for column, prefix, end in (("wk_code", "WK", 8), ("gm_code", "GM", 6)):
        derived = prefix + codes.str[2:end]
        table[column] = table[column].fillna(derived) if column in table else derived
    for column in ("bu_naam", "wk_naam", "gm_naam"):
        if column not in table:
            table[column] = pd.Series(pd.NA, index=table.index, dtype="string")
    table["bu_naam"] = table["bu_naam"].fillna(table["bu_code"])
    return table


def _only_gemeente(table: pd.DataFrame, gemeente: str, *, where: str) -> pd.DataFrame:
    """The gemeente's buurten (and rows whose code is malformed, to be reported)."""
    well_formed = table["bu_code"].str.match(BU_CODE_PATTERN.pattern).fillna(False).astype(bool)
    ours = well_formed & (table["gm_code"] == gemeente)
    if not ours.any():
        present = ", ".join(sorted(table["gm_code"].dropna().unique())[:10])
        raise ValueProblemError(f"{where}: no buurten of gemeente {gemeente}; found {present}")
    return table[ours | ~well_formed]


def _numbers(table: pd.DataFrame, vocabulary: Vocabulary) -> pd.DataFrame:
    """Residents, 65+ (CBS's count, else from the percentage) and CBS distances as floats."""
    table = table.copy()
    if "residents_65plus" not in table:
        percentage = table.get("pct_65plus", np.nan)
        table["residents_65plus"] = table["residents"] * percentage / 100.0
    for column in ("residents", "residents_65plus", *distance_variants(vocabulary)):
        table[column] = table[column].astype(float) if column in table else np.nan
    return table
