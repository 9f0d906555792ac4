"""Load & validate: CBS buurten and voorzieningen, from files into RD New GeoDataFrames.

Readers check everything before anything is stored and raise a subclass of
:class:`geo.errors.InputError` whose message names the file and the rows or codes at fault.

Buurten come as the CBS Wijk- en Buurtkaart publishes them: Shapefile (also zipped, as CBS
ships it with buurt, wijk and gemeente layers side by side), GeoPackage or GeoJSON, with the
column names of any year (``BU_CODE``/``buurtcode``, ``AANT_INW``/``aantal_inwoners``, ...).
CBS marks secret or not-applicable numbers with negative sentinels (-99999999, -99999997,
-99995, ...). Counts and percentages are never negative, so every negative number becomes a
missing value: it never enters a sum.

Voorzieningen come as GeoJSON (or any vector format GDAL reads) or CSV with lon/lat or RD x/y
columns. Polygons and lines (OSM buildings, for instance) are reduced to a point guaranteed to
lie on them (``shapely.point_on_surface``), after repairing invalid polygons.
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely
from pyproj import CRS

from geo.crs import RD_BOUNDS, parse_crs, to_working_crs
from geo.errors import (
    GeometryError,
    MissingColumnError,
    ReadError,
    UnknownCategoryError,
    ValueProblemError,
)
from geo.vocabulary import Vocabulary

#: Canonical buurt column → the names CBS has used for it (matched case-insensitively):
#: the Shapefile (upper case), the "Kerncijfers" GeoPackage (snake case) and PDOK's WFS
#: (camel case, what ``wsz download buurten`` saves).
BUURT_COLUMN_VARIANTS: dict[str, tuple[str, ...]] = {
    "bu_code": ("BU_CODE", "buurtcode", "statcode"),
    "bu_naam": ("BU_NAAM", "buurtnaam", "statnaam"),
    "wk_code": ("WK_CODE", "wijkcode"),
    "wk_naam": ("WK_NAAM", "wijknaam"),
    "gm_code": ("GM_CODE", "gemeentecode"),
    "gm_naam": ("GM_NAAM", "gemeentenaam"),
    "residents": ("AANT_INW", "aantal_inwoners", "aantalInwoners"),
    "pct_65plus": (
        "P_65_EO_JR",
        "percentage_personen_65_jaar_en_ouder",
        "percentagePersonen65JaarEnOuder",
    ),
    "residents_65plus": (
        "A_65_EO_JR",
        "aantal_personen_65_jaar_en_ouder",
        "aantalPersonen65JaarEnOuder",
    ),
}
REQUIRED_BUURT_COLUMNS = ("bu_code", "residents")
#: Columns of a loaded buurten frame, in order (plus ``geometry``).
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

BU_CODE_PATTERN = re.compile(r"^BU\d{8}$")
CATEGORY_COLUMN_NAMES = ("categorie", "category", "soort", "type")
NAME_COLUMN_NAMES = ("naam", "name", "titel", "omschrijving")
ID_COLUMN_NAMES = ("id", "@id", "osm_id", "fid", "identificatie")
LON_NAMES = ("lon", "lng", "longitude", "lengtegraad")
LAT_NAMES = ("lat", "latitude", "breedtegraad")
X_NAMES = ("x", "x_rd", "rd_x", "xcoord", "x_coord")
Y_NAMES = ("y", "y_rd", "rd_y", "ycoord", "y_coord")
VECTOR_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json")


# --------------------------------------------------------------------------- file access


def _describe_rows(labels: Iterable[object], *, limit: int = 10) -> str:
    items = [str(label) for label in labels]
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def _zip_member(path: Path, layer: str | None, prefer: str | None) -> tuple[str, str | None]:
    """GDAL path of the vector file inside a zip (CBS zips hold several in a subfolder)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(VECTOR_SUFFIXES)]
    except zipfile.BadZipFile as exc:
        raise ReadError(f"{path}: not a valid zip file ({exc})") from exc
    if not names:
        raise ReadError(f"{path}: the zip holds no Shapefile, GeoPackage or GeoJSON")
    if layer is not None:
        matching = [n for n in names if Path(n).stem == layer]
        if matching:
            return f"/vsizip/{path.resolve()}/{matching[0]}", None
        if len(names) == 1:
            return f"/vsizip/{path.resolve()}/{names[0]}", layer
        raise ReadError(f"{path}: no layer {layer!r} in the zip; it holds {', '.join(names)}")
    chosen = _choose(names, prefer, where=str(path), what="file", key=lambda n: Path(n).stem)
    return f"/vsizip/{path.resolve()}/{chosen}", None


