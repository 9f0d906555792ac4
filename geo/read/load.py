"""Load & validate: CBS buurten and voorzieningen, from files or GeoJSON bodies into RD New.

Every reader takes a file (``Path``) or a GeoJSON FeatureCollection (``bytes`` or an already
parsed mapping, e.g. an HTTP request body). It checks everything before anything is stored:
whole-input faults (unreadable, a required column missing, an unknown CRS, a limit exceeded)
raise at once; faults of single features (malformed code, duplicate id, unknown category,
null/empty/wrong-type/invalid geometry, coordinates outside the Netherlands, RD New given as
lon/lat, swapped lon/lat) are collected over all checks and raised as ONE
:class:`~geo.errors.InputError` whose ``problems`` list each feature's position, id and reason
(see :mod:`geo.read.checks`).

Buurten come as CBS and PDOK publish them (see :mod:`geo.read.cbs` for the column families):
Shapefile (also zipped, as CBS ships it, opened by :mod:`geo.read.archive`), GeoPackage or GeoJSON,
optionally joined by code to separate CBS statistics tables (``statistics=``). CBS's secret
and not-applicable values become missing values that never enter a sum.

Voorzieningen come as GeoJSON (or any vector format GDAL reads) or CSV with lon/lat or RD x/y
columns. Polygons and lines (OSM buildings, for instance) are reduced to a point guaranteed to
lie on them (``shapely.point_on_surface``); invalid ones are refused unless ``repair``.
"""

from __future__ import annotations

import csv
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely
from pyproj import CRS

from geo.crs import RD_BOUNDS, WORKING_CRS, parse_crs
from geo.errors import (
    CrsError,
    MissingColumnError,
    ReadError,
    UnknownCategoryError,
    ValueProblemError,
)
from geo.network.osm import is_osm_file, read_osm
from geo.read.archive import choose_name, unpacked_vector
from geo.read.cbs import (
    BU_CODE_PATTERN,
    BUURT_COLUMN_VARIANTS,
    StatisticsJoin,
    StatisticsJoinWarning,
    StatisticsTable,
    buurt_attributes,
    check_codes,
    distance_variants,
    join_statistics,
    read_statistics,
)
from geo.read.checks import (
    ANY_FEATURE_TYPE,
    DEFAULT_LIMITS,
    POLYGONAL,
    Limits,
    Problems,
    check_coordinates,
    check_count,
    check_duplicates,
    check_geometry,
    check_vertices,
    describe,
)
from geo.read.geojson import GeoJSONBody, read_feature_collection
from geo.vocabulary import Vocabulary, default_vocabulary

__all__ = [
    "BUURT_COLUMNS",
    "BUURT_COLUMN_VARIANTS",
    "BU_CODE_PATTERN",
    "VOORZIENING_COLUMNS",
    "VOORZIENING_DETAIL_COLUMNS",
    "BuurtenLoad",
    "GeoJSONBody",
    "Source",
    "load_buurten",
    "read_buurten",
    "read_vector",
    "read_voorzieningen",
]

#: What the readers take: a file, or a GeoJSON FeatureCollection (bytes or a parsed mapping).
#: A ``str`` is a file name.
Source = Path | str | bytes | bytearray | Mapping[str, Any]

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
#: Columns of a loaded voorzieningen frame, in order (plus ``geometry``).
VOORZIENING_COLUMNS = ("id", "name", "category", "source")
#: Optional columns after them, shown in popups (missing where unknown): an address, and
#: opening hours as written (OSM ``opening_hours`` syntax or free text).
VOORZIENING_DETAIL_COLUMNS = ("address", "opening_hours")
ADDRESS_COLUMN_NAMES = ("adres", "address", "addr:full")
OPENING_HOURS_COLUMN_NAMES = ("opening_hours", "openingstijden", "openingsuren")

CATEGORY_COLUMN_NAMES = ("categorie", "category", "soort", "type")
NAME_COLUMN_NAMES = ("naam", "name", "titel", "omschrijving")
ID_COLUMN_NAMES = ("id", "@id", "osm_id", "fid", "identificatie")
LON_NAMES = ("lon", "lng", "longitude", "lengtegraad")
LAT_NAMES = ("lat", "latitude", "breedtegraad")
X_NAMES = ("x", "x_rd", "rd_x", "xcoord", "x_coord")
Y_NAMES = ("y", "y_rd", "rd_y", "ycoord", "y_coord")
GEOJSON_SUFFIXES = (".geojson", ".json")
CSV_SUFFIXES = (".csv", ".txt")