def _choose(
    names: Sequence[str], prefer: str | None, *, where: str, what: str, key: object = None
) -> str:
    if len(names) == 1:
        return names[0]
    stem = key if callable(key) else (lambda n: n)
    preferred = [n for n in names if prefer and prefer in str(stem(n)).lower()]
    if len(preferred) == 1:
        return preferred[0]
    raise ReadError(f"{where}: holds several {what}s ({', '.join(names)}); choose one with --layer")


def read_vector(
    path: Path, *, layer: str | None = None, prefer: str | None = None
) -> gpd.GeoDataFrame:
    """Read a vector file (zip, GeoPackage, Shapefile, GeoJSON) through pyogrio.

    With several layers and no ``layer`` given, the one whose name contains ``prefer`` is
    taken (CBS: ``buurt_2021_v1``, ``buurten``). Raises :class:`ReadError` on anything GDAL
    cannot read, naming the file and GDAL's reason.
    """
    path = Path(path)
    if not path.exists():
        raise ReadError(f"{path}: no such file")
    source: str = str(path)
    if path.suffix.lower() == ".zip":
        source, layer = _zip_member(path, layer, prefer)
    try:
        if layer is None:
            layers = [str(name) for name in pyogrio.list_layers(source)[:, 0]]
            layer = _choose(layers, prefer, where=str(path), what="layer")
        elif layer not in {str(n) for n in pyogrio.list_layers(source)[:, 0]}:
            known = ", ".join(str(n) for n in pyogrio.list_layers(source)[:, 0])
            raise ReadError(f"{path}: no layer {layer!r}; it holds {known}")
        return gpd.read_file(source, layer=layer, engine="pyogrio")
    except (
        pyogrio.errors.DataSourceError,
        pyogrio.errors.DataLayerError,
        pyogrio.errors.FieldError,
        pyogrio.errors.FeatureError,
        pyogrio.errors.GeometryError,
    ) as exc:
        raise ReadError(f"{path}: cannot read as a vector file: {exc}") from exc
    except pyogrio.errors.CRSError as exc:
        raise ReadError(f"{path}: the file's CRS cannot be read: {exc}") from exc


def _state_crs(frame: gpd.GeoDataFrame, crs: str | CRS | None, *, where: str) -> gpd.GeoDataFrame:
    """Apply a CRS the user stated; it overrides what the file says (e.g. legacy GeoJSON)."""
    if crs is None:
        return frame
    return frame.set_crs(parse_crs(crs, where=where), allow_override=True)


def _find_column(columns: Iterable[str], candidates: Iterable[str]) -> str | None:
    by_lower = {c.lower(): c for c in columns}
    for candidate in candidates:
        if candidate.lower() in by_lower:
            return by_lower[candidate.lower()]
    return None


# --------------------------------------------------------------------------- buurten


def read_buurten(
    path: Path,
    *,
    layer: str | None = None,
    gemeente: str | None = None,
    crs: str | None = None,
    repair: bool = False,
) -> gpd.GeoDataFrame:
    """Read CBS buurten into a GeoDataFrame in RD New with :data:`BUURT_COLUMNS`.

    Parameters
    ----------
    path
        Shapefile (or a zip holding one), GeoPackage or GeoJSON.
    layer
        Layer (or file in a zip) to read; by default the only one, or the one named ``*buurt*``.
    gemeente
        Keep only this GM code (e.g. ``GM0356``); the national file has ~14,000 buurten.
    crs
        State the CRS when the file has none or a wrong one (legacy RD GeoJSON).
    repair
        Repair invalid polygons with ``shapely.make_valid`` instead of refusing them.

    ``residents`` and ``residents_65plus`` are floats with NaN for CBS's secret / not
    applicable values. ``residents_65plus`` is the CBS count where the file has one, else
    ``residents × P_65_EO_JR / 100``.
    """
    where = str(path)
    frame = _state_crs(read_vector(path, layer=layer, prefer="buurt"), crs, where=where)
    found = {
        canon: _find_column(frame.columns, names) for canon, names in BUURT_COLUMN_VARIANTS.items()
    }
    missing = [c for c in REQUIRED_BUURT_COLUMNS if found[c] is None]
    if missing:
        wanted = "; ".join(f"{c}: one of {'/'.join(BUURT_COLUMN_VARIANTS[c])}" for c in missing)
        raise MissingColumnError(
            f"{where}: required column(s) missing ({wanted}); the file has "
            f"{', '.join(c for c in frame.columns if c != 'geometry')}"
        )
    out = pd.DataFrame(index=frame.index)
    for canon, column in found.items():
        out[canon] = frame[column] if column is not None else None
    out["bu_code"] = out["bu_code"].astype("string").str.strip()
    _check_buurt_codes(out["bu_code"], where=where)
    out["wk_code"] = out["wk_code"].fillna("WK" + out["bu_code"].str[2:8])
    out["gm_code"] = out["gm_code"].fillna("GM" + out["bu_code"].str[2:6])
    out["bu_naam"] = out["bu_naam"].fillna(out["bu_code"])
    for column in ("residents", "pct_65plus", "residents_65plus"):
        out[column] = _cbs_numbers(out[column], column=found[column] or column, where=where)
    if found["residents_65plus"] is None:
        out["residents_65plus"] = out["residents"] * out["pct_65plus"] / 100.0
    if gemeente is not None:
        keep = out["gm_code"] == gemeente
        if not keep.any():
            present = ", ".join(sorted(out["gm_code"].dropna().unique())[:10])
            raise ValueProblemError(f"{where}: no buurten of gemeente {gemeente}; found {present}")
        out, frame = out[keep], frame[keep]
    geometry = _check_polygons(frame.geometry, out["bu_code"], where=where, repair=repair)
    result = gpd.GeoDataFrame(out[list(BUURT_COLUMNS)], geometry=geometry, crs=frame.crs)
    return to_working_crs(result, where=where).reset_index(drop=True)


def _check_buurt_codes(codes: pd.Series, *, where: str) -> None:
    malformed = codes[~codes.fillna("").str.match(BU_CODE_PATTERN.pattern)]
    if len(malformed):
        raise ValueProblemError(
            f"{where}: malformed buurt code(s) {_describe_rows(malformed.fillna('<empty>'))} "
            "(expected BU followed by 8 digits, e.g. BU03560101)"
        )
    duplicated = codes[codes.duplicated()].unique()
    if len(duplicated):
        raise ValueProblemError(f"{where}: buurt code(s) occur twice: {_describe_rows(duplicated)}")


def _cbs_numbers(values: pd.Series, *, column: str, where: str) -> pd.Series:
    """Numbers with CBS's negative sentinels (and any other negative) as NaN."""
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    garbage = numbers.isna() & values.notna()
    if garbage.any():
        raise ValueProblemError(
            f"{where}: column {column} has non-numeric values in row(s) "
            f"{_describe_rows(values.index[garbage])}"
        )
    return numbers.where(numbers >= 0)


def _check_polygons(
    geometry: gpd.GeoSeries, codes: pd.Series, *, where: str, repair: bool
) -> gpd.GeoSeries:
    missing = geometry.isna() | geometry.is_empty
    if missing.any():
        raise GeometryError(
            f"{where}: buurt(en) without geometry: {_describe_rows(codes[missing])}"
        )
    kinds = geometry.geom_type
    not_polygonal = ~kinds.isin(["Polygon", "MultiPolygon"])
    if not_polygonal.any():
        found = ", ".join(
            f"{c} ({k})" for c, k in zip(codes[not_polygonal], kinds[not_polygonal], strict=True)
        )
        raise GeometryError(f"{where}: buurten must be polygons; got {found}")
    invalid = ~geometry.is_valid
    if not invalid.any():
        return geometry
    if repair:
        repaired = geometry.copy()
        repaired[invalid] = shapely.make_valid(
            np.asarray(geometry[invalid].values), method="structure", keep_collapsed=False
        )
        return repaired
    reasons = shapely.is_valid_reason(geometry[invalid].values)
    details = "; ".join(f"{c}: {r}" for c, r in zip(codes[invalid], reasons, strict=True))
    raise GeometryError(
        f"{where}: invalid polygon(s) — {details}. Fix them in a GIS, or import with --repair "
        "to repair them with shapely.make_valid"
    )


# --------------------------------------------------------------------------- voorzieningen


def read_voorzieningen(
    path: Path,
    vocabulary: Vocabulary,
    *,
    layer: str | None = None,
    crs: str | None = None,
    category: str | None = None,
    category_column: str | None = None,
    x_column: str | None = None,
    y_column: str | None = None,
) -> gpd.GeoDataFrame:
    """Read voorzieningen into points in RD New with :data:`VOORZIENING_COLUMNS`.

    The category of each row comes from ``category`` (one for the whole file), else from
    ``category_column`` (default: the first of ``categorie``, ``category``, ``soort``, ``type``),
    matched against the vocabulary's codes and aliases, else from OSM tags (``amenity``,
    ``shop``, ``healthcare``, ...). Rows whose category cannot be resolved are refused, listing
    the values and the known categories.

    CSV files need coordinate columns: ``lon``/``lat`` (WGS84) or ``x``/``y`` (RD New), stated
    with ``x_column``/``y_column`` or detected by name; the CRS of x/y is stated with ``crs`` or
    detected from the value ranges. Decimal commas and ``;`` separators are understood.
    """
    path = Path(path)
    where = str(path)
    if path.suffix.lower() in (".csv", ".txt"):
        frame = _read_point_csv(path, crs=crs, x_column=x_column, y_column=y_column)
    else:
        frame = _state_crs(read_vector(path, layer=layer), crs, where=where)
    if frame.empty:
        raise ValueProblemError(f"{where}: holds no features")
    codes = _categories(frame, vocabulary, where=where, category=category, column=category_column)
    id_column = _find_column(frame.columns, ID_COLUMN_NAMES)
    ids = (
        frame[id_column].astype("string")
        if id_column is not None
        else pd.Series([f"{path.stem}-{n + 1}" for n in range(len(frame))], index=frame.index)
    )
    duplicated = ids[ids.duplicated()].unique()
    if len(duplicated):
        raise ValueProblemError(f"{where}: id(s) occur twice: {_describe_rows(duplicated)}")
    name_column = _find_column(frame.columns, NAME_COLUMN_NAMES)
    labels = codes.map(lambda code: vocabulary[code].label_nl)
    names = frame[name_column].astype("string").fillna(labels) if name_column else labels
    points = _representative_points(frame.geometry, where=where)
    result = gpd.GeoDataFrame(
        {"id": ids.astype(str), "name": names.astype(str), "category": codes, "source": path.name},
        geometry=points,
        crs=frame.crs,
    )
    return to_working_crs(result, where=where).reset_index(drop=True)