# --------------------------------------------------------------------------- file access


def _is_body(source: Source) -> bool:
    return isinstance(source, bytes | bytearray | Mapping)


def _where(source: Source, where: str | None) -> str:
    if where is not None:
        return where
    return "request body" if _is_body(source) else str(source)


def read_vector(
    path: Path | str,
    *,
    layer: str | None = None,
    prefer: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    problems: Problems | None = None,
    where: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a vector file (zip, GeoPackage, Shapefile, GeoJSON) in its own CRS.

    With several layers and no ``layer`` given, the one whose name contains ``prefer`` is
    taken (CBS: ``buurt_2021_v1``, ``buurten``). A zip is checked and unpacked safely
    (:mod:`geo.read.archive`); GeoJSON is parsed feature by feature (:mod:`geo.read.geojson`),
    recording malformed features in ``problems`` (without a collector they raise at once). The index
    is
    each feature's position. Raises :class:`ReadError` on anything that cannot be read.
    """
    path = Path(path)
    where = where or str(path)
    if not path.exists():
        raise ReadError(f"{where}: no such file")
    own = problems is None
    collector = Problems(where) if problems is None else problems
    if path.suffix.lower() == ".zip":
        unpacked = unpacked_vector(path, layer=layer, prefer=prefer, limits=limits, where=where)
        with unpacked as (inner, name):
            frame = _read_file(inner, name, prefer, limits, collector, where=where)
    else:
        frame = _read_file(path, layer, prefer, limits, collector, where=where)
    if own:
        collector.raise_if_any()
    return frame


def _read_file(
    path: Path,
    layer: str | None,
    prefer: str | None,
    limits: Limits,
    problems: Problems,
    *,
    where: str,
) -> gpd.GeoDataFrame:
    if path.suffix.lower() in GEOJSON_SUFFIXES:
        return read_feature_collection(path, problems, where=where, limits=limits)
    try:
        layers = [str(name) for name in pyogrio.list_layers(path)[:, 0]]
        if layer is None:
            layer = choose_name(layers, prefer, where=where, what="layer", key=str)
        elif layer not in layers:
            raise ReadError(f"{where}: no layer {layer!r}; it holds {', '.join(layers)}")
        count = int(pyogrio.read_info(path, layer=layer)["features"])
        check_count(count, limits, where=where)  # before reading: -1 when GDAL cannot tell
        frame = gpd.read_file(path, layer=layer, engine="pyogrio")
    except (
        pyogrio.errors.DataSourceError,
        pyogrio.errors.DataLayerError,
        pyogrio.errors.FieldError,
        pyogrio.errors.FeatureError,
        pyogrio.errors.GeometryError,
    ) as exc:
        raise ReadError(f"{where}: cannot read as a vector file: {exc}") from exc
    except pyogrio.errors.CRSError as exc:
        raise ReadError(f"{where}: the file's CRS cannot be read: {exc}") from exc
    check_count(len(frame), limits, where=where)
    return frame.reset_index(drop=True)


def _read_source(
    source: Source,
    *,
    layer: str | None,
    prefer: str | None,
    limits: Limits,
    problems: Problems,
    where: str,
) -> gpd.GeoDataFrame:
    if isinstance(source, Path | str):
        return read_vector(
            source, layer=layer, prefer=prefer, limits=limits, problems=problems, where=where
        )
    return read_feature_collection(source, problems, where=where, limits=limits)


def _state_crs(frame: gpd.GeoDataFrame, crs: str | CRS | None, *, where: str) -> gpd.GeoDataFrame:
    """Apply a CRS the user stated (it overrides what the file says), then require one."""
    if crs is not None:
        frame = frame.set_crs(parse_crs(crs, where=where), allow_override=True)
    if frame.crs is None:
        raise CrsError(
            f"{where}: the file states no coordinate reference system; "
            "state it (e.g. --crs EPSG:28992 for RD New, EPSG:4326 for lon/lat)"
        )
    return frame


def _find_column(columns: Iterable[str], candidates: Iterable[str]) -> str | None:
    by_lower = {c.lower(): c for c in columns}
    for candidate in candidates:
        if candidate.lower() in by_lower:
            return by_lower[candidate.lower()]
    return None


# --------------------------------------------------------------------------- buurten


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
    *,
    layer: str | None = None,
    gemeente: str | None = None,
    crs: str | None = None,
    repair: bool = False,
    statistics: Path | Sequence[Path] | None = None,
    vocabulary: Vocabulary | None = None,
    limits: Limits = DEFAULT_LIMITS,
    where: str | None = None,
) -> gpd.GeoDataFrame:
    """Read CBS buurten into a GeoDataFrame in RD New (see :func:`load_buurten`).

    Codes found on one side of a statistics join only are reported with a
    :class:`~geo.read.cbs.StatisticsJoinWarning` (a :class:`~geo.errors.DataQualityWarning`).
    """
    loaded = load_buurten(
        source,
        layer=layer,
        gemeente=gemeente,
        crs=crs,
        repair=repair,
        statistics=statistics,
        vocabulary=vocabulary,
        limits=limits,
        where=where,
    )
    warn_incomplete_joins(loaded.joins)
    return loaded.frame


def warn_incomplete_joins(joins: Iterable[StatisticsJoin]) -> None:
    """A :class:`~geo.read.cbs.StatisticsJoinWarning` for each join with codes on one side only."""
    for join in joins:
        if not join.complete:
            warnings.warn(StatisticsJoinWarning(join), stacklevel=3)


def load_buurten(
    source: Source,
    *,
    layer: str | None = None,
    gemeente: str | None = None,
    crs: str | None = None,
    repair: bool = False,
    statistics: Path | Sequence[Path] | None = None,
    vocabulary: Vocabulary | None = None,
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
    layer
        Layer (or file in a zip) to read; by default the only one, or the one named ``*buurt*``.
    gemeente
        Keep only this GM code (e.g. ``GM0356``); the national file has ~14,000 buurten.
    crs
        State the CRS when the file has none or a wrong one (legacy RD GeoJSON).
    repair
        Repair invalid polygons with ``shapely.make_valid`` instead of refusing them.
    statistics
        CBS table(s) (Kerncijfers, KWB, StatLine nabijheid; CSV or any GDAL table) joined by
        buurt code, e.g. to PDOK's *gebiedsindelingen* geometry. Their figures replace the
        geometry's; buurten without statistics get missing figures, statistics without a
        buurt are dropped; both are listed in :attr:`BuurtenLoad.joins`.
    vocabulary
        Says which CBS columns hold the distance to each category (``cbs_columns``); the
        shipped vocabulary by default.
    limits
        Feature count and vertex limits (and size limits for bodies and zips).
    where
        How the input is named in messages (default: the file name, or ``request body``).

    ``residents`` and ``residents_65plus`` are floats with NaN for CBS's secret / not
    applicable values. ``residents_65plus`` is CBS's count where the input has one, else
    ``residents × P_65_EO_JR / 100``.
    """
    where = _where(source, where)
    problems = Problems(where)
    raw = _read_source(
        source, layer=layer, prefer="buurt", limits=limits, problems=problems, where=where
    )
    raw = _state_crs(raw, crs, where=where).drop(index=list(problems.unusable))
    if raw.empty:
        problems.raise_if_any()
        raise ValueProblemError(f"{where}: holds no features")
    attributes = buurt_attributes(
        pd.DataFrame(raw.drop(columns=raw.geometry.name)), problems, vocabulary=vocabulary
    )
    tables = [read_statistics(Path(p), vocabulary=vocabulary) for p in _paths(statistics)]
    table = attributes.frame
    _require_columns(raw, table, tables, where=where)
    check_codes(table["bu_code"], problems)
    problems.name_features(table["bu_code"])
    table = _derived_codes(table)
    if gemeente is not None:
        table = _only_gemeente(table, gemeente, where=where)
        tables = [t.for_gemeente(gemeente) for t in tables]
    joins = []
    for statistics_table in tables:
        table, join = join_statistics(table, statistics_table)
        joins.append(join)
    table = _numbers(table, vocabulary)
    geometry = raw.geometry[table.index]
    check_vertices(geometry, table["bu_code"], limits, where=where)
    geometry = check_geometry(
        geometry,
        table["bu_code"],
        problems,
        what="buurten",
        allowed=POLYGONAL,
        allowed_text="polygons",
        repair=repair,
    )
    projected = check_coordinates(geometry, table["bu_code"], problems, where=where)
    problems.raise_if_any()
    columns = [*BUURT_COLUMNS, *distance_variants(_vocabulary(vocabulary))]
    frame = gpd.GeoDataFrame(table[columns], geometry=projected, crs=WORKING_CRS)
    return BuurtenLoad(frame.reset_index(drop=True), tuple(joins), attributes.dropped)


def _vocabulary(vocabulary: Vocabulary | None) -> Vocabulary:
    return vocabulary or default_vocabulary()


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


def _numbers(table: pd.DataFrame, vocabulary: Vocabulary | None) -> pd.DataFrame:
    """Residents, 65+ (CBS's count, else from the percentage) and CBS distances as floats."""
    table = table.copy()
    if "residents_65plus" not in table:
        percentage = table.get("pct_65plus", np.nan)
        table["residents_65plus"] = table["residents"] * percentage / 100.0
    for column in ("residents", "residents_65plus", *distance_variants(_vocabulary(vocabulary))):
        table[column] = table[column].astype(float) if column in table else np.nan
    return table


# --------------------------------------------------------------------------- voorzieningen


def voorziening_details(frame: pd.DataFrame) -> pd.DataFrame:
    """:data:`VOORZIENING_DETAIL_COLUMNS` of ``frame``'s rows: ``address`` from a column
    ``adres``/``address``/``addr:full``, else composed from OSM's ``addr:street``,
    ``addr:housenumber``, ``addr:postcode`` and ``addr:city`` ("Mekelweg 5, 2628 CC Delft");
    ``opening_hours`` from ``opening_hours``/``openingstijden``. Missing where unknown."""

    def text(column: str | None) -> pd.Series:
        if column is None or column not in frame:
            return pd.Series(pd.NA, index=frame.index, dtype="string")
        return frame[column].astype("string").str.strip().replace("", pd.NA)

    address = text(_find_column(frame.columns, ADDRESS_COLUMN_NAMES))
    street = (text("addr:street") + " " + text("addr:housenumber").fillna("")).str.strip()
    place = (text("addr:postcode").fillna("") + " " + text("addr:city").fillna("")).str.strip()
    composed = street.where(place == "", street + ", " + place)
    return pd.DataFrame(
        {
            "address": address.fillna(composed),
            "opening_hours": text(_find_column(frame.columns, OPENING_HOURS_COLUMN_NAMES)),
        },
        index=frame.index,
    )


def with_voorziening_details(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``frame`` with :data:`VOORZIENING_DETAIL_COLUMNS` (added as missing when absent, e.g.
    in a store written before they existed)."""
    missing = {
        c: pd.Series(pd.NA, index=frame.index, dtype="string")
        for c in VOORZIENING_DETAIL_COLUMNS
        if c not in frame
    }
    return frame.assign(**missing) if missing else frame


def read_osm_voorzieningen(path: Path, vocabulary: Vocabulary) -> gpd.GeoDataFrame:
    """Voorzieningen from an OSM extract: the nodes and areas whose tags the vocabulary knows
    (``osm_tags``, e.g. ``amenity=pharmacy``); areas become a point on their surface. Other
    points of interest are not voorzieningen and are left out. Ids are ``node/123``,
    ``way/456``; the name is OSM's ``name`` or else the category's label.
    """
    pois = read_osm(path).pois
    tags = pois.drop(columns=pois.geometry.name)
    codes = pd.Series(
        [
            vocabulary.resolve_osm({k: v for k, v in row.items() if isinstance(v, str)})
            for row in tags.to_dict("records")
        ],
        index=pois.index,
        dtype="string",
    )
    known = codes.notna().to_numpy()
    chosen, codes = pois[known], codes[known]
    if chosen.empty:
        raise ValueProblemError(
            f"{path}: no voorzieningen in this OSM extract (no object tagged with one of "
            f"{', '.join(t for c in vocabulary.categories for t in c.osm_tags)})"
        )
    labels = codes.map(lambda code: vocabulary[code].label_nl)
    names = chosen["name"].astype("string").fillna(labels) if "name" in chosen else labels
    details = voorziening_details(chosen)
    return gpd.GeoDataFrame(
        {
            "id": chosen["osm_id"].astype("string").to_numpy(),
            "name": names.to_numpy(),
            "category": codes.to_numpy(),
            "source": path.name,
            "address": details["address"],
            "opening_hours": details["opening_hours"],
        },
        geometry=shapely.point_on_surface(chosen.geometry.to_numpy()),
        crs=chosen.crs,
    ).reset_index(drop=True)


def read_voorzieningen(
    source: Source,
    vocabulary: Vocabulary,
    *,
    layer: str | None = None,
    crs: str | None = None,
    category: str | None = None,
    category_column: str | None = None,
    x_column: str | None = None,
    y_column: str | None = None,
    repair: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    where: str | None = None,
) -> gpd.GeoDataFrame:
    """Read voorzieningen into points in RD New with :data:`VOORZIENING_COLUMNS`.

    ``source`` is a file or a GeoJSON FeatureCollection (bytes or a parsed mapping). The
    category of each row comes from ``category`` (one for the whole input), else from
    ``category_column`` (default: the first of ``categorie``, ``category``, ``soort``,
    ``type``), matched against the vocabulary's codes and aliases, else from OSM tags
    (``amenity``, ``shop``, ``healthcare``, ...). Every feature whose category cannot be
    resolved is listed, with the known categories.

    CSV files need coordinate columns: ``lon``/``lat`` (WGS84) or ``x``/``y`` (RD New), stated
    with ``x_column``/``y_column`` or detected by name; the CRS of x/y is stated with ``crs`` or
    detected from the value ranges. Decimal commas and ``;`` separators are understood.
    Invalid polygons or lines are refused unless ``repair``.
    """
    if not _is_body(source) and is_osm_file(Path(str(source))):
        return read_osm_voorzieningen(Path(str(source)), vocabulary)
    where = _where(source, where)
    problems = Problems(where)
    is_csv = not _is_body(source) and Path(str(source)).suffix.lower() in CSV_SUFFIXES
    if is_csv:
        frame = _read_point_csv(
            Path(str(source)),
            problems,
            crs=crs,
            x_column=x_column,
            y_column=y_column,
            limits=limits,
            where=where,
        )
    else:
        frame = _read_source(
            source, layer=layer, prefer=None, limits=limits, problems=problems, where=where
        )
        frame = _state_crs(frame, crs, where=where).drop(index=list(problems.unusable))
    if frame.empty and not problems:
        raise ValueProblemError(f"{where}: holds no features")
    ids = _ids(frame, source)
    problems.name_features(ids)
    codes = _categories(
        frame, vocabulary, problems, ids, where=where, category=category, column=category_column
    )
    check_duplicates(ids, problems, what="id")
    name_column = _find_column(frame.columns, NAME_COLUMN_NAMES)
    labels = codes.map(lambda code: vocabulary[code].label_nl if code else "")
    names = frame[name_column].astype("string").fillna(labels) if name_column else labels
    check_vertices(frame.geometry, ids, limits, where=where)
    geometry = check_geometry(
        frame.geometry,
        ids,
        problems,
        what="feature(s)",
        allowed=ANY_FEATURE_TYPE,
        allowed_text="points, lines or polygons",
        repair=repair,
    )
    projected = check_coordinates(geometry, ids, problems, where=where)
    problems.raise_if_any()
    source_name = Path(str(source)).name if not _is_body(source) else where
    details = voorziening_details(frame)
    return gpd.GeoDataFrame(
        {
            "id": ids.astype(str),
            "name": names.astype(str),
            "category": codes.astype(str),
            "source": source_name,
            "address": details["address"],
            "opening_hours": details["opening_hours"],
        },
        geometry=_representative_points(projected),
        crs=WORKING_CRS,
    ).reset_index(drop=True)


def _ids(frame: gpd.GeoDataFrame, source: Source) -> pd.Series:
    """The id column's values, else ``<file stem>-<n>`` numbered from 1."""
    id_column = _find_column(frame.columns, ID_COLUMN_NAMES)
    if id_column is not None:
        return frame[id_column].astype("string").str.strip()
    stem = "feature" if _is_body(source) else Path(str(source)).stem
    return pd.Series(
        [f"{stem}-{n + 1}" for n in range(len(frame))], index=frame.index, dtype="string"
    )


def _categories(
    frame: gpd.GeoDataFrame,
    vocabulary: Vocabulary,
    problems: Problems,
    ids: pd.Series,
    *,
    where: str,
    category: str | None,
    column: str | None,
) -> pd.Series:
    """Category code per feature; unresolved ones are recorded in ``problems`` (as None)."""
    if category is not None:
        code = vocabulary.resolve(category)
        if code is None:
            raise UnknownCategoryError(
                f"{where}: unknown category {category!r}; known: {', '.join(vocabulary.codes)}"
            )
        return pd.Series(code, index=frame.index, dtype=object)
    if column is not None and column not in frame.columns:
        raise MissingColumnError(
            f"{where}: no column {column!r}; the file has "
            f"{', '.join(c for c in frame.columns if c != frame.geometry.name)}"
        )
    column = column or _find_column(frame.columns, CATEGORY_COLUMN_NAMES)
    values = frame[column] if column else pd.Series(None, index=frame.index, dtype=object)
    codes = values.map(vocabulary.resolve).astype(object)
    untagged = codes.isna()
    if untagged.any():
        attributes = frame.drop(columns=frame.geometry.name)
        codes[untagged] = [
            vocabulary.resolve_osm({k: v for k, v in row.items() if isinstance(v, str)})
            for row in attributes[untagged].to_dict("records")
        ]
    unresolved = codes.isna()
    if unresolved.any():
        shown = values[unresolved].map(lambda v: "<empty>" if v is None or pd.isna(v) else str(v))
        listing = ", ".join(f"{value!r} ({n}×)" for value, n in shown.value_counts().items())
        known = ", ".join(vocabulary.codes)
        problems.add_mask(
            UnknownCategoryError,
            f"{int(unresolved.sum())} feature(s) (rows {describe(frame.index[unresolved])}) "
            f"have no known category{' in column ' + repr(column) if column else ''}: "
            f"{listing}. Known categories: {known} (aliases in the vocabulary file), or OSM "
            "tags such as amenity=pharmacy",
            unresolved,
            ids,
            shown.map(lambda v: f"unknown category {v!r} (known: {known}; or OSM tags)"),
        )
    return codes


def _representative_points(geometry: gpd.GeoSeries) -> np.ndarray:
    """Points as they are; a point on the surface of anything else (RD New)."""
    values = np.asarray(geometry.values, dtype=object).copy()
    not_point = (geometry.geom_type != "Point").to_numpy()
    if not_point.any():
        values[not_point] = shapely.point_on_surface(values[not_point])
    return values


def _read_point_csv(
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
    try:
        table = pd.read_csv(path, sep=None, engine="python", dtype=str, encoding="utf-8-sig")
    except (
        pd.errors.ParserError,
        pd.errors.EmptyDataError,
        csv.Error,
        UnicodeDecodeError,
        OSError,
    ) as exc:
        raise ReadError(f"{where}: cannot read as CSV: {exc}") from exc
    check_count(len(table), limits, where=where)
    x_name, y_name, detected_crs = _coordinate_columns(table, x_column, y_column, where=where)
    x, bad_x = _coordinates(table[x_name])
    y, bad_y = _coordinates(table[y_name])
    ids = table[id_column] if (id_column := _find_column(table.columns, ID_COLUMN_NAMES)) else None
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
        stated = _crs_from_ranges(x[good], y[good], where=where)
    points = np.asarray(gpd.points_from_xy(np.where(good, x, 0.0), np.where(good, y, 0.0)))
    points[~good] = None  # recorded in problems above
    return gpd.GeoDataFrame(
        table.drop(columns=[x_name, y_name]),
        geometry=gpd.GeoSeries(points, index=table.index, crs=stated),
        crs=stated,
    )


def _coordinate_columns(
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
    lon, lat = _find_column(table.columns, LON_NAMES), _find_column(table.columns, LAT_NAMES)
    if lon and lat:
        return lon, lat, CRS.from_epsg(4326)
    x, y = _find_column(table.columns, X_NAMES), _find_column(table.columns, Y_NAMES)
    if x and y:
        return x, y, None
    raise MissingColumnError(
        f"{where}: no coordinate columns found (lon/lat or x/y); the file has "
        f"{', '.join(table.columns)}. State them with --x-column/--y-column"
    )


def _coordinates(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(numbers, bad): decimal commas understood; missing or non-numeric values are bad."""
    text = values.str.strip().str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(text, errors="coerce")
    bad = (numbers.isna() | ~np.isfinite(numbers)).astype(bool)
    return numbers.to_numpy(dtype=float), bad


def _crs_from_ranges(x: np.ndarray, y: np.ndarray, *, where: str) -> CRS:
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