def _categories(
    frame: gpd.GeoDataFrame,
    vocabulary: Vocabulary,
    *,
    where: str,
    category: str | None,
    column: str | None,
) -> pd.Series:
    if category is not None:
        code = vocabulary.resolve(category)
        if code is None:
            raise UnknownCategoryError(
                f"{where}: unknown category {category!r}; known: {', '.join(vocabulary.codes)}"
            )
        return pd.Series(code, index=frame.index)
    if column is not None and column not in frame.columns:
        raise MissingColumnError(
            f"{where}: no column {column!r}; the file has "
            f"{', '.join(c for c in frame.columns if c != 'geometry')}"
        )
    column = column or _find_column(frame.columns, CATEGORY_COLUMN_NAMES)
    values = frame[column] if column else pd.Series(None, index=frame.index, dtype=object)
    codes = values.map(vocabulary.resolve)
    attributes = frame.drop(columns=frame.geometry.name)
    untagged = codes.isna()
    if untagged.any():
        codes[untagged] = [
            vocabulary.resolve_osm({k: v for k, v in row.items() if isinstance(v, str)})
            for row in attributes[untagged].to_dict("records")
        ]
    unresolved = codes.isna()
    if unresolved.any():
        shown = values[unresolved].fillna("<empty>").astype(str)
        counts = shown.value_counts()
        listing = ", ".join(f"{value!r} ({n}×)" for value, n in counts.items())
        raise UnknownCategoryError(
            f"{where}: {int(unresolved.sum())} feature(s) (rows "
            f"{_describe_rows(frame.index[unresolved])}) have no known category"
            f"{' in column ' + repr(column) if column else ''}: {listing}. Known categories: "
            f"{', '.join(vocabulary.codes)} (aliases in the vocabulary file), or OSM tags "
            "such as amenity=pharmacy"
        )
    return codes.astype(str)


def _representative_points(geometry: gpd.GeoSeries, *, where: str) -> np.ndarray:
    missing = geometry.isna() | geometry.is_empty
    if missing.any():
        raise GeometryError(
            f"{where}: feature(s) without geometry in row(s) "
            f"{_describe_rows(geometry.index[missing])}"
        )
    values = geometry.values
    not_point = geometry.geom_type != "Point"
    if not_point.any():
        valid = shapely.make_valid(np.asarray(values[not_point.to_numpy()], dtype=object))
        points = np.asarray(values, dtype=object).copy()
        points[not_point.to_numpy()] = shapely.point_on_surface(valid)
        return points
    return np.asarray(values, dtype=object)


def _read_point_csv(
    path: Path, *, crs: str | None, x_column: str | None, y_column: str | None
) -> gpd.GeoDataFrame:
    where = str(path)
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
    table.index = table.index + 2  # rows are reported as line numbers (line 1 is the header)
    x_name, y_name, detected_crs = _coordinate_columns(table, x_column, y_column, where=where)
    x = _coordinates(table[x_name], column=x_name, where=where)
    y = _coordinates(table[y_name], column=y_name, where=where)
    stated = parse_crs(crs, where=where) if crs is not None else detected_crs
    if stated is None:
        stated = _crs_from_ranges(x, y, where=where)
    return gpd.GeoDataFrame(
        table.drop(columns=[x_name, y_name]), geometry=gpd.points_from_xy(x, y), crs=stated
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


def _coordinates(values: pd.Series, *, column: str, where: str) -> np.ndarray:
    text = values.str.strip().str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(text, errors="coerce")
    bad = numbers.isna()
    if bad.any():
        raise ValueProblemError(
            f"{where}: column {column} has missing or non-numeric coordinates on line(s) "
            f"{_describe_rows(values.index[bad])}"
        )
    return numbers.to_numpy(dtype=float)


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
